"""The queue items each coordinator owned when a digest was sent to them: ``digest_owned`` (revision 0018; tester
round 115a, 5), read and written by ``service.digest_moved``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import digest_owned as _t


class DigestOwned(ProgrammeRepository):
    """Per coordinator, the items they owned at their latest digest sent, and that day."""

    def told(self) -> dict[int, dict[int, date]]:
        """Coordinator Moodle id -> {queue item id -> the day of their latest digest sent while they owned it}. One
        read."""
        out: dict[int, dict[int, date]] = {}
        for row in self.store.rows(select(_t.c.recipient_id, _t.c.item_id, _t.c.day)
                                   .where(_t.c.programme == self.programme)):
            out.setdefault(row.recipient_id, {})[row.item_id] = date.fromisoformat(row.day)
        return out

    def keep(self, owned: Mapping[int, Mapping[int, date]]) -> None:
        """Replace the rows of each coordinator of ``owned`` (Moodle id -> {item id -> day}) by those given, in one
        transaction; other coordinators' rows are left as they are. Raises what the store raises."""
        if not owned:
            return
        with self.store.transaction():
            self.store.write(_t.delete().where(_t.c.programme == self.programme, _t.c.recipient_id.in_(sorted(owned))))
            rows = [{"programme": self.programme, "recipient_id": r, "item_id": i, "day": d.isoformat()}
                    for r, items in sorted(owned.items()) for i, d in sorted(items.items())]
            if rows:
                self.store.write(_t.insert(), rows)
