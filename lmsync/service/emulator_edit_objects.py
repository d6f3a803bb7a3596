"""Rehearsing a lived-in course on the built-in emulator: other people's objects (tester round 130b, 3).

A school's course already holds groups, groupings, forum discussions and grade items that lmsync did not
make, often with names like its own; lmsync must leave every one of them alone. These edits make such
objects in the emulator's saved site as a teacher would on Moodle's own pages (Groups, Groupings, the forum,
Gradebook setup), never through lmsync's web-service client, so the next ``lmsync plan``, ``sync`` or
``grades push`` meets them as it would meet a real course's.

Each function takes the loaded ``Site`` and the programme's course and returns one line saying what it made;
the caller saves the site. Errors are ``InputError`` (exit 3) naming what clashes or was not found.
"""

from __future__ import annotations

import math
from typing import Any

from lmsync.errors import InputError
from lmsync.service.emulator_edit import user_of

TEACHER = 2  # who makes them when the course has no teacher: the site's admin (user 2 on every Moodle)


def group(site: Any, course: Any, name: str, idnumber: str, members: tuple[str, ...], grouping: str | None) -> str:
    """A teacher's group in ``course`` (Groups > Create group), with ``members`` (keys ``user_of`` reads), in the
    course's grouping named ``grouping`` when given. Moodle's form refuses a name or ID number another group of
    the course has (``groups_get_group_by_name``, ``groups_get_group_by_idnumber``): refused alike."""
    from lmsync.moodle.emulator.records import Group
    from lmsync.moodle.text import GROUP_NAME_MAX

    name, idnumber = _cleaned("group", name, GROUP_NAME_MAX), idnumber.strip()
    _unique(site.groups_of_course(course.id), "group", name, idnumber)
    into = _grouping_named(site, course, grouping) if grouping is not None else None
    ids = {user_of(site, who) for who in members}
    outside = sorted(site.users[i].username for i in ids if i not in course.enrolments)
    if outside:  # Moodle adds only the course's participants to its groups
        raise InputError(f"not enrolled in {course.shortname}: {', '.join(outside)}",
                         hint="`lmsync emulator edit join USERNAME` enrols someone first")
    made = Group(site.next_id("groups"), course.id, name, idnumber, "Made by hand (emulator edit)", members=ids)
    site.groups[made.id] = made
    if into is not None:
        into.groupids.append(made.id)
    site.invalidate_group_cache(course.id)
    where = f", in grouping {into.name!r}" if into is not None else ""
    return f"group {name!r} (id {made.id}) made in {course.shortname} with {len(ids)} member(s){where}"


def grouping(site: Any, course: Any, name: str, idnumber: str) -> str:
    """A teacher's grouping in ``course`` (Groups > Groupings > Create grouping), empty; refused when another
    grouping of the course has the name or ID number, as Moodle's form refuses it."""
    from lmsync.moodle.emulator.records import Grouping
    from lmsync.moodle.text import GROUPING_NAME_MAX

    name, idnumber = _cleaned("grouping", name, GROUPING_NAME_MAX), idnumber.strip()
    _unique([g for g in site.groupings.values() if g.courseid == course.id], "grouping", name, idnumber)
    made = Grouping(site.next_id("groupings"), course.id, name, idnumber, "Made by hand (emulator edit)")
    site.groupings[made.id] = made
    site.invalidate_group_cache(course.id)
    return f"grouping {name!r} (id {made.id}) made in {course.shortname}"


def discussion(site: Any, course: Any, forum_name: str, subject: str, message: str, group_name: str | None) -> str:
    """A teacher's discussion in the course's forum ``forum_name`` (its name, or its course-module id), for the
    group ``group_name`` of the course, else for all participants (-1, as Moodle stores it)."""
    from lmsync.moodle.emulator.records import Discussion
    from lmsync.moodle.text import DISCUSSION_SUBJECT_MAX

    subject = _cleaned("discussion subject", subject, DISCUSSION_SUBJECT_MAX)  # required on the forum's form
    forum = _forum_named(site, course, forum_name)
    groupid = -1
    if group_name is not None:
        found = [g for g in site.groups_of_course(course.id) if g.name == group_name]
        if len(found) != 1:
            raise InputError(f"{course.shortname} has {'no' if not found else 'several'} group(s) named {group_name!r}",
                             hint="name one group of the course exactly as Moodle shows it")
        groupid = found[0].id
    author = _teacher(course)
    did = site.next_id("discussions")
    site.discussions[did] = Discussion(id=did, forumid=forum.id, postid=site.next_id("posts"), groupid=groupid,
                                       subject=subject, message=message or f"<p>{subject}</p>", userid=author,
                                       created=site.now())
    whose = f"group {group_name!r}" if group_name is not None else "all participants"
    return f"discussion {subject!r} (id {did}) started in forum {forum.name!r} for {whose}"


def grade_item(site: Any, course: Any, name: str, grademax: float, grades: dict[str, float]) -> str:
    """A teacher's manual grade item in ``course``'s gradebook (Gradebook setup > Add grade item) with ``grades``
    (``user_of`` key -> grade, each within 0..``grademax``). Moodle lets two items share a name: so does this."""
    from lmsync.moodle.emulator.records import Grade, GradeItem

    if not name.strip():
        raise InputError("a grade item needs a name")
    if not math.isfinite(grademax) or grademax <= 0:  # NaN made the site file no JSON (tester round 132a, 2)
        raise InputError(f"--max {grademax:g} is not a maximum grade", hint="give a number above 0, such as 100")
    values: dict[int, float] = {}
    for who, value in grades.items():
        if not math.isfinite(value):
            raise InputError(f"grade {value:g} for {who} is not a number", hint="give a grade such as 70")
        if not 0 <= value <= grademax:
            raise InputError(f"grade {value:g} for {who} is outside 0..{grademax:g}", hint="give --max to raise the range")
        uid = user_of(site, who)
        if uid not in course.enrolments:  # the gradebook grades the course's participants only (132a, 2)
            raise InputError(f"{who} is not enrolled in {course.shortname}",
                             hint="`lmsync emulator edit join USERNAME` enrols someone first")
        values[uid] = value
    item = GradeItem(id=site.next_id("grade_items"), courseid=course.id, itemtype="manual", itemname=name, idnumber="",
                     grademax=grademax)
    now = site.now()
    item.grades = {uid: Grade(rawgrade=None, finalgrade=value, timemodified=now)
                   for uid, value in values.items()}
    site.grade_items[item.id] = item
    return f"grade item {name!r} (id {item.id}, manual) made in {course.shortname}'s gradebook with {len(values)} grade(s)"


def _cleaned(kind: str, name: str, longest: int) -> str:
    """``name`` as Moodle's form stores it (trimmed), or ``InputError`` for what the form refuses: nothing, a tag
    (``PARAM_TEXT``, trap 38), more characters than its column holds (tester round 132a, 2)."""
    from lmsync.moodle.text import name_problem

    if not name.strip():
        raise InputError(f"a {kind} needs a name" if "subject" not in kind else f"a {kind} is required")
    if (problem := name_problem(name, longest)) is not None:
        raise InputError(f"{kind} {name.strip()[:60]!r}: {problem}")
    return name.strip()


def _unique(existing: list[Any], kind: str, name: str, idnumber: str) -> None:
    if any(g.name.strip() == name for g in existing):
        raise InputError(f"another {kind} of the course is named {name!r}: Moodle refuses a second one",
                         hint="give another name")
    if idnumber and any(g.idnumber.strip() == idnumber for g in existing):
        raise InputError(f"another {kind} of the course has the ID number {idnumber!r}: Moodle refuses a second one",
                         hint="give another --idnumber, or none")


def _grouping_named(site: Any, course: Any, name: str) -> Any:
    found = [g for g in site.groupings.values() if g.courseid == course.id and g.name == name]
    if len(found) != 1:
        raise InputError(f"{course.shortname} has {'no' if not found else 'several'} grouping(s) named {name!r}",
                         hint="`lmsync emulator edit grouping NAME` makes one first")
    return found[0]


def _forum_named(site: Any, course: Any, name: str) -> Any:
    forums = [f for f in site.forums.values() if f.courseid == course.id]
    found = [f for f in forums if f.name == name or str(f.cmid) == name.strip()]
    if len(found) != 1:
        names = ", ".join(repr(f.name) for f in forums) or "none"
        raise InputError(f"{course.shortname} has {'no' if not found else 'several'} forum(s) named {name!r}",
                         hint=f"its forums: {names}")
    return found[0]


def _teacher(course: Any) -> int:
    teachers = sorted(uid for uid, e in course.enrolments.items() if e.role in ("editingteacher", "teacher"))
    return teachers[0] if teachers else TEACHER
