"""Nobody mentors their own mentor: the best match with mutual pairs refused, and loops named.

Someone with a mentee role and a mentor role (a ``--people`` row ``mentor;mentee``) may come out of
one solve as both the mentee and the mentor of another such person. Such a pair is refused: one of
its two directions (mentee, mentor) is forbidden and the circles are solved again. Which direction to
forbid is a choice: the weaker one (the lower score) is a good guess, but the best match with no
mutual pair may need the other one forbidden (tester round 120c, 2: forbidding the weaker direction
gave a total of 5 where 6 was allowed, still called "maximised" and "optimal").

The method (``without_mutual_pairs``), a branch and bound over the two directions of each pair:

1. The guess: every mutual pair's weaker direction forbidden, solved again until no pair is
   mutual (what matching did before round 120c). It is the best found so far.
2. The search: from the first solve, a mutual pair is taken (ids in order) and two problems made,
   each forbidding one of its directions (weaker first). Every match with no mutual pair lacks at
   least one of the two directions, so the two problems together hold every such match, and each
   one's optimum is at most its parent's (an edge fewer, the kept and pinned pairs unchanged). A
   problem whose own solve is no better than the best found is not searched further; one whose
   solve has no mutual pair is a candidate. With every solve proven optimal on its own graph
   (``Optimality.proven``), a search that ends is a proof: the best candidate is the best match
   with no mutual pair (most matched, then the total score less the load-balance cost).
3. The guess always ends (each round forbids a pair its last solve made, which no later solve makes
   again); the search has a budget of ``MUTUAL_SOLVES`` solves and of time (``search_seconds``: 4 times
   the first solve, at least ``MUTUAL_SECONDS_MIN`` and at most ``MUTUAL_SECONDS_MAX``; no solve starts
   after it), so that a programme with many two-role people does not solve for minutes (tester round
   121b, 9: 5 mutual pairs at 5,000 rows spent the 32 solves, 28 s, against 2.7 s without two-role
   people). A search that runs out of either keeps the best found and says it is not proven
   (``MutualPairs.proven``) and why it stopped (``MutualPairs.stopped``), as does one that had to forbid a kept or
   returning pair (both directions fixed: that is no narrower problem, so its bound does not hold)
   or one with a solve not proven on its own graph. A first solve with more than
   ``MUTUAL_PAIRS_SEARCHED`` mutual pairs is not searched at all (at 5,000 x 1,000 with 300 two-role
   people, 31 pairs: the search spent its 32 solves, 20 s, without a proof; the guess alone took 4).
   A pinned direction is never forbidden: a pin holds whatever the rules (``matching``), so two pins
   that make a mutual pair stay, said.

The same input gives the same output: the pairs are taken in id order and a tie keeps the guess; only a
search cut short by its time budget may stop at another solve on a slower machine (a small programme's search
ends well within ``MUTUAL_SECONDS_MIN``, so its result does not hang on the machine).
Loops of three or more (A mentors B, B mentors C, C mentors A) are allowed and named in a warning
(``loops``): the rule is about two people mentoring each other, and README promises nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lmsync.domain.match_result import CircleOptimality, Match, MutualPairs, Unmatched, load_cost
from lmsync.domain.unmatched import Forbidden

#: The most solves the search (step 2) spends after the guess. A mutual pair met alone costs at most two, so
#: about five pairs met together are searched through; more, or pairs that keep coming back, may be "best found".
MUTUAL_SOLVES = 32
#: A first solve with more mutual pairs than this is not searched (2^6 problems and more, and as many solves
#: to reach the first candidate): the guess stands, "best found" unless it matches the first solve's total.
MUTUAL_PAIRS_SEARCHED = 5
#: The search's time, as a multiple of the first solve's: the whole match costs at most about five plain solves
#: (and the solve under way when time runs out). Tester round 121b, 9.
MUTUAL_TIME_FACTOR = 4
#: ... but at least this (seconds): a small programme (solves of milliseconds) searches through, whatever the
#: machine's load, so its result and proof stay the same from run to run ...
MUTUAL_SECONDS_MIN = 1.0
#: ... and at most this: at 50,000 mentees, where one solve takes many seconds, 4 of them would be minutes.
MUTUAL_SECONDS_MAX = 5.0
#: ``MutualPairs.stopped``: the search ran out of solves, of time, or was not made (too many pairs).
SOLVE_LIMIT, TIME_LIMIT, NOT_SEARCHED = "solve_limit", "time_limit", "too_many_pairs"
#: Why a refused direction may not be made, in matching's words (``unmatched.allowed``).
THEIR_OWN_MENTEE = "their own mentee"
_FIXED = frozenset({"kept", "returned", "pinned"})  # ``Match.origin`` of the pairs a solve does not choose


@dataclass
class Attempt:
    """One solve of every circle under one set of forbidden pairs: what ``match`` returns, unsorted."""

    assignments: list[Match]
    unmatched: list[Unmatched]
    optimality: list[CircleOptimality]
    loads: dict[str, int]
    warnings: list[str]

    def key(self, load_balance: float) -> tuple[int, float]:
        """(mentees matched, total score less the load-balance cost): what matching maximises, in that order.
        Exact: every score and cost is a multiple of 1/1024."""
        return len(self.assignments), sum(a.score for a in self.assignments) - load_cost(self.loads, load_balance)

    @property
    def proven(self) -> bool:
        return all(o.optimality.proven for o in self.optimality)


Solve = Callable[[Forbidden], Attempt]


def search_seconds(first_solve: float) -> float:
    """The search's time budget (seconds) after a first solve of ``first_solve`` seconds: ``MUTUAL_TIME_FACTOR``
    times it, within [``MUTUAL_SECONDS_MIN``, ``MUTUAL_SECONDS_MAX``] (tester round 121b, 9)."""
    return min(max(MUTUAL_TIME_FACTOR * first_solve, MUTUAL_SECONDS_MIN), MUTUAL_SECONDS_MAX)


def without_mutual_pairs(
    solve: Solve, forbidden: Forbidden, load_balance: float, limit: int | None = None,
    clock: Callable[[], float] | None = None,
) -> tuple[Attempt, MutualPairs | None, list[str]]:
    """The best match ``solve`` gives with no two people mentoring each other, the record of the refusal
    (None: the first solve had no mutual pair, nothing was refused) and its warnings, one per refused
    direction (``"A and B would have mentored each other: B is not matched to A"``) and one per pinned pair.
    ``solve``: every circle solved under the forbidden pairs it is given; ``forbidden``: the programme's own;
    ``limit``: the search's solves (step 2; the guess's are not counted), ``MUTUAL_SOLVES`` by default;
    ``clock``: seconds, ``time.monotonic`` by default (the time budget, ``search_seconds``). Raises nothing of
    its own."""
    clock = clock or time.monotonic
    started = clock()
    first = solve(forbidden)
    first_seconds = clock() - started
    conflicts = len(_conflicts(first.assignments))
    if not conflicts:
        return first, None, []
    search = _Search(solve, forbidden, load_balance, MUTUAL_SOLVES if limit is None else limit, clock)
    search.guess(first)
    if conflicts <= MUTUAL_PAIRS_SEARCHED:
        search.start(search_seconds(first_seconds))
        search.visit(first, frozenset())
    elif search.best[0].key(load_balance) < first.key(load_balance):  # the guess may fall short: not searched
        search.complete = False
        search.stopped = (NOT_SEARCHED, f"not searched: {conflicts} mutual pair{'' if conflicts == 1 else 's'} (the "
                                        f"search takes at most {MUTUAL_PAIRS_SEARCHED})")
    best, refused = search.best
    pinned = sorted({pair for pair, ways in _conflicts(best.assignments) if not ways})
    said = [f"{mentor} and {mentee} would have mentored each other: {mentee} is not matched to {mentor}"
            for mentee, mentor in sorted(refused)]
    said += [f"{a} and {b} mentor each other: both pairs are pinned ([matching] pins)" for a, b in pinned]
    proven = search.complete and search.sure
    code, words = search.stopped if search.stopped and not proven else (None, "")
    record = MutualPairs(tuple(sorted(refused)), search.solves, proven, code, words)
    return best, record, said


Refused = frozenset[tuple[str, str]]  # the directions (mentee, mentor) forbidden besides the programme's own


class _Search:
    """The branch and bound of the module docstring: ``best`` (an attempt and the directions it refuses),
    ``solves`` spent in all, ``complete`` (False: the budget ran out), ``sure`` (False: a solve was not
    proven, or a kept or returning pair had to be forbidden) and ``stopped`` (why the search ended early: a
    ``MutualPairs.stopped`` code and its words)."""

    def __init__(self, solve: Solve, forbidden: Forbidden, load_balance: float, limit: int,
                 clock: Callable[[], float]) -> None:
        self._solve, self._forbidden, self._lb = solve, forbidden, load_balance
        self._limit = self._left = limit
        self._clock, self._deadline, self._seconds = clock, float("inf"), 0.0
        self.solves, self.complete, self.sure = 1, True, True
        self.stopped: tuple[str, str] | None = None
        self._seen: dict[Refused, Attempt] = {}
        self.best: tuple[Attempt, Refused]

    def start(self, seconds: float) -> None:
        """Step 2 begins now, with ``seconds`` to spend: no solve of it starts later."""
        self._seconds, self._deadline = seconds, self._clock() + seconds

    def _attempt(self, refused: Refused, counted: bool = True) -> Attempt | None:
        """The solve with ``refused`` forbidden as well (None: the search's budget, solves or time, is spent)."""
        if refused in self._seen:
            return self._seen[refused]
        if counted:
            done = self._limit - self._left
            if self._left <= 0:
                self.complete = False
                self.stopped = (SOLVE_LIMIT, f"the search stopped after {done} solves (its limit)")
                return None
            if self._clock() >= self._deadline:
                self.complete = False
                self.stopped = (TIME_LIMIT, f"the search stopped after {done} solves, at its time limit of "
                                            f"{self._seconds:.1f} s ({MUTUAL_TIME_FACTOR} times the first solve, at "
                                            f"least {MUTUAL_SECONDS_MIN:g} s and at most {MUTUAL_SECONDS_MAX:g} s)")
                return None
            self._left -= 1
        self.solves += 1
        attempt = self._solve({**self._forbidden, **dict.fromkeys(refused, THEIR_OWN_MENTEE)})
        self.sure = self.sure and attempt.proven
        return attempt

    def _ways(self, attempt: Attempt) -> list[list[tuple[str, str]]]:
        """The directions that may be forbidden, per mutual pair of ``attempt`` that has any: the ones its solve
        chose, weaker first, else (both fixed: not a narrower problem, so nothing is proven) the fixed ones."""
        free = _free(attempt.assignments)
        out = []
        for _, ways in _conflicts(attempt.assignments):
            chosen = [way for way in ways if way in free]
            if ways and not chosen:
                self.sure = False
            if ways:
                out.append(chosen or ways)
        return out

    def guess(self, first: Attempt) -> None:
        """Step 1: each mutual pair's weaker direction forbidden until none is left. Each round forbids a pair
        the last solve made, which no later solve makes again, so it ends (not counted in the budget)."""
        self.sure = self.sure and first.proven
        attempt, refused = first, Refused()
        while more := {ways[0] for ways in self._ways(attempt)}:
            refused = refused | more
            attempt = self._attempt(refused, counted=False) or attempt
        self._seen[refused] = attempt
        self.best = (attempt, refused)

    def _beaten(self, attempt: Attempt) -> bool:
        """Nothing below ``attempt`` (its solve: their bound) can beat the best found."""
        return attempt.key(self._lb) <= self.best[0].key(self._lb)

    def visit(self, attempt: Attempt, refused: Refused) -> None:
        """Step 2 below ``attempt``: the solve with ``refused`` forbidden besides the programme's own."""
        if self._beaten(attempt):
            return
        pairs = self._ways(attempt)
        if not pairs:
            self.best = (attempt, refused)  # no mutual pair left (but pinned ones), and better
            return
        for way in pairs[0]:
            if self._beaten(attempt):
                return
            child = self._attempt(refused | {way})
            if child is None:
                return
            self.visit(child, refused | {way})


def _free(assignments: Sequence[Match]) -> set[tuple[str, str]]:
    """The (mentee, mentor) pairs a solve chose: forbidding one narrows the problem."""
    return {(a.mentee, a.mentor) for a in assignments if a.origin not in _FIXED}


def _conflicts(assignments: Sequence[Match]) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """Each pair of people who mentor each other, in id order, with the directions (mentee, mentor) that
    may be forbidden, the weaker first (the lower score, on a tie the one whose mentor's id sorts later);
    a pinned direction is never one of them."""
    mentors = {a.mentor for a in assignments}
    by_pair = {(a.mentee, a.mentor): a for a in assignments if a.mentee in mentors}
    found = []
    for (mentee, mentor), one in sorted(by_pair.items()):
        other = by_pair.get((mentor, mentee))
        if other is None or mentee > mentor:
            continue
        worse, better = (one, other) if (one.score, other.mentor) < (other.score, one.mentor) else (other, one)
        found.append(((mentee, mentor), [(a.mentee, a.mentor) for a in (worse, better) if a.origin != "pinned"]))
    return found


def loops(assignments: Sequence[Match]) -> list[str]:
    """A warning for each loop of three or more people in one circle who mentor one another in turn
    (``"a loop of mentors in the mentor circle: A mentors C, C mentors B, B mentors A (allowed: only two people
    mentoring each other are refused)"``), each loop once, from its smallest id. Linear in the pairs (tester
    round 120c, 2: a loop of three was made without a word)."""
    said = []
    for circle in sorted({a.circle for a in assignments}):
        mentor_of: Mapping[str, str] = {a.mentee: a.mentor for a in assignments if a.circle == circle}
        mentors = set(mentor_of.values())
        both = sorted(p for p in mentor_of if p in mentors)
        seen: set[str] = set()
        for start in both:
            path: list[str] = []
            on_path: dict[str, int] = {}
            person: str | None = start
            while person is not None and person not in seen and person not in on_path:
                on_path[person] = len(path)
                path.append(person)
                person = mentor_of.get(person)
            seen.update(path)
            if person is None or person not in on_path or len(path) - on_path[person] < 3:
                continue
            ring = path[on_path[person]:]  # each one's mentor next: read backwards, each mentors the next
            ring = ring[::-1]
            first = ring.index(min(ring))
            ring = ring[first:] + ring[:first]
            turns = [f"{x} mentors {ring[(i + 1) % len(ring)]}" for i, x in enumerate(ring)]
            said.append(f"a loop of mentors in the {circle} circle: {', '.join(turns)} (allowed: only two people "
                        "mentoring each other are refused)")
    return said
