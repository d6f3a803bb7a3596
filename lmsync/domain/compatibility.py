"""How well a mentee and a mentor fit: a weighted sum of named, explainable terms.

Each term gives a score and a reason in words, and the scores of a pair's terms add up to
the pair's score. The same arithmetic exists twice: ``explain`` for one pair (what the
coordinator reads) and ``Compatibility.dense`` for a block of pairs at once (what the solver
needs at 50,000 x 10,000). They must agree to the last bit, or an optimality proof made
with one would not hold for the other; so every weight is rounded to a multiple of
``QUANTUM`` (1/1024) and every term is a weight times a small integer. Sums of such numbers
are exact in floating point whatever the order, so BLAS, numpy and Python all agree.

Terms (weight 0 turns a term off):
- ``department``: same department.
- ``shared_interests``: the weight times the number of shared interests (whole normalised tokens; a plain
  count, not scaled by overlap: tester round 103a, 5).
- ``shared_language``: at least one language in common.
- ``need``: per mentee need found among the mentor's interests.
- ``year_gap``: peer mentors only; full weight at the preferred gap, less further away;
  a gap outside ``[peer_year_gap_min, peer_year_gap_max]`` makes the pair infeasible (a new
  pair, or one open to re-matching: an existing pair is kept outside the solver, scoring 0
  here; ``unmatched.still_allowed``, tester round 103a, 1).
- ``preference``: the mentee ranked this mentor (1st choice full weight, later less).
- ``stickiness``: keeping an existing pair that was opened for re-matching.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from lmsync.domain.people import Person
from lmsync.domain.score_figures import figure

if TYPE_CHECKING:
    import numpy as np  # imported where used: settings and explain() need no numpy (issue 15, start-up)

T = TypeVar("T")
QUANTUM_BITS = 10
QUANTUM = 1.0 / (1 << QUANTUM_BITS)
# Outside the year gap the dense product gets ``-Compatibility.big`` (a power of two, so sums
# stay exact); anything below ``Compatibility.infeasible_below`` is an infeasible pair.
BIG32 = 4096.0
BIG64 = 2.0**40

TERMS = ("department", "shared_interests", "need", "shared_language", "year_gap", "preference", "stickiness")
_NO_TERMS = (0.0,) * len(TERMS)  # the value of each term a pair does not have
#: Each term in a coordinator's words (the report; tester round 85b, 5: "shared_language", "year_gap").
TERM_WORDS = {"department": "same department", "shared_interests": "shared interests",
              "need": "offers what the mentee needs", "shared_language": "common language",
              "year_gap": "a peer mentor the right years senior", "preference": "the mentee's own choice",
              "stickiness": "kept with their mentor when re-matching"}


def quantise(value: float) -> float:
    """Round to a multiple of 1/1024 so sums of terms are exact in any order."""
    return round(value * (1 << QUANTUM_BITS)) / (1 << QUANTUM_BITS)


def non_negative_quantum(name: str, value: float) -> float:
    """``value`` as a float rounded by :func:`quantise`, for a matching weight or the load cost.

    Raises ``ValueError`` naming ``name`` when ``value`` is below 0: a negative bonus would make
    "always include this edge" pruning unsound, a negative load cost would not be convex
    (:mod:`lmsync.domain.assignment` prices the ``k``-th extra mentee at ``lb * (base + k)``).
    """
    value = float(value)
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, not {value}")
    return quantise(value)


@dataclass(frozen=True)
class Weights:
    same_department: float = 3
    shared_interests: float = 1
    shared_language: float = 1
    year_gap: float = 2
    preference: float = 2
    need: float = 2
    stickiness: float = 5

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            object.__setattr__(self, name, non_negative_quantum(f"matching weight {name}", getattr(self, name)))


@dataclass(frozen=True)
class MatchSettings:
    """Everything the matcher needs from the configuration, with the issue's defaults.

    ``candidates_per_mentee`` and ``full_graph_limit`` only trade speed: the result is
    proven optimal on the full graph either way (see ``lmsync.domain.assignment``).
    """

    structure: Literal["pairs", "triads"] = "pairs"
    weights: Weights = field(default_factory=Weights)
    peer_year_gap_min: int = 1
    peer_year_gap_max: int = 3
    peer_year_gap_preferred: int = 2
    triad_juniors: int = 3
    load_balance: float = 0.5
    candidates_per_mentee: int = 8
    full_graph_limit: int = 400_000
    max_rounds: int = 8
    #: what keys the draw among mentees tied for the last places (``matching.draw_order``): the programme's name
    draw: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "load_balance", non_negative_quantum("load_balance", self.load_balance))
        if self.peer_year_gap_min < 0:  # a junior mentoring a senior (tester round 120c, 3)
            raise ValueError("peer_year_gap_min is below 0")
        if self.peer_year_gap_min > self.peer_year_gap_max:
            raise ValueError("peer_year_gap_min is above peer_year_gap_max")

    def year_gap_value(self, gap: int) -> float | None:
        """The year_gap term for a peer ``gap`` years senior, or None when the gap is not allowed."""
        if not self.peer_year_gap_min <= gap <= self.peer_year_gap_max:
            return None
        preferred = self.peer_year_gap_preferred
        span = 1 + max(preferred - self.peer_year_gap_min, self.peer_year_gap_max - preferred, 0)
        return quantise(self.weights.year_gap * max(0.0, 1 - abs(gap - preferred) / span))

    def preference_value(self, rank: int, listed: int) -> float:
        """1st of ``listed`` choices gets the full weight, the last 1/listed of it."""
        return quantise(self.weights.preference * (listed - rank) / listed)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass
class Circle:
    """One assignment problem: who is matched to whom, and which pairs are allowed.

    ``kind`` is ``"mentor"`` or ``"peer"`` (triads solve one of each; pairs one ``"mentor"``
    circle whose candidates include peer mentors). ``peer`` marks mentors whose year gap
    matters. ``sticky`` maps a mentee to the existing mentor whose pair is open for
    re-matching (the stickiness bonus); ``ranks`` maps a mentee to ``{mentor: rank}``.
    """

    kind: Literal["mentor", "peer"]
    mentees: Sequence[Person]
    mentors: Sequence[Person]
    capacity: Sequence[int]
    peer: Sequence[bool]
    forbidden: frozenset[tuple[str, str]]
    sticky: Mapping[str, str]
    ranks: Mapping[str, Mapping[str, int]]


def explain(circle: Circle, mentee: Person, mentor: Person, is_peer: bool, settings: MatchSettings) -> tuple[dict[str, float], list[str]]:
    """The scored terms of one pair (non-zero ones only) and a reason for each."""
    w = settings.weights
    terms: dict[str, float] = {}
    reasons: list[str] = []
    if w.same_department and mentee.department and mentee.department == mentor.department:
        terms["department"] = w.same_department
        reasons.append(f"same department ({mentee.department})")
    shared = sorted(mentee.interests & mentor.interests)
    if w.shared_interests and shared:
        terms["shared_interests"] = w.shared_interests * len(shared)
        reasons.append("shared interests: " + ", ".join(shared))
    met = sorted(mentee.needs & mentor.interests)
    if w.need and met:
        terms["need"] = w.need * len(met)
        reasons.append("offers what the mentee needs: " + ", ".join(met))
    common = sorted(mentee.languages & mentor.languages)
    if w.shared_language and common:
        terms["shared_language"] = w.shared_language
        reasons.append("common language: " + ", ".join(common))
    if is_peer and mentee.year is not None and mentor.year is not None:
        gap = mentor.year - mentee.year
        value = settings.year_gap_value(gap)
        if value:
            terms["year_gap"] = value
            reasons.append(f"{gap} year{'s' if gap != 1 else ''} senior (preferred {settings.peer_year_gap_preferred})")
    ranks = circle.ranks.get(mentee.id, {})
    if w.preference and mentor.id in ranks:
        rank = ranks[mentor.id]
        value = settings.preference_value(rank, len(mentee.preferences))
        if value:
            terms["preference"] = value
            reasons.append(f"mentee's {_ordinal(rank + 1)} choice of {len(mentee.preferences)}")
    if w.stickiness and circle.sticky.get(mentee.id) == mentor.id:
        terms["stickiness"] = w.stickiness
        # a pair flagged for re-matching that stayed (tester round 10, 8: the flag seemed to do nothing)
        reasons.append(f"stays with their mentor: open to re-matching, but no mentor is better by more than "
                       f"the stickiness weight ({figure(w.stickiness)})")
    return terms, reasons


def total(terms: Mapping[str, float]) -> float:
    """A pair's score: the sum of its terms, in the fixed ``TERMS`` order."""
    return float(sum(map(terms.get, TERMS, _NO_TERMS)))  # map: one call per pair explained (issue 15, speed)


class Compatibility:
    """Scores of a circle's pairs in bulk, as dense blocks plus sparse bonus edges.

    The dense part (department, interests, needs, language, year gap) is one matrix product
    per block of mentees plus a small lookup for peer mentors; infeasible pairs (same
    person, forbidden, year gap out of range) are ``-inf``. Preferences and stickiness are
    sparse, non-negative bonuses on a few edges (``bonus``); the solver always keeps those
    edges as candidates, so pruning never hides them.
    """

    def __init__(self, circle: Circle, settings: MatchSettings) -> None:
        import numpy as np

        self.circle = circle
        self.settings = settings
        w = settings.weights
        mentees, mentors = circle.mentees, circle.mentors
        self.n, self.m = len(mentees), len(mentors)
        departments = sorted({p.department for p in (*mentees, *mentors) if p.department})
        # Unions over the distinct sets (people share them: ``lmsync.domain.people.shared``).
        vocabulary = sorted(set().union(*{p.interests for p in mentees}, *{p.needs for p in mentees},
                                        *{p.interests for p in mentors}))
        languages = sorted(set().union(*{p.languages for p in (*mentees, *mentors)}))
        d_index = {d: i for i, d in enumerate(departments)}
        v_index = {v: i for i, v in enumerate(vocabulary)}
        l_index = {v: i for i, v in enumerate(languages)}
        nd, nv = len(departments), len(vocabulary)

        bound = w.same_department + w.shared_language + w.year_gap
        bound += max((w.shared_interests * len(p.interests) + w.need * len(p.needs) for p in mentees), default=0)
        # Multiples of 1/1024 below 2**14 are exact in float32 (24-bit mantissa); an infeasible
        # pair sums to about -big, which must stay far below any feasible score.
        self.dtype = np.float32 if bound < 1024 else np.float64
        self.big = BIG32 if self.dtype == np.float32 else BIG64
        self.infeasible_below = -self.big / 2

        a = np.zeros((self.n, nd + nv), dtype=self.dtype)
        b = np.zeros((nd + nv, self.m), dtype=self.dtype)
        # Scattered per kind of feature: a kind puts each person in a column at most once, so
        # ``+=`` on the scattered cells adds each weight once, as a loop per person would.
        if w.same_department:
            a[_single([p.department for p in mentees], d_index)] = w.same_department
        a[_scatter([p.interests for p in mentees], v_index, nd)] += w.shared_interests
        a[_scatter([p.needs for p in mentees], v_index, nd)] += w.need
        b[_single([p.department for p in mentors], d_index)[::-1]] = 1
        b[_scatter([p.interests for p in mentors], v_index, nd)[::-1]] = 1
        keep = np.flatnonzero(a.any(axis=0) & b.any(axis=1))  # features that can ever score
        lefts, rights = [a[:, keep]], [b[keep, :]]

        # Language: "at least one in common" is not linear in languages, but it is linear in
        # the mentors' language *sets*: a mentee scores w with every mentor whose set meets hers.
        if w.shared_language and languages:
            known = sorted({tuple(sorted(p.languages)) for p in mentors if p.languages})
            s_index = {spoken_set: i for i, spoken_set in enumerate(known)}
            meets = np.zeros((len(languages), len(known)), dtype=bool)
            for i, spoken_set in enumerate(known):
                meets[[l_index[x] for x in spoken_set], i] = True
            spoken = np.zeros((self.n, len(languages)), dtype=bool)
            spoken[_scatter([p.languages for p in mentees], l_index)] = True
            lefts.append(np.where((spoken.astype(np.int32) @ meets.astype(np.int32)) > 0, w.shared_language, 0.0).astype(self.dtype))
            lang_b = np.zeros((len(known), self.m), dtype=self.dtype)
            spoken_by = {spoken_set: s_index[tuple(sorted(spoken_set))] for spoken_set in {p.languages for p in mentors if p.languages}}
            lang_b[_single([p.languages for p in mentors], spoken_by)[::-1]] = 1
            rights.append(lang_b)

        # Peer mentors: the year-gap term per (mentee year, mentor year), -big outside the gap,
        # as one feature per distinct peer-mentor year.
        self.peer_cols = np.flatnonzero(np.asarray(circle.peer, dtype=bool))
        peer_years = [mentors[int(j)].year for j in self.peer_cols]
        years = sorted({p.year for p in mentees if p.year is not None} | {y for y in peer_years if y is not None})
        y_index = {y: i + 1 for i, y in enumerate(years)}  # 0 = unknown year
        table = np.full((len(years) + 1, len(years) + 1), -self.big, dtype=self.dtype)
        for ya, ia in y_index.items():
            for yb, ib in y_index.items():
                value = settings.year_gap_value(yb - ya)
                if value is not None:
                    table[ia, ib] = value
        mentee_year = np.array([y_index[p.year] if p.year is not None else 0 for p in mentees], dtype=np.intp)
        peer_year = np.array([y_index[y] if y is not None else 0 for y in peer_years], dtype=np.intp)
        present = np.unique(peer_year)
        lefts.append(table[mentee_year][:, present])
        year_b = np.zeros((len(present), self.m), dtype=self.dtype)
        year_b[np.searchsorted(present, peer_year), self.peer_cols] = 1
        rights.append(year_b)

        # ``left @ right`` is every pair's dense score at once (exact: see the module doc);
        # a pair outside the year gap comes out below ``infeasible_below``.
        self.left = _narrowest(lefts, self.dtype)
        self.right = np.ascontiguousarray(np.vstack(rights), dtype=self.dtype)

        # Infeasible single pairs: the same person on both sides, forbids.
        mentor_index = {p.id: j for j, p in enumerate(mentors)}
        mentee_index = {p.id: i for i, p in enumerate(mentees)}
        blocked = [(i, mentor_index[p.id]) for i, p in enumerate(mentees) if p.id in mentor_index]
        blocked += [(mentee_index[a_], mentor_index[b_]) for a_, b_ in circle.forbidden if a_ in mentee_index and b_ in mentor_index]
        self.blocked = np.array(sorted(set(blocked)), dtype=np.intp).reshape(-1, 2)

        # Sparse bonuses: preference ranks and stickiness, summed per edge.
        bonus: dict[tuple[int, int], float] = {}
        for i, p in enumerate(mentees):
            ranks = circle.ranks.get(p.id, {})
            if w.preference:
                for mentor_id, rank in ranks.items():
                    if mentor_id in mentor_index:
                        key = (i, mentor_index[mentor_id])
                        bonus[key] = bonus.get(key, 0.0) + settings.preference_value(rank, len(p.preferences))
            sticky = circle.sticky.get(p.id)
            if w.stickiness and sticky in mentor_index:
                key = (i, mentor_index[sticky])
                # One QUANTUM more than the weight, for the solver only (``explain`` shows the weight): a
                # move that gains exactly the stickiness weight then loses to staying, as "better by more
                # than stickiness" says; a swap of two open pairs that gained nothing moved both people
                # (tester round 40, 1).
                bonus[key] = bonus.get(key, 0.0) + w.stickiness + QUANTUM
        self.bonus = bonus
        keys = sorted(bonus)
        self.bonus_rows = np.array([k[0] for k in keys], dtype=np.intp)
        self.bonus_cols = np.array([k[1] for k in keys], dtype=np.intp)
        self.bonus_values = np.array([bonus[k] for k in keys], dtype=np.float64)
        self.max_score = float(bound + w.preference + w.stickiness + QUANTUM)

    def features(self, rows: slice | np.ndarray) -> np.ndarray:
        """Mentees ``rows``' rows of ``left`` in the score dtype (``dtype``): ``left`` itself may
        be held narrower (``_narrowest``), so every product multiplies these."""
        out: np.ndarray = self.left[rows].astype(self.dtype, copy=False)
        return out

    def dense(self, rows: slice) -> np.ndarray:
        """Scores of mentees ``rows`` against every mentor, without the sparse bonuses."""
        import numpy as np

        start, stop = rows.start or 0, min(rows.stop, self.n)
        block = np.matmul(self.features(slice(start, stop)), self.right)
        block[np.less(block, self.infeasible_below)] = -np.inf
        if len(self.blocked):
            inside = (self.blocked[:, 0] >= start) & (self.blocked[:, 0] < stop)
            hit = self.blocked[inside]
            block[hit[:, 0] - start, hit[:, 1]] = -np.inf
        out: np.ndarray = block
        return out

    def feasible_row(self, i: int) -> np.ndarray:
        """Which mentors mentee ``i`` may have at all (ignoring capacity)."""
        return bool_row(self.dense(slice(i, i + 1))[0])


def _narrowest(parts: Sequence[np.ndarray], dtype: type) -> np.ndarray:
    """The feature columns ``parts`` side by side, as int8 when every value is a whole number
    within +-127 (the usual weights: 0 to 3 on a yes/no feature), else in ``dtype``.

    ``left`` (mentees x features) is the largest array of a circle besides the solver's: 12.8 MB
    in float32 at a 50,000-user sync, 3.2 MB as int8 (issue 15, memory). Exact either way: the
    int8 values are the same whole numbers, and ``Compatibility.features`` gives products the
    rows back in ``dtype``. A fractional weight or an infeasible year gap (``-big``) keeps ``dtype``.
    """
    import numpy as np

    def whole_and_small(part: np.ndarray) -> bool:
        return part.size == 0 or bool(np.abs(part).max() <= 127 and (part == np.rint(part)).all())

    if all(whole_and_small(p) for p in parts):
        return np.ascontiguousarray(np.hstack([p.astype(np.int8) for p in parts]))
    return np.ascontiguousarray(np.hstack(parts), dtype=dtype)


def _single(values: Sequence[T | None], index: Mapping[T, int]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) to scatter into: person ``i`` in column ``index[values[i]]``, none for an empty value."""
    import numpy as np

    code = np.fromiter((index[v] if v else -1 for v in values), dtype=np.intp, count=len(values))
    rows = np.flatnonzero(code >= 0)
    return rows, code[rows]


def _scatter(sets: Sequence[frozenset[T]], index: Mapping[T, int], offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) to scatter into: person ``i`` in column ``offset + index[x]`` for each ``x`` of ``sets[i]``.

    Each distinct set is looked up once (people share their sets). Reversed (``[::-1]``), the
    pair indexes a features x people matrix.
    """
    import numpy as np

    columns: dict[frozenset[T], list[int]] = {}
    per_person = []
    for values in sets:
        found = columns.get(values)
        if found is None:
            found = columns[values] = [offset + index[x] for x in values]
        per_person.append(found)
    counts = np.fromiter(map(len, per_person), dtype=np.intp, count=len(per_person))
    rows = np.repeat(np.arange(len(per_person), dtype=np.intp), counts)
    return rows, np.fromiter(itertools.chain.from_iterable(per_person), dtype=np.intp, count=len(rows))


def bool_row(scores: np.ndarray) -> np.ndarray:
    import numpy as np

    finite: np.ndarray = np.isfinite(scores)
    return finite
