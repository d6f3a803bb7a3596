"""Tester round 103a, 1 (harm), on the emulator: one edit of a mentee's year of study (5 to 6, the same year as
their peer mentor) took an established peer pair apart at the next sync, exit 0, no flag needed, and setting the
year back did not restore it; ``LMSYNC_MATCHING_PEER_YEAR_GAP_MAX=2`` took two pairs apart at once. A blank year
kept the pair with a warning. An existing pair outside the year gap is now kept in the same way, named with why;
a new pair still keeps to the gap, and a pair opened for re-matching is judged as a new one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"  # demo_home's
# named as every view names people (tester round 120c, 8: "s0005: existing pair with s0018 ...")
KEPT = ("Jonah Ahmed (s0005): existing pair with Aoife Ahmed (s0018) kept although it is outside the year gap [1, 3] "
        "(the mentee is in year 6, the peer mentor in year 6); a new pair would not be made")


def _circle_of(home: Any, username: str) -> str | None:
    """The username of the mentor whose circle holds ``username`` on the saved emulator site (None: no circle)."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    uid = next(u.id for u in site.users.values() if u.username == username)
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and mentor != uid and uid in group.members:
            return str(site.users[mentor].username)
    return None


def _established_pair(home: Any) -> None:
    """The demo synced once, s0005 (year 5) with peer mentor s0018 (year 6), and four meetings of the pair logged."""
    assert run_in(home, "sync").exit_code == 0
    assert _circle_of(home, "s0005") == "s0018"
    today = dt.date.today()
    for days in (20, 15, 10, 5):
        day = (today - dt.timedelta(days=days)).isoformat()
        added = run_in(home, "meetings", "add", "--date", day, "--mentor", "s0018", "--mentee", "s0005", "--minutes", "45")
        assert added.exit_code == 0, added.output


def test_a_year_edited_out_of_the_gap_keeps_the_pair_and_names_it(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _established_pair(demo_home)
    assert run_in(demo_home, "emulator", "edit", "field", "s0005", "yearofstudy", "6").exit_code == 0
    shown = run_in(demo_home, "plan")
    assert shown.exit_code == 0, shown.output
    assert "no changes" in shown.output and KEPT in shown.output, shown.output
    assert "(s0005) from" not in shown.output
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    assert _circle_of(demo_home, "s0005") == "s0018"
    # the gap narrowed in the configuration keeps every existing pair as well, each named
    monkeypatch.setenv("LMSYNC_MATCHING_PEER_YEAR_GAP_MAX", "2")
    narrowed = run_in(demo_home, "plan")
    assert narrowed.exit_code == 0, narrowed.output
    assert "no changes" in narrowed.output, narrowed.output
    assert narrowed.output.count("kept although it is outside the year gap [1, 2]") >= 2, narrowed.output


def test_a_new_pair_outside_the_gap_is_still_refused(demo_home: Any) -> None:
    _established_pair(demo_home)
    assert run_in(demo_home, "emulator", "edit", "field", "s0005", "yearofstudy", "6").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "field", "s0018", "mentorcapacity", "2").exit_code == 0
    joined = run_in(demo_home, "emulator", "edit", "join", "s0100", "--name", "New Junior", "--field", "department=Surgery",
                    "--field", "interests=Sports medicine, Oncology, Mental health", "--field", "languages=English",
                    "--field", "yearofstudy=6")
    assert joined.exit_code == 0, joined.output
    shown = run_in(demo_home, "plan").output
    assert "+ New Junior (s0100) to" in shown and "(s0100) to Aoife Ahmed (s0018)'s circle" not in shown, shown
    assert KEPT in shown
    # in the gap, the same newcomer is given s0018's free place: the gap alone refused it
    assert run_in(demo_home, "emulator", "edit", "field", "s0100", "yearofstudy", "5").exit_code == 0
    assert "+ New Junior (s0100) to Aoife Ahmed (s0018)'s circle" in run_in(demo_home, "plan").output


def test_a_pair_opened_for_re_matching_keeps_to_the_gap(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _established_pair(demo_home)
    assert run_in(demo_home, "emulator", "edit", "field", "s0005", "yearofstudy", "6").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_REMATCH", '["s0005"]')
    shown = run_in(demo_home, "plan").output
    assert ("! Jonah Ahmed (s0005) from Aoife Ahmed (s0018)'s circle (re-matched: the pair is not allowed: outside the "
            "year gap)") in shown, shown
    assert "kept although" not in shown
    assert run_in(demo_home, "sync").exit_code == 0
    assert _circle_of(demo_home, "s0005") not in (None, "s0018")
