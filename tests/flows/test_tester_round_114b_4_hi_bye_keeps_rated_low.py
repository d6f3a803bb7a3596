"""Tester round 114b, 4: short meetings hid the signal "meetings rated low by the mentee" under ``hi_bye``.

After ``lmsync run`` on 2026-12-07, three meetings of each of two pairs were imported, every one rated 1 by the
mentee: one pair's 45 minutes long, the other's 10. The long ones gave ``meetings_rated_low_mentee``; the short ones
only ``hi_bye: ... low-rated (at most 3.5 on average)``, which names no side and reads as a rating near 3.5, though
README calls ``meetings_rated_low_<side>`` "a level, so a side that keeps rating the meetings at the bottom stays
flagged". The level now stays beside ``hi_bye``: both read the meetings' channel, one kind of evidence, so no
``several_signals``; and the mentor's nudge still says only that the meetings were short (their mentee's ratings of
them are never shown to them).
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

CONFIG = '[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n[store]\npath = "prog.db"\n'


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 9) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _judged(monkeypatch: pytest.MonkeyPatch, day: date) -> dict[str, dict]:
    """Each pair of the health view of ``day`` by its mentee's username."""
    return {p["mentee"]: p for p in json.loads(_run(monkeypatch, day, "health", "--format", "json"))["pairs"]}


@pytest.fixture
def rated_one(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The tester's programme run on 2026-12-07 and ``hb.csv`` imported on 2027-01-04: a mentee of m0003 whose three
    meetings lasted 10 minutes and a mentee of m0012 whose three lasted 45, each meeting rated 1 by the mentee."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2026, 12, 7), "run")
    pairs = _judged(monkeypatch, date(2026, 12, 7)).values()
    short = min(p["mentee"] for p in pairs if p["mentor"] == "m0003")
    long = min(p["mentee"] for p in pairs if p["mentor"] == "m0012")
    rows = [f"2026-12-{d},{mentor},{mentee},{minutes},yes,1,mentee"
            for d in (10, 20, 30) for mentor, mentee, minutes in (("m0003", short, 10), ("m0012", long, 45))]
    (cli_home / "hb.csv").write_text("date,mentor,mentee,minutes,attended,rating,rated_by\n" + "\n".join(rows) + "\n")
    _run(monkeypatch, date(2027, 1, 4), "import", "meetings", "hb.csv", hour=8)
    return short, long


def test_round_114b_4_short_meetings_rated_1_by_the_mentee_keep_the_rated_low_signal(rated_one, monkeypatch):
    short, long = rated_one
    judged = _judged(monkeypatch, date(2027, 1, 4))
    assert [r["code"] for r in judged[long]["reasons"]] == ["meetings_rated_low_mentee"], judged[long]
    codes = [r["code"] for r in judged[short]["reasons"]]
    # old: ["hi_bye"] alone, "low-rated (at most 3.5 on average)", no side named
    assert codes == ["hi_bye", "meetings_rated_low_mentee"], judged[short]
    level = judged[short]["reasons"][1]
    assert level["text"] == "meetings rated low by the mentee (their last 3 ratings at most 2 on average)", level
    # one channel of evidence (the meetings): the registry's rule adds no several_signals, and the status is at risk
    assert judged[short]["status"] == "at_risk" and "several_signals" not in codes, judged[short]


def test_round_114b_4_the_mentor_is_still_nudged_on_the_short_meetings_alone(rated_one, monkeypatch):
    """The mentee's ratings of the mentor never reach the mentor: the nudge speaks of short meetings, as one to a
    pair rated well would; the mentee, whose own ratings they are, is nudged on the short meetings too."""
    short = rated_one[0]
    planned = _run(monkeypatch, date(2027, 1, 4), "nudge", "--dry-run")
    assert "rated" not in planned and "rating" not in planned, planned
    blocks = planned.split("\n  to ")
    to_mentor = next(b for b in blocks if "(m0003), mentor of" in b)
    assert "short_meetings" in to_mentor.split(":", 1)[0] and "have been short" in to_mentor, to_mentor
    to_mentee = next(b for b in blocks if f"({short}), mentee of" in b)
    assert "(short_meetings)" in to_mentee and "have been short" in to_mentee, to_mentee
