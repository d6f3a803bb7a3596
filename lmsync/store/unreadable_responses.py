"""Which Feedback responses a read found unreadable, and since when (revision 0012; tester round 87a, 5).

A mistyped response (``meeting_date = "2027-13-01"``) stays in Moodle until its respondent edits it or a
coordinator deletes it, so every run found it again: each ended partial (exit 1) and the daemon backed off
for the rest of the term. The Feedback read records each problem it finds (a hash of the response's attempt,
its last-modified time and the problem: no person, no answer) with the day it first found it, so the cycle
tells a problem it already said from a new one. Rows hold a source name, a hash and a day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import unreadable_responses

_u = unreadable_responses

#: (source, problem hash): a ``meetings`` or instrument source and the hash of one of its problems.
Key = tuple[str, str]


class UnreadableResponses(ProgrammeRepository):
    """The problems of Feedback responses the last read of each source found, each since its first day (round 87a, 5)."""

    def since(self) -> dict[Key, date]:
        """(source, problem hash) -> the day a read first found that problem (still found by its source's last read)."""
        query = select(_u.c.source, _u.c.problem_sha256, _u.c.since).where(_u.c.programme == self.programme)
        return {(row.source, row.problem_sha256): date.fromisoformat(row.since) for row in self.store.rows(query)}

    def follow(self, source: str, found: Collection[str], today: date) -> None:
        """Record the problems ``source``'s read ``found`` (hashes): a new one from ``today``, one recorded
        keeps its day; one recorded and not found (mended, deleted, edited) is forgotten. Nothing is written
        when nothing changed."""
        known = {h for s, h in self.since() if s == source}
        self._change(new=[(source, h) for h in sorted(set(found) - known)], gone=[(source, h) for h in known - set(found)],
                     today=today)

    def forget(self, keys: Collection[Key]) -> None:
        """Forget ``keys``: found, but never said (the step that read them failed), so the next read says them."""
        self._change(new=[], gone=list(keys), today=date.min)

    def _change(self, *, new: list[Key], gone: list[Key], today: date) -> None:
        if not new and not gone:
            return
        with self.store.transaction():
            for source, digest in gone:
                self.store.write(_u.delete().where(_u.c.programme == self.programme, _u.c.source == source,
                                                   _u.c.problem_sha256 == digest))
            if new:
                self.store.write(_u.insert(), [{"programme": self.programme, "source": source, "problem_sha256": digest,
                                                "since": today.isoformat()} for source, digest in new])
