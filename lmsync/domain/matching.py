"""Who mentors whom: the coordinator's rules applied, then an optimal assignment.

The order of business, per circle (``pairs``: one circle whose candidates are mentors and
peer mentors; ``triads``: a faculty-mentor circle and a near-peer circle, so every mentee
gets one of each, a peer taking at most ``triad_juniors``):

1. Pins are fixed first. A pin that breaks a forbid or names no mentor or no mentee is an
   error (``pin_problems``, every one at once): the coordinator must decide, not the matcher.
   A pin to a mentor with no room (capacity 0, or taken by the pins listed before it) waits,
   said: the mentor changed their own profile (tester round 50, 2; second pass, 4).
2. Existing pairs not flagged for re-matching are kept (Moodle is the truth and people
   are not reshuffled behind their backs); a pair that is no longer allowed (mentor left
   or opted out, forbidden since) is dropped, while one that a year of study or the year
   gap changed since puts outside the gap, or without a year, is kept and warned of
   (``unmatched.still_allowed``, tester round 103a, 1; a flagged pair is judged as a new
   one), and when a mentor's capacity fell below its pairs the ones with the most meetings
   (``People.established``), then the best-scoring, then the longest-standing
   (``People.since``) stay. Flagged pairs compete again with the stickiness bonus, so
   re-matching moves as few of them as the scores allow.
3. Everyone else is assigned by ``lmsync.domain.assignment.solve``: maximum total
   compatibility under capacity, minus a convex load cost, as many matched as possible,
   proven optimal on the full graph.
4. Nobody mentors their own mentor: when a solve pairs two people both ways, the best match
   without such a pair is searched for and its proof, or its absence, said
   (``lmsync.domain.mutual_pairs``; tester round 120c, 2).

People are processed in id order, so the same input gives the same output whatever order
it arrived in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Literal

from lmsync.domain.compatibility import Circle, MatchSettings, Weights, explain, total
from lmsync.domain.held_capacity import circle_places
from lmsync.domain.match_result import (
    MENTOR_GONE,
    MENTOR_OPTED_OUT,
    MOVED_BY_PIN,
    REMATCHING,
    CircleOptimality,
    Draw,
    Match,
    MatchResult,
    MutualPairs,
    Unmatched,
)
from lmsync.domain.mutual_pairs import Attempt, loops, without_mutual_pairs
from lmsync.domain.optimality import Optimality
from lmsync.domain.people import People, Person, id_key
from lmsync.domain.pins import pin_problems as pins_problems
from lmsync.domain.pins import pin_waits
from lmsync.domain.unmatched import CircleKind, Forbidden, UnmatchedReasons, allowed, is_peer, still_allowed
from lmsync.errors import PinError

__all__ = [  # the result types are re-exported: callers import them from here
    "MENTOR_GONE", "MENTOR_OPTED_OUT", "MOVED_BY_PIN", "REMATCHING", "CircleOptimality", "Match", "MatchResult",
    "Unmatched", "draw_order", "match", "pin_problems",
]

Plans = list[tuple[CircleKind, list[Person], dict[str, str]]]  # each circle: its kind, mentors, existing pairs


def _circles(people: People, settings: MatchSettings) -> tuple[list[Person], Plans, list[Mapping[str, str]], dict[str, int]]:
    """The mentees (by id), each circle (``Plans``), each circle's own existing pairs (the peer circle's
    current also holds the faculty's) and the peer mentors' capacity in a triad."""
    persons = sorted(people.persons, key=lambda p: p.id)
    mentees = [p for p in persons if p.has_role("mentee")]
    faculty = [p for p in persons if p.has_role("mentor")]
    peers = [p for p in persons if p.has_role("peer_mentor") and not p.has_role("mentor")]
    if settings.structure == "triads":
        # at most triad_juniors, a blank capacity never below the juniors held (tester round 126, 2)
        peer_capacity = {p.id: circle_places(p, True, settings.triad_juniors) for p in peers}
        plans: Plans = [("mentor", faculty, dict(people.current)),
                        ("peer", peers, _merged(people.current_peers, people.current))]
        own: list[Mapping[str, str]] = [_merged(people.current, people.departed),
                                        _merged(people.current_peers, people.departed_peers)]
        return mentees, plans, own, peer_capacity
    plans = [("mentor", sorted(faculty + peers, key=lambda p: p.id), _merged(people.current, people.current_peers))]
    return mentees, plans, [_merged(plans[0][2], _merged(people.departed, people.departed_peers))], {}


def pin_problems(people: People, settings: MatchSettings) -> list[str]:
    """Every pin of ``people`` that cannot hold, in words (``pins.pin_problems``; empty: all can)."""
    mentees, plans, _own, peer_capacity = _circles(people, settings)
    forbidden, pins = _pairs(people, people.resolver(), [])
    return _cannot_hold(mentees, plans, peer_capacity, forbidden, pins)


def _cannot_hold(mentees: Sequence[Person], plans: Plans, peer_capacity: Mapping[str, int], forbidden: Forbidden,
                 pins: Sequence[tuple[str, str]]) -> list[str]:
    """``pins.pin_problems`` over the circles ``_circles`` gives (``match`` has them already)."""
    circles = [(kind, {p.id: peer_capacity.get(p.id, p.capacity) for p in mentors}) for kind, mentors, _ in plans]
    return pins_problems({p.id for p in mentees}, circles, forbidden, pins)


def match(people: People, settings: MatchSettings) -> MatchResult:
    """Assign mentors (and, for triads, near-peers) to every mentee that can have one.

    Raises ``PinError`` naming every pin that cannot hold (``pin_problems``), in one message."""
    resolve = people.resolver()
    warnings: list[str] = []
    mentees, plans, own, peer_capacity = _circles(people, settings)
    forbidden, pins = _pairs(people, resolve, warnings)
    problems = _cannot_hold(mentees, plans, peer_capacity, forbidden, pins) if pins else []
    if problems:
        raise PinError("; ".join(problems))
    mentor_ids = {p.id for _, group, _ in plans for p in group}
    mentees_now = {p.id for p in mentees}
    for mentee_id, mentor_id in sorted({*people.current_peers.items(), *people.current.items()}):  # each (64, 8)
        if (found := resolve.get(mentor_id, mentor_id)) in mentees_now and found not in mentor_ids:
            # their roles changed, or [matching] dual_role counts them as a mentee (tester round 62, 3c)
            warnings.append(f"{mentee_id}: current mentor {mentor_id} takes part as a mentee now (their roles, or "
                            "[matching] dual_role); re-matched")
        elif found not in mentor_ids:
            # not "no longer a mentor": the id may be a typo as well as someone who left (tester round 6, 13)
            warnings.append(f"{mentee_id}: current mentor {mentor_id} is not among the mentors (left the programme, "
                            "or a mistyped id); re-matched")
    rematch_all = "*" in people.rematch
    # (meetings, paired since) of the pairs a capacity cut splits (tester round 50, 7: the older pair)
    standing = {i: (people.established.get(i, 0), people.since.get(i, "")) for i in {*people.established, *people.since}}
    rematch = {resolve.get(key, key) for key in people.rematch}
    returning = {resolve.get(a, a): resolve.get(b, b) for a, b in people.returning.items()}
    # Every key read through the resolver (every id, idnumber, email, id:N: ~5 MB at 50,000 people) is read here, not
    # through the solve (issue 15); `gone`: pairs whose mentor is gone, said as such (round 47, 5); ranks: preferences
    circles = [(kind, mentors, {resolve.get(a, a): resolve.get(b, b) for a, b in current.items()},
                {resolve.get(a, a): resolve.get(b, b) for a, b in pairs.items() if resolve.get(b, b) not in mentor_ids})
               for (kind, mentors, current), pairs in zip(plans, own, strict=True)]
    ranks = {p.id: {resolve.get(k, k): rank for rank, k in reversed(list(enumerate(p.preferences)))} for p in mentees if p.preferences}
    two_roles = not mentees_now.isdisjoint(mentor_ids)  # someone may mentor their own mentor
    del resolve, plans, own, mentees_now
    # Someone with a mentee and a mentor role (vertical mentoring, a CSV "mentee;mentor") may be
    # both the mentee and the mentor of one other such person in a single solve. A pair is never
    # mutual: the best match without one is searched for (``mutual_pairs``; tester finding 1, round 120c, 2).
    def solve(forbidden: Forbidden) -> Attempt:
        attempt = Attempt([], [], [], {}, list(warnings))
        for kind, mentors, current, gone in circles:
            cap = {p.id: peer_capacity.get(p.id, p.capacity) for p in mentors}
            made = _match_circle(
                kind, mentees, mentors, cap, current, pins, forbidden, rematch, rematch_all, ranks, settings,
                attempt.warnings, returning, standing, gone,
            )
            attempt.assignments += made[0]
            attempt.unmatched += made[1]
            attempt.optimality.append(CircleOptimality(kind, made[2]))
            for mentor in mentors:
                if cap[mentor.id] > 0:
                    attempt.loads[mentor.id] = 0
            for a in made[0]:
                attempt.loads[a.mentor] = attempt.loads.get(a.mentor, 0) + 1
        return attempt

    mutual: MutualPairs | None = None
    if two_roles:
        done, mutual, settled = without_mutual_pairs(solve, forbidden, settings.load_balance)
        done.warnings += [*settled, *loops(done.assignments)]
    else:  # nobody is both a mentee and a mentor: one solve, nothing more (issue 15, speed)
        done = solve(forbidden)
    assignments, unmatched, loads = done.assignments, done.unmatched, done.loads
    assignments.sort(key=lambda a: (a.circle, a.mentee))
    unmatched.sort(key=lambda u: (u.circle, u.mentee))
    return MatchResult(
        structure=settings.structure,
        assignments=assignments,
        unmatched=unmatched,
        total_score=float(sum(a.score for a in assignments)),
        loads=dict(sorted(loads.items())),
        optimality=done.optimality,
        warnings=done.warnings,
        mutual=mutual,
    )


def _merged(first: Mapping[str, str], second: Mapping[str, str]) -> dict[str, str]:
    """Existing pairs from both maps; the circle keeps only those whose mentor it has."""
    merged = dict(second)
    merged.update(first)
    return merged


def _pairs(people: People, resolve: Mapping[str, str], warnings: list[str]) -> tuple[Forbidden, list[tuple[str, str]]]:
    """The forbidden pairs, each with why in matching's words (``forbidden``: ``[matching] forbids``;
    ``marked not a good fit``: the queue's mark, ``People.unfit``), and the pins, by matching id."""
    def resolved(pairs: Sequence[tuple[str, str]], what: str) -> list[tuple[str, str]]:
        out = []
        for mentee, mentor in pairs:
            a, b = resolve.get(mentee), resolve.get(mentor)
            if a is None or b is None:
                missing = mentee if a is None else mentor
                warnings.append(f"{what} {mentee} -> {mentor} ignored: nobody has the id {missing}")
                continue
            if (a, b) not in out:  # the same pin or forbid listed twice is one decision
                out.append((a, b))
        return out

    unfit = {(resolve.get(a, a), resolve.get(b, b)) for a, b in people.unfit}
    because = {pair: "marked not a good fit" if pair in unfit else "forbidden" for pair in resolved(people.forbids, "forbid")}
    return because, resolved(people.pins, "pin")


def _match_circle(
    kind: CircleKind,
    mentees: list[Person],
    mentors: list[Person],
    cap: dict[str, int],
    current: dict[str, str],
    pins: list[tuple[str, str]],
    forbidden: Forbidden,
    rematch: set[str],
    rematch_all: bool,
    ranks: dict[str, dict[str, int]],
    settings: MatchSettings,
    warnings: list[str],
    returning: Mapping[str, str],
    standing: Mapping[str, tuple[int, str]],
    gone: Mapping[str, str],
) -> tuple[list[Match], list[Unmatched], Optimality]:
    by_id = {p.id: p for p in mentors}
    mentee_by_id = {p.id: p for p in mentees}
    sticky: dict[str, str] = {}
    circle_ref = Circle(kind, [], [], [], [], frozenset(forbidden), sticky, ranks)
    fixed: dict[str, tuple[str, Literal["kept", "returned", "pinned"]]] = {}
    load: dict[str, int] = {p.id: 0 for p in mentors}

    for mentee_id, mentor_id in pins:  # each one can hold, or waits (``pin_problems``, checked by ``match``)
        if mentor_id not in by_id:
            continue  # a pin for the other circle
        if load[mentor_id] >= cap[mentor_id]:
            # one mentor's own profile edit (capacity 0, or below their pins) stopped every sync of the
            # programme (tester round 50, 2; second pass, 4): the pins listed first hold, the others wait
            warnings.append(pin_waits(mentee_id, mentor_id, [e for e, (m, _) in fixed.items() if m == mentor_id]))
            continue
        mentor = by_id[mentor_id]
        why = allowed(_person(mentee_by_id, mentee_id), mentor, is_peer(kind, mentor), forbidden, settings)
        if why:
            warnings.append(f"pin {mentee_id} -> {mentor_id} honoured although {why}")
        fixed[mentee_id] = (mentor_id, "pinned")
        load[mentor_id] += 1

    keep: dict[str, list[str]] = {}
    opened_by: dict[str, list[str]] = {}  # existing pairs open to re-matching, by mentor
    # mentee -> (mentor of their existing pair, why it is no longer fixed): opened for re-matching, the
    # mentor's capacity fell, or the pair is no longer allowed (a forbid, a mark, an opted-out mentor); the
    # last two are warned where they are found
    earlier: dict[str, tuple[str, str]] = {}
    for mentee in mentees:
        existing = current.get(mentee.id)
        if mentee.id in fixed or existing is None or existing not in by_id:
            continue  # pinned, no pair, or a pair that belongs to the other circle
        mentor_id = existing
        mentor = by_id[mentor_id]
        opened = rematch_all or mentee.id in rematch or mentor_id in rematch
        # a year or gap changed since keeps the pair unless it is open to re-matching (tester round 103a, 1)
        why = still_allowed(mentee, mentor, is_peer(kind, mentor), forbidden, settings, warnings, opened)
        if why or cap[mentor_id] == 0:
            warnings.append(f"{mentee.id}: existing pair with {mentor_id} dropped ({why or 'mentor opted out'})")
            # an opted-out mentor is named as such (tester round 50, 3: a long catch-all was said instead)
            earlier[mentee.id] = (mentor_id, f"the pair is not allowed: {why}" if why else MENTOR_OPTED_OUT)  # 66, 7
            continue
        (opened_by if opened else keep).setdefault(mentor_id, []).append(mentee.id)
    for mentor_id in sorted(set(keep) | set(opened_by)):
        # the pairs open to re-matching count too: with a capacity below the pairs, the order below says which
        # stay, whatever [matching] rematch opens (tester round 132b, 1: it moved the one pair that had met)
        open_here = opened_by.get(mentor_id, [])
        kept = keep.get(mentor_id, []) + open_here
        room = cap[mentor_id] - load[mentor_id]
        if len(kept) > room:
            mentor = by_id[mentor_id]
            # Capacity fell below the existing pairs: keep the pairs that meet most, then the best
            # fits (tester round 10, 4), then the older pairings (unknown: last), then by the draw, and
            # re-match the rest (tester round 50, 7: a pair made minutes before beat one of a term by id)
            scored = sorted(kept, key=lambda i: (
                -standing.get(i, (0, ""))[0],
                -total(explain(circle_ref, _person(mentee_by_id, i), mentor, is_peer(kind, mentor), settings)[0]),
                standing.get(i, (0, ""))[1] or "\uffff",
                draw_order(i, settings.draw),
            ))
            # the room went to pins when the capacity alone still holds the pairs (tester round 43, 3: "capacity
            # is below their existing pairs" was said of a mentor whose capacity had not changed)
            pinned = [] if len(kept) > cap[mentor_id] else sorted(i for i, (j, how) in fixed.items()
                                                                   if j == mentor_id and how == "pinned")
            cause = f"displaced by the pin of {', '.join(pinned)}" if pinned else "over capacity"  # not "fell" (round 64, 3)
            said = (f"{mentor_id}'s room went to [matching] pins ({', '.join(pinned)})" if pinned
                    else f"{mentor_id}'s circle holds more mentees than their capacity")
            for mentee_id in scored[room:]:
                if not open_here:  # else the room left is the open pairs' (tester round 132b, 1)
                    sticky[mentee_id] = mentor_id
                earlier[mentee_id] = (mentor_id, cause)
                warnings.append(f"{mentee_id}: {said}; matched again "
                                "(to another mentor with room, else unmatched)")  # not "re-matched" (tester round 15, 4)
            kept = scored[:room]
        for mentee_id in kept:
            if mentee_id in open_here:  # open to re-matching: moves if the total gains more than stickiness
                sticky[mentee_id] = mentor_id
                earlier[mentee_id] = (mentor_id, REMATCHING)
                continue
            fixed[mentee_id] = (mentor_id, "kept")
            load[mentor_id] += 1
    for mentee_id, mentor_id in gone.items():
        if mentee_id in mentee_by_id and mentee_id not in fixed:
            earlier.setdefault(mentee_id, (mentor_id, MENTOR_GONE))
    for mentee in mentees:  # back after a break: their last mentor, in the room the kept pairs leave
        mentor_id = returning.get(mentee.id, "")
        if mentee.id in fixed or mentee.id in sticky or current.get(mentee.id) in by_id or mentor_id not in by_id:
            continue
        mentor = by_id[mentor_id]
        if allowed(mentee, mentor, is_peer(kind, mentor), forbidden, settings) or cap[mentor_id] == 0:
            continue
        if rematch_all or mentee.id in rematch or mentor_id in rematch or load[mentor_id] >= cap[mentor_id]:
            sticky[mentee.id] = mentor_id  # no room kept for them: the stickiness weight still favours the pair
            continue
        fixed[mentee.id] = (mentor_id, "returned")
        load[mentor_id] += 1

    # In the draw's order, not by id: the solver gives exact ties to the rows it meets first, and under a
    # shortage mentees whose ids sort first were placed 3 to 4 times as often (tester round 46b, 1).
    free = sorted((p for p in mentees if p.id not in fixed), key=lambda p: draw_order(p.id, settings.draw))
    # Faculty first, peer mentors last: the year-gap term then touches one slice of columns.
    open_mentors = sorted((p for p in mentors if cap[p.id] - load[p.id] > 0),
                          key=lambda p: (is_peer(kind, p), id_key(p.id), p.id))  # any case: as the draw (round 50, 6)
    circle = Circle(
        kind=kind,
        mentees=free,
        mentors=open_mentors,
        capacity=[cap[p.id] - load[p.id] for p in open_mentors],
        peer=[is_peer(kind, p) for p in open_mentors],
        forbidden=frozenset(forbidden),
        sticky=sticky,
        ranks=ranks,
    )
    # The solver's libraries (numpy, scipy) are imported here, not with this module, so that
    # commands which only read or describe a match start fast (issue 15, start-up).
    from lmsync.domain.assignment import solve
    from lmsync.domain.compatibility import Compatibility
    from lmsync.domain.draw_ties import draw_ties
    from lmsync.domain.slot_solver import give_back

    comp = Compatibility(circle, settings)
    solution = solve(comp, circle.capacity, [load[p.id] for p in open_mentors], settings)
    ties = draw_ties(comp, solution.mentor_of, circle.capacity)  # the draw decided (tester round 117b, 6)
    # its tables and the solve's freed arrays are handed back, else resident through the plan, the apply and
    # the next sync of a run (issue 15, memory: a 55,000-user sync's no-op re-sync peaked at 409 MB with them)
    del comp
    give_back()

    assignments: list[Match] = []
    for mentee_id, (mentor_id, origin) in fixed.items():
        mentor = by_id[mentor_id]
        terms, reasons = explain(circle, _person(mentee_by_id, mentee_id), mentor, is_peer(kind, mentor), settings)
        if current.get(mentee_id) == mentor_id and settings.weights.stickiness and "stickiness" not in terms:
            terms["stickiness"] = settings.weights.stickiness
            reasons.append("keeps the existing pair")
        previous = None
        if origin == "pinned":
            previous = current.get(mentee_id) if current.get(mentee_id) not in (None, mentor_id) else None
            # a pin that moves an existing pair says so (tester round 44, 5: "previous" was empty)
            reasons.append(MOVED_BY_PIN + (f": moved from {previous}" if previous else ""))
        elif origin == "returned":
            if settings.weights.stickiness and "stickiness" not in terms:
                terms["stickiness"] = settings.weights.stickiness
            reasons.append("back with their mentor after a break (lmsync's pairing history)")
        elif "keeps the existing pair" not in reasons:
            reasons.append("existing pair kept")
        assignments.append(Match(mentee_id, mentor_id, total(terms), terms, reasons, kind, origin, previous,
                                 MOVED_BY_PIN if previous else ""))
    unmatched: list[Unmatched] = []
    # A pair's terms depend only on the two profiles (and, for mentees with preferences or an
    # open pair, on ids): tie-heavy programmes repeat a few profile pairs thousands of times.
    explained: dict[tuple[object, ...], tuple[dict[str, float], list[str], float]] = {}
    w = settings.weights
    why_unmatched = UnmatchedReasons(kind, mentors, cap, forbidden, settings)
    for i, mentee in enumerate(free):
        j = int(solution.mentor_of[i])
        before, how = earlier.get(mentee.id, (None, ""))
        if j < 0:
            reason = why_unmatched(mentee)
            if how == REMATCHING:  # the pair ended and nothing replaced it: said (tester round 40b, 1)
                warnings.append(f"{mentee.id}: existing pair with {before} ended by re-matching: now unmatched ({reason})")
            tie = ties.get(i)
            draw = None if tie is None else Draw(  # the score as ``explain`` gives it (a sticky pair: the weight)
                open_mentors[tie.col].id, total(explain(circle, mentee, open_mentors[tie.col], circle.peer[tie.col],
                                                        settings)[0]), tuple(sorted((free[r].id for r in tie.rows), key=id_key)), tie.more)
            unmatched.append(Unmatched(mentee.id, reason, kind, before, how if before is not None else "", draw))
            continue
        mentor = open_mentors[j]
        key = None if mentee.id in ranks or mentee.id in sticky else (_profile(mentee, w), _profile(mentor, w), circle.peer[j])
        known = explained.get(key) if key is not None else None
        if known is None:
            terms, reasons = explain(circle, mentee, mentor, circle.peer[j], settings)
            known = (terms, reasons, total(terms))
            if key is not None:
                explained[key] = known
        if before is None:  # terms and reasons shared by the matches of one profile: read, never changed
            assignments.append(Match(mentee.id, mentor.id, known[2], known[0], known[1], kind))
        elif before == mentor.id:
            assignments.append(Match(mentee.id, mentor.id, known[2], known[0], known[1], kind, "stayed"))
        else:
            moved = [*known[1], f"moved from {before} ({how})"]
            assignments.append(Match(mentee.id, mentor.id, known[2], dict(known[0]), moved, kind, "moved", before, how))
    return assignments, unmatched, solution.optimality


def draw_order(person_id: str, draw: str) -> bytes:
    """A mentee's place in the draw among mentees the scores cannot tell apart: a hash of ``draw``
    (``MatchSettings.draw``, the programme's name) and their id. The same on every run of a
    programme, so a re-run changes nothing; another programme draws afresh; no id is favoured
    for sorting first (tester round 46b, 1: under a shortage, the first id quartile was placed 50%
    of the time, the last 7%). Ids are read in any case (``id_key``): a sheet exported again with
    ``S1`` for ``s1`` draws the same (tester round 50, 6: it reshuffled who had a mentor)."""
    return hashlib.blake2b(f"{draw}\x00{id_key(person_id)}".encode(), digest_size=8).digest()


def _profile(person: Person, w: Weights) -> tuple[object, ...]:
    """Everything of a person that ``explain`` reads under weights ``w``, apart from ids
    (preferences, open pairs: such mentees are explained one by one)."""
    return (
        person.department if w.same_department else None,
        person.interests if w.shared_interests or w.need else None,
        person.needs if w.need else None,
        person.languages if w.shared_language else None,
        person.year,
    )


def _person(people: Mapping[str, Person], person_id: str) -> Person:
    return people[person_id]

