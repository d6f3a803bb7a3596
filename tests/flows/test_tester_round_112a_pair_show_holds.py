"""Tester round 112a, 2 and 5, on the built-in emulator: ``lmsync pair show`` and holds.

2: an acknowledged item paused while its pair was on hold (the mentee away, their place held) read
``opened 2026-12-20 (gone): acknowledged 2026-12-22, no outcome yet`` in ``pair show`` (JSON status ``gone``) while
``queue list`` said it on hold (``on_hold``); an open one read on hold. It now reads on hold, with who is away and
until when, as ``queue list``; once the hold ran out, paused because the pair is no longer in the programme, and why.
5: a pair whose mentor's circle was held read ended on the hold's last day in its text and ended the day the mentor
was found away in its JSON; a pair whose mentee's place was held read ended the day after the place's last day, with
no word of the hold. Both now end on the last day held, said as such, and text and JSON agree.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nmentor_roles = ["editingteacher", "teacher"]\n'
          'mentee_roles = ["student"]\npeer_mentor_cohort = "peer-mentors-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "store/prog.db"\n[matching]\ndefault_capacity = 4\n[sync]\naway_mentor_hold_days = 10\n'
          '[meetings]\ncadence_days = 3\nstart = 2026-12-07\n[health]\ngrace_days = 3\ncoordinators = ["m0001", "m0002"]\n')
HELD = ("the mentee has been away since 2026-12-23 (enrolment or account suspended); their place in the circle is held "
        "until 2027-01-01 ([sync] away_mentor_hold_days)")


def _ok(home: Any, monkeypatch: Any, day: date, *args: str, hour: int = 9) -> str:
    """``lmsync ARGS`` at ``hour`` UTC on ``day`` for the programme's clock and the store's instants (the tester's
    faketime); its output, the command having exited 0 or 2 (fading pairs)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = run_in(home, *args)
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output
    return str(done.stdout)


@pytest.fixture
def queued(cli_home: Any, monkeypatch: Any) -> Any:
    """The tester's programme: circles made on 2026-12-07, no meeting, the pairs fading and queued on 2026-12-20."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _ok(cli_home, monkeypatch, date(2026, 12, 7), "sync")
    _ok(cli_home, monkeypatch, date(2026, 12, 20), "health")
    return cli_home


def _queue_line(shown: str) -> str:
    return next(line for line in shown.splitlines() if line.startswith("  opened 2026-12-20"))


def test_round_112a_2_pair_show_says_an_acknowledged_item_on_hold_is_on_hold_then_why_it_is_paused(
        queued: Any, monkeypatch: Any) -> None:
    home, pair = queued, ("m0005", "s0047")
    _ok(home, monkeypatch, date(2026, 12, 22), "queue", "ack", *pair, "--note", "rang mentor", hour=10)
    _ok(home, monkeypatch, date(2026, 12, 23), "emulator", "edit", "suspend", "s0047", hour=8)
    _ok(home, monkeypatch, date(2026, 12, 23), "sync")
    _ok(home, monkeypatch, date(2026, 12, 23), "health")
    line = _queue_line(_ok(home, monkeypatch, date(2026, 12, 23), "pair", "show", *pair, hour=10))
    assert line.startswith(f"  opened 2026-12-20 (on hold): acknowledged 2026-12-22, no outcome yet, on hold since "
                           f"2026-12-23 ({HELD}; no outcome is taken until they are back), owner m0002, note: rang "
                           "mentor / "), line
    (item,) = json.loads(_ok(home, monkeypatch, date(2026, 12, 23), "pair", "show", *pair, "--format", "json",
                             hour=10))["queue"]
    listed = next(i for i in json.loads(_ok(home, monkeypatch, date(2026, 12, 23), "queue", "list", "--format",
                                            "json", hour=10)) if i["mentee"]["username"] == "s0047")
    assert (item["status"], item["due"], item["acknowledged_on"]) == ("on_hold", None, "2026-12-22"), item
    assert (listed["status"], listed["state"]) == ("on_hold", "awaiting_outcome"), listed  # as queue list says it
    # the hold run out with the mentee still away: paused as no longer in the programme, and why, as queue list
    _ok(home, monkeypatch, date(2027, 1, 2), "sync")
    _ok(home, monkeypatch, date(2027, 1, 2), "health")
    line = _queue_line(_ok(home, monkeypatch, date(2027, 1, 2), "pair", "show", *pair, hour=10))
    assert line.startswith("  opened 2026-12-20 (gone): acknowledged 2026-12-22, no outcome yet, paused 2026-12-23 "
                           "(the pair is no longer in the programme: the mentee is no longer active in the course "
                           "(enrolment suspended, ended, or unenrolled); nothing is due), owner m0002"), line
    (item,) = json.loads(_ok(home, monkeypatch, date(2027, 1, 2), "pair", "show", *pair, "--format", "json",
                             hour=10))["queue"]
    assert item["status"] == "gone", item


def test_round_112a_5_a_mentors_hold_and_a_mentees_end_the_pair_on_the_last_day_held_in_text_and_json(
        queued: Any, monkeypatch: Any) -> None:
    home = queued
    _ok(home, monkeypatch, date(2026, 12, 21), "emulator", "edit", "suspend", "m0003", hour=8)
    _ok(home, monkeypatch, date(2026, 12, 21), "emulator", "edit", "suspend", "s0015", hour=8)
    _ok(home, monkeypatch, date(2026, 12, 21), "sync")
    _ok(home, monkeypatch, date(2026, 12, 31), "sync")  # both holds' last day was 2026-12-30
    for pair, side, ended in (
        (("m0003", "s0029"), "mentor", "the last day its circle was held: the mentor was away from 2026-12-21, and "
         "the sync after the hold took the circle's mentees out to re-match them"),
        (("m0004", "s0015"), "mentee", "the last day the mentee's place in the circle was held: the mentee was away "
         "from 2026-12-21, and the sync after the hold took them out of the circle"),
    ):
        paired = _ok(home, monkeypatch, date(2026, 12, 31), "pair", "show", *pair, hour=10).splitlines()[2]
        assert paired == f"  paired 2026-12-07 to 2026-12-30 (ended 2026-12-30, {ended})", paired
        data = json.loads(_ok(home, monkeypatch, date(2026, 12, 31), "pair", "show", *pair, "--format", "json",
                              hour=10))
        assert data["paired"] == [{"from": "2026-12-07", "until": "2026-12-30", "ended_with_hold": {
            "side": side, "away_since": "2026-12-21", "held_until": "2026-12-30"}}], data["paired"]
