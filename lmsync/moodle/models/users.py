"""Users, cohorts and roles: ``core_user_*``, ``core_enrol_get_enrolled_users``, ``core_cohort_*``, ``core_role_assign_roles``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from lmsync.moodle.models._base import Described, Int, MoodleInput, MoodleModel, first

# -- users -------------------------------------------------------------------------------


class CustomField(MoodleModel):
    """A custom profile field value; always a string, even for numbers (trap 10)."""

    shortname: str
    value: str | None = None
    name: str = ""
    type: str = ""
    displayvalue: str | None = None  # only from core_user_get_users_by_field (trap 12)


class UserGroup(Described):
    """A group as listed inside a user (no idnumber, no courseid)."""


class UserRole(MoodleModel):
    roleid: int
    name: str = ""
    shortname: str = ""
    sortorder: int = 0


class EnrolledCourse(MoodleModel):
    id: int
    fullname: str = ""
    shortname: str = ""


class UserBase(MoodleModel):
    """Fields common to enrolled users and users looked up by field.

    ``department`` and ``interests`` here are Moodle's *core* fields, not the custom
    profile fields of the same shortname (trap 13): use :meth:`profile` for those.
    """

    id: int
    username: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    fullname: str = ""
    email: str | None = None
    idnumber: str = ""
    department: str = ""
    institution: str = ""
    city: str = ""
    country: str = ""
    firstaccess: int = 0
    lastaccess: int = 0
    customfields: list[CustomField] = Field(default_factory=list)

    def profile(self, shortname: str) -> str | None:
        """The custom profile field's value, ``None`` when absent (empty ones are left out)."""
        field = first(self.customfields, lambda f: f.shortname == shortname)
        return None if field is None else field.value

    def profile_fields(self) -> dict[str, str]:
        return {f.shortname: f.value for f in self.customfields if f.value is not None}


class EnrolledUser(UserBase):
    """core_enrol_get_enrolled_users row. There is no enrolment status (trap 13)."""

    lastcourseaccess: int | None = None
    roles: list[UserRole] = Field(default_factory=list)
    groups: list[UserGroup] = Field(default_factory=list)
    enrolledcourses: list[EnrolledCourse] = Field(default_factory=list)

    def role_shortnames(self) -> set[str]:
        return {r.shortname for r in self.roles}

    def has_role(self, shortname: str) -> bool:
        return shortname in self.role_shortnames()

    def group_ids(self) -> set[int]:
        return {g.id for g in self.groups}


class User(UserBase):
    """core_user_get_users_by_field row."""

    auth: str = ""
    suspended: bool = False
    confirmed: bool = True
    lang: str = ""
    timezone: str = ""


# -- cohorts -----------------------------------------------------------------------------


class Cohort(Described):
    idnumber: str = ""
    visible: bool = True
    theme: str = ""


class CohortMembers(MoodleModel):
    cohortid: int
    userids: list[int] = Field(default_factory=list)  # unordered (trap 14)


_CONTEXT_LEVELS = {"system", "user", "coursecat", "course", "module", "block"}


class RoleAssignment(MoodleInput):
    """A role assignment; the context by ``contextid`` or by ``contextlevel`` + ``instanceid``."""

    wsfunction: ClassVar[str] = "core_role_assign_roles"
    roleid: Int
    userid: Int
    contextid: Int | None = None
    contextlevel: str | None = None
    instanceid: Int | None = None

    @model_validator(mode="after")
    def check_context(self) -> RoleAssignment:
        by_id = self.contextid is not None
        by_level = self.contextlevel is not None and self.instanceid is not None
        if by_id == by_level:
            raise ValueError("give either contextid, or contextlevel and instanceid")
        if self.contextlevel is not None and self.contextlevel not in _CONTEXT_LEVELS:
            raise ValueError(f"contextlevel must be one of {sorted(_CONTEXT_LEVELS)}")
        return self
