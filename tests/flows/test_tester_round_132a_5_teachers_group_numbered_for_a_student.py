"""Tester round 132a, 5: before the first sync, a teacher's group "Skills lab" carried the circle ID number of a
student (``lmsync:...:mentor:32``). A store with no record takes over the circles it finds, so it took this one:
the sync refused with "the mentor of 1 circle(s) lmsync made no longer has a mentor role", and the fixes offered,
followed in order, ended with the teacher's group emptied and deleted. A store with no record now takes over only
circles of people who hold a mentor role or are in the peer-mentor cohort: the group is left as it is, said with
the true reason, and the sync exits 2 asking for its ID number to be changed, as for any group it does not prove."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.state import Site
from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)


def test_a_fresh_store_does_not_take_over_a_group_numbered_for_a_student(env: Any) -> None:  # noqa: F811
    config, site = seed(env)
    student = next(uid for uid, u in site.users.items() if u.username == "s0030")
    made = run_cli(env, "emulator", "edit", "group", "Skills lab", "--idnumber", f"lmsync:mentor-2026:mentor:{student}",
                   "--member", "s0030", "--member", "s0031", "--member", "s0002")
    assert made.exit_code == 0, made.output
    before = next((g.id, sorted(g.members)) for g in Site.load(config.emulator_state_path()).groups.values()
                  if g.name == "Skills lab")
    synced = run_cli(env, "sync")
    assert synced.exit_code == 2, synced.output
    said = " ".join(synced.output.split())
    assert (f"carries the ID number lmsync:mentor-2026:mentor:{student} of this programme's circles, but user {student} "
            "is enrolled in no [programme] mentor_roles role and is not in the peer-mentor cohort") in said, said
    assert "no longer has a mentor role" not in said
    after = Site.load(config.emulator_state_path())
    assert next((g.id, sorted(g.members)) for g in after.groups.values() if g.name == "Skills lab") == before
    again = run_cli(env, "sync", "--allow-delete")
    assert "DELETE group" not in again.output and "Skills lab" in again.output
    assert [g.id for g in Site.load(config.emulator_state_path()).groups.values() if g.name == "Skills lab"] == [before[0]]
