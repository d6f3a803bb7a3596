"""Tester round 112a, 1: ``lmsync health --as-of DAY`` lost that day's items paused as no longer in the programme.

A coordinator acknowledged m0005 / s0013's item; s0013 was unenrolled the next day and the run paused the item (its
pair no longer in the programme). Asked that day, ``health --as-of`` that day listed "1 queue item(s) paused"; asked
the day after a coordinator closed the item (``queue done --outcome closed``), the same day listed none
(``paused_not_in_programme`` 1, then 0): it read the queue's present state. An item taken up again later was lost
alike. The items paused on a past day are now read from what the store keeps of each (its pause and back notes,
its outcome's day): an item paused on or before the day and still paused at its end is listed whenever asked.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = {hold}\n'
          '[health]\ncoordinators = ["m0001", "m0002"]\nfading_gap_factor = 2.6\n')
PAIR = "Camille Okafor (m0005) / Chloe Ahmed (s0013)"
PAUSED = "queue item(s) paused: the pair is no longer in the programme"


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _paused_line(text: str) -> str:
    """The text view's line of items paused as no longer in the programme ("" when there is none)."""
    return next((line for line in text.splitlines() if PAUSED in line), "")


def _view(monkeypatch: pytest.MonkeyPatch, asked: date, of: str = "2027-02-16") -> tuple[str, dict[str, Any]]:
    text = _run(monkeypatch, asked, "health", "--as-of", of, hour=12)
    data = json.loads(_run(monkeypatch, asked, "health", "--as-of", of, "--format", "json", hour=12))
    return _paused_line(text), data


def _queued(home: Path, monkeypatch: pytest.MonkeyPatch, hold: int) -> None:
    """Circles made on 4 Jan, every pair fading and queued on 15 Feb."""
    (home / "lmsync.toml").write_text(CONFIG.format(hold=hold))
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")


def test_round_112a_1_a_paused_item_closed_later_is_still_paused_that_day(cli_home, monkeypatch):
    _queued(cli_home, monkeypatch, 14)
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", "--note", "called", hour=11)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "unenrol", "s0013", hour=8)
    _run(monkeypatch, date(2027, 2, 16), "sync", hour=9)
    _run(monkeypatch, date(2027, 2, 16), "health", hour=9)
    before, data = _view(monkeypatch, date(2027, 2, 16))
    assert before.startswith(f"1 {PAUSED}: {PAIR} (") and "paused since 2027-02-16)" in before, before
    assert data["paused_not_in_programme"] == 1, data["paused_not_in_programme"]
    _run(monkeypatch, date(2027, 2, 17), "queue", "done", "m0005", "s0013", "--outcome", "closed", hour=9)
    after, data = _view(monkeypatch, date(2027, 2, 17))
    assert after == before, "a past day reads the same whenever it is asked"
    assert data["paused_not_in_programme"] == 1, data["paused_not_in_programme"]
    # the day it was closed: no longer paused at its end
    _line, data = _view(monkeypatch, date(2027, 2, 17), of="2027-02-17")
    assert data["paused_not_in_programme"] == 0 and not _line, _line
    # and a day before it was paused never had it
    _line, data = _view(monkeypatch, date(2027, 2, 17), of="2027-02-15")
    assert data["paused_not_in_programme"] == 0 and not _line, _line


def test_round_112a_1_a_paused_item_taken_up_again_later_is_still_paused_that_day(cli_home, monkeypatch):
    """Nothing held (``away_mentor_hold_days = 0``): a mentee suspended on 16 Feb and back on 18 Feb."""
    _queued(cli_home, monkeypatch, 0)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "s0013", hour=8)
    _run(monkeypatch, date(2027, 2, 16), "sync", hour=9)
    _run(monkeypatch, date(2027, 2, 16), "health", hour=9)
    before, data = _view(monkeypatch, date(2027, 2, 16))
    assert before.startswith(f"1 {PAUSED}: {PAIR} (") and "paused since 2027-02-16)" in before, before
    _run(monkeypatch, date(2027, 2, 18), "emulator", "edit", "restore", "s0013", hour=8)
    _run(monkeypatch, date(2027, 2, 18), "sync", hour=9)
    assert PAUSED not in _run(monkeypatch, date(2027, 2, 18), "health", hour=9)  # taken up again
    for of in ("2027-02-16", "2027-02-17"):
        again, data = _view(monkeypatch, date(2027, 2, 18), of=of)
        assert again == before and data["paused_not_in_programme"] == 1, (of, again)
    _line, data = _view(monkeypatch, date(2027, 2, 18), of="2027-02-18")  # back that day
    assert data["paused_not_in_programme"] == 0 and not _line, _line
