"""Tester round 108a, 4: the queue items of pairs whose circle lmsync left alone read as no longer in the programme.

Two circles' ID numbers swapped in Moodle: the sync refuses and leaves both groups as they are, until an admin sets
the numbers back. The next run's health paused both mentors' pairs' items as "the pair is no longer in the programme
(the mentor no longer has a circle)", while `pair show` still said they were paired, and `queue done --outcome
closed` would end a pair whose only trouble was an ID number. Now health leaves those pairs out saying why, their
items are paused on hold with the circle left alone (never due, shown on hold), `queue done` refuses any outcome on
them, writing nothing, and once the numbers are back the next run takes them up as they were.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0012"]\n'
MENTOR, MENTEE = "m0009", "s0037"


def _on(monkeypatch: Any, day: date) -> None:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _line(home: Any) -> str:
    return next(line for line in _ok(home, "queue", "list").splitlines() if f"({MENTEE})" in line)


def _circles(home: Any) -> tuple[int, int]:
    """The Moodle ids of MENTOR's circle and of another circle with mentees."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    circles = {mentor_of_idnumber("tq", g.idnumber): g for g in site.groups.values()
               if mentor_of_idnumber("tq", g.idnumber) is not None}
    mine = next(g for m, g in circles.items() if site.users[m or 0].username == MENTOR)
    other = next(g for g in sorted(circles.values(), key=lambda g: g.id) if g.id != mine.id and len(g.members) > 1)
    return mine.id, other.id


def _swap(home: Any, groups: tuple[int, int]) -> None:
    """Swap the ID numbers of two groups in Moodle, as the tester did in the emulator's state."""
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    one, two = (site.groups[gid] for gid in groups)
    one.idnumber, two.idnumber = two.idnumber, one.idnumber
    site.save(path)


@pytest.fixture
def queued(cli_home: Any, monkeypatch: Any) -> Any:
    """Synced on 2026-12-07, every pair fading and queued on 2027-02-10."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(cli_home, "sync")
    _on(monkeypatch, date(2027, 2, 10))
    _ok(cli_home, "run", "--allow-mass-nudge")
    assert " fading " in _line(cli_home)
    return cli_home


def test_round_108a_4_a_swapped_circles_items_are_on_hold_not_gone(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    groups = _circles(home)
    group = groups[0]
    _swap(home, groups)
    ran = run_in(home, "run")
    assert ran.exit_code == 2, ran.output  # the sync refuses, leaving both alone; health still runs
    assert "queue item(s) on hold while lmsync leaves their circle alone, its ID number to set back in Moodle" \
        in " ".join(ran.output.split()), ran.output  # the sync refuses (exit 2); health still runs
    said = (f"their circle is left alone: Moodle group {group} carries another circle's ID number, changed in Moodle; "
            "lmsync leaves it as it is until an admin sets its ID number back (`lmsync sync` says how)")
    line = _line(home)
    assert f"  on hold  item open since 2027-02-10  (paused on 2027-02-11): {said}; nothing is due until it is set " \
           "back" in line, line
    assert "no longer in the programme" not in line and "no longer has a circle" not in line, line
    (item,) = [i for i in json.loads(_ok(home, "queue", "list", "--format", "json"))
               if i["mentee"]["username"] == MENTEE]
    assert item["status"] == "on_hold" and item["due"] is None and item["overdue_days"] == 0, item
    health = " ".join(_ok(home, "health").split())
    assert "left out of the judgement: their circle carries another circle's ID number, changed in Moodle, and " \
           "lmsync leaves it as it is until an admin sets it back" in health, health
    assert f"({MENTOR})'s circle (Moodle group {group}, " in health, health
    assert "queue item(s) on hold while lmsync leaves their circle alone" in health, health
    assert "no longer in the programme" not in health and "away" not in health, health
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert {c["group_id"] for c in data["circles_left_alone"]} >= {group}, data["circles_left_alone"]
    before = (home / "st" / "tq.db").read_bytes()
    for outcome in ("closed", "no_action", "met", "rematched"):
        refused = run_in(home, "queue", "done", MENTOR, MENTEE, "--outcome", outcome)
        assert refused.exit_code == 3, refused.output
        assert said in " ".join(refused.output.split()), refused.output
        assert "recorded" not in refused.output, refused.output
    assert (home / "st" / "tq.db").read_bytes() == before, "a refused outcome wrote nothing"
    # an admin sets the numbers back: the next run takes the item up as it was
    _on(monkeypatch, date(2027, 2, 12))
    _swap(home, groups)
    _ok(home, "run")
    assert "ended by a coordinator" not in _ok(home, "pair", "show", MENTOR, MENTEE)
    assert "  fading  item open since 2027-02-10  (last flagged 2027-02-12)" in _line(home), _line(home)
    assert "next due " in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "met")


def test_round_108a_4_a_circle_deleted_its_number_on_a_teachers_group_is_still_gone(queued: Any, monkeypatch: Any) -> None:
    """The other case keeps its words: the circle deleted in Moodle and a group lmsync never made holding its ID
    number (left alone too, but not a circle of this store's: its pairs are no longer in the programme)."""
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    mine, _other = _circles(home)
    circle = site.groups.pop(mine)
    teacher = Group(id=site.next_id("groups"), courseid=circle.courseid, name="Teacher's group",
                    idnumber=circle.idnumber, members=set(circle.members))
    site.groups[teacher.id] = teacher
    site.save(path)
    run_in(home, "run")
    line = _line(home)
    assert "left alone" not in line and "  on hold  " not in line, line
    assert "the pair is no longer in the programme (the mentor no longer has a circle)" in line, line
    assert "left out of the judgement: their circle carries" not in _ok(home, "health")
