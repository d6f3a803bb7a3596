"""Two first starts on one new store (tester round 124, findings 5 and 2).

5: the start that waited for the other's migration lock found the store made, at the newest revision, and logged
``store.migrated from=none`` as if it had upgraded an old store (and on SQLite, holding data by then, copied it to
``.bak-none``). A store another process made meanwhile is nothing to do. 2: two programmes sharing one new
PostgreSQL store both read no binding and both inserted it; the second died on ``store_binding_pkey``. It now finds
the first's binding and goes on as a second programme's first run does on an existing store (same site and course:
on, with no ``store.bound`` line of its own; another course on a store holding data: the usual refusal).

Each race is made deterministic by doing the other process's step from a second ``Store`` at the exact point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from lmsync.config import load_config
from lmsync.errors import ConfigError
from lmsync.service.stores import check_binding
from lmsync.store import migrate, schema
from lmsync.store.db import Store, StoreBinding

SITE = "https://moodle.school.example"


@pytest.fixture(autouse=True)
def _info_events_reach_the_capture() -> Iterator[None]:
    """``store.bound`` is an info line: start from structlog's defaults (an earlier CLI test may filter it)."""
    before = structlog.get_config()
    structlog.reset_defaults()
    yield
    structlog.configure(**before)


def _journal_row(store: Store) -> None:
    """One row of programme data."""
    store.write(schema.journal.insert().values(
        run_id="r1", programme="p", function="f", op_kind="add_member", op_keys="[]", item_count=0, state="ok",
        started_at="2026-09-01T08:00:00", finished_at="2026-09-01T08:00:00"))


def _events(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]


def test_round_124_5_a_store_another_process_made_while_this_one_waited_is_not_migrated_or_copied(
    store_target, tmp_path, monkeypatch,
):
    """Between this open's first revision read (none: a new database) and its migration lock, another process
    makes the store at the newest revision and writes to it: this open then has nothing to do."""
    real = migrate._made_new
    others: list[Store] = []
    calls: list[Any] = []

    def another_process_first(conn: Any) -> Any:
        calls.append(conn)
        if len(calls) == 1:  # the other process's open calls this too: then the real step only
            others.append(other := Store(store_target))
            _journal_row(other)  # data by now: a SQLite store would be copied before a migration
        return real(conn)

    monkeypatch.setattr(migrate, "_made_new", another_process_first)
    with capture_logs() as events:
        store = Store(store_target)
    try:
        assert others, "the other process's step ran"
        assert _events(events, "store.migrated") == []
        assert sorted(p.name for p in tmp_path.iterdir() if ".bak-" in p.name) == []
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        assert len(store.rows(schema.journal.select())) == 1
    finally:
        store.close()
        for other in others:
            other.close()


def _config(tmp_path: Path, course: str) -> Any:
    path = tmp_path / f"{course}.toml"
    path.write_text(f'[moodle]\nurl = "{SITE}"\n[programme]\ncourse = "{course}"\n[store]\npath = "{tmp_path}/x.db"\n')
    return load_config(path, environ={})


def _bound_by_the_other_first(store: Store, other: Store, course: str, *, data: bool,
                              monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """At ``store``'s ``step`` (its first binding read, or the data check between its read and its insert),
    ``other`` binds the store to ``course`` (and writes a row when ``data``) and commits."""
    real: Callable[[], Any] = getattr(store, step)
    done: list[StoreBinding] = []

    def other_first() -> Any:
        answer = real()
        if not done:
            done.append(other.bind(SITE, course))
            if data:
                _journal_row(other)
        return answer

    monkeypatch.setattr(store, step, other_first)


def _two_stores(target: Path | str) -> tuple[Store, Store]:
    first = Store(target)
    return first, Store(target)


def _goes_on_with_the_winners_binding(store: Store, other: Store, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    _bound_by_the_other_first(store, other, "MENTOR-2026", data=False, monkeypatch=monkeypatch, step=step)
    with capture_logs() as events:
        bound = check_binding(store, _config(tmp_path, "MENTOR-2026"))
    monkeypatch.undo()
    assert bound is not None and (bound.site, bound.course) == (SITE, "MENTOR-2026")
    assert bound == other.binding()  # the winner's row, the one row
    assert [e["event"] for e in events if e["event"].startswith("store.")] == []  # not said as this run's
    assert len(store.rows(schema.store_binding.select())) == 1


def test_round_124_2_a_run_whose_first_binding_read_is_overtaken_goes_on_with_the_winners_binding(
    store_target, tmp_path, monkeypatch,
):
    store, other = _two_stores(store_target)
    try:
        _goes_on_with_the_winners_binding(store, other, tmp_path, monkeypatch, "binding")
    finally:
        store.close()
        other.close()


def test_round_124_2_a_run_losing_the_binding_insert_on_postgresql_goes_on_with_the_winners_binding(
    postgres_url, tmp_path, monkeypatch,
):
    """The other's insert commits between this run's read and its insert, inside ``bind`` (PostgreSQL only: on
    SQLite, ``bind``'s BEGIN IMMEDIATE keeps another writer out of that span)."""
    store, other = _two_stores(postgres_url)
    try:
        _goes_on_with_the_winners_binding(store, other, tmp_path, monkeypatch, "holds_data")
    finally:
        store.close()
        other.close()


@pytest.mark.parametrize("data", [True, False], ids=["holds_data", "nothing_written_yet"])
@pytest.mark.parametrize("step", ["binding", "holds_data"])
def test_round_124_2_a_run_that_loses_the_binding_race_to_another_course_is_refused_as_on_an_existing_store(
    store_target, tmp_path, monkeypatch, step, data,
):
    """Refused, and the winner's binding stays, even while the winner has written nothing yet: rebinding it (as a
    store a finished run bound and left empty is rebound) would leave the winner, still running, writing into a
    store bound to the loser's course (review of round 124, 2)."""
    if step == "holds_data" and not isinstance(store_target, str):
        pytest.skip("SQLite: bind's BEGIN IMMEDIATE keeps another writer out between its read and its insert")
    store, other = _two_stores(store_target)
    try:
        _bound_by_the_other_first(store, other, "MENTOR-2027", data=data, monkeypatch=monkeypatch, step=step)
        with pytest.raises(ConfigError, match="course MENTOR-2027; this configuration names site .*course MENTOR-2026"):
            check_binding(store, _config(tmp_path, "MENTOR-2026"))
        assert other.binding() is not None and other.binding().course == "MENTOR-2027"
    finally:
        store.close()
        other.close()


def test_round_124_2_bind_inside_the_race_on_postgresql_records_nothing_and_returns_the_binding_in_force(
    postgres_url, monkeypatch,
):
    """``Store.bind`` itself: the other's insert commits between this one's read and its insert."""
    store, other = _two_stores(postgres_url)
    try:
        _bound_by_the_other_first(store, other, "MENTOR-2027", data=True, monkeypatch=monkeypatch, step="holds_data")
        bound = store.bind(SITE, "MENTOR-2026")  # not a store_binding_pkey IntegrityError
        assert (bound.course, bound.adopted) == ("MENTOR-2027", False) and bound == other.binding()
        assert store.claim_binding(SITE, "MENTOR-2026") == (bound, False)  # this run recorded nothing
    finally:
        store.close()
        other.close()
