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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lmsync.log import get_logger
from lmsync.moodle.batching import chunk_by_budget, collect_pages, item_vars
from lmsync.moodle.encoding import count_vars
from lmsync.moodle.errors import InvalidParameter, MoodleError, UnexpectedResponse
from lmsync.moodle.models import (
    AddDiscussionResult,
    AssignGradeInput,
    AssignGradesResult,
    AssignmentsResult,
    CalendarEvent,
    CalendarEventsResult,
    Cohort,
    CohortMembers,
    CoursesResult,
    Discussion,
    DiscussionPosts,
    DiscussionsPage,
    EnrolledUser,
    FeedbackAnalysis,
    FeedbackItemsResult,
    FeedbacksResult,
    Forum,
    GradeInput,
    GradeItemDetails,
    GradeItemsResult,
    GradeReport,
    GradeUpdateResult,
    Group,
    Grouping,
    GroupingAssignment,
    GroupingUpdate,
    GroupMembers,
    GroupUpdate,
    InstantMessage,
    Membership,
    MessageResult,
    MoodleInput,
    MoodleWarning,
    NewCalendarEvent,
    NewGroup,
    NewGrouping,
    NonRespondent,
    NonRespondents,
    ResponsesAnalysis,
    RoleAssignment,
    SiteInfo,
    User,
)
from lmsync.moodle.transport import Transport

M = TypeVar("M", bound=BaseModel)
I = TypeVar("I", bound=MoodleInput)  # noqa: E741

_log = get_logger("lmsync.moodle.api")

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

#: Core user fields core_enrol_get_enrolled_users accepts in ``userfields`` (trap 13:
#: custom profile field shortnames are refused with invaliduserfield).
CORE_USER_FIELDS = frozenset(
    {
        "id", "username", "fullname", "firstname", "lastname", "email", "address", "phone1", "phone2",
        "department", "institution", "interests", "firstaccess", "lastaccess", "lastcourseaccess", "auth",
        "suspended", "confirmed", "idnumber", "lang", "theme", "timezone", "mailformat", "trackforums",
        "description", "descriptionformat", "city", "country", "profileimageurlsmall", "profileimageurl",
        "customfields", "groups", "roles", "preferences", "enrolledcourses", "url", "calendartype",
        "middlename", "alternatename", "firstnamephonetic", "lastnamephonetic",
    }
)  # fmt: skip

USER_LOOKUP_FIELDS = ("id", "idnumber", "username", "email")
COURSE_LOOKUP_FIELDS = ("id", "ids", "shortname", "idnumber", "category", "sectionid")
#: mod_forum_get_forum_discussions sort orders (-1 = default; 0 is refused).
FORUM_SORTORDERS = frozenset({-1, *range(1, 13)})
#: mod_forum_get_discussion_posts sort keys and directions.
POST_SORTBY = ("id", "created", "modified")
SORT_DIRECTIONS = ("ASC", "DESC")

DEFAULT_PAGE_SIZE = 500


def _local_error(function: str, message: str) -> InvalidParameter:
    return InvalidParameter(
        f"{function}: {message}",
        function=function,
        errorcode="invalidparameter",
        local=True,
        hint="Fix the value; nothing was sent to Moodle.",
    )


def _ids(function: str, what: str, values: Iterable[Any]) -> list[int]:
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _local_error(function, f"{what} must be integers, got {value!r}")
        out.append(int(value))
    return out


def _one_id(function: str, what: str, value: Any) -> int:
    return _ids(function, what, [value])[0]


def _items(cls: type[I], values: Iterable[Any]) -> list[I]:
    out = []
    for index, value in enumerate(values):
        try:
            out.append(cls.coerce(value))
        except InvalidParameter as exc:
            exc.message = f"{exc.message} (item {index})"
            raise
    return out


def _parse_list(model: type[M], data: Any) -> list[M]:
    return [model.model_validate(row) for row in (data or [])]


class MoodleApi:
    """Typed calls over a :class:`~lmsync.moodle.transport.Transport`."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    # -- helpers -----------------------------------------------------------------------

    @property
    def budget(self) -> int:
        return self.transport.budget

    def _chunked(
        self,
        function: str,
        key: str,
        items: Sequence[Mapping[str, Any]] | Sequence[Any],
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        max_items: int | None = None,
        item_count: Callable[[Any], int] | None = None,
    ) -> list[Any]:
        """Send ``items`` as list ``key`` in as many requests as the budget needs.

        ``before``/``after`` are sent with every request, before/after the list. On a
        failure the exception's ``applied`` says how many items earlier requests applied.
        """
        if not items:
            return []
        fixed = count_vars(dict(before or {})) + count_vars(dict(after or {}))
        try:
            chunks = chunk_by_budget(items, item_vars(key), self.budget, fixed, max_items=max_items)
        except ValueError as exc:
            raise _local_error(function, str(exc)) from None
        results = []
        applied = 0
        for number, chunk in enumerate(chunks, start=1):
            params: dict[str, Any] = {**(before or {}), key: list(chunk), **(after or {})}
            try:
                results.append(self.transport.call(function, params))
            except MoodleError as exc:
                if len(chunks) > 1:
                    exc.applied = applied
                    _log.warning(
                        "moodle.chunk.failed",
                        function=function,
                        chunk=number,
                        chunks=len(chunks),
                        applied=applied,
                    )
                raise
            applied += item_count(chunk) if item_count else len(chunk)
        if len(chunks) > 1:
            _log.debug("moodle.chunked", function=function, items=len(items), requests=len(chunks))
        return results

    def _id_list_reads(
        self, function: str, key: str, ids: Sequence[int], extra: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Reads keyed by an id list, chunked like writes (a long list is a big form too)."""
        rows: list[Any] = []
        for answer in self._chunked(function, key, list(ids), after=extra):
            rows.extend(answer or [])
        return rows

    # -- site, courses, users ------------------------------------------------------------

    def get_site_info(self, *, fail_fast: bool = False) -> SiteInfo:
        """core_webservice_get_site_info: the token's user, the site release, the callable functions.

        ``fail_fast``: one attempt with a short connect timeout, no retries (``lmsync doctor``'s
        first call: an unreachable site is reported in seconds, issue 11).
        """
        return SiteInfo.model_validate(
            self.transport.call("core_webservice_get_site_info", fail_fast=fail_fast)
        )

    def get_courses_by_field(self, field: str | None = None, value: str | int | None = None) -> CoursesResult:
        """core_course_get_courses_by_field. An unknown value finds ``[]`` silently (trap 15)."""
        fn = "core_course_get_courses_by_field"
        if field is not None and field not in COURSE_LOOKUP_FIELDS:
            raise _local_error(fn, f"field must be one of {', '.join(COURSE_LOOKUP_FIELDS)} (got {field!r})")
        if field in ("id", "category", "sectionid") and not (
            isinstance(value, int)
            and not isinstance(value, bool)
            or (isinstance(value, str) and value.isdigit())
        ):
            raise _local_error(
                fn, f"{field} must be a number (Moodle would silently find nothing), got {value!r}"
            )
        params: dict[str, Any] = {}
        if field is not None:
            params["field"] = field
            params["value"] = value
        return CoursesResult.model_validate(self.transport.call(fn, params))

    def get_enrolled_users(
        self,
        courseid: int,
        *,
        groupid: int | None = None,
        userfields: Sequence[str] | None = None,
        withcapability: str | None = None,
        onlyactive: bool | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        limitfrom: int | None = None,
        limitnumber: int | None = None,
    ) -> list[EnrolledUser]:
        """core_enrol_get_enrolled_users, every row once.

        No enrolment status comes back: pass ``onlyactive=True`` to drop suspended and ended
        enrolments (trap 13; needs moodle/course:enrolreview). ``userfields`` takes core
        fields only (``customfields`` brings the profile fields). Paged by ``page_size``
        (``None``: one request); the end is the first short page. Giving ``limitfrom`` /
        ``limitnumber`` reads exactly that one page instead.
        """
        fn = "core_enrol_get_enrolled_users"
        courseid = _one_id(fn, "courseid", courseid)
        options: list[dict[str, Any]] = []
        if groupid is not None:
            options.append({"name": "groupid", "value": _one_id(fn, "groupid", groupid)})
        if userfields is not None:
            fields = [userfields] if isinstance(userfields, str) else list(userfields)
            unknown = [f for f in fields if f not in CORE_USER_FIELDS]
            if unknown:
                raise _local_error(
                    fn,
                    f"userfields takes core user fields only; {', '.join(unknown)} is not one "
                    "(custom profile fields come back inside 'customfields')",
                )
            options.append({"name": "userfields", "value": ",".join(fields)})
        if withcapability is not None:
            options.append({"name": "withcapability", "value": withcapability})
        if onlyactive is not None:
            options.append({"name": "onlyactive", "value": onlyactive})

        def fetch(offset: int, size: int) -> list[EnrolledUser]:
            page = [
                *options,
                {"name": "limitfrom", "value": offset},
                {"name": "limitnumber", "value": size},
            ]
            return _parse_list(EnrolledUser, self.transport.call(fn, {"courseid": courseid, "options": page}))

        if limitfrom is not None or limitnumber is not None:
            one_page = [*options]
            if limitfrom is not None:
                one_page.append({"name": "limitfrom", "value": _one_id(fn, "limitfrom", limitfrom)})
            if limitnumber is not None:
                one_page.append({"name": "limitnumber", "value": _one_id(fn, "limitnumber", limitnumber)})
            return _parse_list(
                EnrolledUser, self.transport.call(fn, {"courseid": courseid, "options": one_page})
            )
        if page_size is None:
            params: dict[str, Any] = {"courseid": courseid}
            if options:
                params["options"] = options
            return _parse_list(EnrolledUser, self.transport.call(fn, params))
        return collect_pages(fetch, page_size, key=lambda u: u.id)

    def get_users_by_field(self, field: str, values: Sequence[str | int]) -> list[User]:
        """core_user_get_users_by_field; misses are silently left out, email is case-sensitive (trap 15).

        Returned sorted by id (Moodle's order, not the request's: trap 14); match by id.
        """
        fn = "core_user_get_users_by_field"
        if field not in USER_LOOKUP_FIELDS:
            raise _local_error(fn, f"field must be one of {', '.join(USER_LOOKUP_FIELDS)} (got {field!r})")
        values = list(values)
        if field == "id":
            values = list(_ids(fn, "values", values))
        seen: dict[int, User] = {}
        for answer in self._chunked(fn, "values", values, before={"field": field}):
            for user in _parse_list(User, answer):
                seen.setdefault(user.id, user)
        return [seen[k] for k in sorted(seen)]

    # -- cohorts -------------------------------------------------------------------------

    def get_cohorts(self, cohortids: Sequence[int] | None = None) -> list[Cohort]:
        """core_cohort_get_cohorts (all when ``cohortids`` is None); unknown ids are dropped (trap 15)."""
        fn = "core_cohort_get_cohorts"
        if cohortids is None:
            return _parse_list(Cohort, self.transport.call(fn))
        ids = _ids(fn, "cohortids", cohortids)
        if not ids:
            return []
        return _parse_list(Cohort, self._id_list_reads(fn, "cohortids", ids))

    def search_cohorts(
        self,
        query: str,
        *,
        contextid: int | None = None,
        contextlevel: str | None = None,
        instanceid: int | None = None,
        includes: str | None = None,
        limitfrom: int | None = None,
        limitnum: int | None = None,
    ) -> list[Cohort]:
        """core_cohort_search_cohorts (answer wrapped in ``{cohorts}``, trap 11); default: system context."""
        fn = "core_cohort_search_cohorts"
        context: dict[str, Any]
        if contextid is not None:
            context = {"contextid": _one_id(fn, "contextid", contextid)}
        else:
            context = {"contextlevel": contextlevel or "system", "instanceid": instanceid or 0}
        if includes is not None and includes not in ("parents", "self", "all"):
            raise _local_error(fn, f"includes must be parents, self or all (got {includes!r})")
        params = {
            "query": query,
            "context": context,
            "includes": includes,
            "limitfrom": limitfrom,
            "limitnum": limitnum,
        }
        answer = self.transport.call(fn, params)
        return _parse_list(Cohort, (answer or {}).get("cohorts"))

    def get_cohort_members(self, cohortids: Sequence[int]) -> list[CohortMembers]:
        """core_cohort_get_cohort_members; ONE unknown id fails the whole call (trap 34)."""
        fn = "core_cohort_get_cohort_members"
        return _parse_list(
            CohortMembers, self._id_list_reads(fn, "cohortids", _ids(fn, "cohortids", cohortids))
        )

    # -- groups and groupings: reads -------------------------------------------------------

    def get_course_groups(self, courseid: int) -> list[Group]:
        """core_group_get_course_groups, sorted by name. Served from Moodle's cache: after a
        failed batch it can list a PHANTOM group (trap 27); confirm with a DB-backed read."""
        fn = "core_group_get_course_groups"
        return _parse_list(Group, self.transport.call(fn, {"courseid": _one_id(fn, "courseid", courseid)}))

    def get_course_groupings(self, courseid: int) -> list[Grouping]:
        """core_group_get_course_groupings, sorted by name; cache-backed like get_course_groups (trap 27)."""
        fn = "core_group_get_course_groupings"
        return _parse_list(Grouping, self.transport.call(fn, {"courseid": _one_id(fn, "courseid", courseid)}))

    def get_groupings(self, groupingids: Sequence[int], *, returngroups: bool = False) -> list[Grouping]:
        """core_group_get_groupings (DB-backed: an unknown or phantom id is ``InvalidRecord``).
        With ``returngroups`` each grouping lists its groups, other courses' included (trap 17)."""
        fn = "core_group_get_groupings"
        ids = _ids(fn, "groupingids", groupingids)
        if not ids:
            return []
        return _parse_list(
            Grouping, self._id_list_reads(fn, "groupingids", ids, {"returngroups": returngroups})
        )

    def get_groups(self, groupids: Sequence[int]) -> list[Group]:
        """core_group_get_groups: groups by id, in request order, names escaped (trap 39).

        NOT in the shipped service (:data:`OPTIONAL_FUNCTIONS`): without it Moodle answers
        ``AccessDenied``; :meth:`get_course_groups` gives the same groups per course.
        """
        fn = "core_group_get_groups"
        ids = _ids(fn, "groupids", groupids)
        if not ids:
            return []
        return _parse_list(Group, self._id_list_reads(fn, "groupids", ids))

    def get_group_members(self, groupids: Sequence[int]) -> list[GroupMembers]:
        """core_group_get_group_members; one unknown group fails the call (``InvalidRecord``)."""
        fn = "core_group_get_group_members"
        ids = _ids(fn, "groupids", groupids)
        if not ids:
            return []
        return _parse_list(GroupMembers, self._id_list_reads(fn, "groupids", ids))

    # -- groups and groupings: writes ------------------------------------------------------

    def create_groupings(self, groupings: Sequence[NewGrouping | Mapping[str, Any]]) -> list[Grouping]:
        """core_group_create_groupings (non-idempotent; one transaction per request, trap 26).

        ``idnumber`` is always sent (trap 28). After any failure re-read with
        :meth:`get_groupings` before retrying (trap 27).
        """
        fn = "core_group_create_groupings"
        items = [g.to_params() for g in _items(NewGrouping, groupings)]
        out: list[Grouping] = []
        for answer in self._chunked(fn, "groupings", items):
            out.extend(_parse_list(Grouping, answer))
        return out

    def update_groupings(self, groupings: Sequence[GroupingUpdate | Mapping[str, Any]]) -> None:
        """core_group_update_groupings; omitted optional fields are left unchanged."""
        items = [g.to_params() for g in _items(GroupingUpdate, groupings)]
        self._chunked("core_group_update_groupings", "groupings", items)

    def delete_groupings(self, groupingids: Sequence[int]) -> None:
        """core_group_delete_groupings (the groups stay)."""
        fn = "core_group_delete_groupings"
        self._chunked(fn, "groupingids", _ids(fn, "groupingids", groupingids))

    def create_groups(self, groups: Sequence[NewGroup | Mapping[str, Any]]) -> list[Group]:
        """core_group_create_groups (non-idempotent); results in request order.

        One bad item rolls back its whole request and the error does not say which
        (trap 26); a duplicate idnumber can leave a cached phantom (trap 27).
        """
        fn = "core_group_create_groups"
        items = [g.to_params() for g in _items(NewGroup, groups)]
        out: list[Group] = []
        for answer in self._chunked(fn, "groups", items):
            out.extend(_parse_list(Group, answer))
        return out

    def update_groups(self, groups: Sequence[GroupUpdate | Mapping[str, Any]]) -> None:
        """core_group_update_groups; an unknown id is ``InvalidParameter`` here (trap 34)."""
        items = [g.to_params() for g in _items(GroupUpdate, groups)]
        self._chunked("core_group_update_groups", "groups", items)

    def delete_groups(self, groupids: Sequence[int]) -> None:
        """core_group_delete_groups; missing ids are silently ignored (trap 29)."""
        fn = "core_group_delete_groups"
        self._chunked(fn, "groupids", _ids(fn, "groupids", groupids))

    def assign_grouping(
        self, assignments: Sequence[GroupingAssignment | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_assign_grouping; ``(groupingid, groupid)`` tuples accepted. Idempotent (trap 16);
        a group of another course is accepted silently (trap 17): check courseids first."""
        items = [
            a.to_params() for a in _items(GroupingAssignment, _pairs(assignments, "groupingid", "groupid"))
        ]
        self._chunked("core_group_assign_grouping", "assignments", items)

    def unassign_grouping(
        self, unassignments: Sequence[GroupingAssignment | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_unassign_grouping; ``(groupingid, groupid)`` tuples accepted."""
        items = [
            a.to_params() for a in _items(GroupingAssignment, _pairs(unassignments, "groupingid", "groupid"))
        ]
        self._chunked("core_group_unassign_grouping", "unassignments", items)

    def add_group_members(self, members: Sequence[Membership | Mapping[str, Any] | tuple[int, int]]) -> None:
        """core_group_add_group_members; ``(groupid, userid)`` tuples accepted.

        Chunked under the variable budget (2,500+ members in one request are cut by PHP and
        rejected, trap 24). Idempotent (trap 16). One non-enrolled member fails its whole
        request with a bare ``InvalidParameter`` (trap 26); suspended enrolments are accepted (trap 18).
        """
        items = [m.to_params() for m in _items(Membership, _pairs(members, "groupid", "userid"))]
        self._chunked("core_group_add_group_members", "members", items)

    def delete_group_members(
        self, members: Sequence[Membership | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_delete_group_members; removing a non-member is silent (trap 16)."""
        items = [m.to_params() for m in _items(Membership, _pairs(members, "groupid", "userid"))]
        self._chunked("core_group_delete_group_members", "members", items)

    # -- forums ----------------------------------------------------------------------------

    def get_forums_by_courses(self, courseids: Sequence[int] | None = None) -> list[Forum]:
        """mod_forum_get_forums_by_courses (instance ``id`` and ``cmid``; no group mode, trap 32)."""
        fn = "mod_forum_get_forums_by_courses"
        if courseids is None:
            return _parse_list(Forum, self.transport.call(fn))
        return _parse_list(Forum, self._id_list_reads(fn, "courseids", _ids(fn, "courseids", courseids)))

    def get_forum_discussions(
        self,
        forumid: int,
        *,
        sortorder: int | None = None,
        page: int | None = None,
        perpage: int | None = None,
    ) -> DiscussionsPage:
        """mod_forum_get_forum_discussions. With ``page=None`` every page is read (``perpage``
        rows each, default 100) and each discussion kept once; otherwise one page.
        A row's ``id`` is its first post, ``discussion`` the discussion id (trap 32)."""
        fn = "mod_forum_get_forum_discussions"
        forumid = _one_id(fn, "forumid", forumid)
        if sortorder is not None and sortorder not in FORUM_SORTORDERS:
            raise _local_error(fn, f"sortorder must be -1 or 1..12 (got {sortorder!r})")
        base = {"forumid": forumid, "sortorder": sortorder}
        if page is not None:
            answer = self.transport.call(fn, {**base, "page": page, "perpage": perpage})
            return DiscussionsPage.model_validate(answer)
        warnings: list[MoodleWarning] = []

        def fetch(offset: int, size: int) -> list[Discussion]:
            result = DiscussionsPage.model_validate(
                self.transport.call(fn, {**base, "page": offset // size, "perpage": size})
            )
            warnings.extend(result.warnings)
            return result.discussions

        rows = collect_pages(fetch, perpage or 100, key=lambda d: d.discussion)
        return DiscussionsPage(discussions=rows, warnings=warnings)

    def get_discussion_posts(
        self, discussionid: int, *, sortby: str = "created", sortdirection: str = "ASC"
    ) -> DiscussionPosts:
        """mod_forum_get_discussion_posts: every post of one discussion, oldest first by default.

        Per post ``author.id``, ``timecreated``, ``parentid`` (``None`` for the opening post);
        ``author.groups`` are all the author's groups in the course (trap 44). ``sortby`` is
        id, created or modified; ``sortdirection`` ASC or DESC.
        """
        fn = "mod_forum_get_discussion_posts"
        discussionid = _one_id(fn, "discussionid", discussionid)
        if sortby not in POST_SORTBY:
            raise _local_error(fn, f"sortby must be one of {', '.join(POST_SORTBY)} (got {sortby!r})")
        if sortdirection not in SORT_DIRECTIONS:
            raise _local_error(fn, f"sortdirection must be ASC or DESC (got {sortdirection!r})")
        params = {"discussionid": discussionid, "sortby": sortby, "sortdirection": sortdirection}
        return DiscussionPosts.model_validate(self.transport.call(fn, params))

    def add_discussion(
        self,
        forumid: int,
        subject: str,
        message: str,
        *,
        groupid: int,
        options: Mapping[str, Any] | None = None,
    ) -> AddDiscussionResult:
        """mod_forum_add_discussion (non-idempotent: a lost answer raises ``OutcomeUnknown``).

        ``groupid`` is required: omitted, Moodle stores 0 in a separate-groups forum (trap 17);
        -1 means all participants. Moodle does not check that the group belongs to the
        forum's course. ``options`` are name/value pairs (discussionsubscribe, discussionpinned, ...).
        """
        fn = "mod_forum_add_discussion"
        forumid = _one_id(fn, "forumid", forumid)
        groupid = _one_id(fn, "groupid", groupid)
        if groupid == 0 or groupid < -1:
            raise _local_error(fn, f"groupid must be a group id or -1 for all participants (got {groupid})")
        if not subject.strip():
            raise _local_error(fn, "subject must not be empty")
        params: dict[str, Any] = {
            "forumid": forumid,
            "subject": subject,
            "message": message,
            "groupid": groupid,
        }
        if options:
            params["options"] = [{"name": k, "value": v} for k, v in options.items()]
        return AddDiscussionResult.model_validate(self.transport.call(fn, params))

    # -- feedback --------------------------------------------------------------------------

    def get_feedbacks_by_courses(self, courseids: Sequence[int] | None = None) -> FeedbacksResult:
        """mod_feedback_get_feedbacks_by_courses (``anonymous`` 2 = NOT anonymous, trap 31)."""
        fn = "mod_feedback_get_feedbacks_by_courses"
        params = None if courseids is None else {"courseids": _ids(fn, "courseids", courseids)}
        return FeedbacksResult.model_validate(self.transport.call(fn, params))

    def get_feedback_items(self, feedbackid: int) -> FeedbackItemsResult:
        """mod_feedback_get_items (scales in ``presentation``: :meth:`FeedbackItem.scale`)."""
        fn = "mod_feedback_get_items"
        return FeedbackItemsResult.model_validate(
            self.transport.call(fn, {"feedbackid": _one_id(fn, "feedbackid", feedbackid)})
        )

    def get_feedback_responses_analysis(
        self,
        feedbackid: int,
        *,
        groupid: int | None = None,
        page: int | None = None,
        perpage: int | None = None,
    ) -> ResponsesAnalysis:
        """mod_feedback_get_responses_analysis: per-user answers (``perpage`` 0 = all here)."""
        fn = "mod_feedback_get_responses_analysis"
        params = {
            "feedbackid": _one_id(fn, "feedbackid", feedbackid),
            "groupid": groupid,
            "page": page,
            "perpage": perpage,
        }
        return ResponsesAnalysis.model_validate(self.transport.call(fn, params))

    def get_feedback_analysis(
        self, feedbackid: int, *, groupid: int | None = None, courseid: int | None = None
    ) -> FeedbackAnalysis:
        """mod_feedback_get_analysis: aggregates (``ItemAnalysis.decoded()`` undoes the JSON-in-JSON)."""
        fn = "mod_feedback_get_analysis"
        params = {
            "feedbackid": _one_id(fn, "feedbackid", feedbackid),
            "groupid": groupid,
            "courseid": courseid,
        }
        return FeedbackAnalysis.model_validate(self.transport.call(fn, params))

    def get_feedback_non_respondents(
        self,
        feedbackid: int,
        *,
        groupid: int | None = None,
        sort: str | None = None,
        page: int | None = None,
        perpage: int | None = None,
    ) -> NonRespondents:
        """mod_feedback_get_non_respondents. ``perpage`` 0 means 20, not all (trap 31), so with
        ``page=None`` every page is read (``perpage`` default 100) until ``total`` is reached.
        Includes suspended and ended enrolments."""
        fn = "mod_feedback_get_non_respondents"
        base = {"feedbackid": _one_id(fn, "feedbackid", feedbackid), "groupid": groupid, "sort": sort}
        if page is not None:
            return NonRespondents.model_validate(
                self.transport.call(fn, {**base, "page": page, "perpage": perpage})
            )
        size = perpage or 100
        users: dict[int, NonRespondent] = {}
        warnings: list[MoodleWarning] = []
        total = 0
        number = 0
        while True:
            result = NonRespondents.model_validate(
                self.transport.call(fn, {**base, "page": number, "perpage": size})
            )
            warnings.extend(result.warnings)
            total = result.total
            for user in result.users:
                users.setdefault(user.userid, user)
            if len(result.users) < size or len(users) >= total:
                break
            number += 1
        return NonRespondents(users=list(users.values()), total=total, warnings=warnings)

    # -- grades ----------------------------------------------------------------------------

    def update_grades(
        self,
        source: str,
        courseid: int,
        component: str,
        activityid: int,
        itemnumber: int,
        grades: Sequence[GradeInput | Mapping[str, Any]],
        itemdetails: GradeItemDetails | Mapping[str, Any] | None = None,
    ) -> GradeUpdateResult:
        """core_grades_update_grades on the activity whose COURSE-MODULE id is ``activityid``.

        Chunked so PHP never cuts the request (trap 25), with ``itemdetails`` sent before the
        grades in every request. Grades outside ``grademin..grademax`` (when given) are
        refused here: Moodle would clamp them silently (trap 20). Moodle also grades unknown
        and unenrolled users and drops ``str_feedback`` (traps 19, 21): check before calling.
        """
        fn = "core_grades_update_grades"
        for what, value in (("courseid", courseid), ("activityid", activityid), ("itemnumber", itemnumber)):
            _one_id(fn, what, value)
        rows = _items(GradeInput, grades)
        details = GradeItemDetails.coerce(itemdetails) if itemdetails is not None else None
        if details is not None:
            for row in rows:
                if row.grade is None:
                    continue
                if details.grademax is not None and row.grade > details.grademax:
                    raise _local_error(
                        fn,
                        f"grade {row.grade:g} for user {row.studentid} is above grademax {details.grademax:g}",
                    )
                if details.grademin is not None and row.grade < details.grademin:
                    raise _local_error(
                        fn,
                        f"grade {row.grade:g} for user {row.studentid} is below grademin {details.grademin:g}",
                    )
        before: dict[str, Any] = {
            "source": source,
            "courseid": courseid,
            "component": component,
            "activityid": activityid,
            "itemnumber": itemnumber,
        }
        if details is not None:
            before["itemdetails"] = details.to_params()
        items = [r.to_params() for r in rows]
        if not items:
            return (
                GradeUpdateResult(statuses=[int(self.transport.call(fn, before))])
                if details
                else GradeUpdateResult()
            )
        answers = self._chunked(fn, "grades", items, before=before)
        return GradeUpdateResult(statuses=[int(a) for a in answers])

    def get_user_grade_items(
        self, courseid: int, *, userid: int | None = None, groupid: int | None = None
    ) -> GradeReport:
        """gradereport_user_get_grade_items (all users: large; prefer one user or one group)."""
        fn = "gradereport_user_get_grade_items"
        params = {"courseid": _one_id(fn, "courseid", courseid), "userid": userid, "groupid": groupid}
        return GradeReport.model_validate(self.transport.call(fn, params))

    def get_gradeitems(self, courseid: int) -> GradeItemsResult:
        """core_grades_get_gradeitems: id (a string in the answer), itemname, category only (trap 33)."""
        fn = "core_grades_get_gradeitems"
        return GradeItemsResult.model_validate(
            self.transport.call(fn, {"courseid": _one_id(fn, "courseid", courseid)})
        )

    # -- assignments -------------------------------------------------------------------------

    def get_assignments(
        self,
        courseids: Sequence[int] | None = None,
        *,
        capabilities: Sequence[str] | None = None,
        includenotenrolledcourses: bool | None = True,
    ) -> AssignmentsResult:
        """mod_assign_get_assignments. ``includenotenrolledcourses`` defaults to True: a
        non-enrolled integration user otherwise gets nothing but a warning (trap 30)."""
        fn = "mod_assign_get_assignments"
        params = {
            "courseids": None if courseids is None else _ids(fn, "courseids", courseids),
            "capabilities": None if capabilities is None else list(capabilities),
            "includenotenrolledcourses": includenotenrolledcourses,
        }
        return AssignmentsResult.model_validate(self.transport.call(fn, params))

    def save_assign_grades(
        self,
        assignmentid: int,
        grades: Sequence[AssignGradeInput | Mapping[str, Any]],
        *,
        applytoall: bool = False,
        grademax: float | None = None,
    ) -> None:
        """mod_assign_save_grades, chunked. With ``grademax`` (the assignment's ``grade``),
        grades above it are refused here: Moodle would silently drop them (trap 20)."""
        fn = "mod_assign_save_grades"
        assignmentid = _one_id(fn, "assignmentid", assignmentid)
        rows = _items(AssignGradeInput, grades)
        for row in rows:
            if row.grade < 0:
                raise _local_error(fn, f"grade {row.grade:g} for user {row.userid} is negative")
            if grademax is not None and row.grade > grademax:
                raise _local_error(
                    fn, f"grade {row.grade:g} for user {row.userid} is above the maximum {grademax:g}"
                )
        before = {"assignmentid": assignmentid, "applytoall": applytoall}
        self._chunked(fn, "grades", [r.to_params() for r in rows], before=before)

    def get_assign_grades(
        self, assignmentids: Sequence[int], *, since: int | None = None
    ) -> AssignGradesResult:
        """mod_assign_get_grades (grades are strings, no comments; unknown ids -> warning, trap 7)."""
        fn = "mod_assign_get_grades"
        params = {"assignmentids": _ids(fn, "assignmentids", assignmentids), "since": since}
        return AssignGradesResult.model_validate(self.transport.call(fn, params))

    # -- messages, calendar, roles -------------------------------------------------------------

    def send_instant_messages(
        self, messages: Sequence[InstantMessage | Mapping[str, Any]], *, per_request: int = 1
    ) -> list[MessageResult]:
        """core_message_send_instant_messages; one :class:`MessageResult` per message, in order.

        Refusals come back per message (``msgid`` -1, ``errormessage``). Non-idempotent and
        not transactional: one undeliverable message can fail a request AFTER earlier ones
        were delivered (trap 29), so by default each message goes in its own request.
        """
        fn = "core_message_send_instant_messages"
        items = [m.to_params() for m in _items(InstantMessage, messages)]
        out: list[MessageResult] = []
        for answer in self._chunked(fn, "messages", items, max_items=per_request):
            out.extend(_parse_list(MessageResult, answer))
        return out

    def create_calendar_events(
        self, events: Sequence[NewCalendarEvent | Mapping[str, Any]]
    ) -> CalendarEventsResult:
        """core_calendar_create_calendar_events (non-idempotent). Permission problems come back as
        ``warnings`` with no event (trap 7); events have no idnumber: keep the returned ids."""
        fn = "core_calendar_create_calendar_events"
        items = [e.to_params() for e in _items(NewCalendarEvent, events)]
        created: list[CalendarEvent] = []
        warnings: list[MoodleWarning] = []
        for answer in self._chunked(fn, "events", items):
            result = CalendarEventsResult.model_validate(answer)
            created.extend(result.events)
            warnings.extend(result.warnings)
        return CalendarEventsResult(events=created, warnings=warnings)

    def get_calendar_events(
        self,
        *,
        eventids: Sequence[int] | None = None,
        courseids: Sequence[int] | None = None,
        groupids: Sequence[int] | None = None,
        categoryids: Sequence[int] | None = None,
        userevents: bool | None = None,
        siteevents: bool | None = None,
        timestart: int | None = None,
        timeend: int | None = None,
        ignorehidden: bool | None = None,
    ) -> CalendarEventsResult:
        """core_calendar_get_calendar_events: the events and the warnings, both kept.

        ``timestart``/``timeend`` are unix seconds; events IN PROGRESS at ``timestart`` come
        back too, not only those starting in the range (trap 45). Course and site events have
        ``groupid`` ``None``; names are escaped (trap 39). Without moodle/calendar:manageentries
        a non-enrolled integration user gets each course event as a ``nopermissions`` warning
        (``item`` = the event id as a string), HTTP 200.
        """
        fn = "core_calendar_get_calendar_events"
        events: dict[str, Any] = {}
        for key, ids in (
            ("eventids", eventids),
            ("courseids", courseids),
            ("groupids", groupids),
            ("categoryids", categoryids),
        ):
            if ids is not None:
                events[key] = _ids(fn, key, ids)
        options: dict[str, Any] = {}
        for key, flag in (("userevents", userevents), ("siteevents", siteevents)):
            if flag is not None:
                options[key] = bool(flag)
        for key, when in (("timestart", timestart), ("timeend", timeend)):
            if when is not None:
                options[key] = _one_id(fn, key, when)
        if ignorehidden is not None:
            options["ignorehidden"] = bool(ignorehidden)
        if timestart is not None and timeend is not None and timeend < timestart:
            raise _local_error(fn, f"timeend {timeend} is before timestart {timestart}")
        params: dict[str, Any] = {}
        if events:
            params["events"] = events
        if options:
            params["options"] = options
        return CalendarEventsResult.model_validate(self.transport.call(fn, params))

    def assign_roles(self, assignments: Sequence[RoleAssignment | Mapping[str, Any]]) -> None:
        """core_role_assign_roles; idempotent (trap 16). A role not assignable in that context is
        a bare ``InvalidParameter`` (trap 4)."""
        items = [a.to_params() for a in _items(RoleAssignment, assignments)]
        self._chunked("core_role_assign_roles", "assignments", items)


def _pairs(values: Iterable[Any], first: str, second: str) -> list[Any]:
    """Let callers pass ``(a, b)`` tuples for two-id items."""
    out = []
    for value in values:
        if isinstance(value, tuple) and len(value) == 2:
            out.append({first: value[0], second: value[1]})
        else:
            out.append(value)
    return out


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
