"""Tester round 113, on the built-in emulator: a mentee back (their enrolment restored) after their held place was
given up, whom no mentor had room for, was named by `lmsync health` only; the coordinators' digest said nothing, so a
coordinator who reads only the digest never learnt someone was waiting without a mentor. Now each digest names them
under "Back from away without a mentor", with what to do, until they have a mentor; matched, they are said back.
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
HEAD = "Back from away without a mentor (1;"
LINE = ("- Kavya Santos (s0015): away since 2026-12-21; their place in Chloe Xu (m0004)'s circle was given up on "
        "2026-12-31; back, with no mentor")


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


def _open_pairs(home: Path) -> list[tuple[int, int]]:
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())  # no SQLite file on the PostgreSQL pass
    try:
        h = schema.pairing_history
        return [(row.mentor_id, row.mentee_id) for row in
                store.rows(select(h.c.mentor_id, h.c.mentee_id).where(h.c.left_at.is_(None)))]
    finally:
        store.close()


def _meetings(home: Path, name: str, days: tuple[str, str]) -> Path:
    users = {u.id: u.username for u in _site(home).users.values()}
    pairs = [(users[m], users[e]) for m, e in _open_pairs(home)]
    path = home / name
    path.write_text("date,mentor,mentee,minutes,attended\n" + "".join(
        f"{d},{m},{e},30,yes\n" for m, e in pairs if m not in NOT_MET for d in days))
    return path


def _give_up(home: Path, monkeypatch: pytest.MonkeyPatch, at: datetime, more: str = "") -> None:
    """The tester's flow: circles made on 7 Dec, meetings, fading pairs queued on 20 Dec, s0015 suspended on 21 Dec
    and their place given up by the run ``at`` (31 Dec); then every mentor's capacity set to the mentees they have
    (no room left for anyone). ``more``: lines added to the configuration."""
    (home / "lmsync.toml").write_text(CONFIG + more)
    _run(monkeypatch, _at(date(2026, 12, 7), 10), "run")
    _run(monkeypatch, _at(date(2026, 12, 14), 10), "import", "meetings",
         str(_meetings(home, "m1.csv", ("2026-12-10", "2026-12-13"))))
    _run(monkeypatch, _at(date(2026, 12, 19), 20), "import", "meetings",
         str(_meetings(home, "m2.csv", ("2026-12-16", "2026-12-19"))))
    assert "16 newly queued" in _run(monkeypatch, _at(date(2026, 12, 20), 9, 5), "run")
    _run(monkeypatch, _at(date(2026, 12, 21), 8), "emulator", "edit", "suspend", "s0015")
    _run(monkeypatch, _at(date(2026, 12, 21), 9), "run")
    said = _run(monkeypatch, at, "run")  # the place given up
    assert "1 membership change(s) planned (0 added, 1 removed)" in said, said
    load = Counter(mentor for mentor, _ in _open_pairs(home))
    for user in _site(home).users.values():
        if "mentorcapacity" in (user.customfields or {}):
            _run(monkeypatch, at + timedelta(minutes=30), "emulator", "edit", "field", user.username,
                 "mentorcapacity", str(load[user.id]))


@pytest.fixture
def given_up(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``_give_up`` by the run of 31 Dec at 09:00, whose digest named the place given up, and a run on 1 Jan."""
    _give_up(cli_home, monkeypatch, _at(date(2026, 12, 31), 9))
    assert all("Held places given up (1;" in t for t in _digests(cli_home, date(2026, 12, 31)).values())
    _run(monkeypatch, _at(date(2027, 1, 1), 9), "run")
    return cli_home


def test_round_113_a_mentee_back_whom_no_mentor_has_room_for_is_named_in_every_digest(given_up, monkeypatch):
    _run(monkeypatch, _at(date(2027, 1, 2), 8), "emulator", "edit", "restore", "s0015")
    said = _run(monkeypatch, _at(date(2027, 1, 2), 9), "run")
    assert "1 mentee(s) without a mentor" in said, said
    health = _run(monkeypatch, _at(date(2027, 1, 2), 9, 30), "health")
    assert "1 mentee(s) in the course without a mentor: Kavya Santos (s0015)" in health, health  # health named them
    digests = _digests(given_up, date(2027, 1, 2))
    assert sorted(digests) == ["m0001", "m0002"], digests  # sent for them alone
    for username, text in digests.items():
        assert ("their held place was given up while they were away, and no mentor has room for them now: "
                "`lmsync match` says why; raise a mentor's capacity or add a mentor, and the next sync matches them"
                ) in text.split(HEAD, 1)[-1].split("\n", 1)[0], text
        section = _section(text, HEAD)
        assert LINE in section, text
        # the owner of the pair's item is told it stays paused, as "Held places given up" told her
        assert ("their item in your queue stays paused" in section) == (username == "m0002"), text
        assert text.count("Kavya Santos (s0015)") == 1, text  # not under "Newly without a mentor" nor given up again
    _run(monkeypatch, _at(date(2027, 1, 3), 9), "run")
    assert all(LINE in _section(t, HEAD) for t in _digests(given_up, date(2027, 1, 3)).values())  # while they wait
    # a mentor given room: the next sync matches them, and the digest says them back, matched anew
    _run(monkeypatch, _at(date(2027, 1, 4), 8), "emulator", "edit", "field", "m0004", "mentorcapacity", "8")
    _run(monkeypatch, _at(date(2027, 1, 4), 9), "run")
    digests = _digests(given_up, date(2027, 1, 4))
    assert digests and all(HEAD not in t and "matched anew with Chloe Xu (m0004)" in t for t in digests.values()), digests


def test_round_113_one_given_up_and_back_since_the_last_digest_is_named_once_with_what_to_do(cli_home, monkeypatch):
    """The place given up in quiet hours (that day's digest held), the mentee back before the next digest: that
    digest says the place was given up, and names them back without a mentor, not "Newly without a mentor" too."""
    _give_up(cli_home, monkeypatch, _at(date(2026, 12, 31), 23), '[nudges]\nquiet_hours = "22:00-07:00"\n')
    assert _digests(cli_home, date(2026, 12, 31)) == {}  # held: quiet hours
    _run(monkeypatch, _at(date(2027, 1, 2), 8), "emulator", "edit", "restore", "s0015")
    _run(monkeypatch, _at(date(2027, 1, 2), 9), "run")
    digests = _digests(cli_home, date(2027, 1, 2))
    assert sorted(digests) == ["m0001", "m0002"], digests
    for text in digests.values():
        assert "Held places given up (1;" in text and LINE in _section(text, HEAD), text
        assert "Newly without a mentor" not in text, text
        assert text.count("Kavya Santos (s0015)") == 2, text  # given up, then back without a mentor


def test_round_115a_4_a_mentee_matched_weeks_after_coming_back_is_not_said_back_that_day(given_up, monkeypatch):
    """Tester round 115a, 4: back on 2 Jan with no mentor who had room, matched on 4 Jan once a mentor's capacity was
    raised, the mentee was said "back on 2027-01-04": the day they were matched, not the day they came back (the
    store keeps none). The line names the day of their new pair as that, and no back day."""
    _run(monkeypatch, _at(date(2027, 1, 2), 8), "emulator", "edit", "restore", "s0015")
    _run(monkeypatch, _at(date(2027, 1, 2), 9), "run")
    _run(monkeypatch, _at(date(2027, 1, 4), 8), "emulator", "edit", "field", "m0004", "mentorcapacity", "8")
    _run(monkeypatch, _at(date(2027, 1, 4), 9), "run")
    digests = _digests(given_up, date(2027, 1, 4))
    assert sorted(digests) == ["m0001", "m0002"], digests
    for text in digests.values():
        assert ("- Kavya Santos (s0015), mentee: away since 2026-12-21; their place in Chloe Xu (m0004)'s circle was "
                "given up (held until 2026-12-30); back, matched anew with Chloe Xu (m0004) on 2027-01-04"
                ) in _section(text, "Back from away (1;"), text
        assert "back on 2027-01-04" not in text, text
