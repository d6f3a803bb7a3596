"""Tester round 109a, 4, 5 and 6, on the built-in emulator: what the coordinators' digest says of people back from
away and of acknowledged items on hold.

4: a mentor back after their hold ran out (their circle re-matched while they were away) was not said, or was said
back "with their circle", and nothing told that the mentees named as left without a mentor had one again. 5: an item
acknowledged before its mentor went away was left out of "On hold while someone is away", of the run's health count
and of "Back from away". 6: "Back from away" listed a mentor's items with them, but not a mentee's item when it was
due.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_field, set_suspended
from lmsync.service.health_queue import queue_ack
from lmsync.store import pairings
from tests.flows.test_cycle import AS_OF, PROGRAMME, at, setup, user_id


def _label(site: Any, uid: int) -> str:
    user = site.users[uid]
    return f"{user.firstname} {user.lastname} ({user.username})"


def _circles(site: Any) -> dict[int, frozenset[int]]:
    return {m: frozenset(g.members - {m}) for g in site.groups.values()
            if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None and g.members - {m}}


def _runner(site: Any, config: Any, cases: Any, monkeypatch: Any, runs: list[Any] | None = None) -> Any:
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def digests(offset: int) -> list[str]:
        monkeypatch.setattr(programme_settings, "clock", lambda: at(offset))
        monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at(offset).isoformat(timespec=timespec))
        before = len(site.messages)
        result = cycle_job(config, site=site, now=at(offset), as_of=AS_OF + timedelta(days=offset))
        if runs is not None:
            runs.append(result)
        return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>")
                .removesuffix("</p>") for m in site.messages[before:] if m["useridto"] in coordinators]

    return digests


def _section(text: str, head: str) -> str:
    return text.split(head, 1)[1].split("\n\n", 1)[0] if head in text else ""


def test_round_109a_4_a_mentor_back_after_their_hold_ran_out_and_the_mentees_with_a_mentor_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 2\n")
    mentors = {m: v for m, v in _circles(site).items() if site.users[m].username.startswith("m")}
    away = next(m for m in sorted(mentors) if len(mentors[m]) >= 3)
    for mentor, mentees in mentors.items():  # every mentor full: the mentees of an ended hold are left alone
        set_field(site, mentor, "mentorcapacity", str(len(mentees)))
    course = course_of(site, config.programme.course)
    set_suspended(site, course, away, True)
    digests = _runner(site, config, cases, monkeypatch)
    digests(1)
    digests(2)  # the hold's last day
    ended = digests(3)
    assert all(f"Left without a mentor when their mentor's hold ended ({len(mentors[away])}; " in t for t in ended), ended
    digests(4)
    set_suspended(site, course, away, False)
    back = digests(5)  # the sync finds them active, and matches the mentees left alone with them again
    again = sorted(_circles(site).get(away, frozenset()) & mentors[away])
    assert again, _circles(site)
    assert len(back) == 2, back
    for text in back:
        section = _section(text, "Back from away (")
        assert (f"- {_label(site, away)}, mentor: away since {AS_OF + timedelta(days=1)}, back on "
                f"{AS_OF + timedelta(days=5)} after their hold ran out (held until {AS_OF + timedelta(days=2)}): their "
                "circle was re-matched while they were away; they mentor again") in section, text
        assert "their circle was held until" not in section, section  # not "back with their circle"
        assert "Holds ended" not in text and "Circles held while" not in text, text
        placed = _section(text, "Now with a mentor since your last digest (")
        assert placed.startswith(f"{len(again)}; they had none at your last digest"), text
        for mentee in again:
            assert f"- {_label(site, mentee)}: with {_label(site, away)}" in placed, placed
    later = digests(6)  # said once
    assert not any("Now with a mentor" in t or "Back from away" in t for t in later), later


def test_round_109a_5_an_acknowledged_item_is_on_hold_and_back_like_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    runs: list[Any] = []
    digests = _runner(site, config, cases, monkeypatch, runs)
    digests(0)  # the mentor's two pairs fade and are queued
    (mentor, acked), (_, other) = cases["two"]
    queue_ack(config, f"{mentor}-{acked}", on=AS_OF)
    set_suspended(site, course, mentor, True)
    held = digests(1)
    pairs = [f"{_label(site, mentor)} / {_label(site, e)}" for e in (acked, other)]
    said = (f"{pairs[0]}: the mentor has been away since {AS_OF + timedelta(days=1)}; their circle is held as it is "
            f"until {AS_OF + timedelta(days=14)} ([sync] away_mentor_hold_days); acknowledged {AS_OF}, awaiting outcome; "
            f"since {AS_OF + timedelta(days=1)}")
    together = "\n".join(held)
    assert together.count(said) == 1, together  # in its owner's digest, once
    assert together.count(f"- {pairs[1]}: the mentor has been away") == 1, together
    health = runs[-1].step("health")
    assert "2 queue item(s) on hold" in health.summary, health.summary  # as `queue list` shows them
    assert health.counts["paused_on_hold"] == 2, health.counts
    set_suspended(site, course, mentor, False)
    back = [_section(t, "Back from away (") for t in digests(3)]  # each item under the mentor, in its owner's digest
    assert sum(f"  - fading: {pairs[0]}: " in t and f"; acknowledged {AS_OF}, awaiting outcome" in t for t in back) == 1
    assert sum(f"  - fading: {pairs[1]}: " in t for t in back) == 1, back


def test_round_109a_6_a_mentee_back_has_their_due_item_under_their_name(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 30\n")
    course = course_of(site, config.programme.course)
    mentor, mentee = cases["lapsed"]
    digests = _runner(site, config, cases, monkeypatch)
    digests(0)  # the pair fades and is queued, due in 14 days
    set_suspended(site, course, mentee, True)
    digests(15)  # overdue when they went away
    set_suspended(site, course, mentee, False)
    back = "\n".join(digests(17))
    section = _section(back, "Back from away (")
    entry = f"- {_label(site, mentee)}, mentee of {_label(site, mentor)}: away since {AS_OF + timedelta(days=15)}"
    assert entry in section, back
    item = f"  - fading: {_label(site, mentor)} / {_label(site, mentee)}: "
    assert item in section.split(entry, 1)[1], back
    assert "day(s) overdue" in section.split(item, 1)[1].split("\n", 1)[0], back  # due: said under their name
    assert back.count(f"{_label(site, mentor)} / {_label(site, mentee)}") == 1, back  # said once, under their name


def test_round_109a_4_who_is_with_a_mentor_again_since_the_last_digest() -> None:
    from datetime import UTC, date
    from types import SimpleNamespace

    from lmsync.service.mentees_alone import now_with_mentor
    from lmsync.store.pairings import Pairing

    told = date(2027, 2, 8)
    history = [
        Pairing(1, 10, "2027-01-04T09:00:00+00:00", "2027-01-18T09:00:00+00:00"),  # left alone when a hold ended
        Pairing(1, 10, "2027-02-15T09:00:00+00:00", None),  # matched again: said
        Pairing(2, 11, "2027-01-04T09:00:00+00:00", "2027-02-01T09:00:00+00:00"),  # held place given up
        Pairing(3, 11, "2027-02-15T09:00:00+00:00", None),  # back and matched: said
        Pairing(4, 12, "2027-02-15T09:00:00+00:00", None),  # new to the course: not
        Pairing(5, 13, "2027-01-04T09:00:00+00:00", "2027-02-05T09:00:00+00:00"),  # their circle held at the digest
        Pairing(5, 13, "2027-02-15T09:00:00+00:00", None),  # made again with their mentor back: not
        Pairing(6, 14, "2027-01-04T09:00:00+00:00", None),  # never without one: not
        Pairing(7, 15, "2027-01-04T09:00:00+00:00", "2027-01-18T09:00:00+00:00"),
        Pairing(7, 15, "2027-02-09T09:00:00+00:00", None),  # a pair of the coordinator's: not
    ]
    holds = [SimpleNamespace(mentor_id=5, since=date(2027, 2, 5), until=date(2027, 2, 18), back_on=date(2027, 2, 15))]
    assert now_with_mentor(history, told, UTC, holds, me=7) == ((10, 1), (11, 3))
    assert now_with_mentor(history, None, UTC, holds) == ()  # never told: nothing was said of them
