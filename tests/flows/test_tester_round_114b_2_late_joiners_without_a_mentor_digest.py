"""Tester round 114b, 2, on the built-in emulator: the coordinators' digest named as without a mentor only the mentees
who had a mentor at the coordinator's last digest. Students who joined after the first digest, with every mentor
full, were in no digest while `lmsync health` named them ("digest ok 0 digest(s) sent"), and once placed, "Now with a
mentor" named only the one who had lost a mentor. Now each digest names those newly without a mentor since the last
it sent (a late joiner too), once, and "Now with a mentor" each of them placed since.
"""

from __future__ import annotations

import html
from collections import Counter
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
from lmsync.store.surveys import export_person

CONFIG = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
forum = "Mentoring circles"
[store]
path = "store/prog.db"
[meetings]
start = 2026-12-07
[health]
coordinators = ["coord1"]
"""
NEWLY = "Newly without a mentor since your last digest: "
NOW = "Now with a mentor since your last digest ("


def _run(monkeypatch: pytest.MonkeyPatch, at: datetime, *args: str) -> str:
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output
    return done.stdout


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


def _config(home: Path):  # noqa: ANN202
    return load_config(home / "lmsync.toml", environ={})


def _site(home: Path) -> Site:
    return Site.load(_config(home).emulator_state_path())


def _digest(home: Path, day: date) -> str:
    """coord1's digest of ``day`` ("" for none), as the tester read it from the state file."""
    site = _site(home)
    for m in site.messages:
        text = html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>").removesuffix("</p>")
        if text.startswith(f"lmsync digest for mentoring-2026, {day.isoformat()}") \
                and site.users[m["useridto"]].username == "coord1":
            return text
    return ""


def _newly(text: str) -> str:
    return text.split(NEWLY, 1)[1].split("\n", 1)[0] if NEWLY in text else ""


def _open_pairs(home: Path) -> list[tuple[int, int]]:
    store = Store(_config(home).store_path())  # no SQLite file on the PostgreSQL pass
    try:
        h = schema.pairing_history
        return [(r.mentor_id, r.mentee_id) for r in store.rows(select(h.c.mentor_id, h.c.mentee_id)
                                                                 .where(h.c.left_at.is_(None)))]
    finally:
        store.close()


def _told(home: Path) -> list[dict]:
    """The mentees coord1's digests named as without a mentor, still kept, as `lmsync person export` gives them."""
    store = Store(_config(home).store_path())
    try:
        coord = next(u.id for u in _site(home).users.values() if u.username == "coord1")
        return list(export_person(store, coord)["digest_alone"])
    finally:
        store.close()


def _every_mentor_full(home: Path, monkeypatch: pytest.MonkeyPatch, at: datetime, more: int = 0) -> None:
    load = Counter(mentor for mentor, _ in _open_pairs(home))
    for user in _site(home).users.values():
        if "mentorcapacity" in (user.customfields or {}):
            _run(monkeypatch, at, "emulator", "edit", "field", user.username, "mentorcapacity",
                 str(load[user.id] + more))


def test_round_114b_2_late_joiners_are_named_once_and_said_placed(cli_home: Path, monkeypatch: pytest.MonkeyPatch):
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, _at(date(2026, 12, 7), 8), "emulator", "edit", "join", "coord1", "--role", "manager")
    _run(monkeypatch, _at(date(2026, 12, 7), 12), "run")
    _every_mentor_full(home, monkeypatch, _at(date(2026, 12, 7), 13))
    for n in (1, 2, 3):
        _run(monkeypatch, _at(date(2026, 12, 8), 8), "emulator", "edit", "join", f"x00{n}")
    _run(monkeypatch, _at(date(2026, 12, 8)), "run")
    first = _newly(_digest(home, date(2026, 12, 8)))
    assert first.startswith("3 mentee(s) in the course without a mentor") and "x003" in first, first

    for n in (1, 2):  # late joiners: no mentor at the last digest, no pair ever
        _run(monkeypatch, _at(date(2026, 12, 16), 8), "emulator", "edit", "join", f"y00{n}")
    said = _run(monkeypatch, _at(date(2026, 12, 16)), "run")
    assert "5 mentee(s) in the course without a mentor" in _run(monkeypatch, _at(date(2026, 12, 16), 10), "health")
    text = _digest(home, date(2026, 12, 16))
    assert text, said  # "digest ok 0 digest(s) sent" before
    late = _newly(text)
    assert late.startswith("2 mentee(s) in the course without a mentor: ") and "y001" in late and "y002" in late, text
    assert "x00" not in text, text  # told on 8 Dec: not again
    assert "`lmsync match` says why" in late, text  # with what to do
    _run(monkeypatch, _at(date(2026, 12, 17)), "run")
    assert "y00" not in _digest(home, date(2026, 12, 17))  # once
    assert len(_told(home)) == 5  # what the digests named, kept (revision 0017)

    _every_mentor_full(home, monkeypatch, _at(date(2026, 12, 18), 8), more=2)  # room for every one of them
    _run(monkeypatch, _at(date(2026, 12, 18)), "run")
    text = _digest(home, date(2026, 12, 18))
    assert f"{NOW}5;" in text, text
    placed = text.split(NOW, 1)[1].split("\n\n", 1)[0]
    assert all(who in placed for who in ("x001", "x002", "x003", "y001", "y002")), text
    assert NEWLY not in text, text
    _run(monkeypatch, _at(date(2026, 12, 19)), "run")
    assert NOW not in _digest(home, date(2026, 12, 19))  # said once

    assert _told(home) == []  # every one placed and said so: forgotten
