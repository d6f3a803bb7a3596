"""Tester round 111b, 8: grade item names clash as the gradebook shows them (``format_string``, letter case
aside), not only when equal byte for byte (``lmsync.domain.grade_names.name_clashes``)."""

from __future__ import annotations

from lmsync.domain.grade_items import GradeItemSpec, ObservedGradeItem
from lmsync.domain.grade_names import name_clashes
from lmsync.moodle.text import format_string

NAME = "lmsync_attendance"
OTHER = "LMSYNC_Attendance"


def _spec(name: str = NAME) -> GradeItemSpec:
    return GradeItemSpec("attendance", 1000, name, "7000000000000001", 0.0, 100.0, False)


def test_names_are_compared_as_the_gradebook_shows_them():
    # a suffixed name another item holds in other letter case is skipped too
    (item,), _ = name_clashes([_spec()], {}, {OTHER: {41}, "LMSYNC_ATTENDANCE-2": {42}})
    assert item.itemname == f"{NAME}-3"
    # markup the gradebook strips (format_string) and letter case make no other column heading
    (item,), notes = name_clashes([_spec()], {}, {"<b>Lmsync_Attendance</b> ": {41}}, shown=format_string)
    assert item.itemname == f"{NAME}-2" and "'<b>Lmsync_Attendance</b> '" in notes["attendance"]
    # lmsync's own item keeps its name beside a copy in other letter case, and the warning says so
    mine = ObservedGradeItem(1000, NAME, id=9)
    (item,), notes = name_clashes([_spec()], {"attendance": mine}, {OTHER: {41}})
    assert item.itemname == NAME and "lmsync's grade item (itemnumber 1000, id 9)" in notes["attendance"]
    assert f"the name '{OTHER}'" in notes["attendance"]
    # an exact clash still says "the same name"
    (_,), notes = name_clashes([_spec()], {"attendance": mine}, {NAME: {41}})
    assert "have the same name" in notes["attendance"]


def test_a_name_apart_by_the_spaces_around_it_is_said_so():
    # tester round 130b, 3: "lmsync_minutes " was "the same column heading but for letter case or markup"
    (item,), notes = name_clashes([_spec()], {}, {f"{NAME} ": {41}})
    assert item.itemname == f"{NAME}-2"
    assert f"the name '{NAME} ', the same column heading but for letter case, spaces around it or markup" in notes[
        "attendance"], notes
