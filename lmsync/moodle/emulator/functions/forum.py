"""mod_forum: forums, discussions, posts (names escaped, trap 39; messages purified, trap 40)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import db_write_error, invalid_parameter, invalid_record, moodle_error
from lmsync.moodle.emulator.functions.registry import PIX, Call, found, ws
from lmsync.moodle.emulator.params import AlnumExt, Alpha, Bool, Int, Multi, Raw, Struct
from lmsync.moodle.emulator.purifier import purify
from lmsync.moodle.emulator.state import Discussion, Post, Site
from lmsync.moodle.text import DISCUSSION_SUBJECT_MAX, format_string


@ws("mod_forum_get_forums_by_courses", {"courseids": Multi(item=Int(), default=list)})
def get_forums_by_courses(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    wanted = set(p["courseids"]) or set(site.courses)
    out = []
    for forum in sorted(site.forums.values(), key=lambda f: f.id):
        if forum.courseid not in wanted or not call.has("moodle/course:view"):
            continue
        out.append({
            "id": forum.id, "course": forum.courseid, "type": forum.type, "name": format_string(forum.name),
            "intro": forum.intro,
            "introformat": 1, "introfiles": [], "lang": "", "duedate": 0, "cutoffdate": 0, "assessed": 0,
            "assesstimestart": 0, "assesstimefinish": 0, "scale": 0, "grade_forum": 0, "grade_forum_notify": 0,
            "maxbytes": 0, "maxattachments": 1, "forcesubscribe": forum.forcesubscribe, "trackingtype": 1,
            "rsstype": 0, "rssarticles": 0, "timemodified": forum.timemodified, "warnafter": 0, "blockafter": 0,
            "blockperiod": 0, "completiondiscussions": 0, "completionreplies": 0, "completionposts": 0,
            "cmid": forum.cmid,
            "numdiscussions": sum(1 for d in site.discussions.values() if d.forumid == forum.id),
            # capability_manager::can_create_discussions with no group: in group mode, all groups
            "cancreatediscussions": call.has(_START.get(forum.type, "mod/forum:startdiscussion"))
            and (not forum.groupmode or call.has("moodle/site:accessallgroups")),
            "lockdiscussionafter": 0, "istracked": False,
        })
    return out


#: The capability that starts a discussion in a forum of each type (capability_manager::can_create_discussions;
#: forum_user_can_post_discussion likewise): the announcements forum wants mod/forum:addnews, not startdiscussion
_START = {"news": "mod/forum:addnews", "qanda": "mod/forum:addquestion"}


@ws(
    "mod_forum_add_discussion",
    {
        "forumid": Int(), "subject": Raw(), "message": Raw(), "groupid": Int(default=0),
        "options": Multi(item=Struct(fields={"name": AlnumExt(), "value": Raw()}), default=list),
    },
    touches=("discussions",),
)
def add_discussion(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    forum = found(site.forums, p["forumid"], "forum")
    if forum.type in _START:  # an announcements forum took a welcome with startdiscussion (tester round 92b, 2)
        call.course(forum.courseid)
        if not call.has(_START[forum.type]):  # forum_user_can_post_discussion() false: add_discussion's own refusal
            raise moodle_error("cannotcreatediscussion", "Could not create new discussion")
    else:
        forum = call.managed(site.forums, p["forumid"], "forum", "mod/forum:startdiscussion")
    pinned = False
    for option in p["options"]:
        name, value = option["name"], option["value"]
        if name in ("discussionsubscribe", "discussionpinned"):
            if str(value).lower() not in ("0", "1", "true", "false"):
                raise invalid_parameter()
            pinned = pinned or (name == "discussionpinned" and str(value).lower() in ("1", "true"))
        elif name in ("inlineattachmentsid", "attachmentsid"):
            if not str(value).lstrip("-").isdigit():
                raise invalid_parameter()
        else:
            raise moodle_error("errorinvalidparam", f"webservice/errorinvalidparam ({name})")
    # trap 17: no-groups forum drops the group to -1; otherwise the id is taken as given
    # (0 = the caller's current group, which is 0 for the non-member integration user).
    groupid = -1 if forum.groupmode == 0 else p["groupid"]
    if forum.groupmode and not call.has("moodle/site:accessallgroups") and not _may_post_in(site, forum.courseid,
                                                                                             call.userid, groupid):
        # mod/forum/externallib.php add_discussion: moodle_exception('cannotcreatediscussion', 'forum'), the
        # forum lang string (tester round 69, 1: the emulator had another string's text)
        raise moodle_error("cannotcreatediscussion", "Could not create new discussion")
    if len(p["subject"]) > DISCUSSION_SUBJECT_MAX:  # forum_discussions.name, forum_posts.subject char(255)
        raise db_write_error("forum_discussions", "name", DISCUSSION_SUBJECT_MAX)
    did = site.next_id("discussions")
    discussion = Discussion(
        id=did, forumid=forum.id, postid=site.next_id("posts"), groupid=groupid, subject=p["subject"],
        message=p["message"], userid=call.userid, created=site.now(), pinned=pinned,
    )
    site.discussions[did] = discussion
    return {"discussionid": did, "warnings": []}


def _may_post_in(site: Site, courseid: int, userid: int, groupid: int) -> bool:
    """forum_user_can_post_discussion() (mod/forum/lib.php) past its capability checks, for a caller
    *without* moodle/site:accessallgroups in a forum in group mode: ``groups_is_member($currentgroup)``,
    false for a group that does not exist (deleted, never made) and for -1 ("all participants"); a
    current group of 0 is refused ("no group membership and no accessallgroups means no new
    discussions"). add_discussion replaces a groupid of 0 by groups_get_activity_group($cm), 0 for a
    caller in no group of the course. With accessallgroups none of this is asked: any groupid is
    stored as sent, a deleted group's too (trap 17; tester round 103b, 8).

    A caller in some group who sends 0 is let through as before (Moodle would store their activity
    group; the emulator keeps 0).
    """
    if groupid == 0:
        return any(userid in g.members for g in site.groups_of_course(courseid))
    group = site.groups.get(groupid) if groupid > 0 else None
    return group is not None and userid in group.members


def _replies(site: Site, discussionid: int) -> list[Post]:
    return sorted((r for r in site.posts.values() if r.discussionid == discussionid), key=lambda r: (r.created, r.id))


def _last_activity(site: Site, d: Discussion) -> tuple[int, int]:
    """(timemodified, usermodified) of a discussion: its last post's (trap 44)."""
    replies = _replies(site, d.id)
    if not replies:
        return d.created, d.userid
    last = max(replies, key=lambda r: (r.modified or r.created, r.id))
    return last.modified or last.created, last.userid


@ws(
    "mod_forum_get_forum_discussions",
    {"forumid": Int(), "sortorder": Int(default=-1), "page": Int(default=-1), "perpage": Int(default=0), "groupid": Int(default=0)},
)
def get_forum_discussions(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Per discussion the opening post, ``numreplies`` and the last post's time and author (trap 44);
    sorted by last activity, newest first (sortorder -1/1; 2 oldest first, 3/4 by creation, 5/6 by
    replies), pinned first. Names escaped (trap 39), messages purified (trap 40)."""
    site = call.site
    if p["sortorder"] != -1 and not 1 <= p["sortorder"] <= 6:
        raise invalid_parameter("Invalid sort order")
    forum = call.managed(site.forums, p["forumid"], "forum", "mod/forum:viewdiscussion")
    rows = [d for d in site.discussions.values() if d.forumid == forum.id]
    if p["groupid"]:
        rows = [d for d in rows if d.groupid in (p["groupid"], -1)]
    activity = {d.id: _last_activity(site, d) for d in rows}
    replies = {d.id: len(_replies(site, d.id)) for d in rows}
    order = p["sortorder"] if p["sortorder"] != -1 else 1
    ascending = order in (2, 4, 6)

    def key(d: Discussion) -> tuple[int, int]:
        if order in (3, 4):
            return (d.created, d.id)
        if order in (5, 6):
            return (replies[d.id], d.id)
        return (activity[d.id][0], d.id)

    rows.sort(key=key, reverse=not ascending)
    rows.sort(key=lambda d: not d.pinned)
    if p["page"] >= 0 and p["perpage"] > 0:
        rows = rows[p["page"] * p["perpage"] : (p["page"] + 1) * p["perpage"]]
    user = site.users.get(call.userid)
    fullname = user.fullname if user else ""
    pix = f"{site.siteurl}{PIX}f2"
    out = []
    for d in rows:
        author = site.users.get(d.userid)
        modified, usermodified = activity[d.id]
        modifier = site.users.get(usermodified)
        subject = format_string(d.subject)
        out.append({
            "id": d.postid, "name": subject, "groupid": d.groupid, "timemodified": modified,
            "usermodified": usermodified, "timestart": 0, "timeend": 0, "discussion": d.id, "parent": 0,
            "userid": d.userid, "created": d.created, "modified": d.created, "mailed": 0, "subject": subject,
            "message": purify(d.message), "messageformat": d.messageformat, "messagetrust": 0, "attachment": False,
            "totalscore": 0, "mailnow": 0, "userfullname": author.fullname if author else fullname,
            "usermodifiedfullname": modifier.fullname if modifier else fullname, "userpictureurl": pix,
            "usermodifiedpictureurl": pix, "numreplies": replies[d.id], "numunread": 0, "pinned": d.pinned,
            "locked": False, "starred": False, "canreply": False, "canlock": call.has("moodle/course:manageactivities"),
            "canfavourite": True,
        })
    return {"discussions": out, "warnings": []}


def _author_groups(site: Site, courseid: int, userid: int) -> list[dict[str, Any]]:
    """All the author's groups in the course (not the discussion's), escaped (traps 39, 44)."""
    groups = sorted((g for g in site.groups_of_course(courseid) if userid in g.members), key=lambda g: (g.name, g.id))
    return [{"id": g.id, "name": format_string(g.name), "urls": {"image": None}} for g in groups]


@ws(
    "mod_forum_get_discussion_posts",
    {"discussionid": Int(), "sortby": Alpha(default="created"), "sortdirection": Alpha(default="DESC"),
     "includeinlineattachments": Bool(default=False)},
)
def get_discussion_posts(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Every post of a discussion: ``author.id``, ``timecreated``, ``parentid`` (null for the
    opening post) and ``author.groups`` = all the author's groups in the course (trap 44)."""
    site = call.site
    if p["sortby"] not in ("id", "created", "modified"):
        raise invalid_parameter("Invalid value for sortby parameter (value: " + p["sortby"] + ")")
    if p["sortdirection"].upper() not in ("ASC", "DESC"):
        raise invalid_parameter("Invalid value for sortdirection parameter (value: " + p["sortdirection"] + ")")
    discussion = site.discussions.get(p["discussionid"])
    if discussion is None:
        raise invalid_record("forum_discussions")
    forum = site.forums[discussion.forumid]
    call.course(forum.courseid)
    call.require("mod/forum:viewdiscussion")
    opening = Post(discussion.postid, discussion.id, 0, discussion.userid, discussion.subject, discussion.message,
                   discussion.created, discussion.created, discussion.messageformat)
    posts = [opening, *_replies(site, discussion.id)]
    sortkey = {"id": lambda r: (r.id,), "created": lambda r: (r.created, r.id),
               "modified": lambda r: (r.modified or r.created, r.id)}[p["sortby"]]
    posts.sort(key=sortkey, reverse=p["sortdirection"].upper() == "DESC")
    base = site.siteurl
    discuss = f"{base}/mod/forum/discuss.php?d={discussion.id}"
    out = []
    for post in posts:
        author = site.users.get(post.userid)
        fullname = author.fullname if author else ""
        profile = f"{base}/user/view.php?id={post.userid}&course={forum.courseid}"
        subject = format_string(post.subject)
        out.append({
            "id": post.id, "subject": subject,
            "replysubject": subject if subject.startswith("Re: ") else f"Re: {subject}",
            "message": purify(post.message), "messageformat": post.messageformat,
            "author": {"id": post.userid, "fullname": fullname, "isdeleted": False,
                       "groups": _author_groups(site, forum.courseid, post.userid),
                       "urls": {"profile": profile, "profileimage": f"{base}{PIX}f1"}},
            "discussionid": discussion.id, "hasparent": bool(post.parentid), "parentid": post.parentid or None,
            "timecreated": post.created, "timemodified": post.modified or post.created, "unread": None,
            "isdeleted": False, "isprivatereply": False, "haswordcount": False, "wordcount": None, "charcount": None,
            "capabilities": {"view": True, "edit": False, "delete": False, "split": False, "reply": False,
                             "selfenrol": False, "export": False, "controlreadstatus": False, "canreplyprivately": False},
            "urls": {"view": f"{discuss}#p{post.id}", "viewisolated": f"{discuss}&parent={post.id}",
                     "viewparent": f"{discuss}#p{post.parentid}" if post.parentid else None, "edit": None,
                     "delete": None, "split": None, "reply": None, "export": None, "markasread": None,
                     "markasunread": None, "discuss": discuss},
            "attachments": [], "messageinlinefiles": [], "tags": [],
            "html": {"rating": None, "taglist": None,
                     "authorsubheading": f'by <a href="{profile}">{fullname}</a>'},
        })
    return {
        "posts": out, "forumid": forum.id, "courseid": forum.courseid,
        "ratinginfo": {"contextid": forum.cmid + 80, "component": "mod_forum", "ratingarea": "post",
                       "canviewall": None, "canviewany": None, "scales": [], "ratings": []},
        "warnings": [],
    }
