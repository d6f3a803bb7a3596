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

The models live in one module per Moodle component (``core``, ``users``, ``group``,
``forum``, ``feedback``, ``grades``, ``message``) over the bases in ``_base``; every public
name is re-exported here, so ``from lmsync.moodle.models import Group`` keeps working.
"""

from __future__ import annotations

from lmsync.moodle.models._base import (
    ActivityInstance,
    Described,
    Int,
    MoodleInput,
    MoodleModel,
    MoodleWarning,
    WithWarnings,
)
from lmsync.moodle.models.core import Course, CoursesResult, SiteFunction, SiteInfo
from lmsync.moodle.models.feedback import (
    Feedback,
    FeedbackAnalysis,
    FeedbackAttempt,
    FeedbackItem,
    FeedbackItemsResult,
    FeedbackResponse,
    FeedbacksResult,
    ItemAnalysis,
    NonRespondent,
    NonRespondents,
    ResponsesAnalysis,
)
from lmsync.moodle.models.forum import (
    AddDiscussionResult,
    Discussion,
    DiscussionPosts,
    DiscussionsPage,
    Forum,
    Post,
    PostAuthor,
    PostAuthorGroup,
)
from lmsync.moodle.models.grades import (
    AssignConfig,
    AssignCourse,
    AssignGrade,
    AssignGradeInput,
    AssignGradesResult,
    Assignment,
    AssignmentGrades,
    AssignmentsResult,
    GradeInput,
    GradeItemDetails,
    GradeItemsResult,
    GradeItemSummary,
    GradeReport,
    GradeUpdateResult,
    GradeUpdateStatus,
    UserGradeItem,
    UserGrades,
)
from lmsync.moodle.models.group import (
    Group,
    Grouping,
    GroupingAssignment,
    GroupingUpdate,
    GroupMembers,
    GroupUpdate,
    Membership,
    NewGroup,
    NewGrouping,
)
from lmsync.moodle.models.message import (
    CalendarEvent,
    CalendarEventsResult,
    InstantMessage,
    MessageResult,
    NewCalendarEvent,
)
from lmsync.moodle.models.users import (
    Cohort,
    CohortMembers,
    CustomField,
    EnrolledCourse,
    EnrolledUser,
    RoleAssignment,
    User,
    UserBase,
    UserGroup,
    UserRole,
)

__all__ = [
    "ActivityInstance",
    "AddDiscussionResult",
    "AssignConfig",
    "AssignCourse",
    "AssignGrade",
    "AssignGradeInput",
    "AssignGradesResult",
    "Assignment",
    "AssignmentGrades",
    "AssignmentsResult",
    "CalendarEvent",
    "CalendarEventsResult",
    "Cohort",
    "CohortMembers",
    "Course",
    "CoursesResult",
    "CustomField",
    "Described",
    "Discussion",
    "DiscussionPosts",
    "DiscussionsPage",
    "EnrolledCourse",
    "EnrolledUser",
    "Feedback",
    "FeedbackAnalysis",
    "FeedbackAttempt",
    "FeedbackItem",
    "FeedbackItemsResult",
    "FeedbackResponse",
    "FeedbacksResult",
    "Forum",
    "GradeInput",
    "GradeItemDetails",
    "GradeItemSummary",
    "GradeItemsResult",
    "GradeReport",
    "GradeUpdateResult",
    "GradeUpdateStatus",
    "Group",
    "GroupMembers",
    "GroupUpdate",
    "Grouping",
    "GroupingAssignment",
    "GroupingUpdate",
    "InstantMessage",
    "Int",
    "ItemAnalysis",
    "Membership",
    "MessageResult",
    "MoodleInput",
    "MoodleModel",
    "MoodleWarning",
    "NewCalendarEvent",
    "NewGroup",
    "NewGrouping",
    "NonRespondent",
    "NonRespondents",
    "Post",
    "PostAuthor",
    "PostAuthorGroup",
    "ResponsesAnalysis",
    "RoleAssignment",
    "SiteFunction",
    "SiteInfo",
    "User",
    "UserBase",
    "UserGradeItem",
    "UserGrades",
    "UserGroup",
    "UserRole",
    "WithWarnings",
]
