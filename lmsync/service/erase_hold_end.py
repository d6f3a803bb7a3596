"""An erasure of a mentor whose circle is held while they are away records that the hold ended (tester round 117c, 2).

The erasure takes the mentor's absence and pairing history, so the coordinators' digest, which tells of holds from
them, said nothing of this end: its last words were "held until ...", and a coordinator believed the circle still
held. Before those rows go, this keeps what the digest says of it, naming no one (``store.hold_ends``): the day and
how many mentees the circle held. ``service.digest_hold_ends`` says it once to each coordinator.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from lmsync.config import Config
from lmsync.service.away_mentors import hold_windows
from lmsync.service.programme_settings import programme_zone
from lmsync.store.db import Store
from lmsync.store.hold_ends import record_hold_end
from lmsync.store.pairings import Pairing, PairingHistory, local_day


def record_erased_hold(config: Config, store: Store, user_id: int, day: date) -> bool:
    """When ``user_id`` is a mentor whose circle is held on ``day`` (the erasure's programme day; ``hold_windows``:
    recorded away, the hold's last day not before ``day``), record that the erasure ended the hold, with the count of
    the circle's mentees (``held_mentees``). Call inside the erasure's transaction, before its rows go. Returns
    whether a row was written; raises what the store raises."""
    window = hold_windows(config, store).get(user_id)
    if window is None or window[1] < day:
        return False
    history = PairingHistory(store, config.programme.name).history()
    count = len(held_mentees(history, user_id, window[0], programme_zone(config)))
    record_hold_end(store, config.programme.name, day, count)
    return True


def held_mentees(history: Sequence[Pairing], mentor: int, since: date, zone: tzinfo) -> set[int]:
    """The mentees (Moodle ids) of ``mentor``'s circle held from ``since`` (the programme day a sync first found them
    away), from ``history`` (``PairingHistory.history()``): those of the mentor's open pairs (a suspended mentor stays
    in their circle), and those of the pairs the sync that found them away ended, at one instant, on or after
    ``since`` in ``zone`` (as ``hold_mentees.hold_mentees`` reads them). Raises nothing."""
    mine = [p for p in history if p.mentor_id == mentor]
    out = {p.mentee_id for p in mine if p.left_at is None}
    last = max((p.left_at for p in mine if p.left_at is not None), default=None)
    if last is not None and local_day(last, zone) >= since:
        out |= {p.mentee_id for p in mine if p.left_at == last}
    return out
