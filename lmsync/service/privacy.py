"""Export and erasure of one person's data held by lmsync (a data subject's request).

lmsync's own store holds meetings, survey answers and scores, and the journal of writes
(which names Moodle user ids in operation keys). Export gathers all of it plus the person's
current circle in Moodle; erasure deletes the store rows and rewrites the journal's keys so
the audit trail keeps its shape but no longer names the person. Moodle's own copy of a
person (their account, group memberships, forum posts) is Moodle's to export and erase:
its privacy API does that.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import Config
from lmsync.domain.meetings import AmbiguousPerson
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import InputError
from lmsync.service.meetings import make_resolver
from lmsync.service.moodle import MoodleConnection
from lmsync.service.observe import RosterUser, find_course_id, read_roster
from lmsync.service.runtime import session
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.surveys import erase_person, export_person

# Journal operation keys that end with a Moodle user id.
PERSON_KEY_PREFIXES = ("add_member:", "remove_member:", "grade:", "assign_grade:")


def resolve(roster: dict[int, RosterUser], who: str) -> int:
    """A Moodle user id from an id, username, idnumber or email (case-insensitive)."""
    if who.isdigit() and int(who) in roster:
        return int(who)
    found: set[int] = set()
    for key in ("username", "idnumber", "email"):
        try:
            ref = make_resolver(roster.values(), key)(who)
        except AmbiguousPerson:
            raise InputError(f"{who!r} matches several people in the programme course") from None
        if ref is not None:
            found.add(ref.user_id)
    if len(found) == 1:
        return found.pop()
    if who.isdigit():
        return int(who)  # no longer enrolled: the store may still hold their rows
    raise InputError(f"{who!r} matches {'nobody' if not found else 'several people'} in the programme course")


def _names_person(key: str, user_id: int) -> bool:
    """Whether a journal operation key ends with this person's Moodle id."""
    return key.startswith(PERSON_KEY_PREFIXES) and key.endswith(f":{user_id}")


def _resolved(conn: MoodleConnection, config: Config, who: str) -> tuple[int, int]:
    """The course id and the person's Moodle id."""
    course = find_course_id(conn.api, config.programme.course)
    return course, resolve(read_roster(conn.api, course, config.moodle.page_size), who)


def _journal_rows(store: Store, programme: str, user_id: int) -> list[dict[str, Any]]:
    out = []
    for entry in Journal(store, programme).keyed_entries():
        keys = [k for k in entry.keys if _names_person(k, user_id)]
        if keys:
            out.append({"id": entry.id, "function": entry.function, "state": entry.state, "keys": keys,
                        "started_at": entry.started_at})
    return out


def export(config: Config, who: str) -> dict[str, Any]:
    with session(config, read_only=True) as (conn, store):  # an export only reads
        course, user_id = _resolved(conn, config, who)
        data = export_person(store, user_id)
        data["journal"] = _journal_rows(store, config.programme.name, user_id)
        circles = []
        owned = [g for g in conn.api.get_course_groups(course) if mentor_of_idnumber(config.programme.name, g.idnumber)]
        if owned:
            for entry in conn.api.get_group_members([g.id for g in owned]):
                if user_id in entry.userids:
                    group = next(g for g in owned if g.id == entry.groupid)
                    circles.append({"group_id": group.id, "name": group.name, "idnumber": group.idnumber})
        data["circles"] = circles
        return data


def erase(config: Config, who: str) -> dict[str, int]:
    with session(config) as (conn, store):
        _course, user_id = _resolved(conn, config, who)
        counts = erase_person(store, user_id)
        counts["journal"] = _scrub_journal(store, config.programme.name, user_id)
        return counts


def _scrub_journal(store: Store, programme: str, user_id: int) -> int:
    suffix = f":{user_id}"
    return Journal(store, programme).rewrite_keys(
        lambda k: k[: -len(suffix)] + ":erased" if _names_person(k, user_id) else k
    )
