"""Tester round 106b, 4: a saved plan run again after it was applied is said so, exit 0, nothing written.

``lmsync plan --out plan.json; lmsync apply plan.json; lmsync apply plan.json``: the second apply said "Moodle
changed since the plan was made ... 133 of its 133 operations are not what lmsync plans now", exit 2 (an admin
must act); ``lmsync grades push g.json`` twice: "Refusing the saved grades plan g.json: the gradebook changed
since ... 14 of its 14 requested writes ...", exit 2, while ``lmsync grades plan`` said "no changes". When lmsync
plans nothing now and Moodle holds every write the file asks for, it says "already applied" and exits 0; any
other mismatch (an edited file, a write Moodle does not hold) keeps the refusal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lmsync.domain.operations import AddMember, Plan
from lmsync.domain.saved_plan import sealed
from lmsync.domain.sync_state import Observation, ObservedGroup
from lmsync.errors import EXIT_ADMIN
from tests.flows import test_tester_round_5 as round_5
from tests.flows.test_tester_round_85a_grades_file import config, gradebook, planned  # noqa: F401 - fixtures

env, run_cli = round_5.env, round_5.run_cli  # the demo site under a programme of its own, and the CLI on it
ALREADY = "already applied: Moodle already holds what p.json asks; nothing to do"


def words(result: Any) -> str:
    return " ".join(result.output.split())


def _moodle(env: Any) -> Any:
    s = round_5.site(env)
    return sorted((g.idnumber, g.name, sorted(g.members)) for g in s.groups.values()), len(s.discussions)


def test_a_saved_plan_applied_twice_says_already_applied_exit_0_and_writes_nothing(env: Any) -> None:
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    first = run_cli(env, "apply", "p.json")
    assert first.exit_code == 0, first.output
    before = _moodle(env)
    again = run_cli(env, "apply", "p.json")
    assert again.exit_code == 0, again.output
    said = words(again)
    assert ALREADY in said, said
    assert "Moodle changed" not in said and "Refusing" not in said
    assert _moodle(env) == before


def test_an_applied_file_edited_afterwards_is_still_refused(env: Any) -> None:
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    assert run_cli(env, "apply", "p.json").exit_code == 0
    saved = json.loads((env / "p.json").read_text())
    saved["operations"].pop(0)  # no longer as lmsync wrote it: no "already applied" for it
    (env / "p.json").write_text(json.dumps(saved))
    refused = run_cli(env, "apply", "p.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert "already applied" not in refused.output
    assert "Its operations were edited" in words(refused)


def test_a_file_whose_write_moodle_does_not_hold_is_not_called_applied() -> None:
    """lmsync plans nothing now, yet Moodle lacks the member the file adds (say, unenrolled since): refused."""
    from lmsync.service.saved_applied import sync_plan_applied

    group = ObservedGroup(id=5, name="Circle", idnumber="lmsync:p:mentor:7", members=frozenset({7}), in_grouping=True)
    observation = Observation(course_id=2, grouping_id=3, groups=(group,), active_user_ids=frozenset({7}))
    saved = sealed(Plan(programme="p", course_id=2, fingerprint="f", operations=[AddMember(group=group.idnumber, user_id=9)]))
    fresh = Plan(programme="p", course_id=2, fingerprint="g")
    assert sync_plan_applied(saved, fresh, observation, "p.json") is None
    held = ObservedGroup(id=5, name="Circle", idnumber=group.idnumber, members=frozenset({7, 9}))
    applied = sync_plan_applied(saved, fresh, Observation(course_id=2, grouping_id=3, groups=(held,),
                                                           active_user_ids=frozenset({7, 9})), "p.json")
    assert applied is not None and applied.words == ALREADY
    assert sync_plan_applied(saved, saved, observation, "p.json") is None  # lmsync plans writes now: refused


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_a_saved_grades_plan_pushed_twice_says_already_applied_exit_0_and_writes_nothing(config, planned):  # noqa: F811
    invoke, out, _ = planned
    first = invoke("grades", "push", str(out))
    assert first.exit_code == 0, first.output
    before = gradebook(config)
    again = invoke("grades", "push", str(out))
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert f"already applied: Moodle already holds what {out} asks; nothing to do" in said, said
    assert "Refusing" not in said and "Pushed" not in said
    assert gradebook(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_a_pushed_grades_file_edited_afterwards_is_still_refused(config, planned):  # noqa: F811
    invoke, out, _ = planned
    assert invoke("grades", "push", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    grade = data["requests"][0]["grades"][0]
    grade["grade"] = grade["grade"] + 1  # a value the gradebook does not hold
    out.write_text(json.dumps(data, indent=2))
    refused = invoke("grades", "push", str(out))
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert "already applied" not in refused.output and "Refusing the saved grades plan" in refused.output
