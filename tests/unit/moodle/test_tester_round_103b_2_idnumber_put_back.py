"""Tester round 103b, 2: the put-back of a circle's ID number goes out as Moodle 4.5 takes it
(``core_group_update_groups``, recorded in ``core_group_update_groups/duplicate-idnumber``): the group's id, its
name (always required) and the ID number, form-encoded as ``groups[0][...]``; a plain rename sends no ID number,
so Moodle keeps the one the group holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lmsync.domain.operations import UpdateGroup
from lmsync.domain.plan import Plan
from lmsync.moodle.api import MoodleApi
from lmsync.service.apply import Applier, SyncFamily
from lmsync.service.executor import Executor
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from tests.unit.moodle.conftest import form_of, query_of, reply

PROGRAMME = "mentoring-2026"
CIRCLE, OTHER = f"lmsync:{PROGRAMME}:mentor:72", f"lmsync:{PROGRAMME}:mentor:73"


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.memory()
    yield s
    s.close()


def test_the_put_back_sends_groups_0_id_name_and_idnumber_and_a_rename_no_idnumber(api: MoodleApi, store: Store, rsps) -> None:
    reply(rsps, None)  # core_group_update_groups answers null
    family = SyncFamily(api, Journal(store, PROGRAMME), course_id=2, group_ids={CIRCLE: 7, OTHER: 8}, grouping_ids={},
                        forum_id=None)
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[
        UpdateGroup(idnumber=CIRCLE, name="Circle: Valentina Evans", idnumber_was=""),
        UpdateGroup(idnumber=OTHER, name="Circle: Zara Singh"),
    ])
    report = Applier(Executor(family, run_id="r", budget=2000)).apply(plan)
    assert report.written == {"update_group": 2} and not report.failed
    (call,) = rsps.calls
    assert query_of(call)["wsfunction"] == "core_group_update_groups"
    assert form_of(call) == [
        ("groups[0][id]", "7"), ("groups[0][name]", "Circle: Valentina Evans"), ("groups[0][idnumber]", CIRCLE),
        ("groups[1][id]", "8"), ("groups[1][name]", "Circle: Zara Singh"),
    ]
