"""What a matching gives back: each pair with its score and reasons, the mentees left unmatched and why, and
the optimality proof of each circle (``lmsync.domain.matching.match`` makes them; ``to_dict`` is the JSON the
CLI prints)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lmsync.domain.optimality import Optimality
from lmsync.domain.people import PersonWarning
from lmsync.domain.unmatched import CircleKind

REMATCHING = "re-matching"  # why an existing pair was opened: ``[matching] rematch``
MOVED_BY_PIN = "pinned by the coordinator"  # why a pinned mentee left their mentor before (``Match.cause``)
MENTOR_GONE = "their mentor is no longer among the mentors"  # (``Match.cause``): left, suspended, or no mentor role
MENTOR_OPTED_OUT = "their mentor opted out (capacity 0)"  # (``Match.cause``; tester round 50, 3)


@dataclass(frozen=True, slots=True)  # slotted, and a profile's terms and reasons shared: one per mentee (issue 15)
class Match:
    """One match: a mentee and the mentor matching gave them, with the score and its reasons
    (Moodle's assignment activity is ``lmsync.moodle.models.Assignment``)."""

    mentee: str
    mentor: str
    score: float
    terms: dict[str, float]
    reasons: list[str]
    circle: CircleKind = "mentor"
    #: ``stayed``: an existing pair opened for re-matching that stayed; ``moved``: one whose mentee
    #: now has another mentor (``previous``). Tester round 40, 3: both read "matched anew".
    origin: Literal["matched", "kept", "returned", "pinned", "stayed", "moved"] = "matched"
    previous: str | None = None  # the mentor before: of a moved pair, or of a pinned one that moved (round 44, 5)
    #: why the mentee left ``previous``: ``MOVED_BY_PIN``, or the cause of a move (``displaced by the pin of s2``,
    #: ``over capacity``, ``the pair is not allowed: WHY``, ``REMATCHING``); "" when nobody moved
    cause: str = ""


@dataclass(frozen=True)
class Draw:
    """A full ``mentor``'s place that the draw gave another mentee (``draw_ties``; tester round 117b, 6): the
    unmatched mentee scored ``score`` with them, as the placed ``mentees`` there did (ids); ``more_mentors``: how many
    other full mentors tie the same way. JSON: ``{"mentor", "score", "mentees", "more_mentors"}``."""

    mentor: str
    score: float
    mentees: tuple[str, ...]
    more_mentors: int = 0


@dataclass(frozen=True)
class Unmatched:
    mentee: str
    reason: str
    circle: CircleKind = "mentor"
    previous: str | None = None  # the mentor of an existing pair that ended, leaving them with none (tester round 42, 5)
    cause: str = ""  # why that pair ended, as ``Match.cause`` says it (tester round 47, 4: a pin's displacement)
    draw: Draw | None = None  # a full mentor whose place went by the draw among equal scores (tester round 117b, 6)


@dataclass(frozen=True)
class CircleOptimality:
    """The optimality proof of one circle's matching (``mentor`` or ``peer``): each circle is
    solved, and proved, on its own."""

    circle: CircleKind
    optimality: Optimality


#: What a match says when mutual pairs were refused and the best total with that rule is not proven.
NOT_PROVEN_MUTUAL = "best found; not proven optimal once mutual pairs are refused"


@dataclass(frozen=True)
class MutualPairs:
    """Two people who would have mentored each other, refused (``lmsync.domain.mutual_pairs``; tester round
    120c, 2): ``refused``, the (mentee, mentor) directions forbidden in the match given; ``solves``, the circles'
    solves it took; ``proven``, whether the match is proven the best with no mutual pair (most matched, then
    the total score less the load-balance cost), not only on its own graph; ``stopped``, why an unproven search
    ended early (``mutual_pairs.SOLVE_LIMIT``, ``TIME_LIMIT``, ``NOT_SEARCHED``; None: it did not) and
    ``stopped_words``, that in words (tester round 121b, 9). JSON: ``{"refused": [[mentee, mentor], ...],
    "solves", "proven", "stopped", "summary"}``."""

    refused: tuple[tuple[str, str], ...]
    solves: int
    proven: bool
    stopped: str | None = None
    stopped_words: str = ""

    def describe(self) -> str:
        """``1 mutual pair refused (nobody mentors their own mentor); the best total with that rule, proven over
        4 solves`` or, unproven, ``...; best found in 34 solves; not proven optimal once mutual pairs are refused``,
        then why the search stopped (``: the search stopped after 32 solves (its limit)``)."""
        n = len(self.refused)
        head = f"{n} mutual pair{'' if n == 1 else 's'} refused (nobody mentors their own mentor)"
        if self.proven:
            return f"{head}; the best total with that rule, proven over {self.solves} solves (each proven on its own graph)"
        why = f": {self.stopped_words}" if self.stopped_words else ""
        return f"{head}; {NOT_PROVEN_MUTUAL.replace('best found', f'best found in {self.solves} solves')}{why}"


@dataclass(frozen=True)
class MatchResult:
    """A whole matching: ``assignments`` (kept, pinned and matched pairs), ``unmatched`` mentees
    with the reason, ``total_score`` (sum of the pairs' scores), ``loads`` (mentor id -> mentees
    after the matching), ``optimality`` per circle; ``proven_optimal`` only if every circle is.
    ``load_cost``: the load-balance cost of ``loads`` (``load_cost``; 0 until the caller that knows
    ``[matching] load_balance`` sets it, ``lmsync.service.match.run_match``); ``objective``, the total
    score less it, is what matching maximises (tester round 103a, 4: a coordinator adding up the scores
    found "a better total" beside the word "optimal")."""

    structure: str
    assignments: list[Match]
    unmatched: list[Unmatched]
    total_score: float
    loads: dict[str, int]
    optimality: list[CircleOptimality]
    warnings: list[str] = field(default_factory=list)
    # Warnings about people as structured items (code, person, moodle_id, username, field,
    # value, suggestion, message): suspended accounts, two roles, values people typed.
    notices: list[PersonWarning] = field(default_factory=list)
    load_cost: float = 0.0
    mutual: MutualPairs | None = None  # mutual pairs refused (None: no solve made one)

    @property
    def proven_optimal(self) -> bool:
        """Every circle proven on its own graph and, when mutual pairs were refused, the best with that rule."""
        return all(o.optimality.proven for o in self.optimality) and (self.mutual is None or self.mutual.proven)

    @property
    def objective(self) -> float:
        """``total_score - load_cost``: the figure matching maximises (among matchings that leave as few
        mentees unmatched as possible; ``lmsync.domain.assignment``)."""
        return self.total_score - self.load_cost

    def circle_summary(self, circle: CircleOptimality) -> str:
        """How ``circle``'s matching went, in words: ``no mentees to match`` when the circle has no mentee at
        all (tester round 110a, 8: with nobody enrolled as a mentee, `lmsync match` said every mentee's pair
        was kept), else ``Optimality.describe``."""
        if not any(a.circle == circle.circle for a in self.assignments) and not any(
                u.circle == circle.circle for u in self.unmatched):
            return "no mentees to match"
        if self.mutual is not None and not self.mutual.proven and circle.optimality.proven:
            # its own graph's proof is not the programme's (tester round 120c, 2)
            return f"{circle.optimality.describe()} with the refused mutual pairs left out, not proven the best way to refuse them"
        return circle.optimality.describe()

    def to_dict(self) -> dict[str, Any]:
        return {
            "structure": self.structure,
            "assignments": [_plain(a) for a in self.assignments],
            "unmatched": [_plain(u) for u in self.unmatched],
            "total_score": self.total_score,
            "load_cost": self.load_cost,
            "objective": self.objective,
            "loads": self.loads,
            "proven_optimal": self.proven_optimal,
            "optimality": [
                {"circle": o.circle, **_plain(o.optimality), "summary": self.circle_summary(o)} for o in self.optimality
            ],
            "mutual_pairs": None if self.mutual is None else {
                "refused": [list(pair) for pair in self.mutual.refused], "solves": self.mutual.solves,
                "proven": self.mutual.proven, "stopped": self.mutual.stopped, "summary": self.mutual.describe()},
            "warnings": self.warnings,
            "warning_items": [n.to_dict() for n in self.notices],
        }


def load_cost(loads: Mapping[str, int], load_balance: float) -> float:
    """The load-balance cost of ``loads`` (mentor id -> mentees) as the engine counts it: a mentor's
    ``k``-th mentee (``k`` from 1) costs ``load_balance * (k - 1)``, so ``L`` mentees cost
    ``load_balance * L * (L - 1) / 2`` (``lmsync.domain.assignment``'s module docstring,
    ``slot_solver.Market.load_cost``; the engine leaves out the part of the fixed pairs, which no
    choice changes, so maximising the total score less this cost is what it does). ``load_balance``:
    ``MatchSettings.load_balance`` (a multiple of 1/1024, so the cost is exact)."""
    return float(load_balance * sum(n * (n - 1) // 2 for n in loads.values()))


def _plain(item: Match | Unmatched | Optimality | Draw) -> dict[str, Any]:
    """``dataclasses.asdict`` for these flat records (fields in declaration order): their
    values are strings, numbers and one level of list or dict, copied here, and an ``Unmatched``'s
    ``Draw``, as a dict. ``asdict`` deep-copies every value, several times slower over issue 15's 50,000
    pairs."""
    out = {name: getattr(item, name) for name in item.__dataclass_fields__}  # Match is slotted: no vars()
    for key, value in out.items():
        if isinstance(value, dict | list):
            out[key] = value.copy()
        elif isinstance(value, Draw):
            out[key] = _plain(value)
    return out
