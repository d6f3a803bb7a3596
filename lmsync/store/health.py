"""Stored pair health: daily snapshots, the coordinator queue, and the nudges sent.

Three small repositories over the tables of migration 004. Snapshots give each pair's
history (and when lmsync first saw it); the queue holds fading pairs until a coordinator
acknowledges them; the nudge log is what keeps a person from being nudged twice about the
same pair inside the interval, even across crashes (a row is written before the send).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from lmsync.domain.health import PairHealth
from lmsync.store.db import Store
from lmsync.store.schema import coordinator_queue, health_snapshots, nudges

_s, _q, _n = health_snapshots, coordinator_queue, nudges


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _reasons_json(health: PairHealth) -> str:
    return json.dumps([[r.code, r.text] for r in health.reasons])


def _reasons(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), str(words)) for code, words in json.loads(text))


@dataclass(frozen=True)
class SnapshotRow:
    day: date
    mentor_id: int
    mentee_id: int
    status: str
    reasons: tuple[tuple[str, str], ...]
    paired_since: date
    last_meeting: date | None


class HealthSnapshots:
    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def replace_day(self, day: date, healths: Iterable[PairHealth]) -> int:
        """Make ``day``'s snapshot exactly ``healths`` (a re-run on the same day replaces it)."""
        stamp = _now()
        rows = [
            {
                "programme": self.programme,
                "day": day.isoformat(),
                "mentor_id": h.mentor_id,
                "mentee_id": h.mentee_id,
                "status": h.status,
                "reasons": _reasons_json(h),
                "paired_since": h.paired_since.isoformat(),
                "last_meeting": h.last_meeting.isoformat() if h.last_meeting else None,
                "computed_at": stamp,
            }
            for h in healths
        ]
        with self.store.transaction():
            self.store.write(_s.delete().where(_s.c.programme == self.programme, _s.c.day == day.isoformat()))
            self.store.write(_s.insert(), rows)
        return len(rows)

    def rows(self, *, day: date | None = None, pair: tuple[int, int] | None = None) -> list[SnapshotRow]:
        query = select(_s).where(_s.c.programme == self.programme)
        if day is not None:
            query = query.where(_s.c.day == day.isoformat())
        if pair is not None:
            query = query.where(_s.c.mentor_id == pair[0], _s.c.mentee_id == pair[1])
        query = query.order_by(_s.c.day, _s.c.mentor_id, _s.c.mentee_id)
        return [
            SnapshotRow(
                day=date.fromisoformat(r.day),
                mentor_id=r.mentor_id,
                mentee_id=r.mentee_id,
                status=r.status,
                reasons=_reasons(r.reasons),
                paired_since=date.fromisoformat(r.paired_since),
                last_meeting=date.fromisoformat(r.last_meeting) if r.last_meeting else None,
            )
            for r in self.store.rows(query)
        ]

    def first_seen(self) -> dict[tuple[int, int], date]:
        """The earliest day each pair appears in a snapshot."""
        query = (
            select(_s.c.mentor_id, _s.c.mentee_id, func.min(_s.c.day).label("first"))
            .where(_s.c.programme == self.programme)
            .group_by(_s.c.mentor_id, _s.c.mentee_id)
        )
        return {(r.mentor_id, r.mentee_id): date.fromisoformat(r.first) for r in self.store.rows(query)}

    def recovered_after(self, pair: tuple[int, int], day: date) -> bool:
        """Whether the pair was seen not fading on a day after ``day``."""
        query = (
            select(_s.c.day)
            .where(
                _s.c.programme == self.programme,
                _s.c.mentor_id == pair[0],
                _s.c.mentee_id == pair[1],
                _s.c.day > day.isoformat(),
                _s.c.status != "fading",
            )
            .limit(1)
        )
        return self.store.first(query) is not None


@dataclass(frozen=True)
class QueueItem:
    id: int
    mentor_id: int
    mentee_id: int
    status: str
    reasons: tuple[tuple[str, str], ...]
    opened_on: date
    last_seen_on: date
    acked_on: date | None = None
    note: str | None = None

    @property
    def pair(self) -> tuple[int, int]:
        return (self.mentor_id, self.mentee_id)


def _item(r: Any) -> QueueItem:
    return QueueItem(
        id=r.id,
        mentor_id=r.mentor_id,
        mentee_id=r.mentee_id,
        status=r.status,
        reasons=_reasons(r.reasons),
        opened_on=date.fromisoformat(r.opened_on),
        last_seen_on=date.fromisoformat(r.last_seen_on),
        acked_on=date.fromisoformat(r.acked_on) if r.acked_on else None,
        note=r.note,
    )


class CoordinatorQueue:
    """Fading pairs for a person to act on: one open item per pair until it is acknowledged.

    After an acknowledgement the pair is queued again only when it is still (or again)
    fading and either ``requeue_after_days`` have passed since the ack, or it was seen
    recovering in between: an ack means "I am on it", not "never tell me again".
    """

    def __init__(self, store: Store, programme: str, *, requeue_after_days: int = 28) -> None:
        self.store = store
        self.programme = programme
        self.requeue_after_days = requeue_after_days

    def _pair(self, pair: tuple[int, int]) -> tuple[Any, ...]:
        return (_q.c.programme == self.programme, _q.c.mentor_id == pair[0], _q.c.mentee_id == pair[1])

    def _open(self, pair: tuple[int, int]) -> Any:
        return self.store.first(select(_q).where(*self._pair(pair), _q.c.acked_on.is_(None)))

    def offer(self, day: date, health: PairHealth) -> str:
        """Queue a fading pair: ``added``, ``updated`` (already open) or ``snoozed`` (acked recently)."""
        pair = (health.mentor_id, health.mentee_id)
        with self.store.transaction():
            row = self._open(pair)
            if row is not None:
                self.store.write(
                    _q.update()
                    .where(_q.c.id == row.id)
                    .values(
                        status=health.status,
                        reasons=_reasons_json(health),
                        last_seen_on=max(day.isoformat(), row.last_seen_on),
                    )
                )
                return "updated"
            acked = self.store.scalar(select(func.max(_q.c.acked_on)).where(*self._pair(pair)))
            if acked is not None:
                acked_on = date.fromisoformat(acked)
                recent = (day - acked_on).days < self.requeue_after_days
                if recent and not HealthSnapshots(self.store, self.programme).recovered_after(pair, acked_on):
                    return "snoozed"
            self.store.write(
                _q.insert().values(
                    programme=self.programme,
                    mentor_id=pair[0],
                    mentee_id=pair[1],
                    status=health.status,
                    reasons=_reasons_json(health),
                    opened_on=day.isoformat(),
                    last_seen_on=day.isoformat(),
                )
            )
            return "added"

    def open_items(self) -> list[QueueItem]:
        query = (
            select(_q)
            .where(_q.c.programme == self.programme, _q.c.acked_on.is_(None))
            .order_by(_q.c.opened_on, _q.c.id)
        )
        return [_item(r) for r in self.store.rows(query)]

    def ack(self, pair: tuple[int, int], *, on: date, note: str | None = None) -> QueueItem | None:
        """Close the pair's open item; ``None`` when it has none."""
        with self.store.transaction():
            row = self._open(pair)
            if row is None:
                return None
            self.store.write(
                _q.update().where(_q.c.id == row.id).values(acked_on=on.isoformat(), acked_at=_now(), note=note)
            )
            closed = self.store.first(select(_q).where(_q.c.id == row.id))
        return _item(closed)


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


class NudgeLog:
    """Nudges per (pair, recipient); ``intent`` rows count as sent (their outcome is unknown)."""

    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

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
        return conn.insert_id(
            _n.insert().values(
                programme=self.programme,
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                recipient_id=recipient_id,
                day=day.isoformat(),
                kind=kind,
                state="intent",
                created_at=_now(),
            )
        )

    def link_journal(self, conn: Store, nudge_id: int, journal_id: int) -> None:
        conn.write(_n.update().where(_n.c.id == nudge_id).values(journal_id=journal_id))

    def finish(
        self, nudge_id: int, state: str, *, msgid: int | None = None, error: str | None = None
    ) -> None:
        self.store.write(
            _n.update().where(_n.c.id == nudge_id).values(state=state, msgid=msgid, error=error, finished_at=_now())
        )

    def latest(self, mentor_id: int, mentee_id: int, recipient_id: int) -> NudgeRecord | None:
        """The most recent attempt to nudge this person about this pair, whatever its outcome."""
        query = (
            select(_n)
            .where(
                _n.c.programme == self.programme,
                _n.c.mentor_id == mentor_id,
                _n.c.mentee_id == mentee_id,
                _n.c.recipient_id == recipient_id,
            )
            .order_by(_n.c.day.desc(), _n.c.id.desc())
            .limit(1)
        )
        row = self.store.first(query)
        return _nudge(row) if row is not None else None

    def records(self, *, day: date | None = None) -> list[NudgeRecord]:
        query = select(_n).where(_n.c.programme == self.programme)
        if day is not None:
            query = query.where(_n.c.day == day.isoformat())
        return [_nudge(r) for r in self.store.rows(query.order_by(_n.c.id))]


def _nudge(r: Any) -> NudgeRecord:
    return NudgeRecord(
        id=r.id,
        mentor_id=r.mentor_id,
        mentee_id=r.mentee_id,
        recipient_id=r.recipient_id,
        day=date.fromisoformat(r.day),
        kind=r.kind,
        state=r.state,
        msgid=r.msgid,
        error=r.error,
    )
