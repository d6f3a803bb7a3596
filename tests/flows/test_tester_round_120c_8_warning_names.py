"""Tester round 120c, 8 (minor): matching's plan warnings named people by bare username ("s0002: existing pair
with s0004 kept although ...") beside plan lines that say "Name (username)", as the README's "People" promises of
every view ("or the username alone with [privacy] show_names = false")."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from tests.flows.conftest import run_in

WARNINGS = [
    "Jonah Ahmed (s0005): existing pair with Aoife Ahmed (s0018) dropped (mentor opted out)",
    "Umar Yilmaz (s0008): Ifeoma Nguyen (m0001)'s circle holds more mentees than their capacity; matched again",
    "Samuel Ahmed (s0003): current mentor Umar Van Dijk (m0002) takes part as a mentee now (their roles, or "
    "[matching] dual_role); re-matched",
    "Samuel Ahmed (s0003): no mentor shares department 'zzz'",
]


def _edited(home: Any) -> str:
    """The plan after a sync and four edits: a peer mentor opts out, a mentor's capacity falls below their pairs,
    another mentor is counted as a mentee ([matching] dual_role = "mentee"), a mentee's department no mentor has."""
    assert run_in(home, "sync").exit_code == 0
    for edit in (("field", "s0018", "mentorcapacity", "0"), ("field", "m0001", "mentorcapacity", "1"),
                 ("field", "s0003", "department", "Zzz"), ("role", "m0002", "student")):
        assert run_in(home, "emulator", "edit", *edit).exit_code == 0
    return " ".join(run_in(home, "plan").output.split())


def test_the_plan_s_matching_warnings_name_people_as_its_other_lines(demo_home: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_MATCHING_DUAL_ROLE", "mentee")
    shown = _edited(demo_home)
    for warning in WARNINGS:
        assert f"warning: {warning}" in shown, (warning, shown)
    # the removal beside it names the mentor counted as a mentee as it names the circle
    assert "(re-matched: their mentor Umar Van Dijk (m0002) has a mentor role and a mentee role" in shown, shown


def test_with_names_off_the_username_alone(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_MATCHING_DUAL_ROLE", "mentee")
    monkeypatch.setenv("LMSYNC_PRIVACY_SHOW_NAMES", "false")
    shown = _edited(demo_home)
    assert "warning: s0005: existing pair with s0018 dropped (mentor opted out)" in shown, shown
    assert "warning: s0003: current mentor m0002 takes part as a mentee now" in shown, shown
    assert "Ahmed" not in shown and "Van Dijk" not in shown


def test_match_names_them_too(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "field", "s0018", "mentorcapacity", "0").exit_code == 0
    shown = " ".join(run_in(demo_home, "match").output.split())
    assert "warning: Jonah Ahmed (s0005): existing pair with Aoife Ahmed (s0018) dropped (mentor opted out)" in shown


def test_every_form_the_domain_writes_is_named() -> None:
    """The forms ``match_warning_names`` knows are those ``matching.match`` writes: a change of words there shows
    here. Ids of nobody matched (a mentor who left) stay as written."""
    from lmsync.service.match_warning_names import named_warnings

    persons = (Person("m1", "mentee", fullname="Mo"), Person("m2", "mentor", capacity=1, fullname="Di"),
               Person("s1", "mentee", fullname="Sy"), Person("s2", "mentee", fullname="Su"),
               Person("s3", "mentee", fullname="Sa"), Person("m3", "mentor", capacity=0, fullname="Ox"))
    people = People(persons, current={"s1": "m1", "s9": "gone", "s2": "m2", "s3": "m2", "m1": "m3"})
    warnings = match(people, MatchSettings()).warnings
    labels = {p.id: f"{p.fullname} ({p.id})" for p in persons}
    named = named_warnings(warnings, lambda: labels)
    assert "Sy (s1): current mentor Mo (m1) takes part as a mentee now (their roles, or [matching] dual_role); " \
           "re-matched" in named, named
    assert "s9: current mentor gone is not among the mentors (left the programme, or a mistyped id); re-matched" in named
    assert "Mo (m1): existing pair with Ox (m3) dropped (mentor opted out)" in named, named
    assert any(w.endswith("Di (m2)'s circle holds more mentees than their capacity; matched again (to another mentor "
                          "with room, else unmatched)") and w[:7] in ("Su (s2)", "Sa (s3)") for w in named), named
    assert len(named) == len(warnings) == 4
