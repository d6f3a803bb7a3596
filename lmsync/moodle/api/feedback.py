"""Feedback activities: ``mod_feedback_*``.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from lmsync.moodle.api._base import ApiBase, Paging, _ids, _one_id
from lmsync.moodle.keywords import check_keywords
from lmsync.moodle.models import (
    FeedbackAnalysis,
    FeedbackItemsResult,
    FeedbacksResult,
    MoodleWarning,
    NonRespondent,
    NonRespondents,
    ResponsesAnalysis,
)


class GroupPaging(Paging, total=False):
    """The optional parameters mod_feedback_get_responses_analysis takes: ``groupid`` (0 or
    absent: every group) and the page (:class:`Paging`)."""

    groupid: int | None


class NonRespondentsQuery(GroupPaging, total=False):
    """mod_feedback_get_non_respondents's: :class:`GroupPaging` and ``sort`` (a user field)."""

    sort: str | None


class FeedbackApi(ApiBase):
    """Feedback activities."""

    # -- feedback --------------------------------------------------------------------------

    def get_feedbacks_by_courses(self, courseids: Sequence[int] | None = None) -> FeedbacksResult:
        """mod_feedback_get_feedbacks_by_courses (``anonymous`` 2 = NOT anonymous, trap 31)."""
        fn = "mod_feedback_get_feedbacks_by_courses"
        params = None if courseids is None else {"courseids": _ids(fn, "courseids", courseids)}
        return self._call(FeedbacksResult, fn, params)

    def get_feedback_items(self, feedbackid: int) -> FeedbackItemsResult:
        """mod_feedback_get_items (scales in ``presentation``: :meth:`FeedbackItem.scale`)."""
        return self._read_id(FeedbackItemsResult, "mod_feedback_get_items", "feedbackid", feedbackid)

    def get_feedback_responses_analysis(self, feedbackid: int, **query: Unpack[GroupPaging]) -> ResponsesAnalysis:
        """mod_feedback_get_responses_analysis: per-user answers (``perpage`` 0 = all here)."""
        fn = "mod_feedback_get_responses_analysis"
        check_keywords(fn, query, GroupPaging.__optional_keys__)
        params = {
            "feedbackid": _one_id(fn, "feedbackid", feedbackid),
            "groupid": query.get("groupid"),
            "page": query.get("page"),
            "perpage": query.get("perpage"),
        }
        return self._call(ResponsesAnalysis, fn, params)

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
        return self._call(FeedbackAnalysis, fn, params)

    def get_feedback_non_respondents(self, feedbackid: int, **query: Unpack[NonRespondentsQuery]) -> NonRespondents:
        """mod_feedback_get_non_respondents. ``perpage`` 0 means 20, not all (trap 31), so with
        ``page=None`` every page is read (``perpage`` default 100) until ``total`` is reached.
        Includes suspended and ended enrolments."""
        fn = "mod_feedback_get_non_respondents"
        check_keywords(fn, query, NonRespondentsQuery.__optional_keys__)
        feedbackid = _one_id(fn, "feedbackid", feedbackid)
        base = {"feedbackid": feedbackid, "groupid": query.get("groupid"), "sort": query.get("sort")}
        page, perpage = query.get("page"), query.get("perpage")
        if page is not None:
            return self._call(NonRespondents, fn, {**base, "page": page, "perpage": perpage})
        size = perpage or 100
        users: dict[int, NonRespondent] = {}
        warnings: list[MoodleWarning] = []
        total = 0
        number = 0
        while True:
            result = self._call(NonRespondents, fn, {**base, "page": number, "perpage": size})
            warnings.extend(result.warnings)
            total = result.total
            for user in result.users:
                users.setdefault(user.userid, user)
            if len(result.users) < size or len(users) >= total:
                break
            number += 1
        return NonRespondents(users=list(users.values()), total=total, warnings=warnings)
