"""Tester round 109a, 2 and 7, on the built-in emulator: the days a circle's mentor was away, and a mentee's held place,
as `lmsync pair show` says them.

2: a second sync on the day after a mentor's hold (the first took the circle's mentees out) forgot the mentor's
absence, though they were still away, keeping it as ended that day: `pair show` then read "paired 2027-01-11 to
2027-01-18 (ended 2027-01-18)", JSON ``mentor_away.until`` stayed 2027-02-01, and once the mentor came back on 02-15
it read as held "until they were back on 2027-02-01". The absence stays recorded until a sync finds them active.
7: `pair show` of a mentee whose place is held said them away and "paired since", with no word of the hold's last day.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = """[programme]
name = "away-2027"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
forum = "Mentoring circles"
[store]
path = "st/prog.db"
[matching]
default_capacity = 4
[sync]
away_mentor_hold_days = 14
[meetings]
cadence_days = 14
[health]
coordinators = ["m0012"]
[waves]
programme_start = 2027-01-11
"""
ENDED = ("  paired 2027-01-11 to 2027-01-31 (ended 2027-01-31, the last day its circle was held: the mentor was away "
         "from 2027-01-18, and the sync after the hold took the circle's mentees out to re-match them)")


def _on(monkeypatch: Any, at: datetime) -> None:
    """``at`` (UTC) for the programme's clock and the instants the store records (the tester's faketime)."""
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour)


def _sync_at(home: Any, monkeypatch: Any, at: datetime, *edit: str) -> None:
    _on(monkeypatch, at)
    if edit:
        _ok(home, "emulator", "edit", *edit)
    _ok(home, "sync")


@pytest.fixture
def home(cli_home: Any, monkeypatch: Any) -> Any:
    """The tester's programme synced on 2027-01-11 (a Monday), its pairs made."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _sync_at(cli_home, monkeypatch, _at("2027-01-11"))
    return cli_home


def _shown(home: Any, monkeypatch: Any, at: datetime, *who: str) -> tuple[list[str], dict[str, Any]]:
    _on(monkeypatch, at)
    return (_ok(home, "pair", "show", *who).splitlines(),
            json.loads(_ok(home, "pair", "show", *who, "--format", "json")))


def test_round_109a_2_a_second_sync_after_the_hold_keeps_the_mentor_away_until_they_are_back(
        home: Any, monkeypatch: Any) -> None:
    _sync_at(home, monkeypatch, _at("2027-01-18"), "suspend", "m0004")
    _sync_at(home, monkeypatch, _at("2027-02-01"))  # the day after the hold's last: the circle's mentees taken out
    first, data = _shown(home, monkeypatch, _at("2027-02-01", 11), "m0004", "s0042")
    assert first[2] == ENDED, first
    assert data["mentor_away"] == [{"from": "2027-01-18", "until": None, "held_until": "2027-01-31"}], data
    for at in (_at("2027-02-01", 12), _at("2027-02-05")):  # a second run that day, and a later one: still away
        _sync_at(home, monkeypatch, at)
        shown, data = _shown(home, monkeypatch, at + timedelta(hours=1), "m0004", "s0042")
        assert shown[:3] == first[:3], shown
        assert data["mentor_away"] == [{"from": "2027-01-18", "until": None, "held_until": "2027-01-31"}], data
    _sync_at(home, monkeypatch, _at("2027-02-15"), "restore", "m0004")  # really back now
    shown, data = _shown(home, monkeypatch, _at("2027-02-15", 10), "m0004", "s0042")
    assert shown[1] == ENDED, shown
    assert "back on" not in "\n".join(shown), shown
    assert data["mentor_away"] == [{"from": "2027-01-18", "until": "2027-02-15", "held_until": "2027-01-31"}], data


def test_round_109a_7_pair_show_of_a_mentee_away_says_until_when_their_place_is_held(
        home: Any, monkeypatch: Any) -> None:
    _sync_at(home, monkeypatch, _at("2027-01-18"), "suspend", "s0010")
    shown, data = _shown(home, monkeypatch, _at("2027-01-18", 9) + timedelta(minutes=20), "s0010")
    assert shown[1] == "  the mentee is away (enrolment suspended in Moodle; still enrolled in the course)", shown
    assert shown[2] == ("  paired since 2027-01-11 (on hold: the mentee has been away since 2027-01-18; their place in "
                        "the circle is held until 2027-01-31 ([sync] away_mentor_hold_days), then removed unless they "
                        "are back)"), shown
    assert data["place_held"] == {"mentee_away_since": "2027-01-18", "held_until": "2027-01-31"}, data
    assert data["on_hold"] is None, data
    shown, data = _shown(home, monkeypatch, _at("2027-02-01", 8), "s0010")  # the hold over, no sync since
    assert shown[2] == ("  paired since 2027-01-11 (on hold: the mentee has been away since 2027-01-18; their place in "
                        "the circle was held until 2027-01-31: the next sync removes them from it unless they are "
                        "back)"), shown
    mentor = shown[0].partition("Pair ")[2].partition(" / ")[0].rpartition("(")[2].rstrip(")")
    other, _ = _shown(home, monkeypatch, _at("2027-01-19"), mentor, "s0010")  # the two-person form says the same
    assert other[2].startswith("  paired since 2027-01-11 (on hold: the mentee has been away since 2027-01-18;"), other
