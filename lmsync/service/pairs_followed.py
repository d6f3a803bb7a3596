"""A sync's record of the pairs Moodle shows: the pairing history follows Moodle's circles (tester round 51c, 5).

Moved out of ``sync`` (its module was at its size limit) with the erasure rule of tester round 79, 1: an erasure
deletes every pairing of the person, and a pair of theirs Moodle still showed (erased ``--while-enrolled``) was
never recorded again, as if another store had made it: ``pair show`` had no "paired since" line and the health
snapshots' ``paired_since`` moved. Only what is dated on or before the erasure stays unstored: from the day after
it, the pair Moodle shows is recorded as any pair is (``PairingHistory.follow_moodle``'s ``erased``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from lmsync.domain.ownership import circle_pairs
from lmsync.log import get_logger
from lmsync.service import programme_settings
from lmsync.service.circle_records import blocked_pairs
from lmsync.service.observe import Snapshot
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import HealthSnapshots

log = get_logger(__name__)


def follow_moodle_pairs(
    store: Store, programme: str, snapshot: Snapshot, run_id: str, away: Collection[int] = frozenset(), *,
    today: date | None = None, zone: tzinfo = UTC,
) -> tuple[int, int]:
    """Close the pairing history's rows of pairs Moodle no longer shows, reopen those put back by hand
    (``PairingHistory.follow_moodle``; tester round 51c, 5). The pairs of a mentor ``away``
    (``away_mentors``) are not pairs while they are away, though their circle is held: they end, and
    begin again when the mentor is back, so health leaves out the days of the leave and a past day's
    views leave those pairs out (tester round 55, 1 and 2). The pairs waiting for a circle whose ID number a
    group lmsync never made holds stay open (``circle_records.blocked_pairs``; tester round 74, 2). A pair
    holding someone erased is recorded from the programme day after the erasure on (``erasure_gates``; tester
    round 79, 1). ``today``: the programme's day (default: the clock's day in ``zone``, the programme's zone).
    Only a sync writes this; ``plan`` and ``--dry-run`` do not. Returns (closed, reopened); raises what the store
    raises."""
    shown = [p for p in circle_pairs(programme, snapshot.observation.groups, snapshot.observation.outsiders)
             if p[0] not in away]
    shown += blocked_pairs(store, programme, snapshot.observation, shown)
    now = programme_settings.clock()  # the one clock, as ``today`` (it stamped the store's clock: round 51c, 5)
    day = today or now.astimezone(zone).date()
    gates = erasure_gates(erased_on(store), day, zone)
    history = PairingHistory(store, programme)
    judged = judged_unrecorded(store, programme, history, shown, zone)
    closed, reopened = history.follow_moodle(shown, at=now.astimezone(UTC).isoformat(timespec="milliseconds"),
                                             erased=gates, judged=judged)
    if closed or reopened:
        log.info("sync.pairings_followed", run_id=run_id, closed=closed, reopened=reopened)
    return closed, reopened


def judged_unrecorded(store: Store, programme: str, history: PairingHistory, shown: Collection[tuple[int, int]],
                      zone: tzinfo) -> dict[tuple[int, int], str]:
    """The pairs health judged on its last snapshot day that Moodle no longer shows and the pairing history never
    held (the pairs of circles this store took over: ``circle_records.record_circles``) -> the start, in ``zone``,
    of the day it first judged them (ISO, UTC, milliseconds): ``PairingHistory.follow_moodle``'s ``judged``, so a
    mentee back after a break returns to that mentor (tester round 87a, 2). Empty, after one light read of the
    last day's pairs, when there are none. Raises what the store raises."""
    snapshots = HealthSnapshots(store, programme)
    candidates = snapshots.judged_last() - set(shown)
    if not candidates:
        return {}
    candidates -= {(p.mentor_id, p.mentee_id) for p in history.history()}
    if not candidates:
        return {}
    first = snapshots.first_seen()
    return {pair: datetime.combine(first[pair], time.min, tzinfo=zone).astimezone(UTC).isoformat(timespec="milliseconds")
            for pair in sorted(candidates) if pair in first}


def erasure_gates(erased: Mapping[int, date], today: date, zone: tzinfo) -> dict[int, str | None]:
    """Moodle id of each person erased (``erasures.erased_on``: the programme day of their erasure) -> the first
    instant a pair of theirs may be dated in the pairing history: the start, in ``zone``, of the day after the
    erasure, as an ISO UTC instant with milliseconds (how the history writes instants); ``None`` while ``today``
    is the erasure's day or earlier (nothing dated on or before an erasure is stored again: ``store.erasures``;
    tester round 79, 1). Raises nothing."""
    gates: dict[int, str | None] = {}
    for person, day in erased.items():
        if today <= day:
            gates[person] = None
            continue
        start = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        gates[person] = start.isoformat(timespec="milliseconds")
    return gates
