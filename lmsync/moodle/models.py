"""Pydantic models of what goes to and comes back from Moodle's web-service functions.

*Out* models (answers) are tolerant, because Moodle 4.5 is inconsistent (traps 10-12):
numbers arrive as strings (``"8"``, ``"75.00000"``), keys vanish instead of being empty
(no ``customfields`` for a user without profile data, no ``groups`` for a user in no
group), ``enrolmentkey`` is ``""`` in one answer and ``null`` in another. Every field that
can be missing has a default, numbers are parsed from strings, and unknown keys are kept
(``extra="allow"``) rather than dropped.

*In* models (requests) are strict, because Moodle hides the reason of most bad requests
behind "Invalid parameter value detected" (trap 4). They check what can be checked without
knowing the site (ids are real ints, group visibility 0-3, grade-item names and idnumbers,
no leading/trailing whitespace in names) and raise
:class:`~lmsync.moodle.errors.InvalidParameter` with the real reason, before anything is sent.
Field order is the order Moodle's forms were recorded in.
"""

from __future__ import annotations

import json
import re
from enum import IntEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from lmsync.moodle.errors import InvalidParameter
from lmsync.moodle.text import param_text_problem

# ---------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------


class MoodleModel(BaseModel):
    """Base of every answer model: lax numbers, unknown keys kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


class MoodleWarning(MoodleModel):
    """One entry of a ``warnings`` list (HTTP 200, no exception: trap 7)."""

    item: str | None = None
    itemid: int | None = None
    warningcode: str = ""
    message: str = ""


class WithWarnings(MoodleModel):
    warnings: list[MoodleWarning] = Field(default_factory=list)


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


# -- users -------------------------------------------------------------------------------


class CustomField(MoodleModel):
    """A custom profile field value; always a string, even for numbers (trap 10)."""

    shortname: str
    value: str | None = None
    name: str = ""
    type: str = ""
    displayvalue: str | None = None  # only from core_user_get_users_by_field (trap 12)


class UserGroup(MoodleModel):
    """A group as listed inside a user (no idnumber)."""

    id: int
    name: str = ""
    description: str = ""
    descriptionformat: int = 1


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
        for field in self.customfields:
            if field.shortname == shortname:
                return field.value
        return None

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


class Cohort(MoodleModel):
    id: int
    name: str = ""
    idnumber: str = ""
    description: str = ""
    descriptionformat: int = 1
    visible: bool = True
    theme: str = ""


class CohortMembers(MoodleModel):
    cohortid: int
    userids: list[int] = Field(default_factory=list)  # unordered (trap 14)


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


# -- forums ------------------------------------------------------------------------------


class Forum(MoodleModel):
    """A forum: ``id`` is the instance, ``cmid`` the course module (trap 32). No group mode."""

    id: int
    course: int
    cmid: int
    type: str = ""
    name: str = ""
    intro: str = ""
    numdiscussions: int = 0
    cancreatediscussions: bool = False


class Discussion(MoodleModel):
    """mod_forum_get_forum_discussions row: ``id`` is the FIRST POST id, ``discussion`` the discussion id.

    ``userid``/``created``/``modified`` are the OPENING post's; ``numreplies`` and
    ``timemodified``/``usermodified`` (unix seconds, a user id) describe the LAST post, and the
    list comes newest activity first (trap 44). ``name``/``subject`` come back through
    format_string (``&amp;``, trap 39), ``message`` through the HTML purifier (trap 40).
    """

    id: int
    discussion: int
    name: str = ""
    subject: str = ""
    message: str = ""
    groupid: int = -1
    userid: int = 0
    created: int = 0
    modified: int = 0
    timemodified: int = 0
    usermodified: int = 0
    numreplies: int = 0
    pinned: bool = False
    locked: bool = False

    @property
    def discussion_id(self) -> int:
        return self.discussion

    @property
    def post_id(self) -> int:
        return self.id


class DiscussionsPage(WithWarnings):
    discussions: list[Discussion] = Field(default_factory=list)


class AddDiscussionResult(WithWarnings):
    discussionid: int


class PostAuthorGroup(MoodleModel):
    """A group of a post's author; ``name`` is escaped by format_string (trap 39)."""

    id: int
    name: str = ""


class PostAuthor(MoodleModel):
    """A post's author. ``groups`` are ALL the author's groups in the course, not the discussion's (trap 44)."""

    id: int
    fullname: str = ""
    isdeleted: bool = False
    groups: list[PostAuthorGroup] = Field(default_factory=list)


class Post(MoodleModel):
    """One post of mod_forum_get_discussion_posts. ``parentid`` is ``None`` for the opening post;
    ``timecreated``/``timemodified`` are unix seconds (trap 44)."""

    id: int
    discussionid: int
    subject: str = ""
    message: str = ""
    messageformat: int = 1
    author: PostAuthor
    hasparent: bool = False
    parentid: int | None = None
    timecreated: int = 0
    timemodified: int = 0
    isdeleted: bool = False
    isprivatereply: bool = False


class DiscussionPosts(WithWarnings):
    """mod_forum_get_discussion_posts: the posts of one discussion, in the order asked for."""

    posts: list[Post] = Field(default_factory=list)
    forumid: int | None = None
    courseid: int | None = None

    def replies(self) -> list[Post]:
        """Every post but the opening one."""
        return [p for p in self.posts if p.parentid is not None]


# -- feedback ----------------------------------------------------------------------------


class Feedback(MoodleModel):
    """A Feedback activity. ``anonymous``: 1 = anonymous, 2 = NOT anonymous (trap 31)."""

    id: int
    course: int
    name: str = ""
    intro: str = ""
    anonymous: int = 1
    multiple_submit: bool = False
    coursemodule: int = 0

    @property
    def is_anonymous(self) -> bool:
        return self.anonymous == 1


class FeedbacksResult(WithWarnings):
    feedbacks: list[Feedback] = Field(default_factory=list)


def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


class FeedbackItem(MoodleModel):
    """A Feedback item. A rated choice's values live only in ``presentation``
    (``r>>>>>5####Very satisfied|...``, trap 43); a ``null`` presentation reads as ``""``."""

    id: int
    feedback: int = 0
    name: str = ""
    label: str = ""
    presentation: Annotated[str, BeforeValidator(_none_as_empty)] = ""
    typ: str = ""
    hasvalue: int = 0
    position: int = 0
    required: bool = False
    itemnumber: int | None = None
    dependitem: int = 0

    def scale(self) -> dict[int, str]:
        """Values and labels of a multichoice item: ``r>>>>>1####Very dissatisfied|2####...``."""
        if not self.typ.startswith("multichoice"):
            return {}
        text = self.presentation.split(">>>>>", 1)[-1].split("<<<<<", 1)[0]
        out: dict[int, str] = {}
        for index, part in enumerate(text.split("|"), start=1):
            if "####" in part:
                value, label = part.split("####", 1)
                try:
                    out[int(value.strip())] = label.strip()
                    continue
                except ValueError:
                    pass
                out[index] = label.strip()
            else:
                out[index] = part.strip()
        return out

    def numeric_range(self) -> tuple[float, float] | None:
        """``(min, max)`` of a numeric item (presentation ``"0|240"``)."""
        if self.typ != "numeric" or "|" not in self.presentation:
            return None
        low, high = self.presentation.split("|", 1)
        try:
            return float(low), float(high)
        except ValueError:
            return None


class FeedbackItemsResult(WithWarnings):
    items: list[FeedbackItem] = Field(default_factory=list)


class FeedbackResponse(MoodleModel):
    """One answer: ``id`` is the ITEM id, ``rawval`` a string (trap 31), JSON null for an
    attempt made before the item existed (trap 43); a choice item's ``rawval`` is the
    option's 1-based position, not its value (trap 43)."""

    id: int
    name: str = ""
    printval: str = ""
    rawval: str | None = ""

    @property
    def number(self) -> float | None:
        if self.rawval is None:
            return None
        try:
            return float(self.rawval)
        except (TypeError, ValueError):
            return None


class FeedbackAttempt(MoodleModel):
    id: int
    courseid: int = 0
    userid: int
    timemodified: int = 0
    fullname: str = ""
    responses: list[FeedbackResponse] = Field(default_factory=list)

    def rawval(self, item_id: int) -> str | None:
        for response in self.responses:
            if response.id == item_id:
                return response.rawval
        return None


class ResponsesAnalysis(WithWarnings):
    attempts: list[FeedbackAttempt] = Field(default_factory=list)
    totalattempts: int = 0
    anonattempts: list[Any] = Field(default_factory=list)
    totalanonattempts: int = 0


class ItemAnalysis(MoodleModel):
    item: FeedbackItem
    data: list[str] = Field(default_factory=list)

    def decoded(self) -> list[Any]:
        """``data`` with multichoice aggregates decoded a second time (JSON in JSON, trap 31)."""
        out: list[Any] = []
        for value in self.data:
            try:
                parsed = json.loads(value)
            except (TypeError, ValueError):
                parsed = value
            out.append(parsed if isinstance(parsed, dict) else value)
        return out


class FeedbackAnalysis(WithWarnings):
    completedcount: int = 0
    itemscount: int = 0
    itemsdata: list[ItemAnalysis] = Field(default_factory=list)


class NonRespondent(MoodleModel):
    courseid: int = 0
    userid: int
    fullname: str = ""
    started: bool = False


class NonRespondents(WithWarnings):
    users: list[NonRespondent] = Field(default_factory=list)
    total: int = 0


# -- grades ------------------------------------------------------------------------------


class GradeUpdateStatus(IntEnum):
    """core_grades_update_grades' bare integer answer (lib/grade/constants.php)."""

    OK = 0
    FAILED = 1
    MULTIPLE = 2
    ITEM_LOCKED = 4


class GradeUpdateResult(MoodleModel):
    """One status per request sent (the call may be chunked)."""

    statuses: list[int] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s == GradeUpdateStatus.OK for s in self.statuses)


class GradeItemSummary(MoodleModel):
    id: int  # a JSON string in the answer (trap 10)
    itemname: str | None = None
    category: str | None = None


class GradeItemsResult(WithWarnings):
    items: list[GradeItemSummary] = Field(default_factory=list, alias="gradeItems")


class UserGradeItem(MoodleModel):
    id: int
    itemname: str | None = None
    itemtype: str = ""
    itemmodule: str | None = None
    iteminstance: int | None = None
    itemnumber: int | None = None
    idnumber: str | None = None  # numeric but a string (trap 10)
    cmid: int | None = None
    graderaw: float | None = None
    grademin: float | None = None
    grademax: float | None = None
    gradeformatted: str | None = None
    feedback: str | None = None
    locked: bool = False
    gradeishidden: bool = False


class UserGrades(MoodleModel):
    courseid: int
    userid: int
    userfullname: str = ""
    useridnumber: str | None = None
    gradeitems: list[UserGradeItem] = Field(default_factory=list)


class GradeReport(WithWarnings):
    usergrades: list[UserGrades] = Field(default_factory=list)


# -- assignments -------------------------------------------------------------------------


class AssignConfig(MoodleModel):
    plugin: str = ""
    subtype: str = ""
    name: str = ""
    value: str = ""


class Assignment(MoodleModel):
    id: int
    cmid: int
    course: int
    name: str = ""
    grade: float = 0  # the maximum grade; negative = a scale
    nosubmissions: int = 0
    duedate: int = 0
    configs: list[AssignConfig] = Field(default_factory=list)

    def config(self, subtype: str, plugin: str, name: str) -> str | None:
        for c in self.configs:
            if (c.subtype, c.plugin, c.name) == (subtype, plugin, name):
                return c.value
        return None

    @property
    def feedback_comments_enabled(self) -> bool:
        return self.config("assignfeedback", "comments", "enabled") == "1"


class AssignCourse(MoodleModel):
    id: int
    fullname: str = ""
    shortname: str = ""
    assignments: list[Assignment] = Field(default_factory=list)


class AssignmentsResult(WithWarnings):
    courses: list[AssignCourse] = Field(default_factory=list)

    def all_assignments(self) -> list[Assignment]:
        return [a for c in self.courses for a in c.assignments]


class AssignGrade(MoodleModel):
    id: int
    userid: int
    attemptnumber: int = 0
    timecreated: int = 0
    timemodified: int = 0
    grader: int = 0
    grade: float | None = None  # "75.00000"; -1 = no grade (trap 20)

    @property
    def has_grade(self) -> bool:
        return self.grade is not None and self.grade >= 0


class AssignmentGrades(MoodleModel):
    assignmentid: int
    grades: list[AssignGrade] = Field(default_factory=list)


class AssignGradesResult(WithWarnings):
    assignments: list[AssignmentGrades] = Field(default_factory=list)


# -- messages, calendar ------------------------------------------------------------------


class MessageResult(MoodleModel):
    """Per-message outcome: ``msgid`` -1 plus ``errormessage`` when refused (trap 7)."""

    msgid: int
    clientmsgid: str | None = None
    text: str | None = None
    timecreated: int | None = None
    conversationid: int | None = None
    useridfrom: int | None = None
    errormessage: str | None = None

    @property
    def ok(self) -> bool:
        return self.msgid > 0


class CalendarEvent(MoodleModel):
    """A calendar event (created, or read with core_calendar_get_calendar_events).

    On read, ``groupid``, ``categoryid``, ``repeatid``, ``modulename`` and ``instance`` are
    ``None`` for course and site events (stored as 0), and ``name`` is escaped by
    format_string (traps 39, 45). Times are unix seconds.
    """

    id: int
    name: str = ""
    description: str = ""
    format: int = 1
    courseid: int = 0
    categoryid: int | None = None
    groupid: int | None = None
    userid: int = 0
    repeatid: int | None = None
    modulename: str | None = None
    instance: int | None = None
    eventtype: str = ""
    timestart: int = 0
    timeduration: int = 0
    visible: int = 1

    @property
    def timeend(self) -> int:
        return self.timestart + self.timeduration


class CalendarEventsResult(WithWarnings):
    """Events created or read. Permission problems come back as ``warnings`` (HTTP 200): on a
    create with no event (trap 7); on a read one per hidden event, ``item`` its id as a string,
    warningcode ``nopermissions`` (trap 45)."""

    events: list[CalendarEvent] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------

_ALNUMEXT = re.compile(r"^[A-Za-z0-9_-]+$")


def _moodle_int(value: Any) -> Any:
    """Accept real ints only: ``" 7"`` or ``"02"`` make Moodle answer a bare invalidparameter (trap 4)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {type(value).__name__} {value!r}")
    return int(value)


Int = Annotated[int, BeforeValidator(_moodle_int)]


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "value"
        msg = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def _clean_name(value: str, what: str = "name") -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} must not be empty")
    if value != value.strip():
        # Moodle checks duplicates on the untrimmed name, then trims: "Name " becomes a second "Name" (trap 22).
        raise ValueError(f"{what} has leading/trailing whitespace ({value!r})")
    problem = param_text_problem(value)
    if problem:
        # PARAM_TEXT: refused with a reason-less invalidparameter that fails the whole batch (trap 38).
        raise ValueError(f"{what} {value!r}: {problem}")
    return value


def _check_visibility(v: int | None) -> int | None:
    if v is not None and v not in (0, 1, 2, 3):
        raise ValueError(f"visibility must be 0, 1, 2 or 3 (got {v})")
    return v


class MoodleInput(BaseModel):
    """Base of request models: strict, raises InvalidParameter with the real reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    wsfunction: ClassVar[str] = ""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidParameter(
                f"{self.wsfunction or type(self).__name__}: {_explain(exc)}",
                function=self.wsfunction or None,
                errorcode="invalidparameter",
                local=True,
                hint="Fix the value; nothing was sent to Moodle.",
            ) from None

    @classmethod
    def coerce(cls, value: Any) -> Any:
        """Accept an instance or a mapping of its fields."""
        if isinstance(value, cls):
            return value
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if not isinstance(value, dict):
            try:
                value = dict(value)
            except (TypeError, ValueError):
                raise InvalidParameter(
                    f"{cls.wsfunction}: expected {cls.__name__} or a mapping, got {type(value).__name__}",
                    function=cls.wsfunction or None,
                    errorcode="invalidparameter",
                    local=True,
                ) from None
        return cls(**value)

    def to_params(self) -> dict[str, Any]:
        """The item as Moodle's form wants it (``None`` = not sent)."""
        return self.model_dump(exclude_none=True)


class NewGroup(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_create_groups"
    courseid: Int
    name: str
    description: str = ""
    descriptionformat: Int | None = None
    idnumber: str | None = None
    enrolmentkey: str | None = None
    visibility: Int | None = None
    participation: bool | None = None

    @field_validator("name")
    @classmethod
    def check_name(cls, v: str) -> str:
        return _clean_name(v)

    @field_validator("visibility")
    @classmethod
    def check_visibility(cls, v: int | None) -> int | None:
        return _check_visibility(v)

    @field_validator("idnumber")
    @classmethod
    def check_idnumber(cls, v: str | None) -> str | None:
        if v is not None and v != v.strip():
            raise ValueError(f"idnumber has leading/trailing whitespace ({v!r})")
        return v


class GroupUpdate(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_update_groups"
    id: Int
    name: str  # always required by Moodle
    description: str | None = None
    descriptionformat: Int | None = None
    enrolmentkey: str | None = None
    idnumber: str | None = None
    visibility: Int | None = None
    participation: bool | None = None

    @field_validator("name")
    @classmethod
    def check_name(cls, v: str) -> str:
        return _clean_name(v)

    @field_validator("visibility")
    @classmethod
    def check_visibility(cls, v: int | None) -> int | None:
        return _check_visibility(v)


class NewGrouping(MoodleInput):
    """A grouping to create. ``idnumber`` is always sent, "" if none (trap 28)."""

    wsfunction: ClassVar[str] = "core_group_create_groupings"
    courseid: Int
    name: str
    description: str = ""
    descriptionformat: Int | None = None
    idnumber: str = ""

    @field_validator("name")
    @classmethod
    def check_name(cls, v: str) -> str:
        return _clean_name(v)

    @field_validator("idnumber")
    @classmethod
    def check_idnumber(cls, v: str) -> str:
        if v != v.strip():
            raise ValueError(f"idnumber has leading/trailing whitespace ({v!r})")
        return v


class GroupingUpdate(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_update_groupings"
    id: Int
    name: str
    description: str
    descriptionformat: Int | None = None
    idnumber: str | None = None

    @field_validator("name")
    @classmethod
    def check_name(cls, v: str) -> str:
        return _clean_name(v)


class Membership(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_add_group_members"
    groupid: Int
    userid: Int


class GroupingAssignment(MoodleInput):
    wsfunction: ClassVar[str] = "core_group_assign_grouping"
    groupingid: Int
    groupid: Int


class GradeInput(MoodleInput):
    """One grade for core_grades_update_grades. ``str_feedback`` is dropped by Moodle 4.5 (trap 21)."""

    wsfunction: ClassVar[str] = "core_grades_update_grades"
    studentid: Int
    grade: float | None = None
    str_feedback: str | None = None

    @field_validator("grade", mode="before")
    @classmethod
    def check_grade(cls, v: Any) -> Any:
        if isinstance(v, bool) or (v is not None and not isinstance(v, (int, float))):
            raise ValueError(f"grade must be a number, got {v!r}")
        return v


class GradeItemDetails(MoodleInput):
    """``itemdetails`` of core_grades_update_grades (trap 21: numeric idnumber, ALPHANUMEXT name)."""

    wsfunction: ClassVar[str] = "core_grades_update_grades"
    itemname: str | None = None
    idnumber: Int | None = None
    gradetype: Int | None = None
    grademax: float | None = None
    grademin: float | None = None
    scaleid: Int | None = None
    multfactor: float | None = None
    plusfactor: float | None = None
    deleted: bool | None = None
    hidden: bool | None = None

    @field_validator("itemname")
    @classmethod
    def check_itemname(cls, v: str | None) -> str | None:
        if v is not None and not _ALNUMEXT.match(v):
            raise ValueError(f"itemname may hold only letters, digits, '-' and '_' (got {v!r})")
        return v

    @field_validator("idnumber", mode="before")
    @classmethod
    def check_idnumber(cls, v: Any) -> Any:
        if isinstance(v, str) and re.fullmatch(r"[0-9]+", v):
            return int(v)
        if isinstance(v, str):
            raise ValueError(f"idnumber must be a number (PARAM_INT), got {v!r}")
        return v


class AssignGradeInput(MoodleInput):
    """One grade for mod_assign_save_grades; ``comment`` goes to the feedback-comments plugin."""

    wsfunction: ClassVar[str] = "mod_assign_save_grades"
    userid: Int
    grade: float
    attemptnumber: Int = -1
    addattempt: bool = False
    workflowstate: str = ""
    comment: str | None = None
    commentformat: Int = 1

    @field_validator("grade", mode="before")
    @classmethod
    def check_grade(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"grade must be a number, got {v!r}")
        return v

    def to_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "userid": self.userid,
            "grade": self.grade,
            "attemptnumber": self.attemptnumber,
            "addattempt": self.addattempt,
            "workflowstate": self.workflowstate,
        }
        if self.comment is not None:
            out["plugindata"] = {
                "assignfeedbackcomments_editor": {"text": self.comment, "format": self.commentformat}
            }
        return out


class InstantMessage(MoodleInput):
    wsfunction: ClassVar[str] = "core_message_send_instant_messages"
    touserid: Int
    text: str
    textformat: Int = 1
    clientmsgid: str | None = None

    @field_validator("text")
    @classmethod
    def check_text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text must not be empty")
        return v


_EVENT_TYPES = {"user", "site", "course", "group", "category"}


class NewCalendarEvent(MoodleInput):
    wsfunction: ClassVar[str] = "core_calendar_create_calendar_events"
    name: str
    description: str | None = None
    format: Int | None = None
    courseid: Int | None = None
    groupid: Int | None = None
    repeats: Int | None = None
    eventtype: str = "user"
    timestart: Int
    timeduration: Int | None = None
    visible: Int | None = None
    sequence: Int | None = None

    @field_validator("name")
    @classmethod
    def check_name(cls, v: str) -> str:
        return _clean_name(v)

    @model_validator(mode="after")
    def check_consistent(self) -> NewCalendarEvent:
        if self.eventtype not in _EVENT_TYPES:
            raise ValueError(f"eventtype must be one of {sorted(_EVENT_TYPES)} (got {self.eventtype!r})")
        if self.eventtype == "group" and not (self.groupid and self.groupid > 0):
            raise ValueError("a group event needs groupid > 0 (Moodle would store groupid 0, trap 17)")
        if self.eventtype in ("group", "course") and not self.courseid:
            raise ValueError(f"a {self.eventtype} event needs courseid")
        return self


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
