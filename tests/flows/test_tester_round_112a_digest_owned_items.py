"""Tester round 112a, 3, 4 and 7, on the built-in emulator: what the coordinators' digest tells the owner of their
own queue items when a pair leaves the programme, is given up or comes back.

3: an acknowledged item lmsync paused because the mentee was unenrolled was in no digest of its owner. 4: a mentee
whose held place was given up, back and matched anew with their mentor, was said only under "Now with a mentor ...
nothing more to do for them", while the owner's acknowledged item of the pair was active again, awaiting an outcome.
7: "Holds ended" (a mentor's circle) never told the owner their items on that circle stay paused until they record an
outcome, as "Held places given up" does.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import pairings, schema
from lmsync.store.db import Store

CONFIG = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
forum = "Mentoring circles"
[store]
path = "store/prog.db"
[matching]
default_capacity = 4
[sync]
away_mentor_hold_days = 10
[meetings]
cadence_days = 3
start = 2026-12-07
[health]
grace_days = 3
coordinators = ["m0001", "m0002"]
"""
NOT_MET = ("m0003", "m0004", "m0005", "m0006")  # their circles have no meeting: fading on 20 Dec


def _run(monkeypatch: pytest.MonkeyPatch, at: datetime, *args: str) -> str:
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output
    return done.stdout


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


def _site(home: Path) -> Site:
    return Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())


def _digests(home: Path, day: date) -> dict[str, str]:
    """Each coordinator's digest of ``day`` (username -> text), as the tester read them from the state file."""
    site = _site(home)
    out = {}
    for m in site.messages:
        text = html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>").removesuffix("</p>")
        if text.startswith(f"lmsync digest for mentoring-2026, {day.isoformat()}"):
            out[site.users[m["useridto"]].username] = text
    return out


def _section(text: str, head: str) -> str:
    return text.split(head, 1)[1].split("\n\n", 1)[0] if head in text else ""


def _meetings(home: Path, name: str, days: tuple[str, str]) -> Path:
    users = {u.id: u.username for u in _site(home).users.values()}
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())  # no SQLite file on the PostgreSQL pass
    try:
        h = schema.pairing_history
        pairs = [(users[row.mentor_id], users[row.mentee_id]) for row in
                 store.rows(select(h.c.mentor_id, h.c.mentee_id).where(h.c.left_at.is_(None)))]
    finally:
        store.close()
    path = home / name
    path.write_text("date,mentor,mentee,minutes,attended\n" + "".join(
        f"{d},{m},{e},30,yes\n" for m, e in pairs if m not in NOT_MET for d in days))
    return path


@pytest.fixture
def queued(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's flow to 20 Dec: circles made on 7 Dec, meetings for all but m0003-m0006's circles, and the run
    of 20 Dec finding those 16 pairs fading and queueing them."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, _at(date(2026, 12, 7), 10), "run")
    _run(monkeypatch, _at(date(2026, 12, 14), 10), "import", "meetings",
         str(_meetings(cli_home, "m1.csv", ("2026-12-10", "2026-12-13"))))
    _run(monkeypatch, _at(date(2026, 12, 19), 20), "import", "meetings",
         str(_meetings(cli_home, "m2.csv", ("2026-12-16", "2026-12-19"))))
    said = _run(monkeypatch, _at(date(2026, 12, 20), 9, 5), "run")
    assert "16 fading" in said and "16 newly queued" in said, said
    return cli_home


def test_round_112a_3_an_acknowledged_item_paused_as_gone_is_in_its_owners_digest(queued, monkeypatch):
    _run(monkeypatch, _at(date(2026, 12, 20), 10), "queue", "ack", "m0005", "s0013", "--note", "called")
    _run(monkeypatch, _at(date(2026, 12, 21), 8), "emulator", "edit", "unenrol", "s0013")
    said = _run(monkeypatch, _at(date(2026, 12, 21), 9), "run")
    assert "1 queue item(s) paused (the pair is no longer in the programme)" in said, said
    digests = _digests(queued, date(2026, 12, 21))
    section = _section(digests.get("m0002", ""), "Paused, the pair no longer in the programme (1;")
    assert ("- Camille Okafor (m0005) / Chloe Ahmed (s0013): the mentee is no longer active in the course (enrolment "
            "suspended, ended, or unenrolled); acknowledged 2026-12-20, awaiting outcome; since 2026-12-21"
            ) in section, digests
    assert "s0013" not in digests.get("m0001", ""), digests  # not theirs
    _run(monkeypatch, _at(date(2026, 12, 22), 9), "run")
    assert "s0013" not in "".join(_digests(queued, date(2026, 12, 22)).values())  # said once


def test_round_112a_4_a_mentee_matched_anew_is_back_with_their_acknowledged_item(queued, monkeypatch):
    _run(monkeypatch, _at(date(2026, 12, 20), 10), "queue", "ack", "m0004", "s0015")
    _run(monkeypatch, _at(date(2026, 12, 21), 8), "emulator", "edit", "suspend", "s0015")
    _run(monkeypatch, _at(date(2026, 12, 21), 9), "run")
    _run(monkeypatch, _at(date(2026, 12, 31), 9), "run")  # the place given up
    assert all("Held places given up (1;" in t for t in _digests(queued, date(2026, 12, 31)).values())
    _run(monkeypatch, _at(date(2027, 1, 2), 8), "emulator", "edit", "restore", "s0015")
    _run(monkeypatch, _at(date(2027, 1, 2), 9), "run")
    digests = _digests(queued, date(2027, 1, 2))
    assert sorted(digests) == ["m0001", "m0002"], digests
    back = ("- Kavya Santos (s0015), mentee: away since 2026-12-21; their place in Chloe Xu (m0004)'s circle was given "
            "up (held until 2026-12-30); back, matched anew with Chloe Xu (m0004) on 2027-01-02")  # 115a, 4
    item = "  - fading: Chloe Xu (m0004) / Kavya Santos (s0015): "
    for username, text in digests.items():
        section = _section(text, "Back from away (1;")
        assert back in section, text
        assert (item in section) == (username == "m0002"), text  # the owner's item, active again, under her name
        assert "Now with a mentor" not in text, text  # not "nothing more to do for them"
        assert text.count("Kavya Santos (s0015)") == 1 + (username == "m0002"), text
    assert "acknowledged 2026-12-20, awaiting outcome" in _section(digests["m0002"], back), digests["m0002"]


def test_round_112a_7_an_ended_circle_hold_tells_the_owner_their_items_stay_paused(queued, monkeypatch):
    _run(monkeypatch, _at(date(2026, 12, 20), 10), "queue", "ack", "m0003", "s0029")
    _run(monkeypatch, _at(date(2026, 12, 21), 8), "emulator", "edit", "suspend", "m0003")
    _run(monkeypatch, _at(date(2026, 12, 21), 9), "run")
    _run(monkeypatch, _at(date(2026, 12, 31), 9), "run")  # the hold over, m0003 still away: the circle re-matched
    digests = _digests(queued, date(2026, 12, 31))
    assert sorted(digests) == ["m0001", "m0002"], digests
    head = ("- Bilal Williams (m0003): away since 2026-12-21, held until 2026-12-30; 5 mentee(s) matched with other "
            "mentors who had room; ")
    tail = " in your queue stay paused (no longer in the programme) until you record an outcome"
    ended = {u: _section(t, "Holds ended (1;") for u, t in digests.items()}
    # m0001 owns three of the circle's five items (one acknowledged), m0002 two
    assert f"{head}3 items of its pairs{tail}" in ended["m0001"], ended
    assert f"{head}2 items of its pairs{tail}" in ended["m0002"], ended
