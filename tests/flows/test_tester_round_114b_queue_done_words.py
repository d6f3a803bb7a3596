"""Tester round 114b, 3 and 5, on the built-in emulator: what `lmsync queue done` and the digest say.

3: a mentor's capacity set to 0, the next run moved their mentees to other mentors and paused their items ("the
mentee is now in another mentor's circle"). `queue done MENTOR MENTEE --outcome rematched` said the next run "matches
the mentee with another mentor who has room, or leaves them with no mentor if none has", while nothing moves: the
mentee already has another mentor, and now it says so, naming them. The digest's head for such items said "nothing is
due while they are away" though nobody was away.
5: `queue done 74-11 --outcome met` (the older MENTOR_ID-MENTEE_ID key) named a mentor whose enrolment was suspended
"User #74 (not in the course)", while `pair show` names them and says they are away; now `queue done` does as well.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_105a_1_held_pair_queue_item import _ok, _on

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0001"]\n'
FULL, MOVED_MENTEE = "m0012", "s0043"
MOVED = "the mentee is now in another mentor's circle"
AWAY = "the mentor is away (enrolment suspended in Moodle; still enrolled in the course)"


def _site(home: Any) -> Site:
    return Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())


def _id(site: Site, username: str) -> int:
    return next(u.id for u in site.users.values() if u.username == username)


def _label(site: Site, username: str) -> str:
    user = site.users[_id(site, username)]
    return f"{user.firstname} {user.lastname} ({user.username})"


def _mentor_of(site: Site, mentee: str) -> str:
    """The username of the mentor whose circle holds ``mentee`` in the saved site."""
    uid = _id(site, mentee)
    (mentor,) = [m for g in site.groups.values()
                 if (m := mentor_of_idnumber("tq", g.idnumber)) is not None and uid in g.members and m != uid]
    return str(site.users[mentor].username)


@pytest.fixture
def queued(cli_home: Any, monkeypatch: Any) -> Any:
    """The tester's programme (coordinator m0001): synced on 2026-12-07, every pair fading and queued on 2027-02-10."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(cli_home, "sync")
    _on(monkeypatch, date(2027, 2, 10))
    _ok(cli_home, "run", "--allow-mass-nudge")
    return cli_home


@pytest.fixture
def moved(queued: Any, monkeypatch: Any) -> Any:
    """``queued``, then on 2027-02-11 m0012's capacity set to 0: the run moves their mentees to other mentors."""
    _on(monkeypatch, date(2027, 2, 11))
    _ok(queued, "emulator", "edit", "field", FULL, "mentorcapacity", "0")
    _ok(queued, "run")
    assert _mentor_of(_site(queued), MOVED_MENTEE) != FULL
    (line,) = [line for line in _ok(queued, "queue", "list").splitlines() if f"({FULL}) / " in line
               and f"({MOVED_MENTEE})" in line]
    assert f"  gone  item open since 2027-02-10  (paused on 2027-02-11): {MOVED}" in line, line
    return queued


def test_round_114b_3_rematched_on_a_mentee_lmsync_moved_says_nothing_moves(moved: Any, monkeypatch: Any) -> None:
    home = moved
    site = _site(home)
    now = _mentor_of(site, MOVED_MENTEE)
    said = _ok(home, "queue", "done", FULL, MOVED_MENTEE, "--outcome", "rematched")
    assert (f"{_label(site, FULL)} / {_label(site, MOVED_MENTEE)}: rematched recorded; the item is closed; the mentee "
            f"is already with another mentor, {_label(site, now)}: the pair is marked not a good fit, so it is not "
            "made again, and nothing moves") in said, said
    assert "leaves them with no mentor" not in said and "matches the mentee with another mentor" not in said, said
    # and it is so: the next run moves nobody, the mentee stays with their new mentor
    _on(monkeypatch, date(2027, 2, 12))
    run = _ok(home, "run")
    assert "0 membership change(s) planned" in run, run
    assert _mentor_of(_site(home), MOVED_MENTEE) == now
    # the same again (recorded once) says the same of the re-match, never the general promise
    again = _ok(home, "queue", "done", FULL, MOVED_MENTEE, "--outcome", "closed")
    assert f"already with another mentor, {_label(site, now)}" in again and "leaves them" not in again, again


def test_round_114b_3_rematched_on_a_pair_still_together_keeps_the_general_promise(queued: Any) -> None:
    """Not moved: the next run does re-match the mentee, and says so as before."""
    said = _ok(queued, "queue", "done", "m0009", "s0009", "--outcome", "rematched")
    assert "the next `lmsync run` matches the mentee with another mentor who has room" in said, said
    assert "already with another mentor" not in said, said


def test_round_114b_3_the_digests_paused_head_is_true_when_nobody_is_away(moved: Any) -> None:
    (digest,) = [html.unescape(m["text"]).replace("<br />", "") for m in _site(moved).messages
                 if "lmsync digest for tq, 2027-02-11" in m["text"]]
    (head,) = [line for line in digest.splitlines() if line.startswith("Paused, the pair no longer in the programme")]
    assert head == ("Paused, the pair no longer in the programme (3; nothing is due unless the pair is back in a "
                    "circle; each stays open until an outcome is recorded):"), head
    assert "away" not in head and digest.count(MOVED) == 3, digest


@pytest.mark.parametrize("older_key", [True, False], ids=["MENTOR_ID-MENTEE_ID", "usernames"])
def test_round_114b_5_queue_done_names_a_suspended_mentor_and_says_they_are_away(queued: Any, monkeypatch: Any,
                                                                               older_key: bool) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", "m0009")
    site = _site(home)
    assert AWAY in _ok(home, "pair", "show", "m0009", "s0009")
    key = [f"{_id(site, 'm0009')}-{_id(site, 's0009')}"] if older_key else ["m0009", "s0009"]
    said = _ok(home, "queue", "done", *key, "--outcome", "met")
    assert said.startswith(f"{_label(site, 'm0009')} / {_label(site, 's0009')}: met recorded; "), said
    assert said.rstrip().endswith(f"; {AWAY}"), said
    assert "user #" not in said.lower() and "not in the course)" not in said, said
    # the mentee's side is said too, and someone active is said nothing of
    _ok(home, "emulator", "edit", "suspend", "s0037")
    other = _ok(home, "queue", "done", f"{_id(site, 'm0009')}-{_id(site, 's0037')}", "--outcome", "met")
    assert f"; {AWAY}; the mentee is away (enrolment suspended in Moodle; still enrolled in the course)" in other, other
    active = _ok(home, "queue", "done", "m0001", "s0002", "--outcome", "met")
    assert "away" not in active, active
