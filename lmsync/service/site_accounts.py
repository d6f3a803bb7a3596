"""People looked up across the Moodle site, not the programme course's roster: someone who has left the
course, or whose enrolment is suspended, while their Moodle account exists
(``core_user_get_users_by_field``). Used by ``lmsync.service.privacy`` and ``lmsync.service.directory``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from lmsync.log import get_logger
from lmsync.moodle.errors import MoodleException
from lmsync.service.person_keys import moodle_id

log = get_logger(__name__)

#: Looks people up site-wide: (fields to try, typed value) -> Moodle id -> account.
SiteLookup = Callable[[tuple[str, ...], str], dict[int, Any]]


def site_lookup(conn: Any) -> SiteLookup:
    """``api_lookup`` of an open connection's client."""
    return api_lookup(conn.api)


def api_lookup(api: Any) -> SiteLookup:
    """Looks people up across the Moodle site (core_user_get_users_by_field): those who have left the
    course. An email is asked for as given and in lower case (Moodle compares emails case-sensitively,
    trap 15). A Moodle that refuses the lookup (an older service without it) finds nobody."""

    def lookup(fields: tuple[str, ...], value: str) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for field in fields:
            number = moodle_id(value) if field == "id" else None  # no id: 'abc', '٥', 20 digits (round 122b, 4)
            if field == "id" and number is None:
                continue
            values: list[str | int] = [number] if number is not None else list(dict.fromkeys([value, value.lower()]))
            try:
                users = api.get_users_by_field(field, values)
            except MoodleException as exc:
                log.warning("privacy.site_lookup_failed", field=field, error=type(exc).__name__)
                return {}
            found.update({u.id: u for u in users})
        return found

    return lookup


def accounts(api: Any, ids: Collection[int]) -> dict[int, Any]:
    """Moodle id -> account (core_user_get_users_by_field by id) of those Moodle still knows."""
    return {u.id: u for u in api.get_users_by_field("id", sorted(ids)) if u.username} if ids else {}


def usernames(api: Any) -> Callable[[Collection[int]], dict[int, str]]:
    """Moodle ids -> usernames of those Moodle still knows, one request for all: names a mentor no
    longer in the course (``people_from_roster``'s ``named``; tester round 50, 1). A refused
    lookup names nobody (the caller then says ``id:N``)."""

    def named(ids: Collection[int]) -> dict[int, str]:
        try:
            return {uid: user.username for uid, user in accounts(api, ids).items()}
        except MoodleException as exc:
            log.warning("privacy.site_lookup_failed", field="id", error=type(exc).__name__)
            return {}

    return named
