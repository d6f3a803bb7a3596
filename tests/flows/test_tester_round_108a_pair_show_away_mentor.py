"""Tester round 108a, 3 and 9, on the built-in emulator: `pair show` of a pair whose mentor is away.

3: `pair show s0014` (the mentee alone) named their mentor, whose enrolment was suspended, "user #70 (not in the
course)" (JSON ``"username": "#70", "name": null``) while `pair show m0005 s0014` named them: both are named from their
accounts, and the mentor is said to be away (enrolment suspended, still enrolled), not "not in the course".
9: the sync ends a mentor's pairs the day it first finds them away (by design: the pairing history keeps that day),
and `pair show` said "paired 2026-12-07 to 2027-02-06 (ended 2027-02-06)" once the hold was over, though the mentees
stayed in the circle until the hold's last day, and "paired ... to <the day the hold began> (on hold ...)" while it
ran. It now reads as held while the hold runs, and once over as ended on the hold's last day with the day the mentor
was first found away; a mentor back while held reads as held from one day to the other.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = ('[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0012"]\n'
          "[sync]\naway_mentor_hold_days = 14\n")
MENTOR, MENTEE = "m0005", "s0014"  # Camille Okafor / Dmitri Quinn in the demo course
PAIR = "Pair Camille Okafor (m0005) / Dmitri Quinn (s0014)"


def _on(monkeypatch: Any, day: date) -> None:
    """09:00 UTC on ``day`` for the programme's clock and the instants the store records (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _sync_on(home: Any, monkeypatch: Any, day: date, *edit: str) -> None:
    _on(monkeypatch, day)
    if edit:
        _ok(home, "emulator", "edit", *edit)
    _ok(home, "sync")


@pytest.fixture
def home(cli_home: Any, monkeypatch: Any) -> Any:
    """The tester's programme, synced on 2026-12-07; the mentor's enrolment suspended on 2027-02-06 and synced."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _sync_on(cli_home, monkeypatch, date(2026, 12, 7))
    _sync_on(cli_home, monkeypatch, date(2027, 2, 6), "suspend", MENTOR)
    return cli_home


@pytest.mark.parametrize("edit, words, code", [
    ("suspend", "the mentor is away (enrolment suspended in Moodle; still enrolled in the course)",
     "enrolment_suspended"),
    ("unenrol", "the mentor is no longer enrolled in the course (named from their Moodle account)", "not_enrolled"),
])
def test_round_108a_3_pair_show_of_the_mentee_alone_names_a_mentor_not_active(
        cli_home: Any, monkeypatch: Any, edit: str, words: str, code: str) -> None:
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _sync_on(cli_home, monkeypatch, date(2026, 12, 7))
    _sync_on(cli_home, monkeypatch, date(2027, 2, 6), edit, MENTOR)
    _on(monkeypatch, date(2027, 2, 7))
    for who in ((MENTEE,), (MENTOR, MENTEE)):  # the one-person form as the two-person one
        shown = _ok(cli_home, "pair", "show", *who)
        assert shown.splitlines()[:2] == [PAIR, f"  {words}"], shown
        assert "not in the course" not in shown and "#70" not in shown, shown
        data = json.loads(_ok(cli_home, "pair", "show", *who, "--format", "json"))
        assert {k: data["mentor"][k] for k in ("username", "name", "standing")} == {
            "username": MENTOR, "name": "Camille Okafor", "standing": code}, data["mentor"]
        assert data["mentee"]["standing"] is None, data["mentee"]


def test_round_108a_9_a_pair_whose_mentors_hold_runs_reads_as_held_then_as_ended_on_the_holds_last_day(
        home: Any, monkeypatch: Any) -> None:
    _on(monkeypatch, date(2027, 2, 13))
    paired = _ok(home, "pair", "show", MENTOR, MENTEE).splitlines()[2]
    assert paired == ("  paired since 2026-12-07 (on hold: the mentor has been away since 2027-02-06; their circle is "
                      "held as it is until 2027-02-19, then re-matched unless they are back)"), paired
    for day in (19, 20, 21):  # the hold's last day; the sync after it takes the mentees out; the next, nothing
        _sync_on(home, monkeypatch, date(2027, 2, day))
    shown = _ok(home, "pair", "show", MENTOR, MENTEE)
    paired = shown.splitlines()[2]
    assert paired == ("  paired 2026-12-07 to 2027-02-19 (ended 2027-02-19, the last day its circle was held: the "
                      "mentor was away from 2027-02-06, and the sync after the hold took the circle's mentees out to "
                      "re-match them)"), paired
    assert "ended 2027-02-06" not in shown, shown
    data = json.loads(_ok(home, "pair", "show", MENTOR, MENTEE, "--format", "json"))
    # as the text says it (tester round 112a, 5: the JSON said the day the mentor was found away)
    assert data["paired"] == [{"from": "2026-12-07", "until": "2027-02-19", "ended_with_hold": {
        "side": "mentor", "away_since": "2027-02-06", "held_until": "2027-02-19"}}], data["paired"]
    assert data["on_hold"] is None
    # the mentor still away: their absence is still recorded (tester round 109a, 2: the sync forgot it on 02-21)
    assert data["mentor_away"] == [{"from": "2027-02-06", "until": None, "held_until": "2027-02-19"}], data


def test_round_108a_9_a_mentor_back_while_held_reads_as_a_hold_not_an_end(home: Any, monkeypatch: Any) -> None:
    _sync_on(home, monkeypatch, date(2027, 2, 12), "restore", MENTOR)
    paired = _ok(home, "pair", "show", MENTOR, MENTEE).splitlines()[1]
    assert paired == ("  paired 2026-12-07 to 2027-02-06 (held while the mentor was away, from 2027-02-06 until they "
                      "were back on 2027-02-12), since 2027-02-12"), paired
