"""The second series' set-up (shared/moodle README, "Second series"), step by step.

The lab site got these objects from PHP CLI scripts using Moodle's own APIs (and a few lmsync
REST calls), in this order, on top of the state ``site_from_recording`` builds. Each step is a
function ``step(site, now)``; :func:`seed_second_series` runs them in order, optionally stopping
before a step so a recorded write can be replayed on the state it was made on.

Ids are the recording's: group 20 (token in the body), forum 6 / cm 8 "Mentors & mentees",
groups 21-24 and grouping 5 (names with ``&``, quotes, ``< >``), discussion 7, suspended
accounts s0009 (11) and m0003 (68), s0005 (7) also teacher, Feedback item 6 (rated best
first) with attempts 7-9, replies 8 and 9 in discussion 1, calendar events 4 and 5.
``now`` defaults to the recording day (2026-11-30), so the calendar events fall in the
recorded request ranges; pass ``site.now()`` to seed relative to today.
"""

from __future__ import annotations

from collections.abc import Callable

from lmsync.moodle.emulator.state import (
    Discussion,
    FeedbackCompleted,
    FeedbackItem,
    Forum,
    Group,
    Grouping,
    Post,
    Site,
)

SERIES2_TIME = 1796029757  # 2026-11-30 09:09:17 UTC, the second series' recording time
DAY = 86400
WELCOME_MESSAGE = (
    "<p>Welcome.</p>\n<!-- lmsync:test:welcome -->\n"
    '<p data-lmsync="welcome-1" id="lmsync-w1" class="lmsync-welcome">Marker paragraph</p>\n'
    "<script>alert(1)</script>\n[lmsync:test:welcome]"
)
GROUP_NAMES = {  # stored byte for byte (trap 38): 21 and 24 read back identically (trap 39)
    21: "Circle & co: Dr O'Neil",
    22: "Circle 3 < 4 > 2",
    23: 'Circle "quoted" bold',
    24: "Circle &amp; co: Dr O'Neil",
}
RATED_BEST_FIRST = FeedbackItem(
    6, "Overall, how satisfied are you with your mentor? (best first)", "satisfaction_best_first", "multichoicerated",
    "r>>>>>5####Very satisfied|4####Satisfied|3####Neutral|2####Dissatisfied|1####Very dissatisfied", False, 6,
)
# attempt id, user id, answers to items 1-6 (item 6 as the stored 1-based POSITION, trap 43)
RATED_ATTEMPTS = (
    (7, 16, ("4", "4", "3", "40", "Good so far.", "1")),  # s0014: Very satisfied
    (8, 21, ("3", "3", "3", "25", "", "3")),  # s0019: Neutral
    (9, 23, ("1", "2", "1", "0", "No meeting yet.", "5")),  # s0021: Very dissatisfied
)


def _bump(site: Site, kind: str, value: int) -> None:
    site.counters[kind] = max(site.counters.get(kind, 0), value)


def group_20(site: Site, now: int) -> None:
    """1. Token in the body: one group created over REST."""
    site.groups[20] = Group(20, 2, "Circle: Token In Body", "lmsync:series2:plain",
                            "Created with the token in the POST body (series 2)")
    _bump(site, "groups", 20)


def forum_6(site: Site, now: int) -> None:
    """2a. Forum 6 / cm 8 "Mentors & mentees", separate groups (``create_module()``)."""
    site.forums[6] = Forum(6, 8, 2, "Mentors & mentees", "general",
                           "Forum of the second recording series (name with an ampersand).", 1, timemodified=now)


def groups_21_24(site: Site, now: int) -> None:
    """2b. Groups 21-24 with ``&``, ``'``, ``"``, ``< >`` and a literal ``&amp;`` in their names."""
    for gid, name in GROUP_NAMES.items():
        site.groups[gid] = Group(gid, 2, name, f"lmsync:series2:names:{gid - 20}", f"Series 2 name test {gid - 20}")
    _bump(site, "groups", 24)
    site.invalidate_group_cache(2)


def grouping_5(site: Site, now: int) -> None:
    """2c. Grouping 5 "Circles & friends 2026"."""
    site.groupings[5] = Grouping(5, 2, "Circles & friends 2026", "lmsync:series2:grouping", "Series 2 name test")
    _bump(site, "groupings", 5)


def grouping_5_links(site: Site, now: int) -> None:
    """2d. Groups 21-23 into grouping 5."""
    site.groupings[5].groupids = [21, 22, 23]


def members_21_23(site: Site, now: int) -> None:
    """2e. s0001 (3) into groups 21-23, m0004 (69) into 21."""
    for gid in (21, 22, 23):
        site.groups[gid].members.add(3)
    site.groups[21].members.add(69)


def discussion_7(site: Site, now: int) -> None:
    """3. Discussion 7 (first post 7) in forum 6 for group 21; message stored as sent (trap 40)."""
    site.discussions[7] = Discussion(7, 6, 7, 21, "Welcome & first steps", WELCOME_MESSAGE, 2778, now)
    _bump(site, "discussions", 7)
    _bump(site, "posts", 7)


def suspended_accounts(site: Site, now: int) -> None:
    """4. The ACCOUNTS of s0009 (11) and m0003 (68) suspended, enrolments left active (trap 41)."""
    for uid in (11, 68):
        site.users[uid].suspended = True


def two_roles(site: Site, now: int) -> None:
    """5. s0005 (7) also given the role teacher in MENTOR-2026 (trap 42)."""
    site.add_course_role(2, 7, "teacher")


def rated_best_first(site: Site, now: int) -> None:
    """6. Feedback item 6 (values 5..1, best first) and attempts 7-9 (trap 43)."""
    feedback = site.feedbacks[1]
    feedback.items.append(FeedbackItem(**vars(RATED_BEST_FIRST)))
    for cid, uid, answers in RATED_ATTEMPTS:
        feedback.completeds.append(FeedbackCompleted(cid, uid, now, {i + 1: v for i, v in enumerate(answers)}))


def circle_replies(site: Site, now: int) -> None:
    """7. Discussion 1: opening post 10 days ago, replies by s0001 (6 days) and m0001 (2 days) (trap 44)."""
    discussion = site.discussions[1]
    discussion.created = now - 10 * DAY
    discussion.message = "<p>Hello everyone, this is the private space of your circle. Introduce yourselves!</p>"
    subject = f"Re: {discussion.subject}"
    site.posts[8] = Post(8, 1, discussion.postid, 3, subject,
                         "<p>Hi all, I am Hamza (year 1). Tuesdays after 4 pm work for me.</p>", now - 6 * DAY, now - 6 * DAY)
    site.posts[9] = Post(9, 1, discussion.postid, 66, subject,
                         "<p>Welcome all. Tuesday at 4.30 pm in the library it is.</p>", now - 2 * DAY, now - 2 * DAY)
    _bump(site, "posts", 9)


def calendar_events(site: Site, now: int) -> None:
    """8. Course event 4 (midnight UTC 14 days ahead, 5 days) and site event 5 (21 days ahead, 7 days)."""
    midnight = now - now % DAY
    common = {"format": 1, "categoryid": 0, "groupid": 0, "userid": 2, "repeatid": 0, "modulename": "",
              "instance": 0, "visible": 1, "uuid": "", "sequence": 1, "timemodified": now, "subscriptionid": None}
    site.events.append(common | {"id": 4, "name": "Exam block: Anatomy finals", "eventtype": "course", "courseid": 2,
                                 "description": "<p>No circle meetings during the exam block.</p>",
                                 "timestart": midnight + 14 * DAY, "timeduration": 5 * DAY})
    site.events.append(common | {"id": 5, "name": "Reading week & open day", "eventtype": "site", "courseid": 1,
                                 "description": "<p>No teaching.</p>",
                                 "timestart": midnight + 21 * DAY, "timeduration": 7 * DAY})
    _bump(site, "events", 5)


STEPS: tuple[tuple[str, Callable[[Site, int], None]], ...] = (
    ("group_20", group_20),
    ("forum_6", forum_6),
    ("groups_21_24", groups_21_24),
    ("grouping_5", grouping_5),
    ("grouping_5_links", grouping_5_links),
    ("members_21_23", members_21_23),
    ("discussion_7", discussion_7),
    ("suspended_accounts", suspended_accounts),
    ("two_roles", two_roles),
    ("rated_best_first", rated_best_first),
    ("circle_replies", circle_replies),
    ("calendar_events", calendar_events),
)


def seed_second_series(site: Site, now: int = SERIES2_TIME, before: str | None = None) -> Site:
    """Run the steps in order on a ``site_from_recording`` site; stop before step ``before``.

    Raises ``KeyError`` for an unknown step name. Returns ``site`` for chaining.
    """
    names = [name for name, _ in STEPS]
    if before is not None and before not in names:
        raise KeyError(before)
    for name, step in STEPS:
        if name == before:
            break
        step(site, now)
    return site
