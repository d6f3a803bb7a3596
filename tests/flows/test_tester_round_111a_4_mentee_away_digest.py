"""Tester round 111a, 4 (left from 109a, 3), on the built-in emulator: the coordinators' digest never said a mentee
was away and their place held, nor that they were back, unless their pair had a queue item; a mentee first reached
a digest when their held place was given up.

The digest now names each mentee newly away under "Places held while their mentee is away" (the mentee, their
mentor's circle, the hold's last day "at the latest"), to every coordinator as "Circles held while their mentor is
away" is, and later under "Back from away" once they are back; each once. A pair with an item in the coordinator's
queue is said under "On hold while someone is away" instead, not twice.
"""

from __future__ import annotations

from datetime import timedelta

from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.service.health import queue_list
from tests.flows.test_cycle import AS_OF, setup
from tests.flows.test_tester_round_109a_digest_away import _label, _runner, _section

HELD = "Places held while their mentee is away ("


def test_round_111a_4_a_mentee_away_is_said_held_then_back_each_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    (mentor_b, back), (mentor_g, gone) = cases["healthy"][:2]  # pairs with no queue item
    queued_mentor, queued = cases["lapsed"]
    digests = _runner(site, config, cases, monkeypatch)
    digests(0)  # the lapsed pair fades and is queued
    assert any(i.pair == (queued_mentor, queued) for i in queue_list(config))
    for who in (back, gone, queued):
        set_suspended(site, course, who, True)
    first = digests(1)
    assert len(first) == 2, first
    held_until = f"is held until {AS_OF + timedelta(days=14)} at the latest"
    line = f"- {_label(site, queued)}: away since {AS_OF + timedelta(days=1)}; their place in "
    pair = f"{_label(site, queued_mentor)} / {_label(site, queued)}"
    owners = [pair in _section(t, "On hold while someone is away (") for t in first]
    assert sorted(owners) == [False, True], first  # the queued pair on hold in its owner's digest
    for text, its_owner in zip(first, owners, strict=True):
        section = _section(text, HELD)
        for mentee, mentor in ((back, mentor_b), (gone, mentor_g)):
            assert (f"- {_label(site, mentee)}: away since {AS_OF + timedelta(days=1)}; their place in "
                    f"{_label(site, mentor)}'s circle {held_until}") in section, text
        # the queued pair: under "On hold" in its owner's digest, under the places held in the other's; said once
        assert (line in section) != its_owner, text
        assert section.startswith(f"{2 if its_owner else 3}; "), text
    set_suspended(site, course, back, False)
    again = digests(8)  # back; the other two still away: not said again
    assert len(again) == 2, again  # the tester's run sent "0 digest(s)"
    for text in again:
        assert HELD not in text, text
        assert (f"- {_label(site, back)}, mentee of {_label(site, mentor_b)}: away since {AS_OF + timedelta(days=1)}, "
                f"back on {AS_OF + timedelta(days=8)} (their place was held until {AS_OF + timedelta(days=14)})"
                ) in _section(text, "Back from away ("), text
        assert _label(site, gone) not in text, text
    later = digests(15)  # the hold ran out: given up, said once more there only
    for text in later:
        assert HELD not in text and "Back from away" not in text, text
        assert f"- {_label(site, gone)}: away since {AS_OF + timedelta(days=1)}" in _section(
            text, "Held places given up ("), text


def test_round_111a_4_no_place_held_is_said_without_a_hold(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 0\n")  # nothing held: taken out at once
    set_suspended(site, course_of(site, config.programme.course), cases["healthy"][0][1], True)
    digests = _runner(site, config, cases, monkeypatch)
    assert not any(HELD in t for t in digests(1))


def test_round_111a_4_a_mentee_back_with_no_queue_item_is_said_back(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    mentor, mentee = cases["healthy"][0]
    digests = _runner(site, config, cases, monkeypatch)
    digests(0)
    set_suspended(site, course, mentee, True)
    digests(1)
    set_suspended(site, course, mentee, False)
    back = digests(8)
    assert len(back) == 2, back  # the tester's run sent "0 digest(s)"
    for text in back:
        assert f"- {_label(site, mentee)}, mentee of {_label(site, mentor)}: away since " in _section(
            text, "Back from away ("), text
    assert not any("Back from away" in t for t in digests(9))  # said once
