"""Tester round 111a, 2: ``lmsync health --as-of DAY`` lost that day's queue items on hold as people came back.

m0005 (a mentor, one of whose four items was acknowledged the day before) and s0012 (a mentee in m0010's circle) are
suspended on 16 Feb: m0005's circle and s0012's place are held, and their five pairs' items on hold. Asked on 16 Feb,
the view of that day said 5 queue items on hold; asked on 22 Feb, once s0012 was back (their item taken up again), 4;
asked on 2 Mar, once m0005's hold had ended (their items paused again as gone), 1, while the circle and the place on
hold that day were still listed. The items on hold on a past day are now read from the store as that day had them
(``health_held.paused_on_day``): the same five, in the same words, whenever the day is asked.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = 14\n'
          '[health]\ncoordinators = ["m0001", "m0002"]\nfading_gap_factor = 2.6\n')
HELD_PAIRS = {"m0005/s0013", "m0005/s0014", "m0005/s0047", "m0005/s0051", "m0010/s0012"}


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10, minute: int = 0) -> Any:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour, minutes=minute)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done


def _queue_line(text: str) -> str:
    """The text view's line of queue items on hold ("" when there is none)."""
    return next((line for line in text.splitlines() if "queue item(s) on hold" in line), "")


def _pairs(line: str) -> set[str]:
    """The pairs a line names, as mentor/mentee usernames."""
    return {f"{m}/{s}" for m, s in re.findall(r"\((m\d{4})\) / [^()]+ \((s\d{4})\) \(", line)}


def _view(monkeypatch: pytest.MonkeyPatch, asked: date) -> tuple[str, dict[str, Any]]:
    text = _run(monkeypatch, asked, "health", "--as-of", "2027-02-16", minute=6).stdout
    data = json.loads(_run(monkeypatch, asked, "health", "--as-of", "2027-02-16", "--format", "json", minute=6).stdout)
    return text, data


@pytest.fixture
def held(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's flow up to 16 Feb: every pair queued on 15 Feb, one of m0005's items acknowledged, m0005 and
    s0012 suspended on 16 Feb, the sync and health of that day run."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", minute=5)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "m0005", hour=9)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "s0012", hour=9)
    _run(monkeypatch, date(2027, 2, 16), "sync")
    day = _queue_line(_run(monkeypatch, date(2027, 2, 16), "health", minute=5).stdout)
    assert day.startswith("5 queue item(s) on hold while someone is away") and _pairs(day) == HELD_PAIRS, day
    return cli_home


def _five_on_hold(text: str, data: dict[str, Any]) -> None:
    line = _queue_line(text)
    assert data["paused_on_hold"] == 5, data["paused_on_hold"]
    assert line.startswith("5 queue item(s) on hold while someone is away: ") and _pairs(line) == HELD_PAIRS, line
    assert "circle (4 pair(s)), on hold since 2027-02-16" in text and "Umar Chen (s0012) in Tara Fernandes" in text


def test_round_111a_2_a_past_days_items_on_hold_read_the_same_whenever_asked(held, monkeypatch):
    during = _view(monkeypatch, date(2027, 2, 16))
    _five_on_hold(*during)
    _run(monkeypatch, date(2027, 2, 22), "emulator", "edit", "restore", "s0012", hour=9)
    _run(monkeypatch, date(2027, 2, 22), "sync")
    assert "m0010/s0012" not in _pairs(_queue_line(_run(monkeypatch, date(2027, 2, 22), "health", minute=1).stdout))
    back = _view(monkeypatch, date(2027, 2, 22))  # s0012 back, their item taken up again
    _five_on_hold(*back)
    assert _queue_line(back[0]) == _queue_line(during[0]), "a past day reads the same whatever day it is asked"
    _run(monkeypatch, date(2027, 3, 2), "sync")  # m0005's hold over (until 1 Mar), still away
    assert not _queue_line(_run(monkeypatch, date(2027, 3, 2), "health", minute=1).stdout)  # gone, not on hold
    ended = _view(monkeypatch, date(2027, 3, 2))
    _five_on_hold(*ended)
    assert _queue_line(ended[0]) == _queue_line(during[0])
    after = json.loads(_run(monkeypatch, date(2027, 3, 2), "health", "--as-of", "2027-03-02", "--format", "json",
                            minute=7).stdout)
    assert after["paused_on_hold"] == 0, after["paused_on_hold"]  # that day's own: nothing on hold any more


def test_round_111a_2_the_acknowledged_item_went_on_hold_with_its_pair(held, monkeypatch):
    """The view of 16 Feb said the item acknowledged on 15 Feb was "on hold since 2027-02-15" (its ack's day), a
    day before its mentor was away; the digest said 16 Feb (tester round 111a, 3)."""
    line = _queue_line(_view(monkeypatch, date(2027, 2, 17))[0])
    assert "on hold since 2027-02-15" not in line and line.count("on hold since 2027-02-16") == 5, line
