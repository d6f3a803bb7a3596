"""Tester round 122c, 1, continued, on the built-in emulator: the digest's other "since your last digest" parts,
by the moment that digest was sent, not its day.

A run after that day's digest (a second cron run, ``daemon --interval 15m``, a run after quiet hours) could open a
queue item, flag a pair or ease one, or end a pair: "Newly in your queue" compared the item's day, "Newly at risk or
fading", "Recovered" and "No longer fading" the snapshot of that day (which the later ``health`` rewrote), and "Now
with a mentor" the pairing history by day. The digest now records the queue's largest item id and the pairing
history's latest instant when it is sent, and keeps the statuses it was told from (revision 0022): such a change is
in the next digest, once, and a change it never saw is not said as one it did.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from lmsync.domain.meetings import Meeting
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import health
from lmsync.service.emulator_edit import course_of, join, move, set_field, set_suspended
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_cycle import PROGRAMME, TODAY, circle_pairs, setup
from tests.flows.test_tester_round_109a_digest_away import _label, _section
from tests.flows.test_tester_round_122c_1_hold_after_the_days_digest import _runner

QUEUED = "Newly in your queue ("
FLAGGED = "Newly at risk or fading ("
RECOVERED = "Recovered since your last digest ("
WATCH = "No longer fading since your last digest ("
NOW = "Now with a mentor since your last digest ("
HOLD = "[sync]\naway_mentor_hold_days = 14\n"


def _meetings(config: Any, pair: tuple[int, int], *days: int, drop: bool = False) -> None:
    """Store a meeting of ``pair`` on each of ``days`` (from TODAY); ``drop``: its stored meetings removed first."""
    store = Store(config.store_path())
    try:
        repo = MeetingRepository(store, PROGRAMME)
        if drop:
            repo.remove(s.id for s in repo.find(person_id=pair[1]) if (s.meeting.mentor_id, s.meeting.mentee_id) == pair)
        repo.save((Meeting(TODAY + timedelta(days=d), *pair, 45, True, "csv"), "test") for d in days)
    finally:
        store.close()


def _owner(config: Any, pair: tuple[int, int]) -> str:
    (item,) = [i for i in health.queue_list(config) if i.pair == pair]
    return str(item.owner)


def test_round_122c_1_a_pair_flagged_after_the_days_digest_is_newly_queued_and_flagged_next_day_once(
        tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, HOLD)
    course = course_of(site, config.programme.course)
    first = cases["healthy"][0][0]
    pair = next(p for p in cases["healthy"] if p[0] != first)
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, first, True)
    assert len(run(1, 8)) == 2  # the morning digests (of a mentor away), the pair healthy
    _meetings(config, pair, 5, drop=True)  # its meetings after day 5 withdrawn: it fades
    assert run(1, 14) == []  # the afternoon run queues it: "1 already sent today"
    owner = _owner(config, pair)
    names = f"{_label(site, pair[0])} / {_label(site, pair[1])}"
    texts = run(2, 8)
    assert len(texts) == 2, texts
    for text in texts:
        mine = f"lmsync digest for {PROGRAMME}" in text and names in _section(text, QUEUED)
        other = f"{names}: " in _section(text, FLAGGED) and f"in {owner}'s queue" in _section(text, FLAGGED)
        assert mine != other, text  # the owner: newly queued; the other coordinator: newly fading, in whose queue
    assert Counter(names in _section(t, QUEUED) for t in texts) == Counter([True, False]), texts
    for text in run(3, 8):  # never twice
        assert names not in _section(text, QUEUED) and names not in _section(text, FLAGGED), text


def test_round_122c_1_a_pair_eased_after_the_days_digest_is_said_recovered_or_on_watch_next_day_once(
        tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, HOLD)
    course = course_of(site, config.programme.course)
    lapsed, watched = cases["lapsed"], cases["two"][0]
    run = _runner(site, config, cases, monkeypatch)
    run(0)  # both fading, queued
    set_suspended(site, course, cases["healthy"][0][0], True)
    assert len(run(1, 8)) == 2  # the morning digests, both still fading
    _meetings(config, lapsed, 71)  # met today: ok again
    _meetings(config, watched, 46)  # a meeting 25 days back found: minor signals, on watch
    assert run(1, 14) == []  # the afternoon run: "1 already sent today"
    texts = run(2, 8)
    ok = f"- {_label(site, lapsed[0])} / {_label(site, lapsed[1])}: ok again"
    minor = f"- {_label(site, watched[0])} / {_label(site, watched[1])}: no meeting for"
    assert sum(ok in _section(t, RECOVERED) for t in texts) == 1, texts  # its owner's (or escalation's) digest
    assert sum(minor in _section(t, WATCH) for t in texts) == 1, texts
    assert not any(ok in t or minor in t for t in run(3, 8))  # once


def test_round_122c_1_a_mentee_who_lost_a_mentor_after_the_days_digest_is_not_said_to_have_had_none(
        tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site)
    course = course_of(site, config.programme.course)
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    load = Counter(m for m, _ in circle_pairs(site))

    def capacities(more: int) -> None:
        for uid, user in site.users.items():
            if "mentorcapacity" in (user.customfields or {}):
                set_field(site, uid, "mentorcapacity", str(load.get(uid, 0) + more))

    capacities(0)  # every mentor full
    join(site, course, "x001", "student", "Late Joiner", {})
    morning = run(1, 8)
    assert len(morning) == 2 and all("x001" in t for t in morning), morning  # newly without a mentor: x001
    mentor, mentee = cases["healthy"][0]
    move(site, course, PROGRAMME, mentee, None)  # taken out of their circle after the day's digest, by hand
    set_field(site, mentor, "mentorcapacity", str(load[mentor] - 1))  # and no room left: the mentee has none
    assert run(1, 14) == []
    capacities(2)  # room again: both placed before the next digest
    texts = run(2, 8)
    assert len(texts) == 2, texts
    assert mentee in {m for _, m in circle_pairs(site)}  # in a circle again
    for text in texts:
        section = _section(text, NOW)
        assert "x001" in section, text  # without a mentor at the last digest: said placed
        assert _label(site, mentee) not in section, text  # had one at it: "they had none at your last digest" (old)
