"""Tester round 105a, 8: a faculty mentor whose teacher role was changed to student was refused with
``[programme] peer_mentor_cohort`` unset (named only "user 74 (now student)"), but with the cohort set (the
``lmsync init`` default) the next sync re-matched all their mentees at once, with no hold, and made the mentor a
mentee in another circle while their own circle stood. The store cannot tell a peer mentor's circle from a faculty
mentor's, so both set-ups now refuse the same way, naming the mentor "Name (username)" as every view does; the
role given back, the next sync keeps every pair.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COHORT_LINE = 'peer_mentor_cohort = "peer-mentors-2026"\n'


def _config(cohort: bool, privacy: str = "") -> str:
    return f'[programme]\nname = "{PROGRAMME}"\n' + (COHORT_LINE if cohort else "") + privacy


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _circles(home: Any) -> dict[str, frozenset[int]]:
    site = Site.load(_path(home))
    return {g.idnumber: frozenset(g.members) for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)}


def _faculty_mentor(home: Any) -> tuple[int, str, str]:
    """(Moodle id, username, full name) of the first teacher whose circle holds mentees."""
    site = Site.load(_path(home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    for idnumber, members in sorted(_circles(home).items()):
        mentor = mentor_of_idnumber(PROGRAMME, idnumber)
        if mentor is not None and members - {mentor} and course.enrolments[mentor].role in ("teacher", "editingteacher"):
            user = site.users[mentor]
            return mentor, user.username, f"{user.firstname} {user.lastname}"
    raise AssertionError("the demo site has no faculty mentor with mentees")


def _set_role(home: Any, mentor: int, role: str) -> str:
    """Make ``role`` the mentor's only course role (as the tester did in the state JSON); the role they had."""
    site = Site.load(_path(home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    enrolment = course.enrolments[mentor]
    was, enrolment.role, enrolment.other_roles = enrolment.role, role, []
    site.save(_path(home))
    return str(was)


@pytest.mark.parametrize("cohort", [True, False], ids=["cohort-set", "cohort-unset"])
def test_a_teacher_made_a_student_is_refused_alike_and_named(demo_home: Any, cohort: bool) -> None:
    (demo_home / "lmsync.toml").write_text(_config(cohort))
    assert run_in(demo_home, "sync").exit_code == 0
    before = _circles(demo_home)
    mentor, username, fullname = _faculty_mentor(demo_home)
    was = _set_role(demo_home, mentor, "student")
    for args in (("plan",), ("sync",)):
        refused = run_in(demo_home, *args)
        assert refused.exit_code == EXIT_ADMIN, (cohort, args, refused.output)
        said = " ".join(refused.output.split())
        assert "no longer has a mentor role" in said, said
        assert f"{fullname} ({username}) (now student)" in said, said
        assert f"give {fullname} ({username}) a mentor role in the course again" in said, said
        assert f"user {mentor}" not in said, said  # never a bare id
        assert _circles(demo_home) == before  # nothing written: their mentees stay, they join no other circle
    matched = run_in(demo_home, "match")  # the read says the same, as a warning
    assert matched.exit_code == 0, matched.output
    assert f"{fullname} ({username}) (now student)" in " ".join(matched.output.split()), matched.output
    _set_role(demo_home, mentor, was)  # the role given back: every pair kept
    again = run_in(demo_home, "sync")
    assert again.exit_code == 0, again.output
    assert _circles(demo_home) == before


def test_with_names_off_the_refusal_names_the_username(demo_home: Any) -> None:
    (demo_home / "lmsync.toml").write_text(_config(True, "[privacy]\nshow_names = false\n"))
    assert run_in(demo_home, "sync").exit_code == 0
    mentor, username, fullname = _faculty_mentor(demo_home)
    _set_role(demo_home, mentor, "student")
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    said = " ".join(refused.output.split())
    assert f": {username} (now student)" in said and fullname not in said, said
