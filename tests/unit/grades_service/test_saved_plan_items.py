"""A saved grades plan's items are the domain's ``GradeItemSpec`` (issue 12: no pydantic copy)."""

from __future__ import annotations

import json

from lmsync.domain.grade_items import GradeItemSpec
from lmsync.service.grades_plan import GradesPlan

SAVED = {
    "version": 2,
    "programme": "p",
    "course_id": 2,
    "activity_cmid": 3,
    "itemnumbers": [1000, 1099],
    "as_of": "2026-11-25",
    "created_at": "2026-11-25T08:00:00+00:00",
    "fingerprint": "f",
    "items": [
        {
            "key": "attendance",
            "itemnumber": 1000,
            "itemname": "lmsync_attendance",
            "idnumber": "7123456789012345",
            "grademin": 0,
            "grademax": 100,
            "hidden": False,
            "description": "",  # written by plans saved before the items were the domain's specs
        }
    ],
}


def test_a_plan_saved_with_item_descriptions_still_reads_and_its_items_are_domain_specs():
    plan = GradesPlan.model_validate_json(json.dumps(SAVED))
    item = plan.item(1000)
    assert item == GradeItemSpec("attendance", 1000, "lmsync_attendance", "7123456789012345", 0.0, 100.0, False)
    assert isinstance(item.grademin, float)
    assert item.details() == {"itemname": "lmsync_attendance", "idnumber": "7123456789012345", "grademin": 0,
                              "grademax": 100, "hidden": 0}


def test_a_saved_plan_round_trips_its_items():
    plan = GradesPlan.model_validate_json(json.dumps(SAVED))
    saved = json.loads(plan.model_dump_json())
    assert saved["items"] == [
        {"key": "attendance", "itemnumber": 1000, "itemname": "lmsync_attendance", "idnumber": "7123456789012345",
         "grademin": 0.0, "grademax": 100.0, "hidden": False}
    ]
    assert GradesPlan.model_validate_json(plan.model_dump_json()) == plan
