"""What a sent digest told each coordinator, per thing told, and the day: the one reader and writer of the tables
``digest_alone`` (the mentees named as without a mentor, revision 0017) and ``digest_owned`` (the queue items owned,
revision 0018), which differ only in what they key (``DigestAlone``, ``DigestOwned``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository


class DigestTold(ProgrammeRepository):
    """Per coordinator (``recipient_id``), each thing told (column ``key`` of ``table``) with its day."""

    table: ClassVar[Any]
    key: ClassVar[str]

    def told(self) -> dict[int, dict[int, date]]:
        """Coordinator Moodle id -> {thing told -> its day}. One read."""
        t = self.table
        out: dict[int, dict[int, date]] = {}
        for row in self.store.rows(select(t.c.recipient_id, t.c[self.key], t.c.day).where(t.c.programme == self.programme)):
            out.setdefault(row.recipient_id, {})[getattr(row, self.key)] = date.fromisoformat(row.day)
        return out

    def keep(self, told: Mapping[int, Mapping[int, date]]) -> None:
        """Replace the rows of each coordinator of ``told`` (Moodle id -> {thing told -> day}) by those given, in one
        transaction; other coordinators' rows are left as they are. Raises what the store raises."""
        if not told:
            return
        t = self.table
        with self.store.transaction():
            self.store.write(t.delete().where(t.c.programme == self.programme, t.c.recipient_id.in_(sorted(told))))
            rows = [{"programme": self.programme, "recipient_id": r, self.key: k, "day": d.isoformat()}
                    for r, things in sorted(told.items()) for k, d in sorted(things.items())]
            if rows:
                self.store.write(t.insert(), rows)
