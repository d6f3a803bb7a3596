"""Tester round 113, 2: a mentee moved back to an earlier mentor was judged fading, and nudged, on the day of the move.

m0001 went away at the end of November; when their hold ended their mentees were matched with other mentors (s0008
with m0007). m0001 came back; then m0007 went away, and when m0007's hold ended the match moved s0008 back to
m0001. Health judged that pair from its first pairing in October, its days apart left out ("no meeting since pairing
107 days ago, 49 of them apart"): fading on the day of the move, and both people nudged for a silence from before it.
A pair made again after its mentee's pairing with another mentor is now judged from the day it was made again, as a
new pair (``pair_moved_back``). And the requeue clock of an acknowledged item counted the days a pair did not exist:
a mentee back after a break with the same mentor had their pair queued again at once, though the pair had existed
one day since the acknowledgement (``pairings.days_paired``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = {hold}\n'
          '[health]\ncoordinators = ["m0002", "m0003"]\n')


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _pair(monkeypatch: pytest.MonkeyPatch, day: date, mentor: str, mentee: str) -> dict:
    judged = json.loads(_run(monkeypatch, day, "health", "--format", "json"))
    return next(p for p in judged["pairs"] if (p["mentor"], p["mentee"]) == (mentor, mentee))


def _moved_back(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """m0001 away from 28 Nov (hold 14 days), back on 26 Dec; m0007 away from 2 Jan: on 16 Jan s0008 (placed with
    m0007 on 12 Dec) is moved back to m0001. No meeting is logged."""
    (cli_home / "lmsync.toml").write_text(CONFIG.format(hold=14))
    _run(monkeypatch, date(2026, 10, 1), "sync")
    _run(monkeypatch, date(2026, 11, 28), "emulator", "edit", "suspend", "m0001", hour=8)
    for day in (date(2026, 11, 28), date(2026, 12, 12)):
        _run(monkeypatch, day, "sync")
    _run(monkeypatch, date(2026, 12, 26), "emulator", "edit", "restore", "m0001", hour=8)
    _run(monkeypatch, date(2026, 12, 26), "sync")
    _run(monkeypatch, date(2027, 1, 2), "emulator", "edit", "suspend", "m0007", hour=8)
    for day in (date(2027, 1, 2), date(2027, 1, 16)):
        _run(monkeypatch, day, "sync")
    back = _run(monkeypatch, date(2027, 1, 16), "pair", "show", "m0001", "s0008", hour=11)
    away = _run(monkeypatch, date(2027, 1, 16), "pair", "show", "m0007", "s0008", hour=11)
    # the probe: s0008 was with m0007 in between, and is moved back
    assert "paired 2026-12-12 to" in away and "since 2027-01-16" in back, (away, back)


def test_round_113_2_a_pair_moved_back_is_judged_from_the_day_of_the_move(cli_home: Path, monkeypatch):
    _moved_back(cli_home, monkeypatch)
    judged = _pair(monkeypatch, date(2027, 1, 16), "m0001", "s0008")
    # old: fading, "no meeting since pairing 107 days ago, 49 of them apart"
    assert judged["status"] == "ok" and judged["paired_since"] == "2027-01-16", judged
    planned = _run(monkeypatch, date(2027, 1, 16), "nudge", "--dry-run", hour=11)
    assert "s0008" not in planned, planned
    later = _pair(monkeypatch, date(2027, 2, 10), "m0001", "s0008")  # a new pair's grace (21 days) is over
    assert later["status"] == "at_risk", later
    assert [r["text"] for r in later["reasons"]] == ["no meeting since pairing 25 days ago (expected every 14)"], later


def test_round_113_2_a_pair_back_after_a_break_with_the_same_mentor_keeps_its_days(cli_home: Path, monkeypatch):
    """No other mentor in between: the pair is not new, its days apart left out (tester rounds 52, 2 and 54, 1).
    s0002 had no place from m0001's hold's end until m0001 was back, and went back to them."""
    _moved_back(cli_home, monkeypatch)
    judged = _pair(monkeypatch, date(2027, 1, 16), "m0001", "s0002")
    assert judged["paired_since"] == "2026-10-01" and judged["status"] == "fading", judged


def test_round_113_2_the_requeue_clock_counts_the_days_the_pair_existed(cli_home: Path, monkeypatch):
    """m0005 / s0013 fading, acknowledged on 1 Dec; s0013 suspended the next day, out of the circle at once (no hold),
    back with m0005 on 5 Jan and still fading: one day of the pair since the acknowledgement, not 35, so the item
    stays snoozed ([health] requeue_after_days, 28). Old: queued again on the day they were back."""
    (cli_home / "lmsync.toml").write_text(CONFIG.format(hold=0))
    _run(monkeypatch, date(2026, 10, 1), "sync")
    assert _pair(monkeypatch, date(2026, 12, 1), "m0005", "s0013")["status"] == "fading"
    _run(monkeypatch, date(2026, 12, 1), "queue", "ack", "m0005", "s0013", "--note", "called", hour=11)
    _run(monkeypatch, date(2026, 12, 2), "emulator", "edit", "suspend", "s0013", hour=8)
    _run(monkeypatch, date(2026, 12, 2), "sync")
    _run(monkeypatch, date(2027, 1, 5), "emulator", "edit", "restore", "s0013", hour=8)
    _run(monkeypatch, date(2027, 1, 5), "sync")
    assert _pair(monkeypatch, date(2027, 1, 5), "m0005", "s0013")["status"] == "fading"
    listing = _run(monkeypatch, date(2027, 1, 5), "queue", "list", hour=12)
    lines = [line for line in listing.splitlines() if line.startswith("Camille Okafor (m0005) / Chloe Ahmed (s0013)")]
    assert len(lines) == 1 and "item open since 2026-12-01" in lines[0] and "acknowledged 2026-12-01" in lines[0], lines
    _run(monkeypatch, date(2027, 2, 1), "health", hour=9)  # 1 + 27 days of the pair since the ack: 28, queued again
    again = [line for line in _run(monkeypatch, date(2027, 2, 1), "queue", "list", hour=12).splitlines()
             if line.startswith("Camille Okafor (m0005) / Chloe Ahmed (s0013)")]
    assert len(again) == 1 and "item open since 2027-02-01" in again[0], again
