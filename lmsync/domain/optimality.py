"""How a matching result knows it is optimal: a plain record, free of numpy.

Lives apart from ``lmsync.domain.assignment`` (numpy, scipy) so that modules which only
*describe* a match (``lmsync.domain.matching``, the CLI, the sync planner) import without
the solver's libraries; ``lmsync`` commands pay for numpy and scipy only when they solve.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Optimality:
    """How we know the assignment is optimal (or how far it might be from it).

    ``gap`` is an upper bound on how far the objective may be below the optimum (0 when
    proven); ``rounds`` the solves made; ``candidate_edges`` of ``pairs`` the size of the
    pruned graph the solver worked on.
    """

    proven: bool
    method: str
    gap: float
    rounds: int
    candidate_edges: int
    pairs: int

    def describe(self) -> str:
        if self.proven and self.method == "nothing to assign":  # every mentee kept, pinned or back (tester round 10)
            return "nothing to assign anew: every mentee's pair is kept, pinned or returning"
        if self.proven and self.method == "no mentor with room":  # mentees left, no room: not "all kept" (round 15, 4)
            return "no mentor has room: the mentees not kept, pinned or returning are unmatched"
        if self.proven:
            return f"optimal ({self.method}; {self.candidate_edges} of {self.pairs} pairs as candidates, {self.rounds} round(s))"
        return f"NOT proven optimal: at most {self.gap:g} below the optimum ({self.method})"
