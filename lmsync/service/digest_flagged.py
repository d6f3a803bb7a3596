"""Which pairs a coordinator's digest says newly at risk or fading, or eased, since their last digest sent: compared
with the pair statuses that digest was told from (tester round 122c, 1, continued).

"Newly at risk or fading", "Recovered since your last digest" and "No longer fading since your last digest" compared
with the health snapshot of the last digest's day, which a later ``health`` that day (a second cron run, a run after
quiet hours) rewrites: a pair flagged, or eased, after that day's digest was taken as told, and was in no digest. The
store now keeps, per coordinator, the statuses of the snapshot their last digest sent was told from
(``store.digest_statuses``, revision 0022); a digest from before it is compared with that day's snapshot, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from lmsync.domain.health import PairHealth
from lmsync.service.established import ended_by_coordinator
from lmsync.service.health import Assessment
from lmsync.service.nudge_plan import URGENCY
from lmsync.store.db import Store
from lmsync.store.digest_statuses import DigestStatuses, Told
from lmsync.store.snapshots import HealthSnapshots

Statuses = Mapping[tuple[int, int], str]


def new_attention_pairs(
    store: Store, programme: str, assessment: Assessment, told_on: date | None = None, told: Statuses | None = None
) -> list[PairHealth]:
    """Pairs at risk or fading today that were neither when the coordinator was last told: in ``told`` (the statuses
    their last digest sent was told from, ``StatusesTold``), else in the latest snapshot on or before ``told_on`` (the
    day of their last digest sent), all of them when never told.

    Tester round 19, 1: compared with the day before, pairs first flagged on a day whose digest quiet
    hours held were in no digest ever (the next day's compared with that day's snapshot, already flagged).
    A pair a coordinator ended (``queue done --outcome closed``) is never news (tester round 21, 1: one
    was listed as newly fading 22 days after it was closed). A pair that snapshot left out (on hold while someone
    was away, or out of the programme then) is compared with its own latest snapshot before (tester round 108a, 5:
    a mentor's five pairs, fading and queued before the hold, were "newly at risk or fading" once the mentor was back).
    Tester round 122c, 1: one flagged by a run after that day's digest was in none (``told``).
    """
    ended = ended_by_coordinator(store, programme)
    earlier = dict(told) if told is not None else (
        statuses_then(store, programme, told_on + timedelta(days=1)) if told_on is not None else {})
    flagged = [v.health for v in assessment.pairs if v.health.status in ("at_risk", "fading")
               and (v.health.mentor_id, v.health.mentee_id) not in ended]
    if told_on is not None:
        snapshots = HealthSnapshots(store, programme)
        for h in flagged:
            if (pair := (h.mentor_id, h.mentee_id)) not in earlier:  # told: not judged by that digest's snapshot
                rows = [r for r in snapshots.rows(pair=pair) if r.day < told_on or (told is None and r.day == told_on)]
                if rows:
                    earlier[pair] = max(rows, key=lambda r: r.day).status
    out = [h for h in flagged if earlier.get((h.mentor_id, h.mentee_id)) not in ("at_risk", "fading")]
    return sorted(out, key=lambda p: (URGENCY.get(p.status, 2), p.mentor_id, p.mentee_id))


def statuses_then(store: Store, programme: str, day: date) -> dict[tuple[int, int], str]:
    """Each pair's status in the latest health snapshot before ``day`` (the day after a coordinator was last told:
    what their digest said; never told: before today)."""
    snapshots = HealthSnapshots(store, programme)
    before = snapshots.day_before(day)
    return {} if before is None else {(r.mentor_id, r.mentee_id): r.status for r in snapshots.rows(day=before)}


@dataclass
class StatusesTold:
    """One run's view: ``stored`` (coordinator Moodle id -> (day, statuses) of their last digest sent, as stored),
    read once; ``day`` (the digests' day); the snapshot statuses read by day, cached."""

    store: Store
    programme: str
    day: date
    stored: dict[int, Told]
    by_day: dict[date | None, dict[tuple[int, int], str]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store, programme: str, day: date) -> StatusesTold:
        """The stored rows of ``programme``, read once. Raises what the store raises."""
        return cls(store, programme, day, DigestStatuses(store, programme).told())

    def then(self, me: int, told_on: date | None) -> tuple[Statuses, bool]:
        """The pair statuses coordinator ``me``, last sent a digest on ``told_on`` (None: never), was told from, and
        whether they are that digest's own (stored for it) rather than the snapshot of its day (rewritten by a later
        ``health`` that day, or before revision 0022): never told, the snapshot before today. Raises nothing."""
        kept = self.stored.get(me)
        if told_on is not None and kept is not None and kept[0] == told_on:
            return kept[1], True
        if told_on not in self.by_day:
            self.by_day[told_on] = statuses_then(self.store, self.programme,
                                                 told_on + timedelta(days=1) if told_on else self.day)
        return self.by_day[told_on], False

    def save(self, sent: Iterable[int]) -> None:
        """Keep, for each coordinator of ``sent`` (Moodle ids whose digest was sent), the statuses of today's snapshot
        as it is now (what their digest was told from), in place of theirs. Raises what the store raises."""
        sent = sorted(set(sent))
        if sent:
            now = statuses_then(self.store, self.programme, self.day + timedelta(days=1))
            DigestStatuses(self.store, self.programme).keep({me: (self.day, now) for me in sent})
