"""Ready-made sites: the demo (MENTOR-2026 before lmsync ran), a scaled one for benchmarks, and
one seeded from the recordings' ``site.json`` for contract tests; :func:`seed_lived_in` adds
another programme's objects with the second series' awkward names to any of them (and
:mod:`.series2` replays the second series' set-up exactly).

Ids follow the recording site so the recorded exchanges and the demo line up: course 2, students
from user id 3, mentors after them, forum "Mentoring circles" = instance 3 / cm 3, assignment 1 /
cm 5, feedback 1 / cm 6. Names and profile values are generated (seeded) for the demo; the
recording seed copies them from ``site.json``.
"""

from __future__ import annotations

import html
import random
from typing import Any

from lmsync.moodle.emulator import records
from lmsync.moodle.emulator.state import Site

DEMO_TOKEN = "lmsync-emulator-token"  # not a secret: the emulator's own, published token
LIMITED_TOKEN = "lmsync-emulator-limited"  # a role without moodle/course:managegroups
SUSPENDED_TOKEN = "lmsync-emulator-suspended"  # a token whose user account is suspended

# The lmsync external service as recorded (tests/contract/recordings/service.json, 40 functions
# since the second series; issue 10 point 8). Not core_courseformat_create_module (unusable,
# trap 35) nor core_group_get_groups (added to the lab site for one recording only).
SERVICE_FUNCTIONS = (
    "core_webservice_get_site_info", "core_course_get_courses_by_field", "core_enrol_get_enrolled_users",
    "core_user_get_users_by_field", "core_cohort_get_cohorts", "core_cohort_search_cohorts",
    "core_cohort_get_cohort_members", "core_group_create_groupings", "core_group_get_course_groupings",
    "core_group_get_groupings", "core_group_update_groupings", "core_group_delete_groupings",
    "core_group_create_groups", "core_group_get_course_groups", "core_group_update_groups",
    "core_group_delete_groups", "core_group_assign_grouping", "core_group_unassign_grouping",
    "core_group_add_group_members", "core_group_get_group_members", "core_group_delete_group_members",
    "mod_forum_get_forums_by_courses", "mod_forum_add_discussion", "mod_forum_get_forum_discussions",
    "mod_feedback_get_feedbacks_by_courses", "mod_feedback_get_items", "mod_feedback_get_responses_analysis",
    "mod_feedback_get_analysis", "mod_feedback_get_non_respondents", "core_grades_update_grades",
    "gradereport_user_get_grade_items", "core_grades_get_gradeitems", "mod_assign_get_assignments",
    "mod_assign_save_grades", "mod_assign_get_grades", "core_message_send_instant_messages",
    "core_calendar_create_calendar_events", "core_role_assign_roles", "mod_forum_get_discussion_posts",
    "core_calendar_get_calendar_events",
)
SERVICE_CAPABILITIES = (
    "webservice/rest:use", "moodle/course:view", "moodle/user:viewdetails", "moodle/user:viewalldetails",
    "moodle/site:viewuseridentity", "moodle/site:accessallgroups", "moodle/course:enrolreview",
    "moodle/cohort:view", "moodle/course:managegroups", "mod/forum:viewdiscussion", "mod/forum:startdiscussion",
    "mod/feedback:view", "mod/feedback:viewreports", "moodle/grade:edit", "moodle/grade:manage",
    "moodle/grade:hide", "moodle/grade:viewall", "gradereport/user:view", "mod/assign:view", "mod/assign:grade",
    "moodle/site:sendmessage", "moodle/site:messageanyuser", "moodle/calendar:manageentries", "moodle/role:assign",
)

FIRST_NAMES = [
    "Amira", "Aoife", "Ben", "Bilal", "Camille", "Chloe", "Daniel", "Dmitri", "Elif", "Esther", "Farid", "Finn",
    "Gabriela", "Grace", "Hamza", "Hiroshi", "Ifeoma", "Isla", "Jakob", "Jonah", "Kavya", "Liam", "Maya", "Nikhil",
    "Olivia", "Pedro", "Qing", "Rania", "Samuel", "Tara", "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zara",
]
LAST_NAMES = [
    "Ahmed", "Brown", "Chen", "Dubois", "Evans", "Fernandes", "Garcia", "Haddad", "Ibrahim", "Johnson", "Kim",
    "Kowalski", "Lopez", "Mensah", "Müller", "Nguyen", "O'Connor", "Okafor", "Patel", "Quinn", "Rossi", "Santos",
    "Singh", "Takahashi", "Usman", "Van Dijk", "Williams", "Xu", "Yilmaz", "Zhang",
]
DEPARTMENTS = ["Anatomy", "Medicine", "Surgery", "Paediatrics", "Psychiatry", "Community Medicine"]
TOPICS = [
    "Emergency medicine", "Oncology", "Medical ethics", "Surgical skills", "Neurology", "Mental health",
    "AI in medicine", "Sports medicine", "Medical education", "Cardiology", "Global health", "Research methods",
    "Public health", "Rural practice", "Child health",
]
LANGUAGES = ["German", "Swahili", "Hindi", "Spanish", "Arabic", "Urdu", "Mandarin", "Portuguese", "French"]

COHORT_TEXT = {
    "peer-mentors-2026": ("Peer mentors 2026", "Senior students (years 4-6) who mentor juniors."),
    "mentees-2026": ("Mentees 2026", "Students taking part as mentees."),
    "faculty-mentors-2026": ("Faculty mentors 2026", "Staff mentors."),
}
CHECKIN_ITEMS = [
    records.FeedbackItem(1, "How satisfied are you with your mentoring relationship?", "satisfaction", "multichoicerated",
                 "r>>>>>1####Very dissatisfied|2####Dissatisfied|3####Neutral|4####Satisfied|5####Very satisfied", True, 1),
    records.FeedbackItem(2, "I feel confident planning my own learning goals.", "selfefficacy_goals", "multichoicerated",
                 "r>>>>>1####Strongly disagree|2####Disagree|3####Neither agree nor disagree|4####Agree|5####Strongly agree", False, 2),
    records.FeedbackItem(3, "I know whom to ask when I am stuck.", "selfefficacy_help", "multichoicerated",
                 "r>>>>>1####Strongly disagree|2####Disagree|3####Neither agree nor disagree|4####Agree|5####Strongly agree", False, 3),
    records.FeedbackItem(4, "Meeting length in minutes", "meeting_minutes", "numeric", "0|240", False, 4),
    records.FeedbackItem(5, "Anything you would like to tell the programme team?", "comments", "textarea", "40|20", False, 5),
]
MEETING_LOG_ITEMS = [
    records.FeedbackItem(6, "Date of the meeting (YYYY-MM-DD)", "meeting_date", "textfield", "10|10", True, 1),
    records.FeedbackItem(7, "Meeting length in minutes", "meeting_minutes", "numeric", "0|240", True, 2),
    records.FeedbackItem(8, "How did you meet?", "meeting_mode", "multichoice", "r>>>>>In person|Video call|Phone", False, 3),
    records.FeedbackItem(9, "Notes (optional)", "notes", "textarea", "40|5", False, 4),
]
# The six recorded check-in answers (student user id -> satisfaction, goals, help, minutes, comment).
CHECKIN_ANSWERS = [
    (3, ["5", "4", "4", "45", "Great start, we meet every two weeks."]),
    (4, ["4", "3", "4", "30", ""]),
    (5, ["2", "2", "3", "10", "We only managed one short meeting; hi-how-are-you-bye."]),
    (9, ["5", "5", "5", "60", "My mentor helped me plan my elective."]),
    (10, ["3", "4", "2", "20", "Hard to find a time that suits both of us."]),
    (15, ["1", "2", "2", "0", "We have not met yet."]),
]
PEER_NUMBERS = (4, 6, 10, 12, 16, 18, 22, 24)  # s0004, s0006, ... (years 4 and 6)
RECORDED_TIME = 1795598973


def _token(userid: int, capabilities: tuple[str, ...] = SERVICE_CAPABILITIES, extra: tuple[str, ...] = ()) -> records.TokenInfo:
    return records.TokenInfo(userid=userid, service_functions=set(SERVICE_FUNCTIONS) | set(extra), capabilities=set(capabilities))


def _integration_user(uid: int, username: str = "lmsync_ws") -> records.User:
    return records.User(id=uid, username=username, firstname="lmsync", lastname="Integration",
                email=f"{username}@example.org", idnumber=username)


def _course(site: Site, cid: int, shortname: str, fullname: str, summary: str) -> records.Course:
    course = records.Course(id=cid, shortname=shortname, fullname=fullname, idnumber=shortname, summary=summary)
    site.courses[cid] = course
    total = records.GradeItem(id=len(site.grade_items) + 1, courseid=cid, itemtype="course", itemmodule=None,
                      iteminstance=cid, itemnumber=None, cmid=None, itemname=None, idnumber=None)
    site.grade_items[total.id] = total
    return course


def _programme_activities(site: Site, course: records.Course, with_meeting_log: bool) -> None:
    """The activities an admin creates for the programme (no REST function can create them)."""
    site.forums[1] = records.Forum(1, 1, course.id, "Announcements", "news", "General news and announcements", 0, forcesubscribe=1)
    site.forums[3] = records.Forum(3, 3, course.id, "Mentoring circles", "general", "One private discussion space per mentoring circle.", 1)
    site.forums[4] = records.Forum(4, 4, course.id, "Programme notices", "general", "Whole-programme discussions (no groups).", 0)
    site.assignments[1] = records.Assignment(1, 5, course.id, "Mentoring attendance", 100, "Attendance at mentoring meetings (graded by lmsync).")
    item = records.GradeItem(id=max(site.grade_items) + 1, courseid=course.id, itemtype="mod", itemmodule="assign",
                     iteminstance=1, itemnumber=0, cmid=5, itemname="Mentoring attendance", idnumber="")
    site.grade_items[item.id] = item
    checkin = records.Feedback(1, 6, course.id, "Relationship check-in", "Monthly check-in on your mentoring relationship.", 2,
                       [records.FeedbackItem(**vars(i)) for i in CHECKIN_ITEMS])
    for number, (uid, values) in enumerate(CHECKIN_ANSWERS, start=1):
        if uid in course.enrolments:
            checkin.completeds.append(records.FeedbackCompleted(number, uid, RECORDED_TIME, {i + 1: v for i, v in enumerate(values)}))
    site.feedbacks[1] = checkin
    if with_meeting_log:
        site.feedbacks[2] = records.Feedback(2, 8, course.id, "Meeting log", "Log each mentoring meeting here.", 2,
                                     [records.FeedbackItem(**vars(i)) for i in MEETING_LOG_ITEMS])


def _person(rng: random.Random, uid: int, username: str) -> records.User:
    return records.User(id=uid, username=username, firstname=rng.choice(FIRST_NAMES), lastname=rng.choice(LAST_NAMES),
                email=f"{username}@example.org", idnumber=username, lastaccess=RECORDED_TIME if rng.random() < 0.7 else 0)


def _interests(rng: random.Random) -> str:
    return ", ".join(rng.sample(TOPICS, rng.randint(2, 5)))


def _languages(rng: random.Random) -> str:
    return ", ".join(["English", *rng.sample(LANGUAGES, rng.choice((0, 1, 1, 2)))])


def _populate(site: Site, course: records.Course, rng: random.Random, students: int, mentors: int,
              peers: tuple[int, ...], inactive: tuple[int, int]) -> tuple[list[int], list[int], list[int]]:
    """Students s0001.. (ids from 3), then ``inactive`` extra students (suspended, ended), then mentors."""
    now = site.now()
    student_ids: list[int] = []
    peer_ids: list[int] = []
    mentor_ids: list[int] = []
    total_students = students + sum(inactive)
    for number in range(1, total_students + 1):
        uid = number + 2
        user = _person(rng, uid, f"s{number:04d}")
        year = (number - 1) % 6 + 1
        user.customfields = {"department": rng.choice(DEPARTMENTS), "interests": _interests(rng),
                             "yearofstudy": str(year), "languages": _languages(rng)}
        if number in peers:
            user.customfields["mentorcapacity"] = rng.choice(("1", "2"))
        site.users[uid] = user
        enrolment = records.Enrolment("student")
        if number > students:
            if number <= students + inactive[0]:
                enrolment.suspended = True
            else:
                enrolment.timeend = now - 30 * 86400
        course.enrolments[uid] = enrolment
        if number <= students:
            (peer_ids if number in peers else student_ids).append(uid)
    for number in range(1, mentors + 1):
        uid = total_students + 2 + number
        user = _person(rng, uid, f"m{number:04d}")
        user.customfields = {"department": DEPARTMENTS[(number - 1) % len(DEPARTMENTS)], "interests": _interests(rng),
                             "mentorcapacity": str(8 - (number - 1) % 6), "languages": _languages(rng)}
        user.institution = "Springfield Medical School"
        site.users[uid] = user
        course.enrolments[uid] = records.Enrolment("teacher")
        mentor_ids.append(uid)
    return student_ids, peer_ids, mentor_ids


def _cohorts(site: Site, peers: list[int], mentees: list[int], mentors: list[int]) -> None:
    for cid, (idnumber, members) in enumerate(
        (("peer-mentors-2026", peers), ("mentees-2026", mentees), ("faculty-mentors-2026", mentors)), start=1
    ):
        name, description = COHORT_TEXT[idnumber]
        site.cohorts[cid] = records.Cohort(cid, idnumber, name, description, list(members))


def build_demo_site(seed: int = 2026) -> Site:
    """MENTOR-2026 as the recording site looked before lmsync ran: people, cohorts, activities, no groups.

    60 active students (8 of them peer mentors in years 4 and 6), 2 suspended and 1 ended
    enrolment, 12 faculty mentors (role teacher), six check-in answers, and ``DEMO_TOKEN`` with
    every function and capability of the lmsync service.
    """
    rng = random.Random(seed)
    site = Site(sitename="lmsync demo medical school")
    course = _course(site, 2, "MENTOR-2026", "Mentoring programme 2026",
                     "<p>Mentoring programme for medical students, 2026 intake.</p>")
    mentees, peers, mentors = _populate(site, course, rng, 60, 12, PEER_NUMBERS, (2, 1))
    for uid in (61, 60):  # like s0059 / s0058 on the recording site: no or little profile data
        site.users[uid].customfields = {"department": site.users[uid].customfields["department"]} if uid == 60 else {}
    _cohorts(site, peers, mentees, mentors)
    _programme_activities(site, course, with_meeting_log=True)
    ws_id = max(site.users) + 1
    site.users[ws_id] = _integration_user(ws_id)
    site.tokens[DEMO_TOKEN] = _token(ws_id)
    return site


def build_scaled_site(mentees: int, mentors: int, seed: int = 1) -> Site:
    """A big MENTOR-2026 for benchmarks: ``mentees`` active students and ``mentors`` teachers."""
    rng = random.Random(seed)
    site = Site(sitename="lmsync benchmark school")
    course = _course(site, 2, "MENTOR-2026", "Mentoring programme 2026", "<p>Scaled benchmark programme.</p>")
    students, _, mentor_ids = _populate(site, course, rng, mentees, mentors, (), (0, 0))
    _cohorts(site, [], students, mentor_ids)
    _programme_activities(site, course, with_meeting_log=True)
    ws_id = max(site.users) + 1
    site.users[ws_id] = _integration_user(ws_id)
    site.tokens[DEMO_TOKEN] = _token(ws_id)
    return site


def site_from_recording(site_json: dict[str, Any]) -> Site:
    """The recording site as the recordings leave it (tests/contract/recordings/site.json), plus
    MENTOR-LOAD (course 3, 2,700 load users, groups 18 and 19), the grade items, discussions and
    assignment grades the recordings created, and three tokens: ``DEMO_TOKEN`` (lmsync_ws, user
    2778, with core_courseformat_create_module too), ``LIMITED_TOKEN`` (no managegroups) and
    ``SUSPENDED_TOKEN`` (suspended user)."""
    site = Site(sitename="Test Medical School", siteurl="http://127.0.0.1:8080")
    meta = site_json["course"]
    course = _course(site, meta["id"], meta["shortname"], meta["fullname"],
                     "<p>Mentoring programme for medical students, 2026 intake.</p>")
    course.format, course.groupmode = meta.get("format", "topics"), meta.get("groupmode", 0)
    for entry in site_json["users"]:
        user = records.User(id=entry["id"], username=entry["username"], firstname=entry["firstname"], lastname=entry["lastname"],
                    email=entry["email"], idnumber=entry["idnumber"], customfields=dict(entry.get("customfields", {})),
                    lastaccess=RECORDED_TIME,
                    institution="Springfield Medical School" if "teacher" in entry["roles"] else "")
        site.users[user.id] = user
        course.enrolments[user.id] = records.Enrolment(entry["roles"][0] if entry["roles"] else "student",
                                               suspended=not entry["active_enrolment"])
    for entry in site_json["cohorts"]:
        name, description = COHORT_TEXT.get(entry["idnumber"], (entry["name"], ""))
        site.cohorts[entry["id"]] = records.Cohort(entry["id"], entry["idnumber"], entry["name"], description, list(entry["userids"]))
    _programme_activities(site, course, with_meeting_log=False)
    load = _course(site, 3, "MENTOR-LOAD", "Mentoring programme load test (large cohort)", "<p>Load test.</p>")
    rng = random.Random(78)
    for number in range(1, 2701):
        uid = 77 + number
        site.users[uid] = _person(rng, uid, f"l{number:05d}")
        load.enrolments[uid] = records.Enrolment("student")
    for uid, name in ((2778, "lmsync_ws"), (2779, "lmsync_limited"), (2780, "lmsync_suspended")):
        site.users[uid] = _integration_user(uid, name)
    site.users[2780].suspended = True
    site.forums[5] = records.Forum(5, 7, load.id, "Load circles", "general", "Load-test forum.", 1)
    for entry in site_json["forums"]:
        site.forums[entry["id"]].name = entry["name"]
    mentors = {u.id: u for u in site.users.values() if u.username.startswith("m0")}
    for entry in site_json["groups"]:
        mentor = mentors.get(int(entry["idnumber"].rsplit(":", 1)[-1])) if entry["idnumber"] else None
        suffix = " - meets Tuesdays" if entry["id"] == 1 else ""
        description = f"Mentoring circle of {html.escape(mentor.fullname)}{suffix} (managed by lmsync)" if mentor else ""
        site.groups[entry["id"]] = records.Group(entry["id"], course.id, entry["name"], entry["idnumber"], description,
                                         members=set(entry["userids"]))
    site.groups[18] = records.Group(18, load.id, "Load: big circle", "lmsync:load:big", members=set(range(78, 2578)))
    site.groups[19] = records.Group(19, load.id, "Load: other course circle", "lmsync:load:other")
    for entry in site_json["groupings"]:
        site.groupings[entry["id"]] = records.Grouping(entry["id"], course.id, entry["name"], entry["idnumber"],
                                               "<p>Managed by lmsync (12 circles). Do not edit by hand.</p>",
                                               groupids=list(entry["groupids"]))
    for did, forumid, groupid, subject in (
        (1, 3, 1, "Welcome to your mentoring circle"), (2, 3, 2, "Welcome to your mentoring circle"),
        (3, 3, 19, "Wrong group"), (4, 3, -1, "For all circles"), (5, 3, 0, "No group given"),
        (6, 4, -1, "Notice with a group id"),
    ):
        site.discussions[did] = records.Discussion(did, forumid, did, groupid, subject, "<p>Recorded discussion.</p>", 2778, 1795599286)
    _recorded_grades(site)
    site.tokens[DEMO_TOKEN] = _token(2778, extra=("core_courseformat_create_module",))
    limited = tuple(c for c in SERVICE_CAPABILITIES if c != "moodle/course:managegroups")
    site.tokens[LIMITED_TOKEN] = _token(2779, limited, extra=("core_courseformat_create_module",))
    site.tokens[SUSPENDED_TOKEN] = _token(2780)
    site.counters.update({"groups": 19, "groupings": 4, "discussions": 6, "posts": 6, "events": 3, "messages": 34,
                          "grade_items": 7, "assign_grades": 7})
    return site


def _recorded_grades(site: Site) -> None:
    t = 1795599341
    items: dict[int, tuple[str, str, float, int, dict[int, float]]] = {
        4: ("lmsync_attendance", "20261000", 100.0, 1000, {3: 90, 4: 65.5, 5: 40, 9: 100, 78: 50, 999999: 50, 10: 70}),
        5: ("lmsync_satisfaction-avg", "20261001", 5.0, 1001, {3: 5, 4: 4, 5: 7}),
        6: ("lmsync_dup", "20261000", 10.0, 1002, {3: 1}),
    }
    for iid, (name, idnumber, grademax, itemnumber, grades) in items.items():
        item = records.GradeItem(iid, 2, "mod", "forum", 3, itemnumber, 3, name, idnumber, grademax)
        item.grades = {uid: records.Grade(float(g), min(float(g), grademax), t) for uid, g in grades.items()}
        site.grade_items[iid] = item
    load_item = records.GradeItem(7, 3, "mod", "forum", 5, 1000, 7, None, "")
    load_item.grades = {uid: records.Grade(float(uid), min(float(uid), 100.0), t) for uid in range(78, 2576)}
    site.grade_items[7] = load_item
    assign = site.assignments[1]
    for gid, (uid, grade, grader) in enumerate(
        ((3, 75, 2778), (4, 100, 2778), (5, 25, 2778), (9, 50, 2778), (999999, 50, 2778), (78, 50, 2778), (10, -1, -1)), start=1
    ):
        assign.grades[uid] = records.AssignGrade(gid, uid, float(grade), grader, 1795599380, 1795599380)


# Names of the second series (traps 38-40), for a site that already holds another programme.
LIVED_IN_FORUM = "Mentors & mentees"
LIVED_IN_GROUPS = ("Peer support & wellbeing", 'Dr O\'Neil\'s "drop-in" group', "Years 3 < 4 > 2 revision", "Anatomy &amp; co")
LIVED_IN_GROUPING = "Tutor groups & friends 2026"


def seed_lived_in(site: Site) -> dict[str, Any]:
    """Make ``site`` look lived-in, with the names the second series recorded (traps 38-40).

    Adds to course 2, beside whatever lmsync will create:

    - a forum named ``Mentors & mentees`` (separate groups, new instance id and cmid), which
      Moodle lists as ``Mentors &amp; mentees``; a programme configured with that forum name must
      still find it (trap 39). records.Forum posts are purified on the way out, as always (trap 40);
    - four groups that are **not** lmsync's (idnumbers ``other:lived-in:1..4``) whose names hold
      ``&``, quotes, a bare ``< >`` and a literal ``&amp;`` (the first and last read back alike),
      each with two of the course's students;
    - a grouping ``Tutor groups & friends 2026`` (idnumber ``other:lived-in``) holding them.

    Works on the demo site and on ``site_from_recording``; returns the ids created:
    ``{"forum": id, "cmid": id, "groups": [ids], "grouping": id}``.
    """
    course = site.courses[2]
    used_cmids = [f.cmid for f in site.forums.values()] + [a.cmid for a in site.assignments.values()]
    used_cmids += [f.cmid for f in site.feedbacks.values()]
    forum = records.Forum(max(site.forums, default=0) + 1, max(used_cmids, default=0) + 1, course.id, LIVED_IN_FORUM, "general",
                  "Another programme's forum, with an ampersand in its name.", 1)
    site.forums[forum.id] = forum
    students = sorted(uid for uid, e in course.enrolments.items() if e.role == "student")
    groups = []
    for number, name in enumerate(LIVED_IN_GROUPS, start=1):
        group = records.Group(site.next_id("groups"), course.id, name, f"other:lived-in:{number}", "Not managed by lmsync",
                      members=set(students[2 * number : 2 * number + 2]))
        site.groups[group.id] = group
        groups.append(group.id)
    grouping = records.Grouping(site.next_id("groupings"), course.id, LIVED_IN_GROUPING, "other:lived-in",
                        "Another programme's grouping", groupids=list(groups))
    site.groupings[grouping.id] = grouping
    site.invalidate_group_cache(course.id)
    return {"forum": forum.id, "cmid": forum.cmid, "groups": groups, "grouping": grouping.id}
