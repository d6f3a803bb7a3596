"""The moment of a coordinator's last digest sent, for the parts ``digest_since`` left by day (tester round 122c, 1).

"Newly in your queue" listed the items opened after the day of the last digest, and "Newly without a mentor" and "Now
with a mentor" read the pairing history by local day: an item opened, or a pair begun or ended, by a run after that
day's digest (a second cron run, ``daemon --interval 15m``, a run after quiet hours) was taken as told, or as not yet
so. A digest now records, when it is about to be sent, the queue's largest item id and the pairing history's latest
instant (``digests.queue_mark``, ``pairing_mark``, revision 0022): a change of that digest's day is news when it came
after them, told once by the next digest. A digest from before revision 0022 has none: compared by day, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from lmsync.store.messages import DigestRecord
from lmsync.store.pairings import Pairing, local_day
from lmsync.store.queue_item import RECOVERED, QueueItem


@dataclass(frozen=True)
class Moment:
    """A coordinator's last digest sent: its ``day``, the queue's largest item id and the pairing history's latest
    instant when it was about to be sent (None: not known, a digest from before revision 0022)."""

    day: date
    queue_mark: int | None = None
    pairing_mark: datetime | None = None

    def queued_after(self, opened_on: date, item_id: int) -> bool:
        """Whether a queue item opened on ``opened_on`` (the programme's day) with id ``item_id`` was opened after this
        digest: a later day, or this digest's day with an id above its mark. Raises nothing."""
        if opened_on != self.day or self.queue_mark is None:
            return opened_on > self.day
        return item_id > self.queue_mark


def instant(text: str) -> datetime:
    """A stored ISO instant as an aware datetime (a naive one is UTC, as every store instant is)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recorded_by(text: str, told_on: date, zone: tzinfo, mark: datetime | None = None) -> bool:
    """Whether a pairing history instant (``text``) was recorded by a coordinator's last digest, of day ``told_on``
    and pairing mark ``mark`` (``Moment.pairing_mark``; None: not known): an earlier day in ``zone`` (the
    programme's), or that day at or before the mark (the run's sync writes before its digest). Raises nothing."""
    day = local_day(text, zone)
    if day != told_on or mark is None:
        return day <= told_on
    return instant(text) <= mark


def pairing_mark(history: Iterable[Pairing]) -> str | None:
    """The latest instant of the pairing history (``PairingHistory.history()``), a join or a leave, as ISO-8601 UTC
    (None: no pair ever): what a digest about to be sent records (``digests.pairing_mark``)."""
    found = [instant(t) for p in history for t in (p.joined_at, p.left_at) if t is not None]
    return max(found).astimezone(UTC).isoformat() if found else None


def last_moments(records: Iterable[DigestRecord], day: date) -> dict[int, Moment]:
    """Coordinator Moodle id -> the ``Moment`` of their last digest sent before ``day`` (``records``: the digest log's
    rows); one never sent one is missing. Raises nothing."""
    out: dict[int, DigestRecord] = {}
    for r in records:
        if r.state == "sent" and r.day < day and (r.recipient_id not in out or r.day > out[r.recipient_id].day):
            out[r.recipient_id] = r
    return {who: Moment(r.day, r.queue_mark, instant(r.pairing_mark) if r.pairing_mark else None)
            for who, r in out.items()}


def newly_queued(item: QueueItem, moment: Moment | None, day: date) -> bool:
    """Whether a coordinator last sent a digest at ``moment`` (None: never) hears of ``item`` as newly in their queue
    at ``day``: opened after that digest (``Moment.queued_after``), up to ``day``; never told, any opened by ``day``,
    but one ``recovered`` only from yesterday on (third tester, finding 7). Raises nothing."""
    if item.opened_on > day:
        return False
    if moment is None:
        return item.status != RECOVERED or item.opened_on > day - timedelta(days=1)
    return moment.queued_after(item.opened_on, item.id)
