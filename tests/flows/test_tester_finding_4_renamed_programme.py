"""Tester finding 4: a renamed programme does not duplicate the circles.

The tester copied a store, changed only ``[programme] name`` ("mentor-2026" -> "med-mentoring-2026")
and ran ``lmsync sync``: a second grouping, 20 circles "Circle: X (2)", all 72 people in two circles
and 20 more welcome discussions, exit 0. lmsync's idnumbers name the programme, so it now sees the
circles of the other programme: a plan that would put people who are in them into its own circles
is refused before any write (exit 2) with the other programme's name, the counts and both fixes,
unless ``[sync] allow_other_programmes = true``. Two programmes with different people in one course
need no flag. Emulator flows through the command line, counting the emulator's writes.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import Enrolment, User
from lmsync.moodle.emulator.state import Site
from lmsync.service import jobs
from tests.flows.test_new_admin_part1 import env as env  # noqa: F401  (fixture)
from tests.flows.test_reads_never_write import emulator_writes as emulator_writes  # noqa: F401  (fixture)

OLD, NEW = "mentor-2026", "med-mentoring-2026"
COURSE = 2
# the copied store wrote for OLD: a rename, whose first fix is the old name back (tester round 118a, 1)
FIX = f"set [programme] name back to '{OLD}': this store's programme keeps its circles"
ON_PURPOSE = (f"only if '{NEW}' is really a second programme beside '{OLD}' in this course, give it a store of its own "
              f"([store] path: one programme, one store) and name '{OLD}' in its [sync] other_programmes, or set "
              f"[sync] allow_other_programmes = true")


def configure(env: Any, name: str, extra: str = "") -> Any:
    path = env / f"{name}.toml"
    path.write_text(f'[programme]\nname = "{name}"\npeer_mentor_cohort = "peer-mentors-2026"\n{extra}')
    return path


def run_cli(path: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(path), *args])


def lmsync_objects(site: Site) -> tuple[list[str], dict[str, frozenset[int]], int]:
    """lmsync's groupings (idnumbers), circles (idnumber -> members) and the forum's discussions."""
    groupings = sorted(g.idnumber for g in site.groupings.values() if g.idnumber.startswith("lmsync:"))
    circles = {g.idnumber: frozenset(g.members) for g in site.groups.values() if g.idnumber.startswith("lmsync:")}
    discussions = len(site.discussions)
    return groupings, circles, discussions


def renamed_copy(env: Any, extra: str = "", *, copy_store: bool = True) -> tuple[Any, Any]:
    """Sync as OLD, then copy its store (unless not ``copy_store``: a second programme's own new store) and emulator
    site to NEW's files and change only the name."""
    old = configure(env, OLD)
    first = run_cli(old, "sync")
    assert first.exit_code == 0, first.output
    old_config = load_config(old, environ={})
    path = configure(env, NEW, extra)
    new_config = load_config(path, environ={})
    if copy_store:
        shutil.copy(old_config.store_path(), new_config.store_path())
    shutil.copy(old_config.emulator_state_path(), new_config.emulator_state_path())
    return path, new_config


def test_tester_finding_4_a_renamed_programme_does_not_duplicate_circles(env: Any, emulator_writes: list[str]) -> None:
    path, config = renamed_copy(env)
    before = config.emulator_state_path().read_bytes()
    groupings, circles, discussions = lmsync_objects(Site.load(config.emulator_state_path()))
    people = frozenset().union(*circles.values())
    assert groupings == [f"lmsync:{OLD}"] and len(circles) == 20 and len(people) == 72 and discussions >= 20
    emulator_writes.clear()

    planned = run_cli(path, "plan")  # read-only: the same refusal, nothing written
    assert planned.exit_code == EXIT_ADMIN, planned.output
    refused = run_cli(path, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    for result in (planned, refused):
        text = " ".join(result.output.split())
        assert "the course holds circles lmsync made for another programme" in text
        assert f"72 of the 72 people in the 20 circles of programme '{OLD}' (members of 20 of them)" in text
        assert f"into circles of programme '{NEW}' as well" in text
        assert f"fix: {FIX}" in text and ON_PURPOSE in text
    assert emulator_writes == []
    assert config.emulator_state_path().read_bytes() == before
    assert lmsync_objects(Site.load(config.emulator_state_path())) == (groupings, circles, discussions)

    # the service says the same with the error class; and renaming back is the fix: in sync, nothing written
    with pytest.raises(PlanError) as error:
        jobs.sync_job(config)
    assert error.value.exit_code == EXIT_ADMIN and error.value.hint is not None and FIX in error.value.hint
    assert emulator_writes == []
    back = run_cli(configure(env, OLD), "sync")
    assert back.exit_code == 0 and "in sync" in back.output, back.output


def test_tester_finding_4_allow_other_programmes_lets_two_programmes_share_people(
    env: Any, emulator_writes: list[str]
) -> None:
    path, config = renamed_copy(env, "[sync]\nallow_other_programmes = true\n")
    emulator_writes.clear()
    synced = run_cli(path, "sync")
    assert synced.exit_code == 0, synced.output
    assert emulator_writes  # meant: the second programme gets its own grouping, circles and welcomes
    groupings, circles, _discussions = lmsync_objects(Site.load(config.emulator_state_path()))
    assert groupings == sorted([f"lmsync:{OLD}", f"lmsync:{NEW}"])
    assert sum(1 for idnumber in circles if idnumber.startswith(f"lmsync:{NEW}:mentor:")) == 20
    env_override = CliRunner().invoke(
        main, ["--log-level", "warning", "--config", str(configure(env, NEW)), "plan"],
        env={"LMSYNC_SYNC_ALLOW_OTHER_PROGRAMMES": "true"},
    )
    assert env_override.exit_code == 0, env_override.output  # the environment variable works like the key


def test_round_24_2_last_years_programme_named_in_other_programmes_syncs_through_the_cli(
    env: Any, emulator_writes: list[str]
) -> None:
    """A course still holding last year's circles (``OLD`` here): naming it lets this year's
    programme, with a store of its own, place the same people (tests/unit/plan: any other name is still refused;
    a copy of OLD's store would make it a rename, refused: tester round 118a, 1)."""
    path, config = renamed_copy(env, f'[sync]\nother_programmes = ["{OLD}"]\n', copy_store=False)
    emulator_writes.clear()
    synced = run_cli(path, "sync")
    assert synced.exit_code == 0, synced.output
    _groupings, circles, _discussions = lmsync_objects(Site.load(config.emulator_state_path()))
    assert sum(1 for idnumber in circles if idnumber.startswith(f"lmsync:{NEW}:mentor:")) == 20
    assert emulator_writes  # the programme's own grouping, circles and welcomes (the unit test: other names refused)


def test_tester_finding_4_two_programmes_with_different_people_need_no_flag(env: Any) -> None:
    """A second programme in the course whose people are in no circle of the first: both sync, twice."""
    site = build_demo_site()
    course = site.courses[COURSE]
    first_new = max(site.users) + 1
    for n, role in enumerate(["tutor", "tutor", "tutee", "tutee", "tutee", "tutee"]):
        uid = first_new + n
        site.users[uid] = User(id=uid, username=f"x{n:03d}", firstname=f"Extra{n}", lastname="Person",
                               email=f"x{n}@school.example")
        course.enrolments[uid] = Enrolment(role)
    other = env / "other.toml"
    other.write_text('[programme]\nname = "peer-tutoring-2026"\nmentor_roles = ["tutor"]\nmentee_roles = ["tutee"]\n')
    configs = [load_config(path, environ={}) for path in (other, configure(env, OLD))]
    for config in configs:  # one site, one course: each programme syncs with the other's circles there
        assert jobs.sync_job(config, site=site).converged
    for config in configs:  # and again: nothing to do, nothing refused
        again = jobs.sync_job(config, site=site)
        assert again.converged and again.first_plan.empty and not again.reports
    _groupings, circles, _discussions = lmsync_objects(site)
    tutoring = {k: v for k, v in circles.items() if k.startswith("lmsync:peer-tutoring-2026:mentor:")}
    mentor_circles = {k: v for k, v in circles.items() if k.startswith(f"lmsync:{OLD}:mentor:")}
    assert len(tutoring) == 2 and len(mentor_circles) == 20
    assert frozenset().union(*tutoring.values()) == set(range(first_new, first_new + 6))
    assert not frozenset().union(*tutoring.values()) & frozenset().union(*mentor_circles.values())
