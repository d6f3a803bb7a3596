"""Tester round 112a, 6: an acknowledged item back from a hold showed the hold's first day as "last flagged".

A coordinator acknowledged m0005 / s0013's item; s0013 was suspended the next day, their place held and the item
paused on hold (its ``last_seen_on`` the pause's day); back two days later, the pair was judged fading on every run,
yet ``lmsync queue list`` said "(last flagged 2027-02-16)", a day health did not judge the pair at all. An open item
shows the day health last flagged its pair; an acknowledged one, not queued again while snoozed
(``requeue_after_days``), kept the day flagged before its ack, or the pause's. The queue now records the day health
flags a pair on its acknowledged item awaiting an outcome too (``queue_seen.flagged_again``): never queued again for
it, but "last flagged" is that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = 14\n'
          '[health]\ncoordinators = ["m0001", "m0002"]\nfading_gap_factor = 2.6\n')
PAIR = "Camille Okafor (m0005) / Chloe Ahmed (s0013)"


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _line(monkeypatch: pytest.MonkeyPatch, day: date) -> str:
    listing = _run(monkeypatch, day, "queue", "list", hour=12)
    return next(line for line in listing.splitlines() if line.startswith(PAIR))


def _day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    _run(monkeypatch, day, "sync", hour=9)
    _run(monkeypatch, day, "health", hour=9)


def test_round_112a_6_an_acknowledged_item_back_from_a_hold_shows_the_day_last_flagged(cli_home: Path, monkeypatch):
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", "--note", "called", hour=11)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "s0013", hour=8)
    _day(monkeypatch, date(2027, 2, 16))
    assert "on hold" in _line(monkeypatch, date(2027, 2, 16))
    _run(monkeypatch, date(2027, 2, 18), "emulator", "edit", "restore", "s0013", hour=8)
    _day(monkeypatch, date(2027, 2, 18))
    back = _line(monkeypatch, date(2027, 2, 18))
    assert "  fading  item open since 2027-02-15  (last flagged 2027-02-18)" in back, back
    _day(monkeypatch, date(2027, 2, 20))
    later = _line(monkeypatch, date(2027, 2, 20))
    assert "  fading  item open since 2027-02-15  (last flagged 2027-02-20)" in later, later
    assert "acknowledged 2027-02-15" in later, later  # still acknowledged: not queued again
    assert sum(1 for line in _run(monkeypatch, date(2027, 2, 20), "queue", "list", hour=12).splitlines()
               if line.startswith(PAIR)) == 1


def test_round_112a_6_an_acknowledged_item_shows_the_day_its_pair_was_last_flagged(cli_home: Path, monkeypatch):
    """No hold: an acknowledged item still fading, snoozed, shows the day health last flagged its pair."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", hour=11)
    _run(monkeypatch, date(2027, 2, 17), "health", hour=9)
    line = _line(monkeypatch, date(2027, 2, 17))
    assert "(last flagged 2027-02-17)" in line and "acknowledged 2027-02-15" in line, line
