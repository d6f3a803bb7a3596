"""Tester round 107a, 1 and 2: a clock set back behind what the store recorded.

1. `lmsync run` refused only a clock behind the last health judgement: with a store that recorded 2026-12-10 (a sync
that day found a mentee away) and no judgement that day, a run at 2026-12-08 ran its sync step (a new mentee added
in Moodle, the pairing history dated before the store's record) and judged 2026-12-08, exit 0, while `lmsync sync`
at that clock refused. A run (and the daemon's) now refuses before any step, "nothing ran", exit 2.
2. `queue done`, `queue ack`, `meetings add|remove` and `import meetings|surveys` were accepted under such a clock,
dated that earlier day: `pair show` said "ended by a coordinator since" a day before the last run and `health
--as-of` of a day already judged changed. They refuse (exit 2, nothing written); what only reads goes on.

The days are ahead of the wall clock, as in round 105a, 2's tests: the store dates its instants by the wall clock."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.service.jobs import StopFlag, daemon_loop
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from lmsync.store.schema import coordinator_queue, meetings
from lmsync.store.snapshots import HealthSnapshots
from tests.flows.conftest import mentee_of, run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later
MENTOR = "m0001"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=9))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _recorded(home: Path) -> tuple[Any, ...]:
    """What a write would change: the pairing history, the journal's entries, the health snapshot days, the
    coordinator's queue, the stored meetings, and Moodle's groups (idnumber -> members) and users."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        name = config.programme.name
        rows = PairingHistory(store, name).history()
        entries = len(Journal(store, name).entries())
        days = HealthSnapshots(store, name).last_day()
        queue = [tuple(r) for r in store.rows(coordinator_queue.select().order_by(coordinator_queue.c.id))]
        met = [tuple(r) for r in store.rows(meetings.select().order_by(meetings.c.id))]
    finally:
        store.close()
    site = Site.load(config.emulator_state_path())
    return (rows, entries, days, queue, met, {g.idnumber: sorted(g.members) for g in site.groups.values()},
            sorted(u.username for u in site.users.values()))


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_107a_1_a_run_behind_the_day_a_sync_recorded_refuses_before_any_step(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BASE)
    assert run_in(demo_home, "run").exit_code in (EXIT_OK, EXIT_ADMIN)  # a first assessment holds nudges: exit 2
    mentee = mentee_of(demo_home, MENTOR)
    _on(monkeypatch, BASE + timedelta(days=3))
    assert run_in(demo_home, "emulator", "edit", "suspend", mentee).exit_code == EXIT_OK
    synced = run_in(demo_home, "sync")  # records the mentee away since BASE + 3; no health judgement that day
    assert synced.exit_code == EXIT_OK, synced.output
    assert run_in(demo_home, "emulator", "edit", "join", "s0100", "--name", "New Mentee").exit_code == EXIT_OK
    before = _recorded(demo_home)
    assert before[2] == BASE  # the last judgement is BASE: `check_clock` alone lets a run at BASE + 1 go on

    _on(monkeypatch, BASE + timedelta(days=1))  # behind the sync's record, ahead of the last judgement
    ran = run_in(demo_home, "run")
    words = _said(ran)
    assert ran.exit_code == EXIT_ADMIN, ran.output
    assert (f"the clock says {(BASE + timedelta(days=1)).isoformat()}, but this store last recorded the programme "
            f"(its pairing history, its journal of Moodle writes or the days someone was found away) on "
            f"{(BASE + timedelta(days=3)).isoformat()}") in words, words
    assert "nothing ran" in words and "nothing was synced" in words, words
    assert _recorded(demo_home) == before, "no step ran: no one added in Moodle, nothing judged or recorded"

    runs: list[Any] = []  # the daemon goes on, as for a clock behind a judgement
    config = load_config(demo_home / "lmsync.toml", environ={})
    code = daemon_loop(config, 900, StopFlag(threading.Event()), max_runs=2, sleep=lambda _s: None,
                       on_run=lambda *a: runs.append(a))
    assert code == EXIT_ADMIN and len(runs) == 2 and all(r[0] is None and r[1] == EXIT_ADMIN for r in runs), runs
    assert _recorded(demo_home) == before

    _on(monkeypatch, BASE + timedelta(days=3))  # the clock right again: the run goes on
    again = run_in(demo_home, "run")
    assert "nothing ran" not in _said(again), again.output
    assert _recorded(demo_home) != before


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


def _csv(home: Path, name: str, text: str) -> str:
    (home / name).write_text(text)
    return str(home / name)


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_107a_2_commands_that_record_refuse_a_clock_behind_the_store_and_reads_go_on(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BASE)
    run_in(demo_home, "run")
    mentee = mentee_of(demo_home, MENTOR)
    last = BASE + timedelta(days=10)
    _on(monkeypatch, last)
    met = (last - timedelta(days=1)).isoformat()
    added = run_in(demo_home, "meetings", "add", "--mentor", MENTOR, "--mentee", mentee, "--date", met, "--minutes", "30")
    assert added.exit_code == EXIT_OK, added.output
    run_in(demo_home, "run")  # health judges `last`
    _queued(demo_home, MENTOR, mentee, last)
    health_before = _said(run_in(demo_home, "health", "--as-of", (BASE + timedelta(days=7)).isoformat()))
    before = _recorded(demo_home)
    assert before[2] == last

    back = BASE + timedelta(days=5)
    _on(monkeypatch, back)  # the clock five days behind the last run
    early = (back - timedelta(days=1)).isoformat()
    writes = {
        "queue ack": ("queue", "ack", MENTOR, mentee),
        "queue done": ("queue", "done", MENTOR, mentee, "--outcome", "closed"),
        "meetings add": ("meetings", "add", "--mentor", MENTOR, "--mentee", mentee, "--date", early, "--minutes", "20"),
        "meetings remove": ("meetings", "remove", "--mentor", MENTOR, "--mentee", mentee, "--date", met, "--yes"),
        "import meetings": ("import", "meetings", _csv(demo_home, "m.csv", "date,mentor,mentee,minutes,attended\n"
                                                       f"{back - timedelta(days=2)},{MENTOR},{mentee},25,yes\n")),
        "import surveys": ("import", "surveys", _csv(demo_home, "s.csv", "respondent,date,instrument,item,value,about\n"
                                                     f"{mentee},{early},relationship_satisfaction_mentee,rs1,4,"
                                                     f"{MENTOR}\n")),
    }
    for command, args in writes.items():
        refused = run_in(demo_home, *args)
        words = _said(refused)
        assert refused.exit_code == EXIT_ADMIN, (command, refused.output)
        assert (f"the clock says {back.isoformat()}, but this store's last run judged the programme on "
                f"{last.isoformat()}: the system clock went back") in words, (command, words)
        assert "nothing was written" in words, (command, words)
        assert _recorded(demo_home) == before, command

    for read in (("queue", "list"), ("meetings", "list"), ("pair", "show", MENTOR, mentee),
                 ("health", "--as-of", (BASE + timedelta(days=3)).isoformat())):
        shown = run_in(demo_home, *read)
        assert shown.exit_code == EXIT_OK and "the clock says" not in _said(shown), (read, shown.output)
    assert "ended by a coordinator" not in _said(run_in(demo_home, "pair", "show", MENTOR, mentee))
    assert _recorded(demo_home) == before

    _on(monkeypatch, last)  # the clock right again: recorded that day, and a past day judged as it was
    done = run_in(demo_home, "queue", "done", MENTOR, mentee, "--outcome", "closed")
    assert done.exit_code == EXIT_OK, done.output
    assert f"since {last.isoformat()}" in _said(run_in(demo_home, "pair", "show", MENTOR, mentee))
    assert _said(run_in(demo_home, "health", "--as-of", (BASE + timedelta(days=7)).isoformat())) == health_before
