"""A mentee in the course with no mentor was named only by the digest of the day a mentor's hold ended (after tester
round 107a, 5): `lmsync health` listed pairs only, the run's sync line only counted them, and only `lmsync match`,
which a coordinator does not type, named them. Now `lmsync health` (text and JSON, today's view) names every one
until they have a mentor, and each coordinator's digest those newly without one since their last digest sent,
never twice in one digest (the ended hold's part names some)."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.circles_left_alone import LeftAloneCircle
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_field, set_suspended
from lmsync.service.health_gone import Circles
from lmsync.store import db, pairings
from tests.flows.conftest import run_in
from tests.flows.test_cycle import AS_OF, PROGRAMME, at, setup, user_id

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0012"]\n'
WORDS = "(`lmsync match` says why; raise a mentor's capacity or add a mentor, and the next sync matches them)"


def _on(monkeypatch: Any, day: date) -> None:
    at_ = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at_)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at_.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("show_names", [True, False])
def test_health_names_the_mentees_without_a_mentor_today(cli_home: Any, monkeypatch: Any, show_names: bool) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG + ("" if show_names else "[privacy]\nshow_names = false\n"))
    _on(monkeypatch, date(2026, 12, 7))
    _ok(home, "sync")
    assert "without a mentor" not in _ok(home, "health")  # everyone placed: nothing said
    _on(monkeypatch, date(2026, 12, 8))
    _ok(home, "emulator", "edit", "join", "s9001", "--name", "Nia Newcomer")  # joined, no sync since
    _ok(home, "emulator", "edit", "move", "s0037", "--out")  # out of their circle by hand
    _ok(home, "emulator", "edit", "move", "s0038", "--out")
    _ok(home, "emulator", "edit", "suspend", "s0038", "--account")  # away: not "without a mentor"
    _ok(home, "emulator", "edit", "join", "m9001", "--role", "teacher", "--name", "Max Mentor")  # a mentor, no circle
    health = _flat(_ok(home, "health"))
    named = ("Yusuf Santos (s0037), Nia Newcomer (s9001)" if show_names else "s0037, s9001")
    assert f"(2 mentee(s) in the course without a mentor: {named} {WORDS})" in health, health
    assert "s0038" not in health and "m9001" not in health, health
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert [p["username"] for p in data["mentees_without_mentor"]] == ["s0037", "s9001"], data["mentees_without_mentor"]
    assert ("name" in data["mentees_without_mentor"][0]) is show_names
    today = _flat(_ok(home, "health", "--as-of", "2026-12-08"))  # a view of today says it too
    assert f"2 mentee(s) in the course without a mentor: {named}" in today, today
    past = _ok(home, "health", "--as-of", "2026-12-07")  # the store does not keep who was in the course then
    assert "without a mentor" not in past, past
    assert json.loads(_ok(home, "health", "--format", "json", "--as-of", "2026-12-07"))["mentees_without_mentor"] is None


def _label(site: Any, uid: int) -> str:
    user = site.users[uid]
    return f"{user.firstname} {user.lastname} ({user.username})"


def _circles(site: Any) -> dict[int, frozenset[int]]:
    return {m: frozenset(g.members - {m}) for g in site.groups.values()
            if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None and g.members - {m}}


def _runner(site: Any, config: Any, cases: Any, monkeypatch: Any) -> Any:
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def digests(offset: int) -> list[str]:
        monkeypatch.setattr(programme_settings, "clock", lambda: at(offset))
        monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at(offset).isoformat(timespec=timespec))
        before = len(site.messages)
        cycle_job(config, site=site, now=at(offset), as_of=AS_OF + timedelta(days=offset))
        return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>")
                .removesuffix("</p>") for m in site.messages[before:] if m["useridto"] in coordinators]

    return digests


def test_the_digest_names_a_mentee_newly_without_a_mentor_once(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site)
    digests = _runner(site, config, cases, monkeypatch)
    assert not any("without a mentor" in t for t in digests(0))
    circles = _circles(site)
    for mentor, mentees in circles.items():  # every mentor full
        set_field(site, mentor, "mentorcapacity", str(len(mentees)))
    mentor = next(m for m in sorted(circles) if len(circles[m]) >= 2 and site.users[m].username.startswith("m"))
    set_field(site, mentor, "mentorcapacity", str(len(circles[mentor]) - 1))  # one place fewer: one of them is out
    sent = digests(1)
    (alone,) = circles[mentor] - _circles(site).get(mentor, frozenset())
    assert len(sent) == 2, sent  # nothing else new: the digest is sent for them
    for text in sent:
        assert (f"Newly without a mentor since your last digest: 1 mentee(s) in the course without a mentor: "
                f"{_label(site, alone)} {WORDS}.") in text, text
    assert not any(_label(site, alone) in t for t in digests(2))  # told once; `lmsync health` says it every day


def test_a_mentee_an_ended_hold_left_alone_is_named_once_in_the_digest(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 2\n")
    mentors = {m: v for m, v in _circles(site).items() if site.users[m].username.startswith("m")}
    away = next(m for m in sorted(mentors) if len(mentors[m]) >= 3)
    for mentor, mentees in mentors.items():  # every mentor full
        set_field(site, mentor, "mentorcapacity", str(len(mentees)))
    set_suspended(site, course_of(site, config.programme.course), away, True)
    digests = _runner(site, config, cases, monkeypatch)
    digests(1)
    digests(2)  # the hold's last day
    ended = digests(3)
    assert len(ended) == 2, ended
    for text in ended:
        assert "Left without a mentor when their mentor's hold ended (" in text, text
        for mentee in mentors[away]:
            assert text.count(_label(site, mentee)) == 1, text  # in the hold's part, not again
        assert "Newly without a mentor" not in text, text


def _config(tmp_path: Any, more: str = "") -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n' + more)
    return load_config(path, environ={})


def _user(*roles: str, suspended: bool | None = False) -> Any:
    return SimpleNamespace(roles=frozenset(roles), suspended=suspended)


@pytest.mark.parametrize("dual_role, in_circle_of, expected", [
    ("exclude", None, True),  # in no circle: left out of matching, without a mentor
    ("exclude", "own", False),  # the mentor of their own circle: kept as its mentor
    ("exclude", "other", False),  # kept in their circle, with its mentor
    ("mentor", None, False),
    ("mentee", None, True),
    ("mentee", "other", False),
])
def test_a_two_role_person_follows_dual_role(tmp_path: Any, dual_role: str, in_circle_of: str | None,
                                             expected: bool) -> None:
    from lmsync.service.mentees_alone import mentees_without_mentor  # new with this fix

    config = _config(tmp_path, f'[matching]\ndual_role = "{dual_role}"\n')
    members = {7: frozenset({5})} if in_circle_of == "own" else {1: frozenset({7})} if in_circle_of == "other" else {}
    roster = {7: _user("teacher", "student"), 1: _user("teacher")}
    assert (7 in mentees_without_mentor(config, roster, Circles(members))) is expected


def test_who_is_a_mentee_without_a_mentor(tmp_path: Any) -> None:
    from lmsync.service.mentees_alone import mentees_without_mentor, without_mentor_note

    roster = {1: _user("teacher"), 2: _user("student"), 3: _user("student"), 4: _user("student", suspended=True),
              5: _user("student", suspended=None), 6: _user("student"), 7: _user("observer"), 8: _user("student"),
              9: _user("teacher")}
    circles = Circles({1: frozenset({2})}, frozenset({7}),
                      {9: LeftAloneCircle(9, 60, "tq-mentor-1", frozenset({8}))})  # 8: in a circle left alone
    config = _config(tmp_path)
    assert mentees_without_mentor(config, roster, circles) == (3, 5, 6)
    assert mentees_without_mentor(config, roster, circles, peer_mentors={6}) == (3, 5)  # a peer mentor
    triads = _config(tmp_path, '[matching]\nstructure = "triads"\n')
    assert mentees_without_mentor(triads, roster, circles, peer_mentors={6}) == (3, 5, 6)  # a near-peer is a mentee
    note = without_mentor_note(list(range(1, 13)), lambda u: f"u{u}")
    assert note == ("12 mentee(s) in the course without a mentor: u1, u2, u3, u4, u5, u6, u7, u8, u9, u10, and 2 more "
                    f"{WORDS}")
