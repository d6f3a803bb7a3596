"""Site, courses, users, cohorts and roles: ``core_webservice_*``, ``core_course_*``, ``core_enrol_*``, ``core_user_*``, ``core_cohort_*``, ``core_role_*``.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, Unpack

from lmsync.moodle.api._base import (
    CORE_USER_FIELDS,
    COURSE_LOOKUP_FIELDS,
    DEFAULT_PAGE_SIZE,
    USER_LOOKUP_FIELDS,
    ApiBase,
    _ids,
    _local_error,
    _one_id,
    _parse_list,
)
from lmsync.moodle.batching import collect_pages
from lmsync.moodle.keywords import check_keywords
from lmsync.moodle.models import (
    Cohort,
    CohortMembers,
    CoursesResult,
    EnrolledUser,
    RoleAssignment,
    SiteInfo,
    User,
)


class EnrolledUsersOptions(TypedDict, total=False):
    """The entries of core_enrol_get_enrolled_users's ``options`` name/value list that lmsync
    sends (absent or ``None``: left out). ``userfields``: core user fields only
    (:data:`CORE_USER_FIELDS`, trap 13); ``limitfrom``/``limitnumber``: one page of users."""

    groupid: int | None
    userfields: Sequence[str] | None
    withcapability: str | None
    onlyactive: bool | None
    limitfrom: int | None
    limitnumber: int | None


class CoreApi(ApiBase):
    """Site, courses, users, cohorts and roles."""

    # -- site, courses, users ------------------------------------------------------------

    def get_site_info(self, *, fail_fast: bool = False) -> SiteInfo:
        """core_webservice_get_site_info: the token's user, the site release, the callable functions.

        ``fail_fast``: one attempt with a short connect timeout, no retries (``lmsync doctor``'s
        first call: an unreachable site is reported in seconds, issue 11).
        """
        return self._call(SiteInfo, "core_webservice_get_site_info", fail_fast=fail_fast)

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
        return self._call(CoursesResult, fn, params)

    def get_enrolled_users(
        self, courseid: int, *, page_size: int | None = DEFAULT_PAGE_SIZE, **query: Unpack[EnrolledUsersOptions]
    ) -> list[EnrolledUser]:
        """core_enrol_get_enrolled_users, every row once.

        No enrolment status comes back: pass ``onlyactive=True`` to drop suspended and ended
        enrolments (trap 13; needs moodle/course:enrolreview). ``userfields`` takes core
        fields only (``customfields`` brings the profile fields). Paged by ``page_size``
        (``None``: one request); the end is the first short page. Giving ``limitfrom`` /
        ``limitnumber`` reads exactly that one page instead.
        """
        fn = "core_enrol_get_enrolled_users"
        check_keywords(fn, query, EnrolledUsersOptions.__optional_keys__)
        courseid = _one_id(fn, "courseid", courseid)
        groupid, userfields = query.get("groupid"), query.get("userfields")
        withcapability, onlyactive = query.get("withcapability"), query.get("onlyactive")
        limitfrom, limitnumber = query.get("limitfrom"), query.get("limitnumber")
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
            return self._call_rows(EnrolledUser, fn, {"courseid": courseid, "options": page})

        if limitfrom is not None or limitnumber is not None:
            one_page = [*options]
            if limitfrom is not None:
                one_page.append({"name": "limitfrom", "value": _one_id(fn, "limitfrom", limitfrom)})
            if limitnumber is not None:
                one_page.append({"name": "limitnumber", "value": _one_id(fn, "limitnumber", limitnumber)})
            return self._call_rows(EnrolledUser, fn, {"courseid": courseid, "options": one_page})
        if page_size is None:
            params: dict[str, Any] = {"courseid": courseid}
            if options:
                params["options"] = options
            return self._call_rows(EnrolledUser, fn, params)
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
        return self._read_ids(Cohort, "core_cohort_get_cohorts", "cohortids", cohortids)

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
        return self._read_ids(CohortMembers, "core_cohort_get_cohort_members", "cohortids", cohortids)

    def assign_roles(self, assignments: Sequence[RoleAssignment | Mapping[str, Any]]) -> None:
        """core_role_assign_roles; idempotent (trap 16). A role not assignable in that context is
        a bare ``InvalidParameter`` (trap 4)."""
        self._send("core_role_assign_roles", "assignments", RoleAssignment, assignments)
