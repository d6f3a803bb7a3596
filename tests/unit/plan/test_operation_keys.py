"""Each sync operation's journal key, destructive flag and saved field order (issue 12).

The operations declare the fields that name them (``Key[...]``) instead of each writing its
own ``key``; the journal holds writes under these keys, so they must stay as they were.
"""

from __future__ import annotations

import json

import pytest

from lmsync.domain.envelope import Envelope
from lmsync.domain.operations import (
    AddMember,
    AssignGrouping,
    CreateGroup,
    CreateGrouping,
    DeleteDuplicateGroup,
    DeleteDuplicateGrouping,
    DeleteGroup,
    Plan,
    PostWelcome,
    RemoveMember,
    UnassignGrouping,
    UpdateGroup,
    UpdateGrouping,
)

CASES = [
    (CreateGrouping(idnumber="lmsync:p", name="Mentoring"), "create_grouping:lmsync:p", False),
    (UpdateGrouping(idnumber="lmsync:p", name="Mentoring", description="kept"), "update_grouping:lmsync:p", False),
    (CreateGroup(idnumber="lmsync:p:m:7", name="Circle"), "create_group:lmsync:p:m:7", False),
    (UpdateGroup(idnumber="lmsync:p:m:7", name="Circle"), "update_group:lmsync:p:m:7", False),
    (AssignGrouping(group="c7", grouping="g"), "assign_grouping:c7", False),
    (AddMember(group="c7", user_id=12), "add_member:c7:12", False),
    (RemoveMember(group="c7", user_id=12, reason="left"), "remove_member:c7:12", True),
    (PostWelcome(group="c7", subject="Hi", message="Welcome"), "post_welcome:c7", False),
    (DeleteGroup(group="c7"), "delete_group:c7", True),
    (UnassignGrouping(group="c7", grouping="g"), "unassign_grouping:c7", True),
    (DeleteDuplicateGroup(group="c7", group_id=44), "delete_duplicate_group:c7:44", True),
    (DeleteDuplicateGrouping(grouping="g", grouping_id=9), "delete_duplicate_grouping:g:9", True),
]


@pytest.mark.parametrize(("op", "key", "destructive"), CASES, ids=[c[1].split(":")[0] for c in CASES])
def test_each_operation_keeps_its_journal_key_and_destructive_flag(op, key, destructive):
    assert op.key == key
    assert op.destructive is destructive


def test_a_saved_plan_lists_each_operations_fields_kind_first_in_declaration_order():
    plan = Plan(
        programme="p",
        course_id=2,
        fingerprint="f",
        operations=[
            CreateGroup(idnumber="c7", name="Circle"),
            DeleteDuplicateGroup(group="c7", group_id=44),
            RemoveMember(group="c7", user_id=12),
        ],
    )
    saved = json.loads(plan.model_dump_json())
    assert list(saved)[:5] == ["format", "programme", "course_id", "fingerprint", "operations"]
    assert [list(op) for op in saved["operations"]] == [
        ["kind", "idnumber", "name", "description"],
        ["kind", "group", "group_id", "reason"],
        ["kind", "group", "user_id", "reason"],
    ]
    assert Plan.model_validate_json(plan.model_dump_json()) == plan


def test_the_envelope_of_a_plan_carries_what_it_was_planned_on():
    plan = Plan(programme="p", course_id=2, fingerprint="f", operations=[AddMember(group="c7", user_id=12)])
    envelope = Envelope.of_sync_plan(plan)
    assert (envelope.programme, envelope.course_id, envelope.fingerprint) == ("p", 2, "f")
    assert Envelope(family="messages", programme="p", course_id=0).fingerprint == ""
    with pytest.raises(ValueError):
        Plan(programme="p", course_id=2)  # a sync plan always names the observation it was made on
