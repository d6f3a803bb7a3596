"""Tester round 108a, 2, 5 and 6, on the built-in emulator: what the coordinators' digest says of people away.

2: a mentor's hold that ended on a day whose digest was held (quiet hours here; the first-assessment guard for the
tester) was in no digest ever: the next sync forgot the mentor's absence once their circle was emptied, and the
digest read only the absences recorded now. 5: a mentor back from away was said nowhere, and their pairs, fading
and queued before the hold, were listed as "Newly at risk or fading". 6: a mentee whose held place was given up
(the hold ended with them still away) was in no digest.
"""

from __future__ import annotations

import html
from datetime import timedelta

from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.store import pairings
from tests.flows.test_cycle import AS_OF, at, setup, user_id


def _label(site, uid: int) -> str:
    user = site.users[uid]
    return f"{user.firstname} {user.lastname} ({user.username})"


def _runner(site, config, cases, monkeypatch):
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def digests(offset: int, hour: int = 12) -> list[str]:
        monkeypatch.setattr(programme_settings, "clock", lambda: at(offset, hour))  # the sync dates holds by it
        # and the pairing history the instants of the pairs the sync ends or makes, as under faketime
        monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at(offset, hour).isoformat(timespec=timespec))
        before = len(site.messages)
        cycle_job(config, site=site, now=at(offset, hour), as_of=AS_OF + timedelta(days=offset))
        return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "").removeprefix("<p>").removesuffix("</p>")
                for m in site.messages[before:] if m["useridto"] in coordinators]

    return digests


def test_round_108a_2_a_hold_ended_on_a_day_whose_digest_was_held_is_in_the_next_digest_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from lmsync.moodle.emulator.demo import build_demo_site

    site = build_demo_site()
    config, cases = setup(tmp_path, site, '[sync]\naway_mentor_hold_days = 2\n[nudges]\nquiet_hours = "21:00-08:00"\n')
    away = cases["lapsed"][0]
    set_suspended(site, course_of(site, config.programme.course), away, True)
    digests = _runner(site, config, cases, monkeypatch)
    assert all("Circles held while their mentor is away (1;" in t for t in digests(1))
    digests(2)  # the hold's last day
    assert digests(3, hour=23) == []  # quiet hours: the sync takes the mentees out, the digest is held
    sent = digests(4)  # the sync forgets the absence (the circle is empty now); the digest is sent
    assert len(sent) == 2, sent
    for text in sent:
        assert "Holds ended (1;" in text, text
        assert (f"- {_label(site, away)}: away since {AS_OF + timedelta(days=1)}, held until "
                f"{AS_OF + timedelta(days=2)}") in text, text
    assert not any("Holds ended" in t for t in digests(5))  # told once


def test_round_108a_5_the_digest_says_who_is_back_and_their_queued_pairs_are_not_new(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from lmsync.moodle.emulator.demo import build_demo_site

    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 14\n")
    course = course_of(site, config.programme.course)
    mentor = cases["two"][0][0]
    lapsed_mentor, lapsed_mentee = cases["lapsed"]
    digests = _runner(site, config, cases, monkeypatch)
    first = "\n".join(digests(0))  # the two pairs of the mentor and the lapsed pair fade, and are queued
    for m, e in [*cases["two"], cases["lapsed"]]:
        assert f"{_label(site, m)} / {_label(site, e)}" in first, first
    set_suspended(site, course, mentor, True)
    set_suspended(site, course, lapsed_mentee, True)
    held = digests(1)
    assert any("On hold while someone is away (" in t for t in held), held
    set_suspended(site, course, mentor, False)
    set_suspended(site, course, lapsed_mentee, False)
    back = digests(3)
    assert len(back) == 2, back
    for text in back:
        section = text.split("Back from away (", 1)[1].split("\n\n", 1)[0]
        assert (f"- {_label(site, mentor)}, mentor: away since {AS_OF + timedelta(days=1)}, back on "
                f"{AS_OF + timedelta(days=3)} (their circle was held until {AS_OF + timedelta(days=14)})") in section
        for m, e in [*cases["two"], cases["lapsed"]]:  # queued before the hold: not news, said under "Back" only
            newly = text.split("Newly at risk or fading (", 1)[1].split("\n\n", 1)[0] if "Newly at risk" in text else ""
            assert f"{_label(site, m)} / {_label(site, e)}" not in newly, text
    together = "\n".join(back)
    for m, e in cases["two"]:  # each item, once, under the mentor back, in its owner's digest
        assert together.count(f"  - fading: {_label(site, m)} / {_label(site, e)}: ") == 1, together
    # the mentee back, in each coordinator's digest (both were told their place was held: tester round 111a, 4), and
    # their item under them in its owner's only
    mentee_back = (f"- {_label(site, lapsed_mentee)}, mentee of {_label(site, lapsed_mentor)}: away since "
                   f"{AS_OF + timedelta(days=1)}, back on {AS_OF + timedelta(days=3)}")
    assert all(t.count(mentee_back) == 1 for t in back), together
    assert together.count(f"  - fading: {_label(site, lapsed_mentor)} / {_label(site, lapsed_mentee)}: ") == 1, together
    assert not any("Back from away" in t for t in digests(4))  # told once


def test_round_108a_6_the_digest_names_a_mentee_whose_held_place_was_given_up(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from lmsync.moodle.emulator.demo import build_demo_site

    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 2\n")
    mentor, mentee = cases["healthy"][0]  # no queue item: their hold was in no digest
    queued_mentor, queued_mentee = cases["lapsed"]  # fading and queued before they went away
    digests = _runner(site, config, cases, monkeypatch)
    assert any(_label(site, queued_mentee) in t for t in digests(0))
    for who in (mentee, queued_mentee):
        set_suspended(site, course_of(site, config.programme.course), who, True)
    digests(1)
    digests(2)  # the hold's last day
    gone = digests(3)  # the sync takes them out of their circles
    assert len(gone) == 2, gone
    said = f"{AS_OF + timedelta(days=2)} and given up on {AS_OF + timedelta(days=3)}"
    for text in gone:
        section = text.split("Held places given up (2; ", 1)[1]
        assert "if they come back, the next sync matches them anew" in section, section
        assert (f"- {_label(site, mentee)}: away since {AS_OF + timedelta(days=1)}; their place in "
                f"{_label(site, mentor)}'s circle was held until {said}\n") in section + "\n", section
        assert (f"- {_label(site, queued_mentee)}: away since {AS_OF + timedelta(days=1)}; their place in "
                f"{_label(site, queued_mentor)}'s circle was held until {said}") in section, section
    paused = "; their item in your queue stays paused (no longer in the programme) until you record an outcome"
    assert sum(paused in t for t in gone) == 1, gone  # in its owner's digest
    assert not any("Held places given up" in t for t in digests(4))  # told once
