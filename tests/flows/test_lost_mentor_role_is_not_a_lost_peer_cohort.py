"""Tester round 103b, 3: in a programme with no peer mentoring at all, one faculty mentor whose teacher role was
changed to student (or observer) stopped every sync with "[programme] peer_mentor_cohort is not set, while 1
circles of peer mentors ...", and a fix to put the cohort back. The store does not record whether a circle was a
peer mentor's, so with the setting unset the refusal now names the mentor (by "Name (username)" since tester round
105a, 8), the role they hold now and the mentor roles, covers a dropped cohort setting in one clause, and its fix gives the mentor role back first.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentoring-2026"
CONFIG = f"""[programme]
name = "{PROGRAMME}"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
forum = "Mentoring circles"
[store]
path = "store.db"
"""


@pytest.fixture
def faculty_home(cli_home: Any) -> Any:
    """``cli_home`` with a faculty-only programme (no ``peer_mentor_cohort``) on the demo site, synced once."""
    from lmsync.moodle.emulator.demo import build_demo_site

    (cli_home / "lmsync.toml").write_text(CONFIG)
    build_demo_site().save(_path(cli_home))
    assert run_in(cli_home, "sync").exit_code == 0
    return cli_home


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _circles(home: Any) -> dict[str, frozenset[int]]:
    site = Site.load(_path(home))
    return {g.idnumber: frozenset(g.members) for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)}


@pytest.mark.parametrize("role", ["student", "observer"])
def test_a_mentor_who_lost_the_mentor_role_is_named_not_a_peer_cohort(faculty_home: Any, role: str) -> None:
    before = _circles(faculty_home)
    idnumber = sorted(i for i, members in before.items() if len(members) > 1)[0]
    mentor = mentor_of_idnumber(PROGRAMME, idnumber)
    assert mentor is not None
    site = Site.load(_path(faculty_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    course.enrolments[mentor].role = role
    site.save(_path(faculty_home))
    refused = run_in(faculty_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    out = " ".join(refused.output.split())
    assert "circles of peer mentors" not in out, out
    assert "[programme] peer_mentor_cohort is not set," not in out, out
    user = site.users[mentor]  # named "Name (username)", never a bare id (tester round 105a, 8)
    label = f"{user.firstname} {user.lastname} ({user.username})"
    assert (f"no longer has a mentor role ([programme] mentor_roles: editingteacher, teacher): {label} "
            f"(now {role})") in out, out
    assert f"give {label} a mentor role in the course again" in out, out
    assert _circles(faculty_home) == before  # nothing written
    matched = run_in(faculty_home, "match")  # the read says the same, as a warning
    assert matched.exit_code == 0, matched.output
    assert f"{label} (now {role})" in " ".join(matched.output.split()), matched.output
