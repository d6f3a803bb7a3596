"""Site and courses: ``core_webservice_get_site_info``, ``core_course_*``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from pydantic import Field

from lmsync.moodle.models._base import MoodleModel, WithWarnings

# -- site --------------------------------------------------------------------------------


class SiteFunction(MoodleModel):
    name: str
    version: str = ""


class SiteInfo(MoodleModel):
    """core_webservice_get_site_info: who the token belongs to and what it may call."""

    sitename: str = ""
    username: str = ""
    fullname: str = ""
    userid: int
    siteurl: str = ""
    release: str = ""
    version: str = ""
    siteid: int = 1
    userissiteadmin: bool = False
    functions: list[SiteFunction] = Field(default_factory=list)

    def function_names(self) -> set[str]:
        return {f.name for f in self.functions}

    def missing_functions(self, required: list[str] | set[str] | tuple[str, ...]) -> list[str]:
        """The functions of ``required`` the token's service does not offer (sorted)."""
        have = self.function_names()
        return sorted(set(required) - have)


# -- courses -----------------------------------------------------------------------------


class Course(MoodleModel):
    id: int
    shortname: str = ""
    fullname: str = ""
    displayname: str = ""
    idnumber: str = ""
    categoryid: int | None = None
    format: str = ""
    visible: int = 1
    groupmode: int = 0
    groupmodeforce: int = 0
    defaultgroupingid: int = 0
    startdate: int = 0
    enddate: int = 0


class CoursesResult(WithWarnings):
    courses: list[Course] = Field(default_factory=list)

    def one(self) -> Course | None:
        """The single course found, or ``None`` (an unknown shortname gives ``[]``, trap 15)."""
        return self.courses[0] if len(self.courses) == 1 else None
