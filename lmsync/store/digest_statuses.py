"""What a coordinator's last digest knew when it was sent (tester round 122c, 1, continued): the one reader and writer
of ``digest_statuses`` (per coordinator, the pair statuses of the health snapshot their last digest sent was told
from) and of the marks of ``digests`` (``queue_mark``, ``pairing_mark``), revision 0022."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select

from lmsync.store.db import ProgrammeRepository, Store
from lmsync.store.schema import coordinator_queue, digests
from lmsync.store.schema_more import digest_statuses

_t = digest_statuses
#: A coordinator's row of ``told``: the day of their last digest sent, and (mentor, mentee) -> status then.
Told = tuple[date, dict[tuple[int, int], str]]


class DigestStatuses(ProgrammeRepository):
    """Per coordinator (``recipient_id``), the status of each pair of the snapshot their last digest sent was told
    from, with that digest's day."""

    def told(self) -> dict[int, Told]:
        """Coordinator Moodle id -> (day, {(mentor, mentee): status}). One read."""
        out: dict[int, Told] = {}
        query = select(_t.c.recipient_id, _t.c.mentor_id, _t.c.mentee_id, _t.c.status, _t.c.day).where(
            _t.c.programme == self.programme)
        for row in self.store.rows(query):
            day, pairs = out.setdefault(row.recipient_id, (date.fromisoformat(row.day), {}))
            pairs[(row.mentor_id, row.mentee_id)] = row.status
        return out

    def keep(self, told: Mapping[int, Told]) -> None:
        """Replace the rows of each coordinator of ``told`` (Moodle id -> (day, {pair: status})) by those given, in one
        transaction; other coordinators' rows are left as they are. Raises what the store raises."""
        if not told:
            return
        with self.store.transaction():
            self.store.write(_t.delete().where(_t.c.programme == self.programme, _t.c.recipient_id.in_(sorted(told))))
            rows = [{"programme": self.programme, "recipient_id": r, "mentor_id": pair[0], "mentee_id": pair[1],
                     "status": status, "day": day.isoformat()}
                    for r, (day, pairs) in sorted(told.items()) for pair, status in sorted(pairs.items())]
            if rows:
                self.store.write(_t.insert(), rows)


def queue_mark(store: Store, programme: str) -> int:
    """The largest id of ``programme``'s queue items (0: none): an item opened later has a larger one (ids are never
    reused). Raises what the store raises."""
    q = coordinator_queue
    return int(store.scalar(select(func.max(q.c.id)).where(q.c.programme == programme)) or 0)


def mark_digest(conn: Store, digest_id: int, queue: int, pairing: str | None) -> None:
    """Record on the ``digests`` row ``digest_id`` the queue's largest item id and the pairing history's latest
    instant when it is about to be sent (inside the caller's transaction)."""
    conn.write(digests.update().where(digests.c.id == digest_id).values(queue_mark=queue, pairing_mark=pairing))
