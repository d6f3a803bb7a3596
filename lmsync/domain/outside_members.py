"""Members of lmsync's circles whom lmsync did not put there and never removes: how the plan says them.

A member holding no programme role whom lmsync did not place (:func:`lmsync.domain.circle_leaving.not_ours`:
a teacher or observer added by hand) is left where they are, and the plan counts them in one warning (tester
round 17, 3). A circle deleted with ``--allow-delete`` takes their membership with it: its deletion names them
(``DeleteGroup.hand_added``) and they are not counted as left where they are (tester round 103b, 6: the plan
deleted such a circle without a word of them, and no longer said the warning once the circle's hold ended).
"""

from __future__ import annotations

from collections.abc import Iterable

from lmsync.domain.circle_leaving import not_ours
from lmsync.domain.sync_state import Memory, Observation


def outside_members(observation: Observation, memory: Memory, idnumber: str, members: Iterable[int]) -> tuple[int, ...]:
    """The Moodle user ids among ``members`` of circle ``idnumber`` whom lmsync leaves alone (``not_ours``),
    ascending: a deletion of the circle names them; a kept circle counts them in :func:`left_where_they_are`."""
    return tuple(sorted(user for user in members if not_ours(observation, memory, idnumber, user)))


def left_where_they_are(count: int) -> list[str]:
    """The plan's warning about ``count`` such members of circles that stay (none when 0)."""
    if not count:
        return []
    return [f"{count} member(s) of lmsync's circles hold no mentor or mentee role and were not put there by lmsync "
            "(a teacher or observer added by hand): left where they are"]
