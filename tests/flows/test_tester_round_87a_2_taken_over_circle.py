"""Tester round 87a, 2: a store that took over a circle (it found it with lmsync's ID number and no record of it)
never wrote that circle's pairs into its pairing history. Its mentee, unenrolled for two days and back, went to
another mentor though theirs had room ("back with their mentor after a break" holds for pairs lmsync made), and
`pair show` had no "paired" line. A pair health judged that Moodle no longer shows now gets a closed row from the
day health first judged it, so the return finds its mentor."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lmsync.service.emulator_edit import course_of, join, unenrol
from lmsync.service.health import run_health
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from tests.flows.test_away_mentor_hold import PROGRAMME, _circle, _on, _sync
from tests.flows.test_away_mentor_hold import synced as synced  # noqa: F401  (fixture)


def test_round_87a_2_a_mentee_of_a_circle_taken_over_goes_back_to_their_mentor_after_a_break(synced, monkeypatch):
    config, site, _made_it, mentor = synced()  # another store made the circles
    store = Store.memory()  # this one takes them over
    today = datetime.now(UTC).date()  # the pairing history dates its rows by the wall clock
    _on(monkeypatch, today)
    result = _sync(config, site, store, takes_over=True)  # --store-takes-over (tester round 89b, 1)
    assert result.converged and result.adopted
    with open_moodle(config, site=site) as conn:
        run_health(conn.api, config, store, as_of=today)  # health judges the circles' pairs
    mentee = min(_circle(site, mentor).members - {mentor})
    assert not [p for p in PairingHistory(store, PROGRAMME).history() if p.mentee_id == mentee]
    course = course_of(site, config.programme.course)
    username = site.users[mentee].username
    unenrol(site, course, mentee)
    assert _sync(config, site, store).converged
    (row,) = [p for p in PairingHistory(store, PROGRAMME).history() if p.mentee_id == mentee]
    assert (row.mentor_id, row.left_at is not None) == (mentor, True)
    assert date.fromisoformat(row.joined_at[:10]) <= today
    join(site, course, username, "student", "", {})
    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config, journal=Journal(store, PROGRAMME))
        returned = [m for m in planned.desired.match.assignments if m.origin == "returned"]
        assert len(returned) == 1 and any(r.startswith("back with their mentor after a break") for r in returned[0].reasons)
        back = run_sync(conn.api, config, store)
    assert back.converged
    assert mentee in _circle(site, mentor).members  # back with their mentor, who had room
