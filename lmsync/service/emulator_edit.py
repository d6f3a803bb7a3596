"""Rehearsing a term on the built-in emulator: the changes a real course sees (tester round 10, 0).

An admin trying lmsync before pointing it at a real Moodle needs to see what it does when people
change: an enrolment suspended and restored, a profile field edited (a mentor's capacity), a new
mentor joining, a mentee moved between circles or taken out by hand. These edit the emulator's
saved site as Moodle's own pages would, never through lmsync's web-service client, so the next
``lmsync plan`` or ``lmsync run`` meets them as it would meet a teacher's edits.

Each function takes the loaded ``Site`` and returns one line saying what changed; the caller
saves the site. Errors are ``InputError`` (exit 3) naming what was not found.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.errors import InputError
from lmsync.service.person_keys import moodle_id


def course_of(site: Any, shortname: str) -> Any:
    """The site's course with ``shortname`` (the programme's ``[programme] course``)."""
    for course in site.courses.values():
        if course.shortname == shortname:
            return course
    raise InputError(f"the emulated site has no course {shortname!r}",
                     hint="see [programme] course in lmsync.toml (the demo's is MENTOR-2026)")


def user_of(site: Any, who: str) -> int:
    """A user's id from a username, idnumber, email (any case) or ``id:N``."""
    key = who.strip()
    named_id = key.lower().startswith("id:")
    number = moodle_id(key[3:] if named_id else key)  # ASCII digits within 64 bits (tester round 122b, 4-5)
    if named_id and number is not None and number in site.users:
        return number
    found = {
        u.id for u in site.users.values()
        if key.lower() in {u.username.lower(), (u.idnumber or "").lower(), (u.email or "").lower()}
    }
    if len(found) == 1:
        return int(found.pop())
    if number is not None and number in site.users:
        return number
    raise InputError(f"{who!r} matches {'several people' if found else 'nobody'} on the emulated site",
                     hint="name them by username, idnumber, email or id:N")


def set_suspended(site: Any, course: Any, user_id: int, suspended: bool) -> str:
    """Suspend or restore the user's enrolment in ``course`` (Moodle keeps them in their groups)."""
    enrolment = course.enrolments.get(user_id)
    if enrolment is None:
        who = site.users[user_id].username
        raise InputError(f"{who} is not enrolled in {course.shortname}",
                         hint=f"`lmsync emulator edit join {who} --role ROLE` enrols them again")
    if enrolment.suspended == suspended:  # said "active again" of an enrolment never suspended (tester round 52, 9)
        already = "already suspended" if suspended else "not suspended: nothing to restore"
        raise InputError(f"{site.users[user_id].username}'s enrolment in {course.shortname} is {already}")
    enrolment.suspended = suspended
    state = "suspended" if suspended else "active again"
    return f"{site.users[user_id].username}: enrolment in {course.shortname} {state}"


def set_account_suspended(site: Any, user_id: int, suspended: bool) -> str:
    """Suspend or restore the user's Moodle account (``auth``'s suspended flag): still enrolled, still in their
    groups, and unable to log in, as trap 41's recording shows. Raises ``InputError`` when already so."""
    user = site.users[user_id]
    if bool(user.suspended) == suspended:
        already = "already suspended" if suspended else "not suspended: nothing to restore"
        raise InputError(f"{user.username}'s Moodle account is {already}")
    user.suspended = suspended
    return f"{user.username}: Moodle account {'suspended' if suspended else 'active again'} (enrolments unchanged)"


def unenrol(site: Any, course: Any, user_id: int) -> str:
    """Unenrol the user from ``course``: the enrolment goes, and with it their membership of the
    course's groups, as Moodle's unenrolment does (``groups_delete_group_members`` by user and course).
    The account stays. Before erasing someone, a school unenrols them (tester round 51, 6: only a
    suspension could be rehearsed here, and a suspended enrolment is still an enrolment)."""
    if course.enrolments.pop(user_id, None) is None:
        raise InputError(f"{site.users[user_id].username} is not enrolled in {course.shortname}")
    left = [g.name for g in site.groups.values() if g.courseid == course.id and user_id in g.members]
    for group in site.groups.values():
        if group.courseid == course.id:
            group.members.discard(user_id)
    where = f", taken out of {', '.join(sorted(left))}" if left else ""
    return f"{site.users[user_id].username}: unenrolled from {course.shortname}{where} (the account stays)"


def second_role(site: Any, course: Any, user_id: int, role: str, remove: bool = False) -> str:
    """Give the enrolled user a second role in ``course`` (``role_assign``, trap 42), or take it away. Raises
    ``InputError`` for someone not enrolled, the enrolment's own role, or a role they do not hold to remove."""
    username = site.users[user_id].username
    enrolment = course.enrolments.get(user_id)
    if enrolment is None:
        raise InputError(f"{username} is not enrolled in {course.shortname}", hint="lmsync emulator edit join first")
    if role == enrolment.role:
        raise InputError(f"{role} is {username}'s enrolment role in {course.shortname}: give or take another role")
    if remove:
        if role not in enrolment.other_roles:
            raise InputError(f"{username} holds no {role} role in {course.shortname}")
        enrolment.other_roles.remove(role)
        return f"{username}: no longer {role} in {course.shortname} (still {enrolment.role})"
    site.add_course_role(course.id, user_id, role)
    return f"{username}: {role} too in {course.shortname} (and {enrolment.role})"


def set_field(site: Any, user_id: int, name: str, value: str) -> str:
    """Set a custom profile field (``mentorcapacity``, ``yearofstudy``, ...); an empty value clears it.
    Raises ``InputError`` for a field no account on the site has: Moodle's profile page offers only the
    fields the site defines, and a misspelt one was saved, exit 0, and read by nothing (tester round 39, 7)."""
    known = sorted({key for user in site.users.values() for key in user.customfields})
    if name not in known:
        near = get_close_matches(name, known, n=1)
        raise InputError(f"the emulated site has no profile field {name!r}" + (f" (did you mean {near[0]}?)" if near else ""),
                         hint=f"its fields: {', '.join(known) or 'none'}")
    fields = site.users[user_id].customfields
    if value == "":
        fields.pop(name, None)
    else:
        fields[name] = value
    return f"{site.users[user_id].username}: profile field {name} = {value!r}"


#: The roles a Moodle course offers with a standard install (``lib/db/access.php`` archetypes a course context
#: assigns): the ``roleid`` the emulator answers with is ``records.ROLE_IDS``'s.
COURSE_ROLES = frozenset({"manager", "editingteacher", "teacher", "student", "guest"})


def join(site: Any, course: Any, username: str, role: str, name: str, fields: dict[str, str]) -> str:
    """A new account enrolled in ``course`` with ``role`` (``teacher`` for a mentor, ``student``); an
    existing account not enrolled there (unenrolled before) is enrolled again, its profile fields updated
    from ``fields``: a return after leaving could not be rehearsed (tester round 52, 5)."""
    from lmsync.moodle.emulator.records import Enrolment, User

    existing = next((u for u in site.users.values() if u.username.lower() == username.lower()), None)
    if existing is not None and existing.id in course.enrolments:
        suspended = course.enrolments[existing.id].suspended
        raise InputError(f"{existing.username} is already enrolled in {course.shortname}"
                         + (" (enrolment suspended)" if suspended else ""),
                         hint=f"`lmsync emulator edit restore {existing.username}` ends the suspension" if suspended else None)
    # Moodle's standard course roles are there whoever is enrolled: a course emptied of people kept none, and
    # `--role teacher` was refused with "its roles: " and nothing after (tester round 110a, 2)
    roles = sorted(COURSE_ROLES | {e.role for e in course.enrolments.values()}
                   | {r for e in course.enrolments.values() for r in e.other_roles})
    if role not in roles:  # a misspelt role ("teachr") enrolled someone nobody reads (tester round 39, 7)
        near = get_close_matches(role, roles, n=1)
        raise InputError(f"the course {course.shortname} has no role {role!r}" + (f" (did you mean {near[0]}?)" if near else ""),
                         hint=f"its roles: {', '.join(roles)}")
    if existing is not None:
        existing.customfields.update(fields)
        course.enrolments[existing.id] = Enrolment(role)
        return f"{existing.username}: account (id {existing.id}) enrolled again in {course.shortname} as {role}"
    first, _, last = name.partition(" ")
    username = username.lower()  # Moodle keeps usernames in lower case (tester round 65, 7: "coordA" was looked up as
    # "coorda" by lmsync and found by nobody)
    user_id = site.next_id("users")
    site.users[user_id] = User(id=user_id, username=username, firstname=first or username, lastname=last or "",
                               email=f"{username}@example.org", idnumber=username, customfields=dict(fields))
    course.enrolments[user_id] = Enrolment(role)
    return f"{username}: new account (id {user_id}) enrolled in {course.shortname} as {role}"


def move(site: Any, course: Any, programme: str, user_id: int, mentor_id: int | None) -> str:
    """Take the user out of every circle of ``programme`` and, with ``mentor_id``, put them into that
    mentor's circle, as a teacher would by hand in Moodle's Groups page."""
    if user_id not in course.enrolments:  # Moodle adds only enrolled users to a group (tester round 54, 6)
        who = site.users[user_id].username
        raise InputError(f"{who} is not enrolled in {course.shortname}: Moodle cannot put them in a group",
                         hint=f"`lmsync emulator edit join {who} --role ROLE` enrols them again")
    circles = [g for g in site.groups.values() if g.courseid == course.id and mentor_of_idnumber(programme, g.idnumber)]
    target = None
    if mentor_id is not None:
        wanted = mentor_group_idnumber(programme, mentor_id)
        target = next((g for g in circles if g.idnumber == wanted), None)
        if target is None:
            # "run sync first" to move a mentee into another mentee's "circle" could not help (tester round 52, 9)
            hint = ("run `lmsync sync` first: circles are made for matched mentors" if not circles
                    else "name a mentor who has a circle (`lmsync emulator edit move WHO --to MENTOR`)")
            raise InputError(f"{site.users[mentor_id].username} has no circle of {programme} in {course.shortname}",
                             hint=hint)
    if target is not None and user_id in target.members and not any(
            user_id in g.members for g in circles if g is not target):
        raise InputError(f"{site.users[user_id].username} is already in {target.name} (and in no other circle)")
    left = [g.name for g in circles if user_id in g.members and g is not target]
    for group in circles:
        if group is not target:
            group.members.discard(user_id)
    if target is not None:
        target.members.add(user_id)
    if not left:  # in no circle before: "taken out of no circle" (tester round 59, 10)
        who = site.users[user_id].username
        return f"{who}: put in {target.name}" if target is not None else f"{who}: in no circle; nothing changed"
    where = f"; now in {target.name}" if target is not None else ""
    return f"{site.users[user_id].username}: taken out of {', '.join(left)}{where}"
