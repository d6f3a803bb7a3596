"""Typed Moodle API: one method per web-service function of the lmsync service.

Each method validates its input with the request models (so Moodle's hidden
"Invalid parameter value detected" becomes a precise local error, trap 4), chunks
batchable writes by form-variable count (traps 23-25), pages reads to the end
(trap 13) and parses the answer into the answer models (traps 10-12).
``warnings`` and per-item errors are returned, never dropped. Whether a failed request is
re-sent is the transport's rule, by function: reads are retried, a write never once it may
have reached Moodle (it raises ``OutcomeUnknown``: re-read before writing again, issue 10
point 10, traps 28-29).

Method names are the wsfunction without its component prefix; :data:`FUNCTIONS` maps
each wsfunction to its method. Nothing here knows about mentoring.

The calls live in one class per Moodle component (``core``, ``group``, ``forum``,
``feedback``, ``grades``, ``message``) over the shared ``_base.ApiBase``; ``MoodleApi``
composes them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from lmsync.moodle.api._base import (
    CORE_USER_FIELDS,
    COURSE_LOOKUP_FIELDS,
    DEFAULT_PAGE_SIZE,
    FORUM_SORTORDERS,
    POST_SORTBY,
    SORT_DIRECTIONS,
    USER_LOOKUP_FIELDS,
)
from lmsync.moodle.api.core import CoreApi
from lmsync.moodle.api.feedback import FeedbackApi
from lmsync.moodle.api.forum import ForumApi
from lmsync.moodle.api.grades import GradesApi
from lmsync.moodle.api.group import GroupApi
from lmsync.moodle.api.message import MessageApi
from lmsync.moodle.errors import UnexpectedResponse

__all__ = [
    "CORE_USER_FIELDS",
    "COURSE_LOOKUP_FIELDS",
    "DEFAULT_PAGE_SIZE",
    "FORUM_SORTORDERS",
    "FUNCTIONS",
    "OPTIONAL_FUNCTIONS",
    "POST_SORTBY",
    "SORT_DIRECTIONS",
    "USER_LOOKUP_FIELDS",
    "MoodleApi",
]

#: wsfunction -> MoodleApi method name (the 40 functions of service.json).
FUNCTIONS: dict[str, str] = {
    "core_webservice_get_site_info": "get_site_info",
    "core_course_get_courses_by_field": "get_courses_by_field",
    "core_enrol_get_enrolled_users": "get_enrolled_users",
    "core_user_get_users_by_field": "get_users_by_field",
    "core_cohort_get_cohorts": "get_cohorts",
    "core_cohort_search_cohorts": "search_cohorts",
    "core_cohort_get_cohort_members": "get_cohort_members",
    "core_group_create_groupings": "create_groupings",
    "core_group_get_course_groupings": "get_course_groupings",
    "core_group_get_groupings": "get_groupings",
    "core_group_update_groupings": "update_groupings",
    "core_group_delete_groupings": "delete_groupings",
    "core_group_create_groups": "create_groups",
    "core_group_get_course_groups": "get_course_groups",
    "core_group_update_groups": "update_groups",
    "core_group_delete_groups": "delete_groups",
    "core_group_assign_grouping": "assign_grouping",
    "core_group_unassign_grouping": "unassign_grouping",
    "core_group_add_group_members": "add_group_members",
    "core_group_get_group_members": "get_group_members",
    "core_group_delete_group_members": "delete_group_members",
    "mod_forum_get_forums_by_courses": "get_forums_by_courses",
    "mod_forum_add_discussion": "add_discussion",
    "mod_forum_get_forum_discussions": "get_forum_discussions",
    "mod_forum_get_discussion_posts": "get_discussion_posts",
    "mod_feedback_get_feedbacks_by_courses": "get_feedbacks_by_courses",
    "mod_feedback_get_items": "get_feedback_items",
    "mod_feedback_get_responses_analysis": "get_feedback_responses_analysis",
    "mod_feedback_get_analysis": "get_feedback_analysis",
    "mod_feedback_get_non_respondents": "get_feedback_non_respondents",
    "core_grades_update_grades": "update_grades",
    "gradereport_user_get_grade_items": "get_user_grade_items",
    "core_grades_get_gradeitems": "get_gradeitems",
    "mod_assign_get_assignments": "get_assignments",
    "mod_assign_save_grades": "save_assign_grades",
    "mod_assign_get_grades": "get_assign_grades",
    "core_message_send_instant_messages": "send_instant_messages",
    "core_calendar_create_calendar_events": "create_calendar_events",
    "core_calendar_get_calendar_events": "get_calendar_events",
    "core_role_assign_roles": "assign_roles",
}

#: Functions the API can call that the shipped service does not hold: a site must add them
#: to its service first (core_group_get_groups: core_group_get_course_groups gives the same
#: groups per course; README "Second series").
OPTIONAL_FUNCTIONS: dict[str, str] = {
    "core_group_get_groups": "get_groups",
}



class MoodleApi(CoreApi, GroupApi, ForumApi, FeedbackApi, GradesApi, MessageApi):
    """Typed calls over a :class:`~lmsync.moodle.transport.Transport`: one method per function."""


def _typed_answers(method: Callable[..., Any], function: str) -> Callable[..., Any]:
    """An answer that does not fit its model raises UnexpectedResponse, not a pydantic error."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:3]
            )
            raise UnexpectedResponse(
                f"{function}: the answer does not have the expected shape ({problems})",
                function=function,
            ) from None

    return wrapper


for _function, _method in {**FUNCTIONS, **OPTIONAL_FUNCTIONS}.items():
    setattr(MoodleApi, _method, _typed_answers(getattr(MoodleApi, _method), _function))
