"""What the plan's removal reasons know of circles' mentors (tester round 121b, 3 and 4).

With ``structure = "triads"`` a junior is in one faculty circle and one near-peer circle, both placed by lmsync; a
junior leaving the near-peer circle (its mentor's capacity fell) was said to be "also in ... added by hand", the kept
faculty circle taken for a second, hand-made one (``domain.two_circles.hand_added_reasons``). And that reason named
mentors by full name whatever ``[privacy] show_names`` says. The plan now gets the near-peer mentors and each
mentor's label as every view gives it (``labels.People.label``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lmsync.config import Config
from lmsync.domain.circle_leaving import OVER_CAPACITY
from lmsync.domain.people import Person
from lmsync.domain.two_circles import CircleMentors
from lmsync.service.labels import People
from lmsync.service.observe import Snapshot


class _Labels(Mapping[int, str]):
    """Each enrolled user's label (``People.label``), made only when a reason asks for it: a dict of every label,
    made for each plan, raised the 50,000-user sync's peak RSS (``benchmarks/sync.py --rss``, issue 15)."""

    def __init__(self, people: People) -> None:
        self._people = people

    def __getitem__(self, user_id: int) -> str:
        if user_id not in self._people.roster:
            raise KeyError(user_id)
        return self._people.label(user_id)

    def __iter__(self) -> Iterator[int]:
        return iter(self._people.roster)

    def __len__(self) -> int:
        return len(self._people.roster)


def circle_mentors(snapshot: Snapshot, config: Config) -> CircleMentors:
    """The near-peer mentors (Moodle ids, triads only: the peer-mentor cohort, those gone from the course too: a
    junior leaving a gone peer mentor's circle was "added by hand", its kind taken for faculty; tester round 127, 2)
    and how a removal reason names each enrolled user: ``Name (username)``, the username alone with ``[privacy]
    show_names`` off (labelled when asked)."""
    triads = config.matching.structure == "triads"
    return CircleMentors(peer=snapshot.peer_mentor_ids | snapshot.peer_mentors_gone if triads else frozenset(),
                         shown=_Labels(People(snapshot.roster, config.privacy.show_names)),
                         names=config.privacy.show_names)


def juniors_cause(cause: str, circle: str, previous: Person | None, triad_juniors: int) -> str:
    """``cause`` (``Match.cause``, ``Unmatched.cause``), or, when a near-peer circle held more juniors than
    ``[matching] triad_juniors`` lets its mentor take though their capacity field allows more, that said: "more
    mentees than their capacity" misled a coordinator whose capacity field says 2 and whose circle holds 2 (tester
    round 121b, 3). ``previous``: the mentor of the pair that ended."""
    if cause != "over capacity" or circle != "peer" or previous is None or previous.capacity <= triad_juniors:
        return cause
    return (f"{OVER_CAPACITY.removesuffix('their capacity')}[matching] triad_juniors = {triad_juniors} lets a "
            f"near-peer mentor take (their capacity is {previous.capacity})")
