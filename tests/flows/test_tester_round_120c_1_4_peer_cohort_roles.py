"""Tester round 120c, 1 and 4, on the emulator: a member of the peer-mentor cohort whose course role or circle
says otherwise.

1 (wrong): Olivia Takahashi (s0004, year 4, in cohort peer-mentors-2026) enrolled again as a non-editing teacher,
so she can see her circle, became a faculty mentor without a word: years 5 and 6 were matched to her. She stays a
peer mentor (the cohort is the school's list of them), the year gap applies, and the plan and the match say so.
4 (confusing): Yusuf Garcia (s0044), a mentee in Nikhil Zhang (s0010)'s circle, added to the cohort, was taken out
"(the match places them in no circle)" and ``lmsync match`` never named him. The reason is now that he is a peer
mentor now.
"""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COHORT = "peer-mentors-2026"
STAYS = f"is in the peer-mentor cohort {COHORT} and has a mentor role (teacher): they stay a peer mentor"


def _site(home: Any) -> tuple[Site, Any]:
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    return Site.load(path), path


def _cohort(site: Site) -> Any:
    return next(c for c in site.cohorts.values() if c.idnumber == COHORT)


def _uid(site: Site, username: str) -> int:
    return next(u.id for u in site.users.values() if u.username == username)


def _olivia_a_teacher(home: Any) -> None:
    """The tester's script: s0004 back as a non-editing teacher with room for 3, and Vera Senior in year 6."""
    for args in (("unenrol", "s0004"), ("join", "s0004", "--role", "teacher"), ("field", "s0004", "mentorcapacity", "3"),
                 ("join", "s0097", "--name", "Vera Senior", "--field", "yearofstudy=6", "--field", "department=Anatomy",
                  "--field", "interests=Neurology, Rural practice", "--field", "languages=English")):
        assert run_in(home, "emulator", "edit", *args).exit_code == 0, args


def _pairs(home: Any) -> list[dict[str, Any]]:
    shown = run_in(home, "match", "--format", "json")
    assert shown.exit_code == 0, shown.output
    return list(json.loads(shown.output[shown.output.index("{"):])["assignments"])


def _years(home: Any) -> dict[str, int]:
    site, _ = _site(home)
    return {u.username: int(u.customfields["yearofstudy"]) for u in site.users.values()
            if (u.customfields or {}).get("yearofstudy", "").isdigit()}


def test_1_a_cohort_member_enrolled_as_a_teacher_stays_a_peer_mentor_within_the_year_gap(demo_home: Any) -> None:
    _olivia_a_teacher(demo_home)
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    said = " ".join(plan.output.split())
    assert f"Olivia Takahashi (s0004) (Moodle id 6) {STAYS}" in said, plan.output
    assert "year gap [1, 3]" in said and "take them out of the cohort" in said
    years = _years(demo_home)
    hers = [p["mentee"] for p in _pairs(demo_home) if p["mentor"] == "s0004"]
    assert hers and all(1 <= years["s0004"] - years[m] <= 3 for m in hers), (hers, years)
    assert "s0011" not in hers and "s0097" not in hers  # years 5 and 6
    assert STAYS in " ".join(run_in(demo_home, "match").output.split())
    doctor = " ".join(run_in(demo_home, "doctor").output.split())
    assert f"[warn] people: cohort_mentor_role (roles): 1: Olivia Takahashi (s0004) (Moodle id 6) {STAYS}" in doctor, doctor
    assert "fix: nothing to do if they are peer mentors; to count one as a faculty mentor, take them out" in doctor


def test_1_the_cohort_made_teachers_after_a_sync_keeps_its_pairs_and_the_year_gap(demo_home: Any) -> None:
    """As an admin would on the participants page: the whole cohort's enrolment role made teacher. A newcomer in
    year 6 was matched to Grace Haddad (s0024), herself in year 6."""
    assert run_in(demo_home, "sync").exit_code == 0
    site, path = _site(demo_home)
    members = _cohort(site).userids
    for course in site.courses.values():
        for uid in members:
            if uid in course.enrolments:
                course.enrolments[uid].role = "teacher"
    site.save(path)
    assert run_in(demo_home, "emulator", "edit", "join", "s0097", "--name", "Vera Senior", "--field", "yearofstudy=6",
                  "--field", "department=Anatomy").exit_code == 0
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    assert " ".join(plan.output.split()).count(STAYS) == len(members), plan.output
    assert "remove member" not in plan.output, plan.output  # every pair kept
    years = _years(demo_home)
    cohort = {u.username for u in site.users.values() if u.id in members}
    for pair in _pairs(demo_home):
        if pair["mentor"] in cohort:
            assert 1 <= years[pair["mentor"]] - years[pair["mentee"]] <= 3, pair
    (vera,) = [p["mentor"] for p in _pairs(demo_home) if p["mentee"] == "s0097"]
    assert vera not in cohort, vera


def test_1_pairs_made_while_they_counted_as_faculty_are_kept_with_a_warning(demo_home: Any) -> None:
    """Out of the cohort, Olivia is a faculty mentor and takes years 5 and 6 (as lmsync did before this round with
    her in it); back in the cohort, those pairs outside the year gap are kept with a warning, as a year edit's."""
    _olivia_a_teacher(demo_home)
    site, path = _site(demo_home)
    olivia = _uid(site, "s0004")
    _cohort(site).userids = [uid for uid in _cohort(site).userids if uid != olivia]
    site.save(path)
    assert run_in(demo_home, "sync").exit_code == 0
    years = _years(demo_home)
    outside = sorted(p["mentee"] for p in _pairs(demo_home) if p["mentor"] == "s0004" and years[p["mentee"]] >= 5)
    assert outside, "the faculty mentor s0004 took no mentee of year 5 or 6"
    site, path = _site(demo_home)
    _cohort(site).userids = sorted({*_cohort(site).userids, olivia})
    site.save(path)
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    assert "remove member" not in plan.output, plan.output
    lines = [line for line in plan.output.splitlines() if "outside the year gap [1, 3]" in line]
    for mentee in outside:
        assert any(mentee in line and "existing pair with" in line and "s0004" in line for line in lines), (mentee, lines)


def test_4_a_mentee_added_to_the_cohort_leaves_their_circle_as_a_peer_mentor_now(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site, path = _site(demo_home)
    yusuf, nikhil = _uid(site, "s0044"), _uid(site, "s0010")
    assert any(yusuf in g.members for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) == nikhil)
    _cohort(site).userids = sorted({*_cohort(site).userids, yusuf})
    site.save(path)
    reason = (f"a peer mentor now: in the peer-mentor cohort {COHORT}, and a peer mentor is no one's mentee with "
              '[matching] structure = "pairs"')
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    said = " ".join(plan.output.split())
    assert f"! Yusuf Garcia (s0044) from Nikhil Zhang (s0010)'s circle ({reason})" in said, plan.output
    assert "places them in no circle" not in said
    notice = (f"Yusuf Garcia (s0044) (Moodle id {yusuf}) is in the peer-mentor cohort {COHORT} and a mentee in "
              "Nikhil Zhang (s0010)'s circle: a peer mentor now, they leave that circle")
    assert notice in said, plan.output
    assert notice in " ".join(run_in(demo_home, "match").output.split())  # the match names him too
    doctor = " ".join(run_in(demo_home, "doctor").output.split())
    assert f"[warn] people: cohort_mentee: 1: {notice}" in doctor, doctor
    assert "fix: nothing to do if they are peer mentors now; to keep one a mentee, take them out" in doctor
    ran = run_in(demo_home, "run")
    assert f"Yusuf Garcia (s0044) from Nikhil Zhang (s0010)'s circle, {reason}" in " ".join(ran.output.split()), ran.output
