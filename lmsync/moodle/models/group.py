"""Groups and groupings: ``core_group_*`` answers and requests.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lmsync.moodle.models._base import Idnumber, Int, MoodleInput, MoodleModel, Name, Visibility

# -- groups ------------------------------------------------------------------------------


class Group(MoodleModel):
    id: int
    courseid: int
    name: str = ""
    description: str = ""
    descriptionformat: int = 1
    enrolmentkey: str | None = None  # "" from create_groups, null from reads (trap 12)
    idnumber: str = ""
    visibility: int = 0
    participation: bool = True


class Grouping(MoodleModel):
    id: int
    courseid: int
    name: str = ""
    description: str = ""
    descriptionformat: int = 1
    idnumber: str = ""
    groups: list[Group] | None = None  # only with returngroups=1; may hold other courses' groups

    def group_ids(self) -> set[int]:
        return {g.id for g in self.groups or []}


class GroupMembers(MoodleModel):
    groupid: int
    userids: list[int] = Field(default_factory=list)  # sorted by name, i.e. looks random (trap 14)


class NewGroup(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_create_groups"
    courseid: Int
    name: Name
    description: str = ""
    descriptionformat: Int | None = None
    idnumber: Idnumber | None = None
    enrolmentkey: str | None = None
    visibility: Visibility = None
    participation: bool | None = None


class GroupUpdate(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_update_groups"
    id: Int
    name: Name  # always required by Moodle
    description: str | None = None
    descriptionformat: Int | None = None
    enrolmentkey: str | None = None
    idnumber: str | None = None
    visibility: Visibility = None
    participation: bool | None = None


class NewGrouping(MoodleInput):
    """A grouping to create. ``idnumber`` is always sent, "" if none (trap 28)."""

    wsfunction: ClassVar[str] = "core_group_create_groupings"
    courseid: Int
    name: Name
    description: str = ""
    descriptionformat: Int | None = None
    idnumber: Idnumber = ""


class GroupingUpdate(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_update_groupings"
    id: Int
    name: Name
    description: str
    descriptionformat: Int | None = None
    idnumber: str | None = None


class Membership(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_add_group_members"
    groupid: Int
    userid: Int


class GroupingAssignment(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_assign_grouping"
    groupingid: Int
    groupid: Int
