"""Forums, discussions and posts: ``mod_forum_*``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from pydantic import Field

from lmsync.moodle.models._base import ActivityInstance, MoodleModel, WithWarnings

# -- forums ------------------------------------------------------------------------------


class Forum(ActivityInstance):
    """A forum: ``id`` is the instance, ``cmid`` the course module (trap 32). No group mode."""

    cmid: int
    type: str = ""
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
