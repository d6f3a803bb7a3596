"""The programme's people as matching sees them, from one observation of the course roster.

People come from the active roster (roles and custom profile fields mapped by config),
existing pairs from lmsync's own groups (so a fresh machine sees the same truth). Both the
sync's ``desire`` and ``lmsync match`` (through ``pull``) read people here, so what the
match shows is what the next sync does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from lmsync.config import Config, ProgrammeConfig
from lmsync.domain.held_capacity import at_least_held, held_counts
from lmsync.domain.matching import Unmatched
from lmsync.domain.people import (
    MENTORING_ROLES,
    People,
    Person,
    PersonWarning,
    Role,
    out_of_range,
    read_number,
    respell,
    respell_all,
    spelling_map,
    split_values,
)
from lmsync.domain.plan import ObservedGroup, mentor_of_idnumber
from lmsync.domain.two_circles import PairStanding, TwoCircles
from lmsync.domain.unmatched import HELD_MEMBER
from lmsync.domain.year_of_study import YEAR_FIX, year_problem
from lmsync.service.cohort_roles import COHORT_UNTIL, cohort_mentee, cohort_mentor_role
from lmsync.service.established import kept_apart, pinned_closed
from lmsync.service.labels import named, with_moodle_id
from lmsync.service.observe import RosterUser, Snapshot
from lmsync.service.roster_config import unheld_role_lines, unshown_field_lines
from lmsync.service.site_accounts import SiteLookup
from lmsync.service.suspended_words import suspended_member, suspended_mentor
from lmsync.service.two_roles import UNTIL, left_out_unmatched, left_out_words
from lmsync.visible import visible


@dataclass(frozen=True)
class RosterPeople:
    """The programme's people as read from Moodle, and what about them needs a human."""

    people: People
    warnings: list[str] = field(default_factory=list)
    notices: list[PersonWarning] = field(default_factory=list)
    #: two-role mentees left out of matching in no circle after this plan: unmatched, not unsaid (round 92a, 3)
    left_out: list[Unmatched] = field(default_factory=list)
    left_out_labels: dict[str, str] = field(default_factory=dict)  # their ids -> ``Name (username)``, as the match's
    #: mentees in several circles: their warning is said as the match ends (``TwoCircles.said``; round 92b, 5)
    two_circles: list[TwoCircles] = field(default_factory=list)
    #: the [matching] forbids entries, as written, that ended a place held for a mentee away: their "waits" line is
    #: not said (``held_places.held_people``, ``acted_forbids``; tester round 105a, 5)
    kept_apart: frozenset[tuple[str, str]] = frozenset()


@dataclass
class _Read:
    person: Person
    notices: list[PersonWarning]
    freeze: bool  # no new mentees: unreadable capacity, or a two-role person left out of matching
    blank: bool = False  # a mentor's capacity field empty: the default, but never below the circle they hold


def programme_roles(programme: ProgrammeConfig, roles: Collection[str]) -> tuple[bool, bool]:
    """(holds a mentor role, holds a mentee role) of ``[programme] mentor_roles`` / ``mentee_roles``, for a user
    with the course role shortnames ``roles``: both is a two-role user, ``[matching] dual_role`` decides."""
    return bool(set(roles) & set(programme.mentor_roles)), bool(set(roles) & set(programme.mentee_roles))


def _warn(
    user: RosterUser, code: str, message: str, field_name: str | None = None, value: str | None = None,
    outcome: str | None = None,
) -> PersonWarning:
    """A warning about a roster user, carrying both ids (Moodle id and username)."""
    return PersonWarning(
        code=code, person=user.username or str(user.id), message=message, moodle_id=user.id,
        username=user.username or None, field=field_name, value=value, outcome=outcome,
    )


def _label(user: RosterUser, show_names: bool) -> str:
    """``Ada Lovelace (s0006) (Moodle id 84)``, as every view names people (tester round 73, 6)."""
    return with_moodle_id(user.id, user.username, user.fullname, show_names=show_names)


def person_from_roster(
    user: RosterUser,
    role: Role,
    config: Config,
    *,
    also: Iterable[Role] = (),
    spellings: Mapping[str, str] | None = None,
) -> _Read:
    """One roster user as a ``Person``, reading the hand-typed numbers as ``read_number`` does.

    A capacity lmsync cannot read (``Up to two``), or one it cannot use (below 0, above
    ``LARGEST``: tester round 4, 4 and 8), is not replaced by the default: the mentor is
    frozen (no new mentees, existing ones kept) and named (issue 10 point 5).
    """
    attrs, show = config.matching.attributes, config.privacy.show_names
    spellings = spellings if spellings is not None else spelling_map(config.matching.aliases)
    profile = user.profile
    notices: list[PersonWarning] = []

    def field_value(shortname: str | None) -> str | None:
        return profile.get(shortname) if shortname else None

    def number(shortname: str | None, missing: str, least: int | None = None, year: bool = False) -> int | None:
        typed = read_number(field_value(shortname))
        problem = out_of_range(typed.value, least)
        implausible = year_problem(typed.value) if year and not problem else None  # 2026: unknown (round 120c, 7)
        if problem or implausible:  # '99999999999999999999' or a capacity of '-3': counted as missing, as 'lots' is (tester round 4, 4 and 8)
            notices.append(_warn(
                user, "year_implausible" if implausible else "value_unreadable", f"{_label(user, show)}: {shortname} "
                f"{typed.text!r} {problem or implausible}; {missing}" + (f": {YEAR_FIX}" if implausible else ""),
                shortname, typed.text,
            ))
            return None
        if typed.status == "read":
            notices.append(_warn(
                user, "value_read",
                f"{_label(user, show)}: {shortname} {typed.text!r} read as {typed.value}; please type the number alone",
                shortname, typed.text,
            ))
        elif typed.status == "unreadable":
            notices.append(_warn(
                user, "value_unreadable", f"{_label(user, show)}: {shortname} {typed.text!r} is not one number; {missing}",
                shortname, typed.text,
            ))
        return typed.value

    mentoring = role != "mentee"
    default = config.matching.peer_default_capacity if role == "peer_mentor" else config.matching.default_capacity
    capacity: int | None = default
    freeze, blank = False, mentoring  # Moodle leaves an empty custom field out of its answer: blank too
    if mentoring and attrs.capacity:
        typed_capacity = read_number(field_value(attrs.capacity))
        blank = typed_capacity.status == "empty"
        if not blank:
            # "counts as missing" read as the default an empty field gives (tester round 62, 9)
            capacity = number(attrs.capacity, "read as no room: no new mentees, existing ones kept (only an empty "
                              "field means [matching] default_capacity)", least=0)
            freeze = capacity is None
    # a year below 0 means nothing (a people file refuses it): unknown, as a word is (tester round 64, 2)
    year = number(attrs.year, "counts as missing (year unknown)", least=0, year=True) if attrs.year else None
    person = Person(
        id=user.username or str(user.id),
        role=role,
        capacity=0 if capacity is None else capacity,
        department=respell(field_value(attrs.department), spellings),
        interests=respell_all(split_values(field_value(attrs.interests), ","), spellings),
        year=year,
        languages=respell_all(split_values(field_value(attrs.languages), ","), spellings),
        moodle_id=user.id,
        fullname=user.fullname,
        also=frozenset(also),
        # pins, forbids and preferences name people as everywhere else: username, idnumber, email, and id:N
        # (``People.resolver`` reads that from ``moodle_id``: a string per person was 3 MB at 55,000; issue 15)
        aliases=frozenset(a for a in (user.idnumber, user.email, user.email.lower()) if a),
    )
    return _Read(person, notices, freeze, blank)


def people_from_roster(
    roster: Mapping[int, RosterUser],
    config: Config,
    *,
    peer_mentor_ids: frozenset[int] = frozenset(),
    groups: Iterable[ObservedGroup] = (),
    standing: Callable[[Collection[int]], PairStanding] | None = None,
    returning: Callable[[Collection[int]], Mapping[int, int]] | None = None,
    named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
    held: Collection[int] = frozenset(), site: SiteLookup | None = None,
) -> RosterPeople:
    """Who takes part, from the roster and lmsync's circles (``groups``), with warnings.

    - ``held``: mentors away whose circles are held as they are (``away_mentors``, tester round 53, 1):
      a member of such a circle (and of no other) is not matched while it is held. ``site``: names a circle's
      mentor not in the roster, as ``cohort_roles.cohort_mentee`` says (tester round 121b, 5).

    - A suspended account (trap 41) is never a person: never matched or placed. When it is
      in a circle, the plan removes a mentee ("account suspended"; a circle held while its mentor is
      away keeps them until the hold ends) and re-matches a mentor's circle as for a mentor who left.
    - A user with a mentor role and a mentee role (trap 42) is named, and
      ``[matching] dual_role`` decides: ``mentor``, ``mentee``, or ``exclude`` (the default:
      no new matching; a circle they already mentor or belong to is kept as it is).
    - A member of the peer-mentor cohort with a mentor role and no mentee role stays a peer mentor (the year gap
      applies), named; one who is a mentee in a circle leaves it as a peer mentor now, named (``cohort_roles``).
    - Hand-typed numbers are read by ``read_number``; ``[matching] aliases`` respells
      department, interests and languages.

    - A mentee in two (or more) circles (added by hand to a second one) is kept in the circle of
      their established pair (``PairStanding.rank``: lmsync's pairing history, then meetings,
      then the older circle); ``standing`` reads the store for those mentees only (FIX-C).
    - A mentee in no circle whose last pair lmsync ended (they were away: enrolment suspended,
      say) returns to that mentor while the mentor is here and has room; ``returning`` reads
      the store's pairing history for the mentees in no circle (tester round 9).
    - A mentee still in the circle of a mentor who is no longer here (account or enrolment
      suspended, left) is matched again, and ``People.departed`` says whom they were with: the
      roster's username, else ``named`` (Moodle ids -> usernames, a site lookup: an enrolment
      suspended is not in the roster), else ``id:N`` (tester round 50, 1).

    Pins, forbids and re-match flags are NOT added here: ``run_match`` adds them, once.
    """
    programme, matching, show = config.programme, config.matching, config.privacy.show_names
    triads = matching.structure == "triads"
    spellings = spelling_map(matching.aliases)
    owned = sorted(
        (g for g in groups if mentor_of_idnumber(programme.name, g.idnumber) is not None), key=lambda g: g.id
    )
    circle_mentors = {mentor_of_idnumber(programme.name, g.idnumber) for g in owned}
    in_circle = {member for g in owned for member in g.members} - circle_mentors

    persons: list[Person] = []
    warnings: list[str] = []
    notices: list[PersonWarning] = []
    frozen: set[str] = set()
    blank: set[str] = set()
    stay_put: set[int] = set()  # held two-role members of a circle: matched with no other mentor
    left: dict[str, int] = {}  # two-role people left out in no circle -> the mentor of the circle they leave (or 0)
    left_labels: dict[str, str] = {}
    unknown: list[int] = []
    for user in sorted(roster.values(), key=lambda u: u.id):
        is_mentor, is_mentee = programme_roles(programme, user.roles)
        is_peer = user.id in peer_mentor_ids
        if not (is_mentor or is_mentee or is_peer):
            continue
        if user.suspended:
            if user.id in circle_mentors:  # held, until when, or over (tester rounds 85b, 1; 105a, 6)
                where = suspended_mentor(user.id, owned, held, programme.name, config.sync.away_mentor_hold_days)
            elif user.id in in_circle:
                where = suspended_member(user.id, owned, held, programme.name)
            else:
                where = ""
            notices.append(_warn(
                user, "account_suspended", f"{_label(user, show)}: account suspended in Moodle; never matched or placed{where}"
            ))
            continue
        if user.suspended is None:
            unknown.append(user.id)
        hold = in_circle_held_out = False
        if is_mentor and is_mentee:
            decision = matching.dual_role
            until = COHORT_UNTIL if is_peer else UNTIL  # which value keeps a peer mentor (tester round 121b, 10)
            roles = ", ".join(sorted(user.roles))
            if decision == "exclude":
                hold = True
                if user.id in circle_mentors:
                    kept, outcome = "kept_as_mentor", "kept as the mentor of their circle, no new mentees"
                elif user.id in in_circle and _with_active_mentor(user.id, owned, roster, programme.name):
                    kept = "held_with_mentor"
                    outcome = "kept in their circle while their mentor has room for them, matched with no other mentor"
                    is_mentor = False  # a mentee, in the cohort too: the two-role rules win (tester round 121b, 1)
                    stay_put.add(user.id)  # with their mentor only: a fall of capacity moved them (round 54, 3)
                else:  # the circle's mentor left or is away (tester round 53, 2), or in no circle: not matched anew
                    kept, in_circle_held_out = "held_out", user.id in in_circle
                    outcome, taken_from = left_out_words(user.id, owned, held, programme.name, until=until)
                    if taken_from is not None:  # in no circle after this plan: the match's unmatched (round 92a, 3)
                        left[user.username or str(user.id)] = taken_from
                        left_labels[user.username or str(user.id)] = visible(
                            f"{user.fullname} ({user.username})" if show and user.fullname and user.username
                            else user.username or str(user.id))
                if kept != "held_out":
                    outcome += f" {until}"
            else:
                kept, outcome = f"counted_as_{decision}", f"counted as {decision} ([matching] dual_role)"
                is_mentor = decision == "mentor"
                if is_peer:  # of the peer-mentor cohort too: what they are now, said (tester round 64, 5)
                    outcome = ("counted as a faculty mentor ([matching] dual_role), no longer a peer mentor" if is_mentor
                               else "not counted as a faculty mentor ([matching] dual_role): they stay a peer mentor "
                                    "(the peer-mentor cohort)")
            notices.append(_warn(
                user, "dual_role", f"{_label(user, show)} has a mentor role and a mentee role ({roles}): {outcome}",
                "roles", roles, kept,
            ))
            if hold and (in_circle_held_out or (user.id not in circle_mentors and user.id not in in_circle)):
                continue
        elif is_mentor and is_peer:  # the cohort decides, whatever mentor role they hold (tester round 120c, 1)
            is_mentor = False
            notices.append(cohort_mentor_role(user, _label(user, show), config))
        if is_peer and not (is_mentor or hold or triads) and user.id in in_circle:  # no mentee now (tester round 120c, 4)
            notices.extend(n for n in [cohort_mentee(user, _label(user, show), owned, roster, held, config, site)] if n)
        if is_mentor:
            read = person_from_roster(user, "mentor", config, spellings=spellings)
        elif is_peer and user.id not in stay_put:  # held in their circle: a mentee (tester round 121b, 1)
            also: tuple[Role, ...] = ("mentee",) if triads else ()
            read = person_from_roster(user, "peer_mentor", config, also=also, spellings=spellings)
        else:
            read = person_from_roster(user, "mentee", config, spellings=spellings)
        persons.append(read.person)
        notices.extend(read.notices)
        if read.freeze or (hold and read.person.roles & MENTORING_ROLES):
            frozen.add(read.person.id)
        elif read.blank:
            blank.add(read.person.id)
    warnings.extend(unheld_role_lines(roster.values(), config))
    warnings.extend(unshown_field_lines(roster.values(), config))
    if unknown:
        warnings.append(
            f"Moodle did not say whether {len(unknown)} account(s) are suspended (core_user_get_users_by_field "
            f"left them out; first ids {unknown[:10]}): they are matched as active"
        )
        notices.extend(
            _warn(roster[uid], "account_state_unknown", f"{_label(roster[uid], show)}: account state unknown") for uid in unknown
        )
    by_moodle = {p.moodle_id: p for p in persons}

    current: dict[str, str] = {}
    current_peers: dict[str, str] = {}
    held_members: set[int] = set()
    found: dict[tuple[str, bool], list[tuple[ObservedGroup, Person, Person]]] = {}
    away: dict[tuple[str, bool], int] = {}  # (mentee id, peer circle) -> the mentor no longer here
    for group in owned:
        mentor_id = mentor_of_idnumber(programme.name, group.idnumber)
        mentor = by_moodle.get(mentor_id) if mentor_id is not None else None
        if mentor is None and mentor_id in held:  # away, their circle held as it is (tester round 53, 1)
            held_members.update(group.members)
            continue
        if mentor is None:  # the mentor left or is away: their mentees are open for re-matching
            peer = triads and mentor_id in peer_mentor_ids
            for member in sorted(group.members):
                mentee = by_moodle.get(member)
                if mentee is not None and mentee.has_role("mentee"):
                    away.setdefault((mentee.id, peer), mentor_id or 0)
            continue
        peer = triads and mentor.role == "peer_mentor"
        for member in sorted(group.members):
            mentee = by_moodle.get(member)
            if mentee is None or mentee is mentor or not mentee.has_role("mentee"):
                continue
            found.setdefault((mentee.id, peer), []).append((group, mentor, mentee))
    if held_members:  # a member of a held circle only is not matched while it is held
        elsewhere = {mentee_id for mentee_id, _ in found}
        out = {p.moodle_id for p in persons
               if p.moodle_id in held_members and p.id not in elsewhere and not p.roles & MENTORING_ROLES}
        # named as held, not "not active in the course", where a pin or forbid names them (tester round 64, 1)
        notices.extend(_warn(roster[uid], HELD_MEMBER, f"{_label(roster[uid], show)}: in a circle held while their mentor "
                             "is away; not matched meanwhile") for uid in sorted(out) if uid in roster)
        persons = [p for p in persons if p.moodle_id not in out]
    twice = [places for places in found.values() if len(places) > 1]
    twice_in: list[TwoCircles] = []
    known = standing({p[0][2].moodle_id or 0 for p in twice}) if twice and standing else PairStanding()
    for (mentee_id, peer), places in found.items():
        if len(places) > 1:
            places.sort(key=lambda p: known.rank(p[1].moodle_id or 0, p[2].moodle_id or 0, p[0].id))
            twice_in.append(_two_circles(places, known, show, peer))  # said after the match (tester round 92b, 5)
        (current_peers if peer else current)[mentee_id] = places[0][1].id
    holding = held_counts(current, current_peers)
    # an emptied field (an HR feed, a CSV upload) took a mentor of 8 down to the default 4 and 4 mentees out of
    # their circle, where unreadable text kept them: empty, the circle they hold stays (tester round 86a, 3); empty
    # for everyone is a lost capability, which the plan's guard refuses (round 27, 1: guard_unread_fields)
    blank &= {p.id for p in persons} if any(u.profile.get(config.matching.attributes.capacity or "") for u in roster.values()) else set()
    persons = at_least_held([replace(p, capacity=holding.get(p.id, 0)) if p.id in frozen else p for p in persons],
                            blank, holding)
    back, apart = _returning(persons, current, current_peers, by_moodle, returning, matching.pins, warnings)
    met, since = _established(persons, {**current_peers, **current}, standing)
    # whom a mentee in no live circle was with: the match says so (tester round 50, 1)
    departed = _departed({key: uid for key, uid in away.items() if key not in found}, roster, named)
    gone_with = _departed({(person, False): uid for person, uid in left.items() if uid}, roster, named)
    forbids = (*_stay_put(persons, stay_put, current, current_peers), *apart)
    people = People(
        persons=tuple(persons), current=current, current_peers=current_peers, returning=back, established=met, since=since,
        forbids=forbids,
        departed={m: said for (m, peer), said in departed.items() if not peer},
        departed_peers={m: said for (m, peer), said in departed.items() if peer},
    )
    return RosterPeople(people, warnings, notices, left_out_unmatched(left, gone_with), left_labels, twice_in)


def _stay_put(persons: Sequence[Person], held: Collection[int], current: Mapping[str, str],
              current_peers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(mentee, mentor) forbids that keep each ``held`` member with the mentor (and peer) of their circle:
    "not matched anew" held only while that mentor had room, and a fall of their capacity moved them to
    another mentor (tester round 54, 3); without room they are left with no mentor."""
    if not held:
        return ()
    mentors = [p.id for p in persons if p.roles & MENTORING_ROLES]
    out = []
    for person in persons:
        if person.moodle_id in held:
            keep = {current.get(person.id), current_peers.get(person.id)}
            out += [(person.id, mentor) for mentor in mentors if mentor not in keep and mentor != person.id]
    return tuple(out)


def _with_active_mentor(user_id: int, owned: Iterable[ObservedGroup], roster: Mapping[int, RosterUser], programme: str) -> bool:
    """Whether one of the circles ``user_id`` is in has a mentor actively enrolled, account not suspended."""
    for group in owned:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if user_id in group.members and mentor is not None and mentor in roster and roster[mentor].suspended is not True:
            return True
    return False


def _departed(
    away: Mapping[tuple[str, bool], int],
    roster: Mapping[int, RosterUser],
    named: Callable[[Collection[int]], Mapping[int, str]] | None,
) -> dict[tuple[str, bool], str]:
    """(mentee id, peer circle) -> how their mentor no longer here is named: username, else ``id:N``."""
    unknown = {uid for uid in away.values() if uid not in roster}
    found = named(unknown) if unknown and named is not None else {}
    return {key: roster[uid].username if uid in roster else found.get(uid) or f"id:{uid}" for key, uid in away.items()}


def _established(
    persons: Iterable[Person],
    current: Mapping[str, str],
    standing: Callable[[Collection[int]], PairStanding] | None,
) -> tuple[dict[str, int], dict[str, str]]:
    """Mentee id -> meetings with their current mentor, and -> when lmsync paired them (ISO), for
    the mentees of mentors whose capacity fell below their pairs (``standing`` reads the store for
    those only): matching keeps the pairs that meet (tester round 10, 4: it kept the best-scoring
    pairs and split two that met), then among equals the older (tester round 50, 7)."""
    by_id = {p.id: p for p in persons}
    load: dict[str, int] = {}
    for mentor in current.values():
        load[mentor] = load.get(mentor, 0) + 1
    over = {m for m, n in load.items() if m in by_id and n > by_id[m].capacity}
    crowded = {e: m for e, m in current.items() if m in over and e in by_id}
    if not crowded or standing is None:
        return {}, {}
    ids = {
        e: (mentor_id, mentee_id) for e, m in crowded.items()
        if (mentor_id := by_id[m].moodle_id) is not None and (mentee_id := by_id[e].moodle_id) is not None
    }
    known = standing({mentee for _m, mentee in ids.values()})
    return ({e: n for e, pair in ids.items() if (n := known.meetings.get(pair, 0))},
            {e: when for e, pair in ids.items() if (when := known.since.get(pair))})


def _returning(
    persons: Iterable[Person],
    current: Mapping[str, str],
    current_peers: Mapping[str, str],
    by_moodle: Mapping[int | None, Person],
    returning: Callable[[Collection[int]], Mapping[int, int]] | None,
    pins: Iterable[tuple[str, str]] = (),
    said: list[str] | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Mentee id -> the mentor they return to, for mentees in no circle (``returning`` reads the store), and the
    (mentee, mentor) forbids that keep any mentee from the mentor of a pair a coordinator ended, unless together
    (``established.kept_apart``; tester round 94a, 3). A pin decides; ``said`` gets its warning (``pinned_closed``)."""
    away = {
        p.moodle_id for p in persons
        if p.moodle_id is not None and p.has_role("mentee") and p.id not in current and p.id not in current_peers
    }
    if returning is None:
        return {}, []
    found = returning(away)
    back: dict[str, str] = {}
    for mentee_id, mentor_id in found.items():
        mentee, mentor = by_moodle.get(mentee_id), by_moodle.get(mentor_id)
        if mentee is not None and mentor is not None and mentor.roles & MENTORING_ROLES:
            back[mentee.id] = mentor.id
    (said if said is not None else []).extend(pinned_closed(ended := getattr(found, "ended", ()), by_moodle, pins))
    return back, kept_apart(ended, by_moodle, persons, pins, together={*current.items(), *current_peers.items()})


def _two_circles(places: list[tuple[ObservedGroup, Person, Person]], known: PairStanding, show: bool,
                 peer: bool) -> TwoCircles:
    """A mentee in several circles, ``places`` best first, for the warning said after the match: people by name
    (username), by username alone with ``[privacy] show_names`` off (it printed full names all the same; tester
    round 73, 6)."""
    _group, mentor, mentee = places[0]
    name = {p.id: named(p.id, p.fullname or "", show_names=show) for _g, *two in places for p in two}
    pairs = frozenset((m.moodle_id or 0, e.moodle_id or 0) for _g, m, e in places)
    return TwoCircles(mentee.id, tuple(m.id for _g, m, _e in places), name,
                      known.why(mentor.moodle_id or 0, mentee.moodle_id or 0), peer,
                      unsure=pairs if known.unsure(pairs) else frozenset())  # tester round 93b, 1


def people_from_snapshot(
    snapshot: Snapshot,
    config: Config,
    standing: Callable[[Collection[int]], PairStanding] | None = None,
    returning: Callable[[Collection[int]], Mapping[int, int]] | None = None,
    named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
    held: Collection[int] = frozenset(), site: SiteLookup | None = None,
) -> RosterPeople:
    """``people_from_roster`` over one observation (roster, peer cohort with its members gone from the course: a
    gone peer mentor's juniors are ``departed_peers``, tester round 127, 2; lmsync's circles);
    ``standing``: what the store knows of pairs, for a mentee in two circles (FIX-C);
    ``returning``: the mentor a mentee back after a break returns to (tester round 9);
    ``named``: usernames of mentors no longer in the course (tester round 50, 1)."""
    return people_from_roster(
        snapshot.roster,
        config,
        peer_mentor_ids=snapshot.peer_mentor_ids | snapshot.peer_mentors_gone, groups=snapshot.observation.groups,
        standing=standing,
        returning=returning,
        named=named,
        held=held, site=site,
    )
