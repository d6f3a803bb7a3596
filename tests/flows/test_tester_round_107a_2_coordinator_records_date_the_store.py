"""After tester round 107a, 2: a coordinator's own records date the store, as a run's and a sync's do.

The commands that record refused a clock behind the last day the store recorded, but that day counted a health
judgement and what a sync writes only. So two queue commands with no run between them were dated out of order:
`faketime 2027-02-20 lmsync queue done A B --outcome met`, then `faketime 2027-02-12 lmsync queue ack C D`, accepted
and dated 2027-02-12, before the outcome the store held of 2027-02-20. A meeting recorded by `meetings add` or an
import, and a survey import, did not count either. Each counts now by the day it was recorded (a meeting's own date,
which the coordinator types, never does): under a clock behind it `queue ack`, `meetings add` and `sync` refuse, exit 2,
nothing written, the refusal naming what dated the store.

The days are ahead of the wall clock, as in round 105a, 2's tests; the store's instants are set to the tester's
faketime too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import db, journal, pairings, queue, surveys
from lmsync.store import meetings as stored_meetings
from lmsync.store.db import Store
from lmsync.store.schema import coordinator_queue, imports, meetings, queue_tracking, survey_answers
from tests.flows.conftest import mentee_of, run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later
QUEUE = ("this store last recorded a coordinator's queue record (an acknowledgement, an outcome, an item queued, "
         "paused or put on hold, a pair marked not a good fit)")
RECORDS = ("this store last recorded a meeting, a survey answer or an import (the day it was recorded, not the day it "
           "names)")


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """09:00 UTC on ``day`` for the programme's clock and the store's instants (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (db, pairings, journal, queue, surveys, stored_meetings):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _recorded(home: Path) -> tuple[Any, ...]:
    """The coordinator's queue and its tracking, the stored meetings, survey answers and imports."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        return tuple([tuple(r) for r in store.rows(table.select().order_by(*table.primary_key.columns))]
                     for table in (coordinator_queue, queue_tracking, meetings, survey_answers, imports))
    finally:
        store.close()


def _queued(home: Path, mentor: str, mentee: str, day: date) -> None:
    """An open queue item of the pair, opened on ``day`` as a judgement of it fading would have."""
    from lmsync.domain.health import PairHealth, Reason
    from lmsync.store.health import CoordinatorQueue

    config = load_config(home / "lmsync.toml", environ={})
    ids = {u.username: u.id for u in Site.load(config.emulator_state_path()).users.values()}
    store = Store(config.store_path())
    try:
        health = PairHealth(ids[mentor], ids[mentee], "fading", (Reason("no_meeting", "fading", "No meeting."),),
                            day - timedelta(days=60), None, 60)
        CoordinatorQueue(store, config.programme.name).offer(day, health)
    finally:
        store.close()


def _refused(home: Path, *args: str, behind: date, last: date, words: str) -> None:
    refused = run_in(home, *args)
    said = _said(refused)
    assert refused.exit_code == EXIT_ADMIN, (args, refused.output)
    assert (f"the clock says {behind.isoformat()}, but {words} on {last.isoformat()}: the system clock went back"
            in said), (args, said)


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_a_queue_ack_behind_an_outcome_recorded_later_is_refused(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _on(monkeypatch, BASE)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    a, c = mentee_of(demo_home, "m0001"), mentee_of(demo_home, "m0002")
    _queued(demo_home, "m0001", a, BASE)
    _queued(demo_home, "m0002", c, BASE)
    later = BASE + timedelta(days=20)
    _on(monkeypatch, later)
    done = run_in(demo_home, "queue", "done", "m0001", a, "--outcome", "met")  # no run between the two
    assert done.exit_code == EXIT_OK, done.output
    before = _recorded(demo_home)

    behind = BASE + timedelta(days=12)
    _on(monkeypatch, behind)
    _refused(demo_home, "queue", "ack", "m0002", c, behind=behind, last=later, words=QUEUE)
    assert "nothing was written" in _said(run_in(demo_home, "queue", "ack", "m0002", c))
    _refused(demo_home, "sync", behind=behind, last=later, words=QUEUE)
    assert _recorded(demo_home) == before, "nothing written: the item stays open, not acknowledged on an earlier day"

    _on(monkeypatch, later)  # the clock right again: the same day goes on
    acked = run_in(demo_home, "queue", "ack", "m0002", c)
    assert acked.exit_code == EXIT_OK, acked.output
    assert _recorded(demo_home) != before


def _csv(home: Path, name: str, text: str) -> str:
    (home / name).write_text(text)
    return str(home / name)


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
@pytest.mark.parametrize("record", ["meetings add", "import meetings", "import surveys"])
def test_a_meeting_or_survey_recorded_dates_the_store_by_its_recording_day_not_its_own(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    _on(monkeypatch, BASE)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    mentee = mentee_of(demo_home, "m0001")
    recorded, dated = BASE + timedelta(days=10), (BASE + timedelta(days=2)).isoformat()  # a meeting of days before
    _on(monkeypatch, recorded)
    args = {
        "meetings add": ("meetings", "add", "--mentor", "m0001", "--mentee", mentee, "--date", dated, "--minutes", "30"),
        "import meetings": ("import", "meetings", _csv(demo_home, "m.csv", "date,mentor,mentee,minutes,attended\n"
                                                       f"{dated},m0001,{mentee},25,yes\n")),
        "import surveys": ("import", "surveys", _csv(demo_home, "s.csv", "respondent,date,instrument,item,value,about\n"
                                                     f"{mentee},{dated},relationship_satisfaction_mentee,rs1,4,m0001\n")),
    }[record]
    first = run_in(demo_home, *args)
    assert first.exit_code == EXIT_OK, first.output
    before = _recorded(demo_home)

    behind = BASE + timedelta(days=5)  # after the meeting's own date, before the day it was recorded
    _on(monkeypatch, behind)
    _refused(demo_home, "meetings", "add", "--mentor", "m0001", "--mentee", mentee, "--date",
             (BASE + timedelta(days=4)).isoformat(), "--minutes", "20", behind=behind, last=recorded, words=RECORDS)
    _refused(demo_home, "sync", behind=behind, last=recorded, words=RECORDS)
    assert _recorded(demo_home) == before

    _on(monkeypatch, recorded)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
