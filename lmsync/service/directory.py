"""The people of the programme course, for commands that name people and views that show them.

``load_people`` reads the course roster once (a read: nothing is written to Moodle or the
store) and returns ``lmsync.service.labels.People`` for labels; ``resolve_person`` turns
what a person typed (username, idnumber, email or Moodle id, optionally prefixed ``id:``,
``idnumber:``, ``username:`` or ``email:``) into a Moodle id with the
same resolver the importers and ``lmsync person`` use (``lmsync.service.privacy.resolve``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import ExitStack
from typing import Any

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.log import get_logger
from lmsync.moodle.errors import MoodleError
from lmsync.service.labels import People
from lmsync.service.observe import RosterUser
from lmsync.service.site_accounts import accounts

log = get_logger(__name__)


def read_roster_of(config: Config) -> dict[int, RosterUser]:
    """The programme course's actively enrolled users by Moodle id (one paged read)."""
    from lmsync.service.moodle import open_moodle
    from lmsync.service.observe import find_course_id, read_roster

    with open_moodle(config) as conn:
        course = find_course_id(conn.api, config.programme.course)
        return read_roster(conn.api, course, config.moodle.page_size)


def with_accounts(config: Config, roster: Mapping[int, Any], ids: Collection[int]) -> dict[int, Any]:
    """``roster`` and the site accounts (``site_accounts.accounts``, one read) of those of ``ids`` it
    lacks: someone whose enrolment is suspended, or who left, is named while their account exists, never
    ``user #29 (not in the course)`` (tester round 50, second pass, 3). Moodle is opened only for a
    missing id; a failed read names them by id (a note is logged, nothing raised)."""
    from lmsync.service.moodle import open_moodle

    found, missing = dict(roster), set(ids) - set(roster)
    if missing:
        try:
            with open_moodle(config) as conn:
                found.update(accounts(conn.api, missing))
        except (LmsyncError, MoodleError, OSError) as exc:
            log.warning("people.accounts_unavailable", error=type(exc).__name__, missing=len(missing))
    return found


def read_roster_with(config: Config, ids: Collection[int]) -> dict[int, Any]:
    """``read_roster_of``, plus the accounts (``site_accounts``) of those of ``ids`` it lacks, in one
    connection."""
    from lmsync.service.moodle import open_moodle
    from lmsync.service.observe import find_course_id, read_roster

    with open_moodle(config) as conn:
        course = find_course_id(conn.api, config.programme.course)
        roster: dict[int, Any] = dict(read_roster(conn.api, course, config.moodle.page_size))
        roster.update(accounts(conn.api, set(ids) - set(roster)))
        return roster


def site_accounts(config: Config, ids: Collection[int]) -> dict[int, Any]:
    """Accounts of people not actively enrolled (a suspended enrolment, someone who left), looked up
    site-wide in one read, so a plan names them rather than ``user #N (not in the course)`` (tester
    round 10, 9). Someone Moodle no longer knows is left out; no read when ``ids`` is empty."""
    from lmsync.service.moodle import open_moodle

    if not ids:
        return {}
    with open_moodle(config) as conn:
        return accounts(conn.api, ids)


def named(config: Config, roster: Mapping[int, Any], whos: Sequence[str]) -> tuple[list[int], dict[int, Any]]:
    """The Moodle ids of ``whos`` (username, idnumber, email or Moodle id), and ``roster`` with the
    accounts of those among them who are not in it. Someone who has left the course is looked up
    site-wide, as ``person export`` does, while their account exists (tester round 10, 5: ``pair
    show`` and ``meetings list`` said a mentor who had left matched nobody, while the error's own
    hint said they would be found). Moodle is opened only when someone is not in ``roster``.
    Raises ``InputError``."""
    from lmsync.service.moodle import open_moodle
    from lmsync.service.privacy import resolve
    from lmsync.service.site_accounts import site_lookup

    found: dict[int, Any] = dict(roster)
    with ExitStack() as stack:
        opened: list[Any] = []

        def api() -> Any:  # one connection, opened at the first need
            if not opened:
                opened.append(stack.enter_context(open_moodle(config)))
            return opened[0]

        def site(fields: tuple[str, ...], value: str) -> dict[int, Any]:  # privacy.resolve asks only past the roster
            accounts = site_lookup(api())(fields, value)
            found.update((uid, u) for uid, u in accounts.items() if u.username)  # named in views, not read again
            return accounts

        ids = [resolve(found, who, show_names=config.privacy.show_names, site=site) for who in whos]
        missing = set(ids) - set(found)
        if missing:
            found.update(accounts(api().api, missing))
    return ids, found


def people_of(config: Config, roster: Mapping[int, Any]) -> People:
    return People(roster, show_names=config.privacy.show_names)


def load_people(
    config: Config, *, best_effort: bool = True, reader: Callable[[Config], Mapping[int, Any]] | None = None
) -> People:
    """Labels for the course's people; with ``best_effort`` a failed read gives ids and a note.

    Raises ``LmsyncError``/``MoodleError`` when not ``best_effort`` and Moodle cannot be read.
    """
    try:
        return people_of(config, (reader or read_roster_of)(config))
    except (LmsyncError, MoodleError, OSError) as exc:
        if not best_effort:
            raise
        log.warning("people.unavailable", error=type(exc).__name__)
        return People({}, show_names=config.privacy.show_names, note=f"names unavailable: {str(exc).splitlines()[0]}")


def resolve_person(roster: Mapping[int, Any], who: str, *, show_names: bool = True) -> int:
    """A Moodle id from a username, idnumber, email (case-insensitive) or Moodle id.

    ``id:``, ``idnumber:``, ``username:`` and ``email:`` name the field explicitly. Raises
    ``InputError`` (exit 3) when ``who`` matches nobody or several people, or names different
    people by different fields (the error lists them); a number that is nobody's id in the
    course is taken as the id of someone who has left it.
    """
    from lmsync.service.privacy import resolve

    return resolve(dict(roster), who, show_names=show_names)


def pinned(config: Config, roster: Mapping[int, Any], pair: tuple[int, int]) -> bool:
    """Whether ``[matching] pins`` keeps the (mentor, mentee) pair, its keys read against ``roster``
    (a key naming nobody or several people pins nothing here; ``lmsync plan`` names it)."""
    for mentee_key, mentor_key in config.matching.pins:
        try:
            if (resolve_person(roster, mentor_key), resolve_person(roster, mentee_key)) == pair:
                return True
        except LmsyncError:  # InputError: nobody, or several people
            continue
    return False
