"""Forums: ``mod_forum_*``.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from lmsync.moodle.api._base import (
    FORUM_SORTORDERS,
    POST_SORTBY,
    SORT_DIRECTIONS,
    ApiBase,
    Paging,
    _local_error,
    _one_id,
)
from lmsync.moodle.batching import collect_pages
from lmsync.moodle.keywords import check_keywords
from lmsync.moodle.models import (
    AddDiscussionResult,
    Discussion,
    DiscussionPosts,
    DiscussionsPage,
    Forum,
    MoodleWarning,
)


class DiscussionsQuery(Paging, total=False):
    """mod_forum_get_forum_discussions's optional parameters: ``sortorder`` (-1 = default, 1..12:
    :data:`FORUM_SORTORDERS`) and the page (:class:`Paging`)."""

    sortorder: int | None


class ForumApi(ApiBase):
    """Forums."""

    # -- forums ----------------------------------------------------------------------------

    def get_forums_by_courses(self, courseids: Sequence[int] | None = None) -> list[Forum]:
        """mod_forum_get_forums_by_courses (instance ``id`` and ``cmid``; no group mode, trap 32)."""
        return self._read_ids(Forum, "mod_forum_get_forums_by_courses", "courseids", courseids)

    def get_forum_discussions(self, forumid: int, **query: Unpack[DiscussionsQuery]) -> DiscussionsPage:
        """mod_forum_get_forum_discussions. With ``page=None`` every page is read (``perpage``
        rows each, default 100) and each discussion kept once; otherwise one page.
        A row's ``id`` is its first post, ``discussion`` the discussion id (trap 32)."""
        fn = "mod_forum_get_forum_discussions"
        check_keywords(fn, query, DiscussionsQuery.__optional_keys__)
        forumid = _one_id(fn, "forumid", forumid)
        sortorder = query.get("sortorder")
        if sortorder is not None and sortorder not in FORUM_SORTORDERS:
            raise _local_error(fn, f"sortorder must be -1 or 1..12 (got {sortorder!r})")
        base = {"forumid": forumid, "sortorder": sortorder}
        page, perpage = query.get("page"), query.get("perpage")
        if page is not None:
            return self._call(DiscussionsPage, fn, {**base, "page": page, "perpage": perpage})
        warnings: list[MoodleWarning] = []

        def fetch(offset: int, size: int) -> list[Discussion]:
            result = self._call(DiscussionsPage, fn, {**base, "page": offset // size, "perpage": size})
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
        return self._call(DiscussionPosts, fn, params)

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
        return self._call(AddDiscussionResult, fn, params)
