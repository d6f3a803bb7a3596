"""Tester round 104b, 10: ``lmsync health --as-of DAY`` for a day on which a mentor was away (suspended in Moodle)
with their circle held said nothing of that circle's pairs: the pairing history ends them while the mentor is away,
so the view of that day left them out without a word. Both views (today's and a past day's) now say the held
circle's pairs are on hold, left out of the judgement, naming the circle by its mentor with the day its hold began,
and a past day reads the same whatever day it is asked: during the hold, or once the mentor is back (the store
keeps the days of a mentor's absence when the sync forgets it: ``mentor_absence_spans``, revision 0016).

A mentor's days away never counted toward their pairs' silence: the same sync ends the circle's pairs and the sync
that sees the mentor back makes them again, so ``pair_dates.days_apart`` leaves the days between out (tester round
55, 1); the last test keeps that so.
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

CONFIG = '[programme]\nname = "t1"\n[store]\npath = "st/t1.db"\n[sync]\naway_mentor_hold_days = 21\n'
HELD = ("(6 pair(s) on hold on 2027-02-07, left out of the judgement: their mentor is away and their circle held as "
        "it is ([sync] away_mentor_hold_days): Bilal Williams (m0003)'s circle (6 pair(s)), on hold since 2027-02-05, "
        "held until 2027-02-25 at the latest)")


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(programme_settings, "clock", lambda: noon)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": noon.isoformat(timespec=timespec))


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str) -> Any:
    _on(monkeypatch, day)
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code == 0, done.output
    return done


def _view(monkeypatch: pytest.MonkeyPatch, asked: date, day: str) -> tuple[str, dict[str, Any]]:
    text = _run(monkeypatch, asked, "health", "--as-of", day).stdout
    data = json.loads(_run(monkeypatch, asked, "health", "--as-of", day, "--format", "json").stdout)
    return text, data


@pytest.fixture
def held(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """m0003 (Bilal Williams, 6 mentees) suspended after the first sync; daily runs find them away on 5 Feb."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 2, 1), "sync")
    _run(monkeypatch, date(2027, 2, 1), "emulator", "edit", "suspend", "m0003")
    for day in (date(2027, 2, 5), date(2027, 2, 10)):
        _run(monkeypatch, day, "run")
    return cli_home


def _said_on_hold(text: str, data: dict[str, Any]) -> None:
    assert HELD in text, text
    [circle] = data["circles_on_hold"]
    assert circle["mentor"]["username"] == "m0003" and circle["since"] == "2027-02-05", circle
    assert circle["until"] == "2027-02-25" and len(circle["pairs"]) == 6, circle
    judged = {p["pair"] for p in data["pairs"]}
    assert not judged & set(circle["pairs"]), "a held pair is not judged"


def test_round_104b_10_a_past_day_of_a_hold_names_the_held_circle_asked_during_the_hold(held, monkeypatch):
    text, data = _view(monkeypatch, date(2027, 2, 10), "2027-02-07")
    _said_on_hold(text, data)


def test_round_104b_10_the_same_asked_once_the_mentor_is_back(held, monkeypatch):
    during = _view(monkeypatch, date(2027, 2, 10), "2027-02-07")
    _run(monkeypatch, date(2027, 2, 12), "emulator", "edit", "restore", "m0003")
    _run(monkeypatch, date(2027, 2, 20), "run")  # sees them back: the absence is forgotten, its days kept
    after = _view(monkeypatch, date(2027, 2, 27), "2027-02-07")
    _said_on_hold(*after)
    assert after[0] == during[0], "a past day reads the same whatever day it is asked"
    assert after[1]["circles_on_hold"] == during[1]["circles_on_hold"]
    back = _view(monkeypatch, date(2027, 2, 27), "2027-02-20")  # back that day: judged, nothing on hold
    assert back[1]["circles_on_hold"] == [] and "on hold on" not in back[0], back[0]
    assert len(back[1]["pairs"]) == 60


def test_round_104b_10_todays_view_names_the_held_circle_too(held, monkeypatch):
    text = _run(monkeypatch, date(2027, 2, 10), "health").stdout
    assert HELD.replace("on 2027-02-07", "on 2027-02-10") in text, text


def test_a_mentors_days_away_are_left_out_of_their_pairs_silence(held, monkeypatch):
    """A meeting on 2 Feb, the mentor away 5 to 20 Feb: on 3 Mar, 29 days since it, 15 of them apart: 14 together,
    within 1.75 x the 14 days' cadence, so not at risk (55, 1; a mentee's: 104a, 8)."""
    _run(monkeypatch, date(2027, 2, 12), "meetings", "add", "--date", "2027-02-02", "--mentor", "m0003",
         "--mentee", "s0018", "--minutes", "40")
    _run(monkeypatch, date(2027, 2, 12), "emulator", "edit", "restore", "m0003")
    _run(monkeypatch, date(2027, 2, 20), "run")
    data = json.loads(_run(monkeypatch, date(2027, 3, 3), "health", "--format", "json").stdout)
    [pair] = [p for p in data["pairs"] if p["mentor"] == "m0003" and p["mentee"] == "s0018"]
    assert pair["status"] == "ok" and pair["days_since_meeting"] == 29, pair
