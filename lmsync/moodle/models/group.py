"""Groups and groupings: ``core_group_*`` answers and requests.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lmsync.moodle.models._base import Described, Idnumber, Int, MoodleInput, MoodleModel, Name, Visibility

# -- groups ------------------------------------------------------------------------------


class Group(Described):
    courseid: int
    enrolmentkey: str | None = None  # "" from create_groups, null from reads (trap 12)
    idnumber: str = ""
    visibility: int = 0
    participation: bool = True


class Grouping(Described):
    courseid: int
    idnumber: str = ""
    groups: list[Group] | None = None  # only with returngroups=1; may hold other courses' groups

    def group_ids(self) -> set[int]:
        return {g.id for g in self.groups or []}


class GroupMembers(MoodleModel):
    groupid: int
    userids: list[int] = Field(default_factory=list)  # sorted by name, i.e. looks random (trap 14)


class _CreateInCourse(MoodleInput):
    """What creating a group and creating a grouping send alike, in this order: Moodle's
    ``create_groups`` and ``create_groupings`` parameters both begin with the course, a name and
    a formatted description, and both take an idnumber."""

    courseid: Int
    name: Name
    description: str = ""
    descriptionformat: Int | None = None
    idnumber: Idnumber | None = None


class _UpdateById(MoodleInput):
    """What updating a group and updating a grouping send alike, in this order: the id, the
    name (always required by Moodle) and a formatted description."""

    id: Int
    name: Name
    description: str | None = None
    descriptionformat: Int | None = None


class NewGroup(_CreateInCourse):
    wsfunction: ClassVar[str] = "core_group_create_groups"
    enrolmentkey: str | None = None
    visibility: Visibility = None
    participation: bool | None = None


class GroupUpdate(_UpdateById):
    wsfunction: ClassVar[str] = "core_group_update_groups"
    enrolmentkey: str | None = None
    idnumber: str | None = None
    visibility: Visibility = None
    participation: bool | None = None


class NewGrouping(_CreateInCourse):
    """A grouping to create. ``idnumber`` is always sent, "" if none (trap 28)."""

    wsfunction: ClassVar[str] = "core_group_create_groupings"
    idnumber: Idnumber = ""


class GroupingUpdate(_UpdateById):
    """A grouping to update; Moodle's ``update_groupings`` requires the description."""

    wsfunction: ClassVar[str] = "core_group_update_groupings"
    description: str
    idnumber: str | None = None


class Membership(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_add_group_members"
    groupid: Int
    userid: Int


class GroupingAssignment(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_assign_grouping"
    groupingid: Int
    groupid: Int
