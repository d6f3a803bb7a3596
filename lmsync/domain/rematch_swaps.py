"""What undoing one re-match move would do to the match's total, all else equal.

A move's reason must be true of the whole match, not of its pair alone (tester round 106a, 2): two
mentees who swapped mentors at stickiness 0 were each told the loads or the total score made their
move, though the loads were equal and so was the total. ``Undo`` scores the two ways back a reason
can be checked against, each as matching scores a pair (``compatibility.explain``, the stickiness
weight counted with the mentor of the mentee's pair before the match, ``Match.previous``):

- ``lost``: the mover back with their former mentor, no one else moved (what the load cost then adds
  is the caller's: it knows the loads);
- ``swap_gain``: the mover back with their former mentor and one mentee who took that mentor's place
  with the mover's new mentor instead: every load is unchanged, so only the scores differ.

Scores are multiples of 1/1024 (``compatibility.quantise``): two closer than ``EPSILON`` are equal.
"""

from __future__ import annotations

from lmsync.domain.compatibility import Circle, MatchSettings, explain, total
from lmsync.domain.match_result import Match
from lmsync.domain.people import People
from lmsync.domain.unmatched import CircleKind, allowed, is_peer

#: half a score's quantum (1/1024): totals closer than this are equal
EPSILON = 1 / 2048
#: origins of a pair the solver made, which a swap may undo (a pin, a return after a break, is fixed)
SWAPPABLE = frozenset({"matched", "moved"})


class Undo:
    """Scores of a match's mentees with other mentors, for checking why a re-match move was made.

    ``people``: those matched (``Person`` ids, as ``Match`` names them; their ``forbids`` by id or alias);
    ``settings``: the match's. Raises nothing."""

    def __init__(self, people: People, settings: MatchSettings) -> None:
        self._by_id = people.by_id()
        self._resolve = people.resolver()
        self._forbidden = {(self._resolve.get(a, a), self._resolve.get(b, b)): "forbidden" for a, b in people.forbids}
        self._settings = settings

    def score(self, mentee_id: str, mentor_id: str, circle: str, before: str | None) -> float | None:
        """The score of ``mentee_id`` with ``mentor_id`` in ``circle`` (``mentor`` or ``peer``), the stickiness
        weight counted when ``mentor_id`` is ``before`` (their mentor before the match); None when either is not
        among the people or the pair may not be made (``unmatched.allowed``: a forbid, a mark, the year gap)."""
        mentee, mentor = self._by_id.get(mentee_id), self._by_id.get(mentor_id)
        if mentee is None or mentor is None:
            return None
        kind: CircleKind = "peer" if circle == "peer" else "mentor"
        peer = is_peer(kind, mentor)
        if allowed(mentee, mentor, peer, self._forbidden, self._settings):
            return None
        ranks = {mentee.id: {self._resolve.get(k, k): rank for rank, k in reversed(list(enumerate(mentee.preferences)))}}
        sticky = {mentee.id: before} if before else {}
        pair = Circle(kind, [], [], [], [], frozenset(), sticky, ranks)
        return total(explain(pair, mentee, mentor, peer, self._settings)[0])

    def lost(self, move: Match) -> float | None:
        """The score ``move``'s mentee would have with their former mentor (``Match.previous``, the stickiness
        weight counted) less the score they have now: > 0 the move costs them, < 0 they gain by it. None when
        that pair cannot be scored (``score``)."""
        if move.previous is None:
            return None
        back = self.score(move.mentee, move.previous, move.circle, move.previous)
        return None if back is None else back - move.score

    def swap_gain(self, move: Match, taker: Match) -> float | None:
        """The match's total less the total of the same match with ``move``'s mentee back with their former
        mentor and ``taker`` (a mentee now with that mentor) with ``move``'s mentor instead: > EPSILON the total
        favours the move, within EPSILON of 0 the move changes nothing, < 0 the swap would gain (a match not
        proven optimal). The loads are unchanged, so is the load-balance cost. None when the swap cannot be
        made: a pinned or returning taker (``SWAPPABLE``), or a pair not allowed (``score``)."""
        if taker.origin not in SWAPPABLE or move.previous is None or taker.mentee == move.mentee:
            return None
        back = self.score(move.mentee, move.previous, move.circle, move.previous)
        over = self.score(taker.mentee, move.mentor, taker.circle, taker.previous)
        if back is None or over is None:
            return None
        return move.score + taker.score - back - over
