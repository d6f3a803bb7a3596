"""Tester round 123a, 2, on the built-in emulator: a mentor (or a mentee) found away by the morning run, told in its
digest, and found back by an afternoon run that day was never said back, and the held circle's mentees were said
"Now with a mentor ... they had none at your last digest" though they never moved.

The sync kept no record of an absence begun and forgotten the same day, so the digest knew of no hold at all; the
store now keeps it with its journal marks (``store.absences``), "Back from away" tells it by them, and "Now with a
mentor" leaves out the mentees of a circle held at the last digest's moment (``digest_holds.held_at``). The
afternoon run's line also said "0 already sent today": a coordinator with no news was not counted.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.store import pairings
from tests.flows.test_cycle import AS_OF, at, setup, user_id
from tests.flows.test_tester_round_109a_digest_away import _label, _section

BACK = "Back from away ("
NOW_WITH = "Now with a mentor since your last digest ("


def _runner(site: Any, config: Any, cases: Any, monkeypatch: Any) -> Any:
    """A cycle at ``hour`` of day ``offset``: the coordinators' messages it sent and its digest line."""
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def run(offset: int, hour: int = 8) -> tuple[list[str], str]:
        now = at(offset, hour)
        monkeypatch.setattr(programme_settings, "clock", lambda: now)
        monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": now.isoformat(timespec=timespec))
        before = len(site.messages)
        result = cycle_job(config, site=site, now=now, as_of=AS_OF + timedelta(days=offset))
        line = next(s.summary for s in result.steps if s.step == "digest")
        return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>")
                .removesuffix("</p>") for m in site.messages[before:] if m["useridto"] in coordinators], line

    return run


def test_round_123a_2_a_mentor_away_and_back_the_day_of_the_digest_is_said_back_and_their_mentees_never_moved(
        tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (mentor, _), *_ = cases["healthy"]
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, mentor, True)
    morning, _ = run(1, 8)
    assert len(morning) == 2 and all(f"- {_label(site, mentor)}: away since " in t for t in morning), morning
    set_suspended(site, course, mentor, False)
    afternoon, line = run(1, 14)
    assert afternoon == [], afternoon
    nxt, _ = run(2, 8)
    assert len(nxt) == 2, nxt
    day = AS_OF + timedelta(days=1)
    for text in nxt:
        assert f"- {_label(site, mentor)}, mentor: away since {day}, back on {day}" in _section(text, BACK), text
        assert NOW_WITH not in text, text  # their mentees were in a held circle, not without a mentor
    assert not any(BACK in t for t in run(3, 8)[0])  # said once
    assert "0 digest(s) sent, 2 already sent today" in line, line  # the afternoon's (the tester's: "0 already")


def test_round_123a_2_a_mentee_away_and_back_the_day_of_the_digest_is_said_back(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (mentor, mentee), *_ = cases["healthy"]
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, mentee, True)
    morning, _ = run(1, 8)
    assert len(morning) == 2 and all(f"- {_label(site, mentee)}: away since " in t for t in morning), morning
    set_suspended(site, course, mentee, False)
    assert run(1, 14)[0] == []
    nxt, _ = run(2, 8)
    assert len(nxt) == 2, nxt  # the tester's: "0 digest(s) sent", that day and every day after
    day = AS_OF + timedelta(days=1)
    for text in nxt:
        assert (f"- {_label(site, mentee)}, mentee of {_label(site, mentor)}: away since {day}, back on {day}"
                in _section(text, BACK)), text
    assert not any(BACK in t for t in run(3, 8)[0])  # said once


def test_round_123a_2_away_and_back_between_two_digests_is_said_neither(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (mentor, _), (_, mentee), (other, _), *_ = cases["healthy"]
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, other, True)
    assert len(run(1, 8)[0]) == 2  # a digest that day (of another mentor away)
    set_suspended(site, course, mentor, True)
    set_suspended(site, course, mentee, True)
    run(1, 12)  # away after the day's digest
    set_suspended(site, course, mentor, False)
    set_suspended(site, course, mentee, False)
    run(1, 15)  # and back before the next: never told held, so never said back
    for text in run(2, 8)[0]:
        assert BACK not in text and NOW_WITH not in text, text
        assert _label(site, mentor) not in text and _label(site, mentee) not in text, text
