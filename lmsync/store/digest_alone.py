"""The mentees each coordinator's digest named as without a mentor: ``digest_alone`` (revision 0017; tester round
114b, 2), read and written by ``service.digest_alone``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import digest_alone as _t


class DigestAlone(ProgrammeRepository):
    """Per coordinator, the mentees a digest sent to them named as without a mentor, and since when."""

    def told(self) -> dict[int, dict[int, date]]:
        """Coordinator Moodle id -> {mentee Moodle id -> the day of the first digest sent that named them}. One read."""
        out: dict[int, dict[int, date]] = {}
        for row in self.store.rows(select(_t.c.recipient_id, _t.c.mentee_id, _t.c.day)
                                   .where(_t.c.programme == self.programme)):
            out.setdefault(row.recipient_id, {})[row.mentee_id] = date.fromisoformat(row.day)
        return out

    def keep(self, told: Mapping[int, Mapping[int, date]]) -> None:
        """Replace the rows of each coordinator of ``told`` (Moodle id -> {mentee Moodle id -> day}) by those given,
        in one transaction; other coordinators' rows are left as they are. Raises what the store raises."""
        if not told:
            return
        with self.store.transaction():
            self.store.write(_t.delete().where(_t.c.programme == self.programme, _t.c.recipient_id.in_(sorted(told))))
            rows = [{"programme": self.programme, "recipient_id": r, "mentee_id": m, "day": d.isoformat()}
                    for r, mentees in sorted(told.items()) for m, d in sorted(mentees.items())]
            if rows:
                self.store.write(_t.insert(), rows)
