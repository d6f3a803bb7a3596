"""A saved plan is checked against a fresh one, operation by operation (tester round 4, finding 2)."""

from __future__ import annotations

import pytest

from lmsync.domain.operations import AddMember, DeleteGroup, Plan, PostWelcome, RemoveMember
from lmsync.domain.saved_plan import checked_against, read_saved_plan
from lmsync.errors import InputError, PlanError

G = "lmsync:p:mentor:7"


def plan(*ops: object, skipped: tuple[str, ...] = ()) -> Plan:
    return Plan(programme="p", course_id=2, fingerprint="f", operations=list(ops), skipped_deletes=list(skipped))


FRESH = plan(
    RemoveMember(group=G, user_id=4, reason="re-matched"),
    AddMember(group=G, user_id=5),
    PostWelcome(group=G, subject="Welcome", message="Hello"),
)


def test_an_unedited_plan_is_applied_with_the_fresh_plans_own_operations() -> None:
    """tester round 4, 2: what goes out is what lmsync plans now."""
    saved = Plan.model_validate_json(FRESH.model_dump_json())
    checked = checked_against(saved, FRESH)
    assert checked.operations == FRESH.operations
    assert all(a is b for a, b in zip(checked.operations, FRESH.operations, strict=True))


def test_a_doubled_operation_is_refused_by_its_index() -> None:
    """tester round 4, 2: one planned operation typed in twice is not what lmsync planned."""
    saved = plan(*FRESH.operations, AddMember(group=G, user_id=5))
    with pytest.raises(PlanError, match=r"1 of its 4 operations .*operation 3: add_member:lmsync:p:mentor:7:5"):
        checked_against(saved, FRESH)


def test_a_file_lacking_a_planned_removal_or_add_is_refused() -> None:
    """tester round 4, 2: taking operations out by hand (keeping the removals only) is refused too."""
    saved = plan(FRESH.operations[0], FRESH.operations[2])
    with pytest.raises(PlanError, match="it lacks 1 of the 3 operations lmsync plans now") as raised:
        checked_against(saved, FRESH, source="p.json")
    assert raised.value.hint is not None and "lmsync plan --out p-new.json" in raised.value.hint  # round 99b, 7
    # the operation it lacks is named, as a differing one is by its index (tester round 34, 8)
    assert f"operations lmsync plans now ({FRESH.operations[1].key})" in raised.value.message


def test_a_file_may_lack_the_fresh_plans_deletions_but_a_delete_lmsync_holds_back_names_the_flag() -> None:
    """tester round 4, 2: deletions need allow_delete on apply; a file planned without them still applies."""
    with_delete = plan(*FRESH.operations, DeleteGroup(group=G, reason="no longer a mentor circle"))
    assert checked_against(FRESH, with_delete).operations == FRESH.operations
    held_back = plan(*FRESH.operations, skipped=(G,))
    with pytest.raises(PlanError) as raised:
        checked_against(with_delete, held_back)
    assert raised.value.hint is not None and raised.value.hint.startswith("add --allow-delete to `lmsync apply PLAN.json`")


def test_reading_a_file_that_is_not_json_is_bad_input() -> None:
    """tester round 4, 2: never a traceback for a file that is not a plan."""
    with pytest.raises(InputError, match="p.json: not an lmsync plan"):
        read_saved_plan("{not json", "p.json")


def test_an_emptied_file_is_refused_when_lmsync_plans_operations_now() -> None:
    """tester round 5, 7: `"operations": []` edited into a saved plan was applied as "nothing", exit 0."""
    with pytest.raises(PlanError, match="it lacks 3 of the 3 operations lmsync plans now"):
        checked_against(plan(), FRESH)
    only_deletes = plan(DeleteGroup(group=G, reason="no longer a mentor circle"))
    assert checked_against(plan(), only_deletes).empty  # a file may lack deletions
    assert checked_against(plan(), plan()).empty  # a genuinely empty plan applies as nothing


def test_one_differing_operation_is_singular_and_the_remake_hint_works_on_an_existing_file() -> None:
    """tester round 5, 7: "1 of its 4 operations are not"; the hint's `plan --out` failed without --force."""
    saved = plan(*FRESH.operations, AddMember(group=G, user_id=6))
    with pytest.raises(PlanError, match="1 of its 4 operations is not what lmsync plans now") as raised:
        checked_against(saved, FRESH, source="pda.json")
    assert raised.value.hint is not None and "`lmsync plan --out pda-new.json`" in raised.value.hint  # round 99b, 7
    assert not raised.value.hint.startswith("add --allow-delete")


def test_when_only_held_back_deletions_differ_the_hint_leads_with_allow_delete() -> None:
    """tester round 5, 7: the hint said to remake the plan (a command that failed) instead of --allow-delete."""
    deletes = plan(*FRESH.operations, DeleteGroup(group=G, reason="no longer a mentor circle"))
    with pytest.raises(PlanError, match="1 of its 4 operations is not") as raised:
        checked_against(deletes, plan(*FRESH.operations, skipped=(G,)), source="pda.json")
    hint = raised.value.hint or ""
    assert hint.startswith("add --allow-delete to `lmsync apply pda.json`") and "--out pda-new.json" in hint
    mixed = plan(*deletes.operations, AddMember(group=G, user_id=6))
    with pytest.raises(PlanError) as raised:
        checked_against(mixed, plan(*FRESH.operations, skipped=(G,)))
    assert (raised.value.hint or "").startswith("make a new plan") and "1 of them delete circles" in (raised.value.hint or "")
