"""Tester round 122c, 1, on the built-in emulator: a mentor or a mentee who went away after that day's digest was
sent was in no digest ever, and so never said back either.

The afternoon run's digest step said "1 already sent today", and the next days' digests compared "since the last
digest" by day: the hold, dated the day of the last digest, was taken as told. The store now keeps the journal's
latest id when a sync found each absence and forgot it (revision 0021), and the digest compares it with its last
digest's (``digest_since``): such a hold is told by the next digest, once, and the person later said back.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.service.jobs import sync_job
from lmsync.store import pairings
from tests.flows.test_cycle import AS_OF, at, setup, user_id
from tests.flows.test_tester_round_109a_digest_away import _label, _section

CIRCLES = "Circles held while their mentor is away ("
PLACES = "Places held while their mentee is away ("
BACK = "Back from away ("


def _runner(site: Any, config: Any, cases: Any, monkeypatch: Any) -> Any:
    """A cycle (or a sync alone, ``sync_only``) at ``hour`` of day ``offset``; the coordinators' messages it sent."""
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def run(offset: int, hour: int = 8, sync_only: bool = False) -> list[str]:
        now = at(offset, hour)
        monkeypatch.setattr(programme_settings, "clock", lambda: now)
        monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": now.isoformat(timespec=timespec))
        before = len(site.messages)
        if sync_only:
            sync_job(config, site=site)
        else:
            cycle_job(config, site=site, now=now, as_of=AS_OF + timedelta(days=offset))
        return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>")
                .removesuffix("</p>") for m in site.messages[before:] if m["useridto"] in coordinators]

    return run


def test_round_122c_1_away_after_the_days_digest_is_told_next_day_once_then_back(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (first, _), (late, _), (mentor_c, mentee) = cases["healthy"][:3]  # pairs of no queue item, three circles
    assert len({first, late, mentor_c}) == 3, cases["healthy"]
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, first, True)
    morning = run(1, 8)  # the morning run: its digest names the first mentor away
    assert len(morning) == 2, morning
    assert all(f"- {_label(site, first)}: away since {AS_OF + timedelta(days=1)}" in _section(t, CIRCLES)
               for t in morning), morning
    set_suspended(site, course, late, True)
    set_suspended(site, course, mentee, True)
    assert run(1, 14) == []  # the afternoon run: "1 already sent today", one digest a day
    nxt = run(2, 8)
    assert len(nxt) == 2, nxt  # the tester's run sent "0 digest(s)"
    for text in nxt:
        circles = _section(text, CIRCLES)
        assert f"- {_label(site, late)}: away since {AS_OF + timedelta(days=1)}" in circles, text
        assert _label(site, first) not in circles, text  # told the day before: once
        assert (f"- {_label(site, mentee)}: away since {AS_OF + timedelta(days=1)}; their place in "
                f"{_label(site, mentor_c)}'s circle") in _section(text, PLACES), text
    assert not any(_label(site, late) in t or _label(site, mentee) in t for t in run(3, 8))  # never twice
    set_suspended(site, course, late, False)
    set_suspended(site, course, mentee, False)
    back = run(4, 8)
    assert len(back) == 2, back
    for text in back:
        section = _section(text, BACK)
        assert f"- {_label(site, late)}, mentor: away since {AS_OF + timedelta(days=1)}, back on " in section, text
        assert f"- {_label(site, mentee)}, mentee of {_label(site, mentor_c)}: away since " in section, text


def test_round_122c_1_back_after_the_days_digest_and_away_on_a_day_with_no_digest(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (mentor, _), (mentor_c, mentee), (other, _) = cases["healthy"][:3]
    run = _runner(site, config, cases, monkeypatch)
    run(0)
    set_suspended(site, course, mentor, True)
    set_suspended(site, course, mentee, True)
    run(1, 8, sync_only=True)  # found away by a sync alone: no digest that day
    told = run(2, 8)
    assert len(told) == 2, told
    for text in told:
        assert f"- {_label(site, mentor)}: away since {AS_OF + timedelta(days=1)}" in _section(text, CIRCLES), text
        assert f"- {_label(site, mentee)}: away since {AS_OF + timedelta(days=1)}" in _section(text, PLACES), text
    set_suspended(site, course, other, True)
    assert len(run(3, 8)) == 2  # the morning digest of day 3 (of another mentor away), with them still away
    set_suspended(site, course, mentor, False)
    set_suspended(site, course, mentee, False)
    run(3, 15, sync_only=True)  # back, found by a sync after that digest
    assert run(3, 16) == []  # one digest a day
    back = run(4, 8)
    assert len(back) == 2, back
    for text in back:
        section = _section(text, BACK)
        assert f"- {_label(site, mentor)}, mentor: away since {AS_OF + timedelta(days=1)}, back on " in section, text
        assert f"- {_label(site, mentee)}, mentee of {_label(site, mentor_c)}: away since " in section, text
    assert not any(BACK in t for t in run(5, 8))  # said once
