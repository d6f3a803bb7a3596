"""Tester round 109a, 1: ``lmsync health --as-of DAY`` changed a past day's answer once an away mentee came back.

A mentee suspended in Moodle while their mentor is here has their place held (``[sync] away_mentor_hold_days``) and
health leaves their pair out while they are away. Asked during the absence, ``--as-of`` a day of it left the pair out
("lmsync's health record of that day left them out too"); asked once the mentee was back, it judged the pair: 59
pairs, then 60, and on a later day a pair listed as fading that the run of that day had left out. The store keeps the
days of a mentee's absence (``member_absences`` while away, ``member_absence_spans`` once back, revision 0015), so the
pair is now left out of that day's view and named in the same words whenever asked, as the view of that day itself
names it (``health_held.held_places``).
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

CONFIG = ('[programme]\nname = "away-2027"\n[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = 14\n'
          '[meetings]\ncadence_days = 14\n[waves]\nprogramme_start = 2027-01-11\n')
HELD = ("(1 pair(s) on hold on 2027-01-18, left out of the judgement: their mentee is away and their place in the "
        "circle held ([sync] away_mentor_hold_days): Dmitri Kim (s0001) in Valentina Zhang (m0011)'s circle, away "
        "since 2027-01-18, held until 2027-01-31 at the latest)")


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 9) -> Any:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done


def _view(monkeypatch: pytest.MonkeyPatch, asked: date, day: str) -> tuple[str, dict[str, Any]]:
    text = _run(monkeypatch, asked, "health", "--as-of", day).stdout
    data = json.loads(_run(monkeypatch, asked, "health", "--as-of", day, "--format", "json").stdout)
    return text, data


@pytest.fixture
def away(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's flow: the circles made on 11 Jan, s0001 (Dmitri Kim, in m0011's circle) suspended on 18 Jan."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 11), "sync")
    _run(monkeypatch, date(2027, 1, 18), "emulator", "edit", "suspend", "s0001", hour=8)
    assert "their place in Valentina Zhang (m0011)'s circle held until 2027-01-31" in _run(
        monkeypatch, date(2027, 1, 18), "sync").stdout
    return cli_home


def _said_on_hold(text: str, data: dict[str, Any]) -> None:
    assert HELD in text, text
    assert "pair(s) left out" not in text, text  # named as on hold, not counted among those left out
    assert text.startswith("Pair health on 2027-01-18: 59 pairs: 59 ok"), text
    [place] = data["places_on_hold"]
    assert place["mentee"]["username"] == "s0001" and place["mentor"]["username"] == "m0011", place
    assert (place["since"], place["until"]) == ("2027-01-18", "2027-01-31"), place
    assert place["pair"] not in {p["pair"] for p in data["pairs"]} and len(data["pairs"]) == 59
    assert data["skipped_inactive"] == 0, data["skipped_inactive"]


def test_round_109a_1_a_held_place_reads_the_same_asked_during_the_absence_or_after(away, monkeypatch):
    today = _run(monkeypatch, date(2027, 1, 18), "health", hour=10).stdout  # that day's own run names it too
    assert HELD in today, today
    during = _view(monkeypatch, date(2027, 1, 19), "2027-01-18")
    _said_on_hold(*during)
    _run(monkeypatch, date(2027, 1, 20), "emulator", "edit", "restore", "s0001", hour=8)
    _run(monkeypatch, date(2027, 1, 20), "sync")  # sees them back: the absence is forgotten, its days kept
    assert "Pair health on 2027-01-20: 60 pairs" in _run(monkeypatch, date(2027, 1, 20), "health", hour=10).stdout
    after = _view(monkeypatch, date(2027, 1, 21), "2027-01-18")
    _said_on_hold(*after)
    assert after[0] == during[0], "a past day reads the same whatever day it is asked"
    assert after[1]["places_on_hold"] == during[1]["places_on_hold"]
    back = _view(monkeypatch, date(2027, 1, 21), "2027-01-20")  # back that day: judged, nothing on hold
    assert back[1]["places_on_hold"] == [] and "on hold on" not in back[0], back[0]
    assert len(back[1]["pairs"]) == 60


def test_round_109a_1_a_past_day_has_the_pairs_that_days_run_judged(away, monkeypatch):
    """s0001 back on 20 Jan, away again from 25 Mar to 30 Mar: the run of 26 Mar judged 59 pairs, the held one left
    out; asked on 1 Apr, the view of 26 Mar judged 60 and listed the held pair as fading (no meeting since pairing)."""
    _run(monkeypatch, date(2027, 1, 20), "emulator", "edit", "restore", "s0001", hour=8)
    _run(monkeypatch, date(2027, 1, 20), "sync")
    _run(monkeypatch, date(2027, 3, 25), "emulator", "edit", "suspend", "s0001", hour=8)
    _run(monkeypatch, date(2027, 3, 25), "sync")
    ran = json.loads(_run(monkeypatch, date(2027, 3, 26), "health", "--format", "json").stdout)
    _run(monkeypatch, date(2027, 3, 30), "emulator", "edit", "restore", "s0001", hour=8)
    _run(monkeypatch, date(2027, 3, 30), "sync")
    text, data = _view(monkeypatch, date(2027, 4, 1), "2027-03-26")
    assert {p["pair"] for p in data["pairs"]} == {p["pair"] for p in ran["pairs"]}, text.splitlines()[0]
    assert len(ran["pairs"]) == 59 and ran["counts"]["fading"] == data["counts"]["fading"] == 59, text
    held = {p["pair"] for p in ran["places_on_hold"]}  # the held pair: neither judged nor listed as fading
    assert len(held) == 1 and not held & {p["pair"] for p in data["pairs"]}, ran["places_on_hold"]
    assert data["places_on_hold"] == ran["places_on_hold"]
    assert [(p["since"], p["until"]) for p in data["places_on_hold"]] == [("2027-03-25", "2027-04-07")]
