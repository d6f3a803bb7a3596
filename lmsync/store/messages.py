"""The messages lmsync sent about pair health: the nudge log and the digest log (issue 13).

Rows of ``nudges`` (migration 004: one per pair and recipient a nudge named) and ``digests``
(revision 0003: one per coordinator and day). A row is written (state ``intent``) BEFORE its
message is sent, in the transaction that journals it, and finished after: an intent counts
as sent, so a crash can never lead to a second message inside the interval. People are
Moodle ids only; the rows hold no message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, func, select

from lmsync.store.db import ProgrammeRepository, Store, from_row, now_iso
from lmsync.store.schema import digests, nudges

_n, _d = nudges, digests

#: Errorcodes of a refusal for a SITE-WIDE reason (the token, the service or a capability): the
#: person was never refused, so a message that failed so is sent again on the next run, once an
#: admin has restored what was missing. A per-person refusal (message preferences, trap 29) is final.
SITE_WIDE_ERRORS = ("nopermissions", "accessexception", "invalidtoken", "wsaccessusersuspended")


def _counts(table: Any) -> Any:
    """The rows that count as a message sent or attempted: all but the site-wide failures."""
    return ~and_(table.c.state == "failed", func.coalesce(table.c.error, "").in_(SITE_WIDE_ERRORS))


class _MessageLog(ProgrammeRepository):
    """What the nudge and digest logs share: a row per message, ``intent`` before the send,
    linked to its journal entry, finished (``sent``/``failed``/``unknown``) after it."""

    table: Table

    def _insert_intent(self, conn: Store, **values: Any) -> int:
        """Insert an ``intent`` row of this programme with ``values``; returns its id."""
        return conn.insert_id(
            self.table.insert().values(programme=self.programme, state="intent", created_at=now_iso(), **values)
        )

    def link_journal(self, conn: Store, row_id: int, journal_id: int) -> None:
        """Record the journal entry of the row's send (inside the caller's transaction)."""
        conn.write(self.table.update().where(self.table.c.id == row_id).values(journal_id=journal_id))

    def finish(self, row_id: int, state: str, *, msgid: int | None = None, error: str | None = None) -> None:
        """Record a send's outcome: ``state`` with Moodle's msgid, or the error."""
        self.store.write(
            self.table.update()
            .where(self.table.c.id == row_id)
            .values(state=state, msgid=msgid, error=error, finished_at=now_iso())
        )


@dataclass(frozen=True)
class NudgeRecord:
    id: int
    mentor_id: int
    mentee_id: int
    recipient_id: int
    day: date
    kind: str
    state: str
    msgid: int | None
    error: str | None


class NudgeLog(_MessageLog):
    """Nudges per (pair, recipient); ``intent`` rows count as sent (their outcome is unknown)."""

    table = _n

    def intent(
        self,
        conn: Store,
        *,
        mentor_id: int,
        mentee_id: int,
        recipient_id: int,
        day: date,
        kind: str,
    ) -> int:
        """Record a nudge about to be sent, inside the caller's transaction (``conn``: what it yielded)."""
        return self._insert_intent(
            conn, mentor_id=mentor_id, mentee_id=mentee_id, recipient_id=recipient_id, day=day.isoformat(), kind=kind
        )

    def latest(self, mentor_id: int, mentee_id: int, recipient_id: int, *, until: date | None = None) -> NudgeRecord | None:
        """The most recent attempt to nudge this person about this pair, whatever its outcome
        (but a site-wide failure, ``SITE_WIDE_ERRORS``: that one is retried); ``until``: on or
        before that day (a preview of an earlier day ignores the nudges sent after it: tester round 21, 9)."""
        query = (
            select(_n)
            .where(
                _n.c.programme == self.programme,
                _n.c.mentor_id == mentor_id,
                _n.c.mentee_id == mentee_id,
                _n.c.recipient_id == recipient_id,
                _counts(_n),
                *((_n.c.day <= until.isoformat(),) if until is not None else ()),
            )
            .order_by(_n.c.day.desc(), _n.c.id.desc())
            .limit(1)
        )
        row = self.store.first(query)
        return _nudge(row) if row is not None else None

    def recipients_on(self, day: date) -> set[int]:
        """People a nudge was recorded for on ``day`` (any outcome but a site-wide failure: one
        message a day at most)."""
        query = select(_n.c.recipient_id).where(
            _n.c.programme == self.programme, _n.c.day == day.isoformat(), _counts(_n)
        )
        return {r.recipient_id for r in self.store.rows(query.distinct())}

    def records(
        self, *, day: date | None = None, pair: tuple[int, int] | None = None
    ) -> list[NudgeRecord]:
        query = select(_n).where(_n.c.programme == self.programme)
        if pair is not None:
            query = query.where(_n.c.mentor_id == pair[0], _n.c.mentee_id == pair[1])
        if day is not None:
            query = query.where(_n.c.day == day.isoformat())
        return [_nudge(r) for r in self.store.rows(query.order_by(_n.c.id))]


def _nudge(r: Any) -> NudgeRecord:
    return from_row(NudgeRecord, r, day=date.fromisoformat(r.day))


@dataclass(frozen=True)
class DigestRecord:
    id: int
    recipient_id: int
    day: date
    items: int
    state: str
    msgid: int | None
    error: str | None
    journal_id: int | None = None  # its send's journal entry: a change recorded after has a larger mark (122c, 1)
    queue_mark: int | None = None  # the queue's largest item id then (revision 0022)
    pairing_mark: str | None = None  # the pairing history's latest instant then (revision 0022)


class DigestLog(_MessageLog):
    """One row per coordinator and day, written before the digest is sent (never twice a day)."""

    table = _d

    def on(self, recipient_id: int, day: date) -> DigestRecord | None:
        """The day's digest to this person; None also after a site-wide failure (sent again)."""
        row = self.store.first(select(_d).where(*self._of(recipient_id, day), _counts(_d)))
        return _digest(row) if row is not None else None

    def _of(self, recipient_id: int, day: date) -> tuple[Any, ...]:
        return (_d.c.programme == self.programme, _d.c.recipient_id == recipient_id, _d.c.day == day.isoformat())

    def intent(self, conn: Store, *, recipient_id: int, day: date, items: int) -> int:
        """Record the digest about to be sent; a site-wide failure of the same day is reused
        (one row per person and day)."""
        failed = conn.first(select(_d.c.id).where(*self._of(recipient_id, day), ~_counts(_d)))
        if failed is not None:
            conn.write(
                _d.update()
                .where(_d.c.id == failed.id)
                .values(items=items, state="intent", msgid=None, error=None, journal_id=None, queue_mark=None,
                        pairing_mark=None, created_at=now_iso(), finished_at=None)
            )
            return int(failed.id)
        return self._insert_intent(conn, recipient_id=recipient_id, day=day.isoformat(), items=items)

    def records(self) -> list[DigestRecord]:
        rows = self.store.rows(select(_d).where(_d.c.programme == self.programme).order_by(_d.c.id))
        return [_digest(r) for r in rows]


def _digest(r: Any) -> DigestRecord:
    return from_row(DigestRecord, r, day=date.fromisoformat(r.day))
