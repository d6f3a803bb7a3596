"""What ``lmsync queue done --outcome rematched`` says will happen when the mentee already has another mentor.

Tester round 114b, 3: a mentor's capacity fell to 0 and the next run moved their mentees to other mentors, pausing
the old pairs' items ("the mentee is now in another mentor's circle"). ``queue done MENTOR MENTEE --outcome
rematched`` on such an item said the next run "matches the mentee with another mentor who has room, or leaves them
with no mentor if none has", while nothing moves: the mentee already has another mentor. Where the store's pairing
history (``PairingHistory.open_pairs``: lmsync's own moves, and those it saw in Moodle) holds the mentee with another
mentor and not with the pair's, that is said instead: the old pair is marked not a good fit so it is not made again,
and nothing moves.
"""

from __future__ import annotations

from collections.abc import Callable

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.service.stores import open_store
from lmsync.store.pairings import PairingHistory


def mentors_now(config: Config, pair: tuple[int, int]) -> list[int]:
    """The Moodle ids (ascending) of the mentors whose circle the store holds ``pair``'s mentee in now (an open
    pairing), when the pair's own mentor is not one of them; else ``[]`` (also when the store cannot be read: the
    caller then says what a re-match does in general). Reads the store read-only; raises nothing."""
    mentor, mentee = pair
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return []
    try:
        mentors = {m for m, e in PairingHistory(store, config.programme.name).open_pairs() if e == mentee}
    except (LmsyncError, OSError):
        return []
    finally:
        store.close()
    return [] if mentor in mentors else sorted(mentors)


def already_rematched(mentors: list[int], label: Callable[[int], str]) -> str:
    """What ``queue done --outcome rematched`` says of a pair whose mentee is already in the circle of ``mentors``
    (``mentors_now``, not empty), each named by ``label`` (``People.label``): nothing moves."""
    who = " and ".join(label(m) for m in mentors)
    return (f"the mentee is already with another mentor, {who}: the pair is marked not a good fit, so it is not made "
            "again, and nothing moves")
