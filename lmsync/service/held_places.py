"""The people matching sees, with the places of mentees away held (``domain.held_mentees``; tester round 103b, 1).

Both the sync's ``desire`` and ``lmsync match`` (``pull``) read people through ``roster``; ``held_people`` (the one
way both take) puts on what it read the places held while their mentee is away, less those a coordinator's decision
takes first: the mentor's room for them is taken (``held_capacity.less_held``), the notice of a suspended account
held in its circle says it stays, and one line per place says until when it is held.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from lmsync.config import Config
from lmsync.domain.held_capacity import held_counts, less_held
from lmsync.domain.held_give_way import apart, to_pins
from lmsync.domain.held_mentees import MemberHolds
from lmsync.domain.people import MENTORING_ROLES, People
from lmsync.domain.plan import DesiredCircle
from lmsync.service.acted_forbids import acted
from lmsync.service.labels import named as name_and_username
from lmsync.service.labels import with_moodle_id
from lmsync.service.roster import RosterPeople
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import HealthSnapshots

#: a site lookup by field (``site_accounts.api_lookup``): fields, value -> Moodle id -> account
SiteLookup = Callable[[tuple[str, ...], str], dict[int, Any]]

#: how ``roster`` ends the notice of a suspended account in a circle (``suspended_words.suspended_member``)
_REMOVED = "; removed from their circle"


def _accounts(read: RosterPeople, users: Collection[int], named: Callable[[Collection[int]], Mapping[int, str]] | None,
              site: SiteLookup | None) -> dict[int, tuple[str, str]]:
    """Moodle id -> (username, full name) of ``users``: from the roster read, else the site (``site``: one lookup
    each, with the name; ``named``: usernames only), else ``("id:N", "")``."""
    people = read.people
    known = {p.moodle_id: (p.id, p.fullname or "") for p in people.persons if p.moodle_id in users}
    missing = set(users) - known.keys()
    for user in sorted(missing):  # an enrolment suspended: not in the roster
        account = site(("id",), str(user)).get(user) if site is not None else None
        if account is not None and account.username:
            known[user] = (str(account.username), str(account.fullname or ""))
    notices = {n.moodle_id: n.person for n in read.notices if n.moodle_id in users}
    missing = set(users) - known.keys() - notices.keys()
    found = named(missing) if missing and named is not None else {}
    return {user: known.get(user) or (notices.get(user) or found.get(user) or f"id:{user}", "") for user in users}


def held_people(read: RosterPeople, members: MemberHolds, config: Config, *,
                named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
                site: SiteLookup | None = None) -> tuple[RosterPeople, MemberHolds]:
    """``(read with the places held, the places still held)``: ``members`` settled against ``config``'s ``[matching]``
    pins and forbids (``settled_holds``: pass ``config`` with the queue's not-a-good-fit marks,
    ``health_queue.with_forbidden_pairs``, as the sync has it), then put on ``read`` (``with_held_places``), people
    named as ``[privacy] show_names`` says. The one way the sync's plan (``desire.desired_state``) and ``lmsync
    match`` (``pull``) take the held places, so they cannot drift; the places returned are the ones the plan keeps
    and counts (``Holds.signal``: ``PlanSignals.places_held`` counted a place a pin or forbid had ended). Raises
    what ``named``/``site`` raise."""
    shown = config.privacy.show_names
    members, apart_entries = settled_holds(read, members, config.matching.pins, config.matching.forbids,
                                           show_names=shown, named=named, site=site)
    read = with_held_places(read, members, show_names=shown, named=named, site=site)
    return (replace(read, kept_apart=apart_entries) if apart_entries else read), members


def settled_holds(read: RosterPeople, members: MemberHolds, pins: Sequence[tuple[str, str]],
                  forbids: Sequence[tuple[str, str]], *, show_names: bool = True,
                  named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
                  site: SiteLookup | None = None) -> tuple[MemberHolds, frozenset[tuple[str, str]]]:
    """``members`` without the places a coordinator's decision takes first (``held_give_way``; tester round 104a, 4
    and 6): those whose pair ``forbids`` names (``[matching] forbids`` with the queue's not-a-good-fit marks,
    ``health_queue.with_forbidden_pairs``), then those the ``pins`` need (both ``(mentee, mentor)`` by id or alias,
    as ``[matching]`` has them; a mentee away is named by username or ``id:N``). Also returns the forbids, as written,
    that ended a place (``acted_forbids``: their "waits" line is not said; tester round 105a, 5). Raises what
    ``named``/``site`` raise."""
    if not members.kept or not (pins or forbids):
        return members, frozenset()
    people = read.people
    resolve = people.resolver()
    by_id = {p.id: p for p in people.persons}
    away = {user for _circle, user in members.kept}
    accounts = _accounts(read, away, named, site)
    away_keys = {key: user for user in away for key in (accounts[user][0], f"id:{user}")}

    def mentor(key: str) -> int | None:
        person = by_id.get(resolve.get(key, ""))
        return person.moodle_id if person is not None else None

    entries = {(mentee, key): (m, away_keys[mentee]) for mentee, key in forbids
               if mentee in away_keys and (m := mentor(key)) is not None}
    ended = apart(members, set(entries.values()))
    kept_apart = acted(entries, {(members.mentors[place], place[1]) for place in ended})
    members = members.without(ended)
    current = {**people.current_peers, **people.current}
    circles = set(members.mentors.values())
    capacity = {p.moodle_id: p.capacity for p in people.persons if p.moodle_id in circles}
    active = {moodle: n for m, n in held_counts(people.current, people.current_peers).items()
              if m in by_id and (moodle := by_id[m].moodle_id) is not None}
    pinned: dict[int, list[str]] = {}
    for mentee_key, mentor_key in pins:
        person, m = by_id.get(resolve.get(mentee_key, "")), mentor(mentor_key)
        if person is None or m is None or m not in circles or mentor(current.get(person.id, "")) == m:
            continue  # not a mentee here, not a circle with a place held, or in that circle already
        pinned.setdefault(m, []).append(name_and_username(person.id, person.fullname or "", show_names=show_names))
    return members.without(to_pins(members, capacity, active, pinned)), kept_apart


def with_held_places(read: RosterPeople, members: MemberHolds, *, show_names: bool = True,
                     named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
                     site: SiteLookup | None = None) -> RosterPeople:
    """``read`` with the places ``members`` holds taken from their mentors' capacity, the suspended accounts'
    notices saying they stay, and a line per place (``MemberHolds.lines``) first among its warnings, each person
    named as every view names them, ``Name (username)`` (tester round 104a, 12: a bare Moodle id was shown);
    ``site`` (a site lookup by id) names one not in the roster, else ``named`` (Moodle ids -> usernames), else
    ``id:N``. Raises what ``named`` and ``site`` raise."""
    places = members.places()
    if not places:
        return read
    people = read.people
    persons = less_held(people.persons, places, held_counts(people.current, people.current_peers))
    notices = [replace(n, message=n.message[: -len(_REMOVED)] + words)
               if n.code == "account_suspended" and n.message.endswith(_REMOVED) and n.moodle_id is not None
               and (words := members.account_words(n.moodle_id)) else n for n in read.notices]
    accounts = _accounts(read, {user for _circle, user in members.kept} | set(places), named, site)

    def label(user: int) -> str:
        username, fullname = accounts[user]
        return name_and_username(username, fullname, show_names=show_names)

    return replace(read, people=replace(people, persons=tuple(persons)), notices=notices,
                   warnings=[*members.lines(label), *read.warnings])


def held_circles(people: People, members: MemberHolds, mentored: Collection[int], show_names: bool = True,
                 ) -> list[DesiredCircle]:
    """The circles kept for their places held alone: one per mentor (still a mentor) whose circle the match
    gives no mentee now (``mentored``: Moodle ids of those it does) while places of theirs are held, with no
    mentee: the plan keeps the circle and its held members, and neither empties nor deletes it."""
    mentors = {p.moodle_id: p for p in people.persons if p.moodle_id is not None and p.roles & MENTORING_ROLES}
    return [DesiredCircle(mentor_id=m, mentor_name=mentors[m].fullname or mentors[m].id, mentee_ids=frozenset(),
                          mentor_label=with_moodle_id(m, mentors[m].id, mentors[m].fullname or "", show_names=show_names))
            for m in sorted(members.places()) if m in mentors and m not in mentored]


def erased_holds(store: Store, programme: str, members: MemberHolds) -> MemberHolds:
    """``members`` without the places of mentees erased (``store.erasures``) and in no pair since, as an erased
    mentor's circle is no longer held (``away_mentors.erased_away``, tester round 77b, 3). Tester round 104a, 9:
    the erasure took the day their hold began, and the next sync began it again from that day. lmsync keeps
    nothing of them to date a hold by, and ``person erase --while-enrolled`` pairs them as if new: their place is
    no longer held, the plan's removal says why. One paired or judged since the erasure is held as anyone."""
    erased = erased_on(store)
    gone = {user for _circle, user in members.kept} & erased.keys()
    if not gone:
        return members
    paired = {row.mentee_id for row in PairingHistory(store, programme).history()}
    judged = {mentee for _mentor, mentee in HealthSnapshots(store, programme).first_seen()}
    return members.without({place: f"no place held for them: erased from lmsync's store on {erased[place[1]].isoformat()}, "
                            "which keeps nothing of them to date a hold by" for place in members.kept
                            if place[1] in gone - paired - judged})
