"""Export and erasure of one person's data held by lmsync (a data subject's request).

lmsync's own store holds meetings, survey answers and scores, and the journal of writes
(which names Moodle user ids in operation keys). Export gathers all of it plus the person's
current circle in Moodle; erasure deletes the store rows and rewrites the journal's keys so
the audit trail keeps its shape but no longer names the person. Moodle's own copy of a
person (their account, group memberships, forum posts) is Moodle's to export and erase:
its privacy API does that.

An export goes to the person it is about, so it keeps out what the other side of a pair
said about them (the standing rule: a mentee's ratings of a mentor stay out of that mentor's
sight): a meeting's rating and notes unless this person gave them (``rated_by``), and survey
answers and scores another respondent gave about them, and the health reasons of the pair's
snapshots and queue items that speak of the other side's answers (tester finding 2), and
the coordinator's free-text notes on queue items (``queue ack --note``, ``queue done --note``:
a note about a pair may tell one side the other's private matters), from both sides' exports.
``withheld`` counts what was kept out, table by table (``coordinator_notes``: queue items whose
note was), so whoever answers the request knows it is there. The queue items' tracking (owner,
due date, follow-ups, outcome, escalation; ``queue_tracking``) holds no free text and is exported.
A coordinator's export lists the queue items they own or were escalated to (``queue_coordinated``:
the pair's ids, dates, outcome; the note withheld as above), and erasing a coordinator takes their
username off those items (tester round 8, 1).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.errors import InputError, LmsyncError
from lmsync.log import get_logger
from lmsync.service.clock_check import check_erase_clock
from lmsync.service.erase_circle import untie
from lmsync.service.erase_hold_end import record_erased_hold
from lmsync.service.export_withholding import withhold_others_judgements, without_received_writes
from lmsync.service.moodle import MoodleConnection, open_moodle
from lmsync.service.observe import find_course_id, read_roster
from lmsync.service.person_keys import moodle_id, split_key
from lmsync.service.programme_settings import programme_today, programme_zone, settings
from lmsync.service.rater_checkpoints import count_before_erasure, record_before_erasure
from lmsync.service.respondent_checkpoints import count_respondents
from lmsync.service.roster import programme_roles
from lmsync.service.runtime import session, store_session
from lmsync.service.site_accounts import SiteLookup, accounts, site_lookup
from lmsync.service.stores import warn_if_absent
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on, erasure_of
from lmsync.store.grade_items import metrics_by_itemnumber
from lmsync.store.health import CoordinatorQueue, HealthSnapshots
from lmsync.store.journal import Journal
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import erase_person, export_person

log = get_logger(__name__)

# Journal operation keys that end with a Moodle user id.
PERSON_KEY_PREFIXES = ("add_member:", "remove_member:", "grade:", "assign_grade:")


#: Explicit prefixes that say which field a person key names (``id:66``, ``idnumber:66``).
_FIELD_LABEL = {"id": "Moodle id", "idnumber": "idnumber", "username": "username", "email": "email"}


def _who(user: Any, show_names: bool) -> str:
    name = str(getattr(user, "fullname", "") or "")
    return f"{user.username} ({name})" if show_names and name else str(user.username)


def _matches(roster: dict[int, Any], field: str, value: str) -> list[int]:
    if field == "id":
        return [number] if (number := moodle_id(value)) is not None and number in roster else []
    wanted = value.lower()
    return sorted(uid for uid, user in roster.items() if (getattr(user, field, "") or "").strip().lower() == wanted)


#: Looks people up site-wide in Moodle: ``(fields, value)`` -> the accounts it names by any of ``fields``.


def _pick(people_of: dict[int, Any], fields: tuple[str, ...], value: str, show_names: bool) -> int | None:
    """The one person ``value`` names among ``people_of`` by ``fields``; raises ``InputError`` when
    it names several (by one field, or different people by different fields)."""
    found = {f: _matches(people_of, f, value) for f in fields}
    for f, ids in found.items():
        if len(ids) > 1:
            listed = "; ".join(f"{_who(people_of[i], show_names)}, Moodle id {i}" for i in ids)
            # the same text naming one person by another field is said with that field's prefix: "or username"
            # pointed at the very value refused (tester round 89a, 7: only username:s0001 worked)
            others = " or ".join(f"{g}:{value}" for g, one in found.items() if g != f and len(one) == 1)
            raise InputError(
                f"{value!r} matches several people by {_FIELD_LABEL[f]}: {listed}; name one by its Moodle id "
                f"(id:{ids[0]})" + (f", or say {others}" if others else " or username:USERNAME"),
                summary=f"a {_FIELD_LABEL[f]} matches {len(ids)} people: Moodle ids {', '.join(map(str, ids))}",
            )
    people = {ids[0] for ids in found.values() if ids}
    if len(people) > 1:
        listed = ", ".join(
            f"{_FIELD_LABEL[f]} {value} = {_who(people_of[ids[0]], show_names)}" for f, ids in found.items() if ids
        )
        options = " or ".join(f"{f}:{value}" for f, ids in found.items() if ids)
        count = {2: "two", 3: "three", 4: "four"}.get(len(people), str(len(people)))
        raise InputError(
            f"{value!r} names {count} people: {listed}; say {options}",
            summary=f"one value names {count} people: Moodle ids {', '.join(map(str, sorted(people)))}",
        )
    return people.pop() if people else None


def resolve(
    roster: dict[int, Any],
    who: str,
    *,
    show_names: bool = True,
    known: Callable[[], Collection[int]] | None = None,
    site: SiteLookup | None = None,
) -> int:
    """A Moodle user id from a Moodle id, username, idnumber or email (case-insensitive).

    ``id:``, ``idnumber:``, ``username:`` or ``email:`` before the key names the field. Without
    one, every field is tried, and a key that names different people by different fields
    (idnumber ``66`` of one person, Moodle id 66 of another) is refused, listing who, rather than
    one being picked silently. The course's ``roster`` is searched first; a key matching nobody
    there is looked up site-wide (``site``: someone who has left the course is named as anyone
    else, tester round 8, 6). Raises ``InputError`` (exit 3) for a key matching nobody or
    several people; a Moodle id (``person_keys.moodle_id``: ASCII digits within 64 bits, else a key like any
    other, and ``id:`` before it refused; tester round 122b, 4-5) nobody has, or ``id:N``, is taken as the id of
    someone whose account is gone (the store may still hold their rows). ``show_names`` adds full names to the people
    an error lists (``[privacy] show_names``). ``known``: the Moodle ids the store knows of, read
    only when ``who`` matches nobody, so the error can say how to find the id of someone who has
    left (tester round 4, 11).
    """
    value, fields = split_key(who)
    if not value:
        raise InputError(f"{who!r} names nobody: give a username, idnumber, email or Moodle id")
    if fields == ("id",) and moodle_id(value) is None:  # "'abc' matches nobody" (tester round 77b, 13; 122b, 4)
        raise InputError(f"{who!r}: a Moodle id is a number (id:66)", hint="or give the username, idnumber or email")
    person = _pick(roster, fields, value, show_names)
    if person is None and site is not None:
        person = _pick(site(fields, value), fields, value, show_names)
    if person is not None:
        return person
    if (number := moodle_id(value)) is not None and "id" in fields:
        return number  # no longer in Moodle: the store may still hold their rows
    raise InputError(
        f"{value!r} matches nobody in the programme course" + (" nor elsewhere in Moodle" if site else ""),
        summary="the person named matches nobody in the course", hint=_left_hint(roster, known),
    )


def _left_hint(roster: dict[int, Any], known: Callable[[], Collection[int]] | None) -> str:
    """How to name someone who has left the course: by Moodle id, and where the store shows such ids."""
    hint = ("check the spelling; someone who has left the course is found by username, idnumber, email or "
            "Moodle id while their Moodle account exists, and by their Moodle user id once it is deleted: id:N "
            "(Site administration > Users > Browse list of users: the id= in their profile page's address)")
    left = len(set(known()) - set(roster)) if known is not None else 0
    if left:
        hint += (f"; this programme's store knows {left} {'person' if left == 1 else 'people'} no longer in the "
                 "course: `lmsync pair show` of their mentor or mentee (and `lmsync queue list`, for a pair in the "
                 "queue) shows each as \"user #N (not in the course)\"")
    return hint


def store_people(store: Store, programme: str, *, erased: bool = True) -> set[int]:
    """The Moodle ids of everyone in a pair the store knows (pairing history, snapshots, queue items),
    and everyone it erased (``erasures``: their rows withheld from imports, tester round 14, 5) unless
    ``erased`` is off (a hint that the store shows them: it shows nothing of the erased; tester pass 70, 6)."""
    ids = {uid for pair in PairingHistory(store, programme).pairing_days() for uid in pair}
    ids |= set(erased_on(store)) if erased else set()
    ids |= {uid for r in HealthSnapshots(store, programme).rows() for uid in (r.mentor_id, r.mentee_id)}
    ids |= {uid for item in CoordinatorQueue(store, programme).items() for uid in item.pair}
    return ids


def store_people_of(config: Config, *, erased: bool = True) -> set[int]:
    """``store_people`` of the configured store, read-only; none when it cannot be read (only a hint needs it)."""
    try:
        with store_session(config, read_only=True) as store:
            return store_people(store, config.programme.name, erased=erased)
    except (LmsyncError, OSError):
        return set()


def describe(roster: dict[int, Any], user_id: int, *, show_names: bool = True) -> str:
    """``Ada Lovelace (s0006)`` (``s0006`` with names off; ``user #67 (not in the course)``)."""
    from lmsync.service.labels import People

    return People(roster, show_names=show_names).label(user_id)


def _names_person(key: str, user_id: int) -> bool:
    """Whether a journal operation key ends with this person's Moodle id."""
    return key.startswith(PERSON_KEY_PREFIXES) and key.endswith(f":{user_id}")


class Identity(NamedTuple):
    """Who an erasure is about: Moodle id, label, whether the programme course's roster still holds
    them, and the other side of each circle they are in now (labels; a mentor's mentees, a mentee's
    mentor), and their Moodle username when Moodle still knows them (the queue names coordinators
    by username; tester round 8, 1)."""

    user_id: int
    label: str
    enrolled: bool
    partners: tuple[str, ...] = ()
    username: str | None = None
    circles: tuple[Any, ...] = ()  # the lmsync groups they are in now (read once, for export too)
    name: str | None = None  # their full name as Moodle has it (roster or account), for the export to say whose it is
    suspended: bool = False  # enrolled, the enrolment suspended: not read by the sync until it is active again
    past_partners: tuple[str, ...] = ()  # labels of the other side of pairs the store holds, in no circle with them now
    # labels of the members of the circle naming them its mentor while they are not in it: held while they are away
    held_partners: tuple[str, ...] = ()  # (tester round 100b, 6: named as earlier pairs)
    # the idnumber of the course's group naming them its mentor, in it or not (tester round 78, 4), else None
    own_circle: str | None = None
    paired_role: bool = True  # enrolled in a [programme] mentor or mentee role, which the sync pairs (tester round 130a, 1)


#: The lmsync circles someone is in: each group with its members' Moodle ids.
_Circles = list[tuple[Any, list[int]]]


def _circles(conn: MoodleConnection, config: Config, course: int, user_id: int) -> tuple[_Circles, str | None, list[int]]:
    """The lmsync circles ``user_id`` is in now, each with its members, the idnumber of the group naming them
    its mentor when the course has one, whether or not they are still in it, and that group's members when they
    are not in it (a circle held while its mentor is away; tester round 100b, 6). One group read, one members read."""
    owned = [g for g in conn.api.get_course_groups(course) if mentor_of_idnumber(config.programme.name, g.idnumber)]
    idnumber = mentor_group_idnumber(config.programme.name, user_id)
    own = idnumber if any(g.idnumber == idnumber for g in owned) else None
    if not owned:
        return [], own, []
    by_id = {g.id: g for g in owned}
    entries = [e for e in conn.api.get_group_members(list(by_id)) if e.groupid in by_id]
    held = sorted({m for e in entries if by_id[e.groupid].idnumber == idnumber and user_id not in e.userids
                   for m in e.userids})
    return [(by_id[e.groupid], list(e.userids)) for e in entries if user_id in e.userids], own, held


def _partners(config: Config, circles: _Circles, user_id: int) -> list[int]:
    """The other side of ``user_id``'s pairs in ``circles``: their mentees when they lead a circle, else its mentor."""
    out: list[int] = []
    for group, members in circles:
        mentor = mentor_of_idnumber(config.programme.name, group.idnumber)
        out += [m for m in members if m != user_id] if mentor == user_id else [mentor] if mentor is not None else []
    return sorted(set(out))


def _identity(conn: MoodleConnection, config: Config, who: str, known: Callable[[], Collection[int]]) -> Identity:
    """``known``: the Moodle ids the store holds, for the hint when ``who`` matches nobody enrolled.

    Someone not in the course is looked up site-wide (by ``who``, or by their id for ``id:N``) for
    their username and label; one Moodle no longer knows is ``user #N (not in the course)``."""
    course = find_course_id(conn.api, config.programme.course)
    roster = read_roster(conn.api, course, config.moodle.page_size)
    show = config.privacy.show_names
    site = site_lookup(conn)
    user_id = resolve(roster, who, show_names=show, known=known, site=site)
    circles, own, held = _circles(conn, config, course, user_id)
    partners = _partners(config, circles, user_id)
    # a suspended partner is in the circle, not in the active roster: named by their account (tester round 35, 3)
    known_partners = {**roster, **accounts(conn.api, set(partners + held) - set(roster))}
    labels = tuple(describe(known_partners, p, show_names=show) for p in partners)
    held_labels = tuple(describe(known_partners, p, show_names=show) for p in held if p not in partners)
    groups = tuple(group for group, _members in circles)
    return _identity_of(conn, config, course, roster, site, user_id, labels, groups, own)._replace(held_partners=held_labels)


def _identity_of(conn: MoodleConnection, config: Config, course: int, roster: dict[int, Any], site: Any, user_id: int,
                 labels: tuple[str, ...], groups: tuple[Any, ...], own: str | None) -> Identity:
    """``user_id``'s ``Identity`` as the course's ``roster`` or, not in it, the site (``site``) knows them."""
    show = config.privacy.show_names
    if user_id in roster:
        user = roster[user_id]
        return Identity(user_id, describe(roster, user_id, show_names=show), True, labels, user.username or None, groups,
                        _fullname(user), own_circle=own, paired_role=any(programme_roles(config.programme, user.roles)))
    # a suspended enrolment is not in the active roster, and is still an enrolment: they may come back
    # (a leave), so erasing them needs --while-enrolled as for anyone enrolled (tester round 11, 3)
    enrolled = any(u.id == user_id for u in conn.api.get_enrolled_users(course, page_size=config.moodle.page_size,
                                                                          userfields=["id"]))
    account = site(("id",), str(user_id)).get(user_id)
    if enrolled:
        known_as = {user_id: account} if account is not None and account.username else roster
        label = f"{describe(known_as, user_id, show_names=show)} (enrolment suspended)"
        return Identity(user_id, label, True, labels, account.username if account else None, groups, _fullname(account),
                        suspended=True, own_circle=own)
    if account is None or not account.username:
        return Identity(user_id, describe(roster, user_id, show_names=show), False, labels, circles=groups, own_circle=own)
    label = f"{describe({user_id: account}, user_id, show_names=show)} (Moodle id {user_id}, not in the course)"
    return Identity(user_id, label, False, labels, account.username, groups, _fullname(account), own_circle=own)


def _fullname(user: Any) -> str | None:
    """A Moodle user's full name; ``None`` for none (no account, or an empty name)."""
    return str(getattr(user, "fullname", "") or "") or None


def identify(config: Config, who: str) -> Identity:
    """Who ``who`` names, for a confirmation prompt (``Identity``).

    Still enrolled: the programme course's roster holds them, so the next sync reads them
    again and the cycle may nudge them (erasure also drops the record of nudges already
    sent to them). Reads the roster and the circles; nothing is written. Raises ``InputError``
    as :func:`resolve`.
    """
    with open_moodle(config) as conn:
        identity = _identity(conn, config, who, known=lambda: store_people_of(config, erased=False))
        past = sorted(_store_partners_of(config, identity.user_id))
        show = config.privacy.show_names
        if not past:
            return identity
        course = find_course_id(conn.api, config.programme.course)
        roster = read_roster(conn.api, course, config.moodle.page_size)
        known = {**roster, **accounts(conn.api, set(past) - set(roster))}
        now = set(identity.partners) | set(identity.held_partners)
        labels = tuple(label for p in past if (label := describe(known, p, show_names=show)) not in now)
        return identity._replace(past_partners=labels)


def _store_partners_of(config: Config, user_id: int) -> set[int]:
    """The other side of every pair of ``user_id`` the store holds (pairing history, meetings): an erasure
    takes those pairs' meetings and history from them too (tester round 68, 4). Read-only; none without a store."""
    try:
        with store_session(config, read_only=True) as store:
            pairs = set(PairingHistory(store, config.programme.name).pairing_days())
            pairs |= {(m.meeting.mentor_id, m.meeting.mentee_id)
                      for m in MeetingRepository(store, config.programme.name).find(person_id=user_id)}
    except (LmsyncError, OSError):
        return set()
    return {b if a == user_id else a for a, b in pairs if user_id in (a, b)}


def still_here(identity: Identity, who: str) -> InputError | None:
    """Why erasing ``identity`` now would be undone by the next sync, or ``None`` (tester round 4, 6).

    A person still enrolled, or still in a circle, is read again by the next sync and paired
    again as if new: erasure took their pairs' meetings, the coordinator's decisions (a queue
    item closed) and the record of nudges sent, so the other side may be nudged at once with
    "no meeting yet", and a store's first-run guard may hold every later run.
    """
    if not (enrolled := identity.enrolled and identity.paired_role) and not identity.partners:
        return None  # a coordinator enrolled as a manager, say, is never paired: nothing to bring back (130a, 1)
    where = [
        *(["still enrolled in the programme course"] if enrolled else []),
        *([f"in a circle with {', '.join(identity.partners)}"] if identity.partners else []),
    ]
    # a suspended enrolment is not read by the sync: back when it is active again (tester round 51, 6)
    back = ("once the enrolment is active again, the next sync would bring them back" if identity.suspended
            else "the next sync would bring them straight back")
    return InputError(
        f"nothing erased: {identity.label} is {' and '.join(where)}: {back} "
        "and pair them again as if new, without the pairs' meetings, the coordinator's decisions and the "
        "record of nudges sent that erasure removes (the other side could be nudged again at once)",
        hint=f"unenrol them in Moodle first (a suspended enrolment is still an enrolment), then erase; to erase "
        f"now anyway: lmsync person erase {who} --while-enrolled",
        summary=f"erasure refused: Moodle id {identity.user_id} is still enrolled or in a circle",
    )


def _journal_rows(store: Store, programme: str, user_id: int) -> list[dict[str, Any]]:
    """The journal entries whose keys name the person: as a member (``...:<id>``) or as the mentor of a
    circle (its idnumber ``lmsync:<programme>:mentor:<id>``, which an erasure leaves: tester pass 70, 3)."""
    circle = f":mentor:{user_id}"
    out = []
    for entry in Journal(store, programme).keyed_entries():
        keys = [k for k in entry.keys if _names_person(k, user_id) or k.endswith(circle) or f"{circle}:" in k]
        if keys:
            out.append({"id": entry.id, "function": entry.function, "state": entry.state, "keys": keys,
                        "started_at": entry.started_at})
    return out


def check_store(config: Config) -> None:
    """Open the programme's SQLite store read-only and close it, so that ``person erase`` refuses a store it could
    not erase in (a file of zero bytes, a file that is not a store or is damaged, another site's or course's:
    ConfigError, exit 2) before it asks anything: it asked about the enrolment, then refused (tester round 78, 7).
    Takes no lock and writes nothing. A PostgreSQL store (``[store] url``) is left to the erasure, which migrates
    one this lmsync has not yet migrated (a read-only open refuses it)."""
    if config.store.url is None:
        with store_session(config, read_only=True):
            pass


def export(config: Config, who: str) -> dict[str, Any]:
    """One person's data for a data subject's request (see the module docstring for what is withheld)."""
    return export_labelled(config, who)[0]


def export_labelled(config: Config, who: str) -> tuple[dict[str, Any], str]:
    """``export``, and the person's label (name and username) for the command's own lines."""
    with session(config, read_only=True) as (conn, store):  # an export only reads
        warn_if_absent(store)
        person = _identity(conn, config, who, known=lambda: store_people(store, config.programme.name, erased=False))
        user_id = person.user_id
        data = withhold_others_judgements(export_person(store, user_id, person.username), user_id)
        data = {"person_id": user_id, **whose(person, config.privacy.show_names), "exported": provenance(config), **data}
        data["journal"] = without_received_writes(  # their received mean's writes stay out (tester round 117a, 5)
            _journal_rows(store, config.programme.name, user_id), user_id, metrics_by_itemnumber(store, config.programme.name))
        # a name as Moodle shows it, not as format_string escapes it for HTML ("&amp;": tester round 92a, 7)
        data["circles"] = [{"group_id": group.id, "name": html.unescape(group.name), "idnumber": group.idnumber}
                           for group in person.circles]
        if data.get("erased_on"):  # the file handed on says it, not only the command's line (tester round 83, 7)
            data["erased_note"] = (f"erased from this store on {data['erased_on']}: nothing about this person dated up to "
                                   "that day is kept, so this export holds only what was stored since (and the circles "
                                   "Moodle shows)")
        return data, person.label


def provenance(config: Config) -> dict[str, str]:
    """Where and when an export was made, so a reply to a request says what it answers from (tester round 77b, 9:
    nothing told which store, site or day): ``at`` (UTC, ISO), ``programme``, ``store`` (its path, or its URL
    without credentials) and ``moodle`` (the site's URL, or the built-in emulator)."""
    from datetime import UTC, datetime

    from lmsync.service.stores import without_userinfo

    store = without_userinfo(config.store.url) if config.store.url else str(config.store_path())
    moodle = "the built-in emulator" if config.uses_emulator else without_userinfo(str(config.moodle.url))
    return {"at": datetime.now(UTC).isoformat(timespec="seconds"), "programme": config.programme.name,
            "store": store, "moodle": moodle}


def whose(person: Identity, show_names: bool) -> dict[str, str | None]:
    """Who an export is about, so a file handed to them says whose it is (tester round 50, 14): ``username`` and,
    unless ``[privacy] show_names`` is off (as every view's JSON), ``name`` as Moodle has them (the course's roster,
    else their site account); ``None`` for one Moodle no longer knows. Nobody else is named."""
    return {"username": person.username, **({"name": person.name} if show_names else {})}


def holds_nothing(data: dict[str, Any]) -> bool:
    """Whether an ``export`` found nothing about the person: no row, journal key, circle nor erasure
    record (tester round 8, 6; round 14, 7: the erasure's ``erased_on`` is theirs to see)."""
    return not any(rows for key, rows in data.items() if isinstance(rows, list) and key != "never_exported") and not data.get("erased_on")


def erase(config: Config, who: str, *, while_enrolled: bool = False) -> dict[str, int]:
    """Erase one person's rows; refused (``still_here``) while they are enrolled or in a circle,
    unless ``while_enrolled``. A coordinator's name leaves the queue items they own or were
    escalated to (``queue_owner``, ``queue_escalated_to``: those items are then no one's). The
    erasure is dated the programme's local day (``programme_today``): rows dated on or before it
    are never stored again, and a row's date is a programme day. First, for every mentor, the answers
    others gave about them are counted (``rater_checkpoints``), so no figure over the rest gives the
    erased person's answers away by difference (tester round 77b, 1): on the instruments the erasure
    deletes an answer of only, none when it deletes no survey answer (tester round 92a, 2); and every respondent's
    own, so no one's own grade gives the answers about the erased person away (``respondent_checkpoints``; 117a, 1)."""
    with session(config) as (conn, store):
        check_erase_clock(store, config)  # exit 2 under a clock behind the store's records (tester round 111b, 1)
        identity = _identity(conn, config, who, known=lambda: store_people(store, config.programme.name, erased=False))
        if (refusal := None if while_enrolled else still_here(identity, who)) is not None:
            raise refusal
        user_id = identity.user_id
        day = programme_today(config)
        # who answered about every mentor, before anything goes: a figure that differs after gave the erased
        # person's answers away by difference (tester round 77b, 1); only on the instruments this erasure
        # deletes an answer of (tester round 92a, 2)
        before = count_before_erasure(store, settings(config), programme_zone(config), day, erasing=user_id)
        before.update(count_respondents(store, settings(config), day, erasing=user_id))  # own answers (117a, 1)
        with store.transaction():
            # someone Moodle does not know and the store holds nothing about: nothing to remember (tester round 20, 6)
            record_erased_hold(config, store, user_id, day)  # the hold it ends, naming no one (tester round 117c, 2)
            counts = erase_person(store, user_id, identity.username, on=day,  # erased before: known (130a, 2)
                                  record_alone=identity.username is not None or erasure_of(store, user_id) is not None)
            if erasure_of(store, user_id) == day:
                record_before_erasure(store, config.programme.name, before, day)
        counts["journal"] = _scrub_journal(store, config.programme.name, user_id)
        log.info("privacy.erased", user=user_id, rows=sum(counts.values()))
        return counts


def still_coordinator(config: Config, identity: Identity) -> list[str]:
    """The configuration keys that still name ``identity`` (``[health] coordinators``, ``escalate_to``):
    the next sync would give them queue items again (tester round 8, 1)."""
    name = (identity.username or "").lower()
    if not name:
        return []
    health = config.health
    return [key for key, listed in (("[health] coordinators", health.coordinators),
                                    ("[health] escalate_to", [health.escalate_to])) if name in listed]


def still_in_matching(config: Config, identity: Identity) -> list[str]:
    """The ``[matching]`` keys (``pins``, ``forbids``, ``rematch``) that still name ``identity`` by username or
    Moodle id (``id:N`` or N): lmsync never edits the configuration, so an erasure leaves them, and the next
    match acts on them (tester round 77b, 11: only ``[health] coordinators`` was said)."""
    names = {(identity.username or "").lower(), str(identity.user_id), f"id:{identity.user_id}"} - {""}
    m = config.matching
    listed = (("[matching] pins", [k for pair in m.pins for k in pair]),
              ("[matching] forbids", [k for pair in m.forbids for k in pair]), ("[matching] rematch", m.rematch))
    return [key for key, keys in listed if any(k.strip().lower() in names for k in keys)]


def _scrub_journal(store: Store, programme: str, user_id: int) -> int:
    """Rewrite the journal's keys naming ``user_id`` (``...:<id>`` -> ``...:erased``), and the member ids in the
    membership keys of their circle, which tie them to each mentee (``erase_circle.untie``; tester round 78, 4):
    the circle's idnumber stays, lmsync's proof that it made the group. Returns the entries changed."""
    suffix = f":{user_id}"
    circle = mentor_group_idnumber(programme, user_id)
    return Journal(store, programme).rewrite_keys(
        lambda k: k[: -len(suffix)] + ":erased" if _names_person(k, user_id) else untie(k, circle)
    )
