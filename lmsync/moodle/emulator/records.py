"""The records of an emulated Moodle site: users, courses, groups, activities, grades, tokens.

Plain dataclasses, one per Moodle table lmsync's functions read or write (only the columns they
need), plus the site constants they share (profile fields, role ids, context id offsets). The
:class:`~lmsync.moodle.emulator.state.Site` holds them in dicts keyed by Moodle id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROFILE_FIELDS: list[dict[str, Any]] = [
    # shortname, title, type, private (visible to the user only)
    {"shortname": "department", "name": "Department", "type": "menu", "private": False},
    {"shortname": "interests", "name": "Interests", "type": "text", "private": False},
    {"shortname": "yearofstudy", "name": "Year of study", "type": "menu", "private": True},
    {"shortname": "mentorcapacity", "name": "Mentor capacity", "type": "text", "private": True},
    {"shortname": "languages", "name": "Languages", "type": "text", "private": False},
]

ROLE_IDS = {"manager": 1, "coursecreator": 2, "editingteacher": 3, "teacher": 4, "student": 5, "guest": 6, "user": 7}
USER_CONTEXT_OFFSET = 8  # user context id = user id + 8 (s0002, user 4, has context 12 on the recording site)
COURSE_CONTEXT_OFFSET = 100_000


@dataclass
class User:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    idnumber: str = ""
    customfields: dict[str, str] = field(default_factory=dict)
    institution: str = ""  # core field: listed only when non-empty
    suspended: bool = False
    auth: str = "manual"
    city: str = "Springfield"
    country: str = "GB"
    lastaccess: int = 0

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}"


@dataclass
class Enrolment:
    """One enrolment; ``role`` is the role given at enrolment, ``other_roles`` any role assigned
    later in the course context (trap 42: a student who is also a teacher). Account suspension
    is ``User.suspended``, separate from ``suspended`` here (trap 41)."""

    role: str = "student"
    suspended: bool = False
    timeend: int = 0  # 0 = no end date
    other_roles: list[str] = field(default_factory=list)

    def active(self, now: int) -> bool:
        """Moodle's onlyactive: the enrolment's status and dates only, never the account (trap 41)."""
        return not self.suspended and (self.timeend == 0 or self.timeend > now)

    def roles(self) -> list[str]:
        """Every role in the course, in Moodle's role sort order (teacher before student, trap 42)."""
        names = dict.fromkeys([self.role, *self.other_roles])
        return sorted(names, key=lambda r: ROLE_IDS.get(r, 99))


@dataclass
class Course:
    id: int
    shortname: str
    fullname: str
    idnumber: str = ""
    category: int = 1
    format: str = "topics"
    groupmode: int = 0
    summary: str = ""
    startdate: int = 1767571200
    enddate: int = 1797552000
    timemodified: int = 1795598938
    enrolments: dict[int, Enrolment] = field(default_factory=dict)


@dataclass
class Cohort:
    id: int
    idnumber: str
    name: str
    description: str = ""
    userids: list[int] = field(default_factory=list)


@dataclass
class GroupColumns:
    """The columns Moodle's ``groups`` and ``groupings`` tables share (lib/db/install.xml): both
    belong to one course and sit in its group cache, where names and idnumbers are checked alike
    (traps 22, 27)."""

    id: int
    courseid: int
    name: str
    idnumber: str = ""
    description: str = ""
    descriptionformat: int = 1


@dataclass
class Group(GroupColumns):
    enrolmentkey: str = ""
    visibility: int = 0
    participation: bool = True
    members: set[int] = field(default_factory=set)


@dataclass
class Grouping(GroupColumns):
    groupids: list[int] = field(default_factory=list)


@dataclass
class Forum:
    id: int
    cmid: int
    courseid: int
    name: str
    type: str = "general"
    intro: str = ""
    groupmode: int = 0  # 0 none, 1 separate, 2 visible
    forcesubscribe: int = 0
    timemodified: int = 1795598938


@dataclass
class Discussion:
    id: int
    forumid: int
    postid: int
    groupid: int
    subject: str
    message: str
    userid: int
    created: int
    messageformat: int = 1
    pinned: bool = False


@dataclass
class Post:
    """A reply in a discussion (the opening post is the :class:`Discussion` itself, id ``postid``).

    Stored as sent; read back through the purifier (trap 40). ``parentid`` is the post replied to.
    """

    id: int
    discussionid: int
    parentid: int
    userid: int
    subject: str
    message: str
    created: int
    modified: int = 0
    messageformat: int = 1


@dataclass
class FeedbackItem:
    id: int
    name: str
    label: str
    typ: str
    presentation: str
    required: bool = False
    position: int = 1


@dataclass
class FeedbackCompleted:
    id: int
    userid: int
    timemodified: int
    values: dict[int, str] = field(default_factory=dict)  # item id -> raw value


@dataclass
class Feedback:
    id: int
    cmid: int
    courseid: int
    name: str
    intro: str = ""
    anonymous: int = 2  # 2 = NOT anonymous
    items: list[FeedbackItem] = field(default_factory=list)
    completeds: list[FeedbackCompleted] = field(default_factory=list)


@dataclass
class AssignGrade:
    id: int
    userid: int
    grade: float | None  # -1 = no grade; None: NULL (a grading form saved with the grade blank), returned as ""
    grader: int
    timecreated: int
    timemodified: int
    comment: str | None = None
    commentformat: int = 1


@dataclass
class Assignment:
    id: int
    cmid: int
    courseid: int
    name: str
    grade: int = 100
    intro: str = ""
    timemodified: int = 1795598970
    grades: dict[int, AssignGrade] = field(default_factory=dict)


@dataclass
class Grade:
    """A gradebook grade. ``overridden``: a teacher typed the final grade in the gradebook;
    ``locked``: a teacher locked it. Moodle then keeps the final grade whatever the activity sends
    (``grade_item::regrade_final_grades`` skips locked or overridden grades; ``update_raw_grade``
    leaves a locked one alone), and ``gradereport_user_get_grade_items`` says so per grade
    (``gradeisoverridden``, ``gradeislocked``: recorded as false in the recordings)."""

    rawgrade: float | None
    finalgrade: float | None
    timemodified: int
    feedback: str = ""
    overridden: bool = False
    locked: bool = False


@dataclass
class GradeItem:
    id: int
    courseid: int
    itemtype: str  # mod or course
    itemmodule: str | None = None
    iteminstance: int = 0
    itemnumber: int | None = 0
    cmid: int | None = None
    itemname: str | None = None
    idnumber: str | None = ""
    grademax: float = 100.0
    grademin: float = 0.0
    hidden: bool = False
    grades: dict[int, Grade] = field(default_factory=dict)
    #: a teacher locked the whole item in the gradebook: grade_update answers 4, GRADE_UPDATE_ITEM_LOCKED,
    #: and applies nothing, details included (lib/gradelib.php; tester round 94b, 5)
    locked: bool = False


@dataclass
class TokenInfo:
    userid: int
    service_functions: set[str] = field(default_factory=set)
    capabilities: set[str] = field(default_factory=set)
    suspended: bool = False
