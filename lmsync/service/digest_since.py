"""Since the moment a coordinator was last sent a digest, not its day (tester round 122c, 1).

A mentor or mentee who went away after the day's digest was sent was in no digest ever: their absence is dated by the
day the sync found it, the digest of that day had been sent, and "since the last digest" compared days, so the next
digests took it as told (and "Back from away", which names only those whose hold was told, never named them either).
The store now keeps, with each absence, the journal's latest id when a sync recorded it and when it forgot it
(revision 0021, ``store.absences``), and a digest sent has its own journal id (``digests.journal_id``): a change of
the day of the last digest is news when its mark is that digest's id or later (recorded after it), told once by the
next digest; one of no mark (recorded before revision 0021) is compared by day, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lmsync.store.messages import DigestRecord


@dataclass(frozen=True)
class Since:
    """The moment a coordinator was last told: ``day``, that of their last digest sent (never sent one: the day before
    today, so today's changes are news), and ``mark``, that digest's journal id (None: not known)."""

    day: date
    mark: int | None = None

    def after(self, day: date, mark: int | None = None) -> bool:
        """Whether a change of ``day`` (the programme's day), recorded when the journal's latest id was ``mark`` (None:
        not known), came after that moment: a later day, or the same day with a mark of that digest's id or later
        (the digest's journal entry is written before its send). Raises nothing."""
        if day != self.day or mark is None or self.mark is None:
            return day > self.day
        return mark >= self.mark


def last_told(records: Iterable[DigestRecord], day: date) -> dict[int, Since]:
    """Coordinator Moodle id -> the moment of their last digest sent before ``day`` (``records``: the digest log's
    rows): its day and journal id. A coordinator missing was never sent one (``never``). Raises nothing."""
    out: dict[int, DigestRecord] = {}
    for r in records:
        if r.state == "sent" and r.day < day and (r.recipient_id not in out or r.day > out[r.recipient_id].day):
            out[r.recipient_id] = r
    return {who: Since(r.day, r.journal_id) for who, r in out.items()}


def never(day: date) -> Since:
    """The moment of a coordinator never sent a digest: the end of the day before ``day``, so today's changes only."""
    return Since(day - timedelta(days=1))
