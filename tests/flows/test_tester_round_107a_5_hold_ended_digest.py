"""Tester round 107a, 5, on the built-in emulator: when a mentor's hold ended with them still away, the digest said
"Holds ended (1; the mentor is still away, so their mentees are matched with other mentors who have room)" and named
only the mentor, while the match had left some of the circle's mentees with no mentor at all: a coordinator, who
reads only the digest, never learnt someone was now alone."""

from __future__ import annotations

import html
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_field, set_suspended
from lmsync.service.health_gone import Circles
from lmsync.store.pairings import Pairing
from tests.flows.test_cycle import AS_OF, PROGRAMME, at, setup, user_id


def _circles(site) -> dict[int, frozenset[int]]:
    return {m: frozenset(g.members - {m}) for g in site.groups.values()
            if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None and g.members - {m}}


def _label(site, uid: int) -> str:
    user = site.users[uid]
    return f"{user.firstname} {user.lastname} ({user.username})"


def test_round_107a_5_the_digest_names_the_mentees_an_ended_hold_left_without_a_mentor(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 2\n")
    mentors = {m: v for m, v in _circles(site).items() if site.users[m].username.startswith("m")}
    away = next(m for m in sorted(mentors) if len(mentors[m]) >= 3)
    roomy = next(m for m in sorted(mentors) if m != away)
    for mentor, mentees in mentors.items():  # every mentor full, but one with a single place more
        set_field(site, mentor, "mentorcapacity", str(len(mentees) + (mentor == roomy)))
    set_suspended(site, course_of(site, config.programme.course), away, True)
    coordinators = {user_id(site, c) for c in cases["coordinators"]}

    def digests(offset: int) -> list[str]:
        monkeypatch.setattr(programme_settings, "clock", lambda: at(offset))  # the sync dates the hold by it
        before = len(site.messages)
        cycle_job(config, site=site, now=at(offset), as_of=AS_OF + timedelta(days=offset))
        return [html.unescape(m["text"]).replace("<br />", "").removeprefix("<p>").removesuffix("</p>")
                for m in site.messages[before:] if m["useridto"] in coordinators]

    assert all("Circles held while their mentor is away (1;" in t for t in digests(1))
    digests(2)  # the hold's last day
    ended = digests(3)
    placed = {m for members in _circles(site).values() for m in members}
    alone = sorted(mentors[away] - placed)
    matched = mentors[away] & placed
    assert len(alone) >= 1 and len(matched) == 1, (alone, matched)  # the one place more took one of them
    assert len(ended) == 2, ended
    for text in ended:
        line = next(ln for ln in text.splitlines() if ln.startswith(f"- {_label(site, away)}: away since"))
        assert line.endswith(f"; 1 mentee(s) matched with other mentors who had room; {len(alone)} mentee(s) left "
                             "without a mentor (below)"), line
        assert "so their mentees are matched with other mentors who have room" not in text, text
        section = text.split(f"Left without a mentor when their mentor's hold ended ({len(alone)}; ", 1)[1]
        assert "Raise a mentor's capacity" in section and "or add a mentor" in section, section
        assert "[matching.attributes] capacity" in section and "`lmsync match` says why" in section, section
        named = [ln for ln in section.splitlines() if ln.startswith("- ")]
        assert named == [f"- {_label(site, m)}: their mentor {_label(site, away)} away since "
                         f"{AS_OF + timedelta(days=1)}, held until {AS_OF + timedelta(days=2)}" for m in alone], named
        assert not any(_label(site, m) in section for m in matched)
    assert not any("Left without a mentor" in t for t in digests(4))  # told once, with the hold's end


def _row(mentor: int, mentee: int, joined: str, left: str | None) -> Pairing:
    return Pairing(mentor, mentee, joined, left)


@pytest.mark.parametrize("who, expected", [
    ("moved", "matched"), ("placed by hand", "matched"), ("alone", "alone"), ("left the course", None),
    ("away", None), ("still in the circle", None), ("left before the hold", None),
])
def test_round_107a_5_where_the_mentees_of_an_ended_hold_are(who, expected):
    """Only a mentee in the course, not away, in no circle and no open pair is alone; one paired with, or put in the
    circle of, another mentor is matched; one who left the circle before the hold is not the hold's."""
    from datetime import UTC, date

    from lmsync.service.hold_mentees import hold_mentees  # new with this fix

    start, hold = "2026-09-01T10:00:00.000+00:00", "2026-10-02T12:00:00.000+00:00"
    history = [_row(1, 10, start, "2026-09-20T12:00:00.000+00:00" if who == "left before the hold" else hold),
               _row(1, 11, start, hold)]
    if who == "moved":
        history.append(_row(2, 10, "2026-10-16T12:00:00.000+00:00", None))
    roster = {10: SimpleNamespace(suspended=who == "away"), 11: SimpleNamespace(suspended=False)}
    if who == "left the course":
        del roster[10]
    members = {2: frozenset({10})} if who == "placed by hand" else {1: frozenset({10})} \
        if who == "still in the circle" else {}
    found = hold_mentees(history, 1, date(2026, 10, 2), UTC, roster, Circles(members))
    assert 11 in found.alone
    where = "matched" if 10 in found.matched else "alone" if 10 in found.alone else None
    assert where == expected, found
    # a closure of the circle's pairs dated before the hold began is no hold's: nothing is said of its mentees
    assert hold_mentees(history, 1, date(2026, 10, 3), UTC, roster, Circles(members)) == type(found)()
