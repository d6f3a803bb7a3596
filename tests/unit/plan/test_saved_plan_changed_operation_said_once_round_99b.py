"""Tester round 99b, 7: a saved plan with one group renamed by hand was refused naming the same operation twice.

"1 of its 133 operations is not what lmsync plans now (operation 1: create_group:...:mentor:6); and it lacks 1 of
the 133 operations lmsync plans now (create_group:...:mentor:6)": the field that differed was not said, and the fix,
``lmsync plan --out bad/edited.json --force``, overwrote the very file the admin had edited. An operation whose key
lmsync plans now with other values is said once, as changed, by its field names (never their values: a group's
name holds its mentor's); the fix makes a new plan under a new name.
"""

from __future__ import annotations

import pytest

from lmsync.domain.operations import AddMember, CreateGroup, Plan, PostWelcome
from lmsync.domain.saved_plan import checked_against, sealed
from lmsync.errors import PlanError

G = "lmsync:p:mentor:6"
FRESH = Plan(programme="p", course_id=2, fingerprint="f", operations=[
    CreateGroup(idnumber=G, name="Circle: Olivia Takahashi", description="Mentoring circle of Olivia Takahashi"),
    AddMember(group=G, user_id=5),
    PostWelcome(group=G, subject="Welcome", message="Hello"),
])


def _edited(**changes: object) -> Plan:
    """FRESH as ``lmsync plan --out`` wrote it (sealed), then operations edited by index: ``{"op0": {...}}``."""
    saved = sealed(FRESH)
    ops = list(saved.operations)
    for where, fields in changes.items():
        index = int(where.removeprefix("op"))
        ops[index] = ops[index].model_copy(update=fields)  # type: ignore[arg-type]
    return saved.model_copy(update={"operations": ops})


def _refusal(saved: Plan, source: str = "bad/edited.json") -> PlanError:
    with pytest.raises(PlanError) as raised:
        checked_against(saved, FRESH, source=source)
    return raised.value


def test_a_renamed_group_is_said_once_as_changed_naming_the_field_not_also_as_lacking() -> None:
    refused = _refusal(_edited(op0={"name": "Circle: Someone Else"}))
    said = refused.message
    assert f"1 of its 3 operations is changed from what lmsync plans now (operation 0 (create_group:{G}): its name differs)" in said
    assert "it lacks" not in said and "not what lmsync plans now" not in said
    assert said.count(f"create_group:{G}") == 1
    assert "Olivia" not in said and "Someone Else" not in said  # field names, never the names they hold


def test_several_changed_fields_are_named_together_and_an_added_operation_is_still_not_planned() -> None:
    saved = _edited(op0={"name": "x", "description": "y"}, op2={"message": "<script>"})
    saved = saved.model_copy(update={"operations": [*saved.operations, AddMember(group=G, user_id=9)]})
    said = _refusal(saved).message
    assert "2 of its 4 operations are changed from what lmsync plans now" in said
    assert f"operation 0 (create_group:{G}): its description and name differ" in said
    assert f"operation 2 (post_welcome:{G}): its message differs" in said
    assert f"1 of its 4 operations is not what lmsync plans now (operation 3: add_member:{G}:9)" in said
    assert "it lacks" not in said


def test_a_changed_operation_with_one_taken_out_says_each_once() -> None:
    saved = _edited(op0={"name": "x"})
    saved = saved.model_copy(update={"operations": [saved.operations[0], saved.operations[2]]})
    said = _refusal(saved).message
    assert f"operation 0 (create_group:{G}): its name differs" in said
    assert f"it lacks 1 of the 3 operations lmsync plans now (add_member:{G}:5)" in said
    assert said.count(f"create_group:{G}") == 1


def test_the_fix_for_an_edited_file_makes_a_new_plan_under_a_new_name_not_force_over_it() -> None:
    hint = _refusal(_edited(op0={"name": "x"})).hint or ""
    assert "--force" not in hint and "--out bad/edited.json" not in hint
    assert "`lmsync plan --out bad/edited-new.json`" in hint and "`lmsync apply bad/edited-new.json`" in hint
    assert "keeps your edited copy" in hint
    unsealed = _edited(op0={"name": "x"}).model_copy(update={"operations_digest": ""})  # cannot tell: may be edited
    assert "--force" not in (_refusal(unsealed, source="my plan.json").hint or "")
    assert "`lmsync plan --out 'my plan-new.json'`" in (_refusal(unsealed, source="my plan.json").hint or "")
