"""Tester round 105a, 2: `lmsync sync` under a clock ten days behind the last run exited 0 and wrote: the pairing
history closed a pair on that earlier day, and `pair show` read "paired ... to 2026-12-10 (ended 2026-12-10)" while a
stored meeting of the pair was dated 2026-12-18 (so it counted in no grade). `lmsync run` at such a clock refused
(exit 2, nothing ran). `lmsync sync` and `lmsync apply` now refuse the same way before writing anything when the
programme's day is earlier than the last day the store recorded (a health judgement, or what a sync writes: the
pairing history, the journal, the days someone was found away); `lmsync plan` and `sync --dry-run` only read and
warn. The days are relative to the wall clock and ahead of it: the store dates its instants by the wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from tests.flows.conftest import mentee_of, run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later
MENTOR = "m0002"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=9))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _judged(ran: Any) -> bool:
    """Whether a run's health step judged the programme (its nudges are held: a first assessment, exit 2)."""
    return any(line.split()[:2] == ["health", "ok"] for line in ran.output.splitlines())


def _recorded(home: Any) -> tuple[list[Any], int, dict[str, list[int]]]:
    """The pairing history's rows, the journal's entry count, and Moodle's groups (idnumber -> members)."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        rows = PairingHistory(store, config.programme.name).history()
        entries = len(Journal(store, config.programme.name).entries())
    finally:
        store.close()
    site = Site.load(config.emulator_state_path())
    return rows, entries, {g.idnumber: sorted(g.members) for g in site.groups.values()}


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_105a_2_a_sync_under_a_clock_behind_the_last_run_is_refused_and_writes_nothing(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BASE)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    mentee = mentee_of(demo_home, MENTOR)
    _on(monkeypatch, BASE + timedelta(days=13))
    met = (BASE + timedelta(days=11)).isoformat()
    added = run_in(demo_home, "meetings", "add", "--mentor", MENTOR, "--mentee", mentee, "--date", met, "--minutes", "30")
    assert added.exit_code == EXIT_OK, added.output
    assert _judged(run_in(demo_home, "run"))  # health judges BASE + 13
    _on(monkeypatch, BASE + timedelta(days=14))
    assert run_in(demo_home, "emulator", "edit", "unenrol", mentee).exit_code == EXIT_OK
    before = _recorded(demo_home)

    _on(monkeypatch, BASE + timedelta(days=3))  # the clock ten days behind the last run
    refused = run_in(demo_home, "sync")
    judged = (BASE + timedelta(days=13)).isoformat()
    assert refused.exit_code == EXIT_ADMIN, refused.output
    words = _said(refused)
    assert (f"the clock says {(BASE + timedelta(days=3)).isoformat()}, but this store's last run judged the programme "
            f"on {judged}: the system clock went back") in words
    assert "nothing was synced" in words and f"syncs and runs go on again on {judged} (that day itself)" in words
    assert _recorded(demo_home) == before, "nothing written: the pairing history, the journal and Moodle as they were"

    plan = run_in(demo_home, "plan", "--out", "plan.json")  # a read: shown, with a warning, exit 0
    assert plan.exit_code == EXIT_OK and "`lmsync sync` and `lmsync apply` refuse to write now (exit 2)" in _said(plan)
    dry = run_in(demo_home, "sync", "--dry-run")
    assert dry.exit_code == EXIT_OK and "refuse to write now" in _said(dry) and "nothing was written" in _said(dry)
    applied = run_in(demo_home, "apply", "plan.json")
    assert applied.exit_code == EXIT_ADMIN and "the system clock went back" in _said(applied), applied.output
    ran = run_in(demo_home, "run")  # `lmsync run` refuses before its sync step, as it did
    assert ran.exit_code == EXIT_ADMIN and "nothing ran" in _said(ran), ran.output
    assert _recorded(demo_home) == before

    _on(monkeypatch, BASE + timedelta(days=15))
    shown = _said(run_in(demo_home, "pair", "show", MENTOR, mentee))
    assert "paired since" in shown and f"to {(BASE + timedelta(days=3)).isoformat()}" not in shown, shown


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_105a_2_a_sync_on_the_same_day_or_later_goes_on(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _on(monkeypatch, BASE)
    assert _judged(run_in(demo_home, "run"))
    same = run_in(demo_home, "sync")
    assert same.exit_code == EXIT_OK and "refuse" not in _said(same), same.output
    _on(monkeypatch, BASE + timedelta(days=1))
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    assert "refuse to write now" not in _said(run_in(demo_home, "plan"))


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_105a_2_a_day_only_a_sync_recorded_refuses_an_earlier_sync(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No run judged the programme: the day a sync found a mentee away (``member_absences``) is the last day."""
    _on(monkeypatch, BASE)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    mentee = mentee_of(demo_home, MENTOR)
    assert run_in(demo_home, "emulator", "edit", "unenrol", mentee).exit_code == EXIT_OK
    _on(monkeypatch, BASE + timedelta(days=10))
    assert run_in(demo_home, "sync").exit_code == EXIT_OK  # records the mentee away since BASE + 10
    before = _recorded(demo_home)
    _on(monkeypatch, BASE + timedelta(days=5))
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert ("this store last recorded the programme (its pairing history, its journal of Moodle writes or the days "
            f"someone was found away) on {(BASE + timedelta(days=10)).isoformat()}") in _said(refused)
    assert _recorded(demo_home) == before


def test_round_105a_2_the_last_recorded_day_reads_the_pairing_history_and_the_journal_in_the_programme_zone() -> None:
    from zoneinfo import ZoneInfo

    from lmsync.service.clock_check import last_recorded_day
    from lmsync.store.schema import journal, pairing_history

    store = Store.memory()
    try:
        assert last_recorded_day(store, "p", UTC) is None
        store.write(pairing_history.insert(), [{"programme": "p", "mentor_id": 1, "mentee_id": 2, "source": "apply",
                                                "joined_at": "2026-12-07T09:00:00.000+00:00",
                                                "left_at": "2026-12-20T22:30:00.000+00:00"}])
        assert last_recorded_day(store, "p", UTC) is not None
        assert last_recorded_day(store, "p", UTC)[0] == date(2026, 12, 20)  # type: ignore[index]
        assert last_recorded_day(store, "p", ZoneInfo("Pacific/Auckland"))[0] == date(2026, 12, 21)  # type: ignore[index]
        store.write(journal.insert(), [{"programme": "p", "run_id": "r", "function": "f", "op_kind": "add_member",
                                        "op_keys": "[]", "item_count": 0, "state": "ok",
                                        "started_at": "2026-12-23T08:00:00.000+00:00"}])
        assert last_recorded_day(store, "p", UTC)[0] == date(2026, 12, 23)  # type: ignore[index]
        assert last_recorded_day(store, "other", UTC) is None
    finally:
        store.close()
