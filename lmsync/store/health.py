"""Stored pair health: daily snapshots, the coordinator queue, and the nudges sent.

Three small repositories over the tables of migration 004. Snapshots give each pair's
history (and when lmsync first saw it); the queue holds fading pairs until a coordinator
acknowledges them; the nudge log is what keeps a person from being nudged twice about the
same pair inside the interval, even across crashes (a row is written before the send).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lmsync.domain.health import PairHealth
from lmsync.store.db import Store


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
            (
                self.programme,
                day.isoformat(),
                h.mentor_id,
                h.mentee_id,
                h.status,
                _reasons_json(h),
                h.paired_since.isoformat(),
                h.last_meeting.isoformat() if h.last_meeting else None,
                stamp,
            )
            for h in healths
        ]
        with self.store.transaction() as conn:
            conn.execute(
                "DELETE FROM health_snapshots WHERE programme = ? AND day = ?",
                (self.programme, day.isoformat()),
            )
            conn.executemany(
                "INSERT INTO health_snapshots (programme, day, mentor_id, mentee_id, status, reasons, paired_since,"
                " last_meeting, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def rows(self, *, day: date | None = None, pair: tuple[int, int] | None = None) -> list[SnapshotRow]:
        sql = "SELECT * FROM health_snapshots WHERE programme = ?"
        args: list[Any] = [self.programme]
        if day is not None:
            sql += " AND day = ?"
            args.append(day.isoformat())
        if pair is not None:
            sql += " AND mentor_id = ? AND mentee_id = ?"
            args += list(pair)
        sql += " ORDER BY day, mentor_id, mentee_id"
        return [
            SnapshotRow(
                day=date.fromisoformat(r["day"]),
                mentor_id=r["mentor_id"],
                mentee_id=r["mentee_id"],
                status=r["status"],
                reasons=_reasons(r["reasons"]),
                paired_since=date.fromisoformat(r["paired_since"]),
                last_meeting=date.fromisoformat(r["last_meeting"]) if r["last_meeting"] else None,
            )
            for r in self.store.conn.execute(sql, args)
        ]

    def first_seen(self) -> dict[tuple[int, int], date]:
        """The earliest day each pair appears in a snapshot."""
        rows = self.store.conn.execute(
            "SELECT mentor_id, mentee_id, MIN(day) AS first FROM health_snapshots WHERE programme = ?"
            " GROUP BY mentor_id, mentee_id",
            (self.programme,),
        ).fetchall()
        return {(r["mentor_id"], r["mentee_id"]): date.fromisoformat(r["first"]) for r in rows}

    def recovered_after(self, pair: tuple[int, int], day: date) -> bool:
        """Whether the pair was seen not fading on a day after ``day``."""
        row = self.store.conn.execute(
            "SELECT 1 FROM health_snapshots WHERE programme = ? AND mentor_id = ? AND mentee_id = ?"
            " AND day > ? AND status != 'fading' LIMIT 1",
            (self.programme, *pair, day.isoformat()),
        ).fetchone()
        return row is not None


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


def _item(r: sqlite3.Row) -> QueueItem:
    return QueueItem(
        id=r["id"],
        mentor_id=r["mentor_id"],
        mentee_id=r["mentee_id"],
        status=r["status"],
        reasons=_reasons(r["reasons"]),
        opened_on=date.fromisoformat(r["opened_on"]),
        last_seen_on=date.fromisoformat(r["last_seen_on"]),
        acked_on=date.fromisoformat(r["acked_on"]) if r["acked_on"] else None,
        note=r["note"],
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

    def _open(self, conn: sqlite3.Connection, pair: tuple[int, int]) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM coordinator_queue WHERE programme = ? AND mentor_id = ? AND mentee_id = ?"
            " AND acked_on IS NULL",
            (self.programme, *pair),
        ).fetchone()
        return row

    def offer(self, day: date, health: PairHealth) -> str:
        """Queue a fading pair: ``added``, ``updated`` (already open) or ``snoozed`` (acked recently)."""
        pair = (health.mentor_id, health.mentee_id)
        with self.store.transaction() as conn:
            row = self._open(conn, pair)
            if row is not None:
                conn.execute(
                    "UPDATE coordinator_queue SET status = ?, reasons = ?, last_seen_on = ? WHERE id = ?",
                    (
                        health.status,
                        _reasons_json(health),
                        max(day.isoformat(), row["last_seen_on"]),
                        row["id"],
                    ),
                )
                return "updated"
            acked = conn.execute(
                "SELECT MAX(acked_on) FROM coordinator_queue WHERE programme = ? AND mentor_id = ? AND mentee_id = ?",
                (self.programme, *pair),
            ).fetchone()[0]
            if acked is not None:
                acked_on = date.fromisoformat(acked)
                recent = (day - acked_on).days < self.requeue_after_days
                if recent and not HealthSnapshots(self.store, self.programme).recovered_after(pair, acked_on):
                    return "snoozed"
            conn.execute(
                "INSERT INTO coordinator_queue (programme, mentor_id, mentee_id, status, reasons, opened_on,"
                " last_seen_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.programme,
                    *pair,
                    health.status,
                    _reasons_json(health),
                    day.isoformat(),
                    day.isoformat(),
                ),
            )
            return "added"

    def open_items(self) -> list[QueueItem]:
        rows = self.store.conn.execute(
            "SELECT * FROM coordinator_queue WHERE programme = ? AND acked_on IS NULL ORDER BY opened_on, id",
            (self.programme,),
        ).fetchall()
        return [_item(r) for r in rows]

    def ack(self, pair: tuple[int, int], *, on: date, note: str | None = None) -> QueueItem | None:
        """Close the pair's open item; ``None`` when it has none."""
        with self.store.transaction() as conn:
            row = self._open(conn, pair)
            if row is None:
                return None
            conn.execute(
                "UPDATE coordinator_queue SET acked_on = ?, acked_at = ?, note = ? WHERE id = ?",
                (on.isoformat(), _now(), note, row["id"]),
            )
            closed = conn.execute("SELECT * FROM coordinator_queue WHERE id = ?", (row["id"],)).fetchone()
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
        conn: sqlite3.Connection,
        *,
        mentor_id: int,
        mentee_id: int,
        recipient_id: int,
        day: date,
        kind: str,
    ) -> int:
        """Record a nudge about to be sent, inside the caller's transaction."""
        cursor = conn.execute(
            "INSERT INTO nudges (programme, mentor_id, mentee_id, recipient_id, day, kind, state, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'intent', ?)",
            (self.programme, mentor_id, mentee_id, recipient_id, day.isoformat(), kind, _now()),
        )
        return int(cursor.lastrowid or 0)

    def link_journal(self, conn: sqlite3.Connection, nudge_id: int, journal_id: int) -> None:
        conn.execute("UPDATE nudges SET journal_id = ? WHERE id = ?", (journal_id, nudge_id))

    def finish(
        self, nudge_id: int, state: str, *, msgid: int | None = None, error: str | None = None
    ) -> None:
        self.store.conn.execute(
            "UPDATE nudges SET state = ?, msgid = ?, error = ?, finished_at = ? WHERE id = ?",
            (state, msgid, error, _now(), nudge_id),
        )

    def latest(self, mentor_id: int, mentee_id: int, recipient_id: int) -> NudgeRecord | None:
        """The most recent attempt to nudge this person about this pair, whatever its outcome."""
        row = self.store.conn.execute(
            "SELECT * FROM nudges WHERE programme = ? AND mentor_id = ? AND mentee_id = ? AND recipient_id = ?"
            " ORDER BY day DESC, id DESC LIMIT 1",
            (self.programme, mentor_id, mentee_id, recipient_id),
        ).fetchone()
        return _nudge(row) if row is not None else None

    def records(self, *, day: date | None = None) -> list[NudgeRecord]:
        sql = "SELECT * FROM nudges WHERE programme = ?"
        args: list[Any] = [self.programme]
        if day is not None:
            sql += " AND day = ?"
            args.append(day.isoformat())
        return [_nudge(r) for r in self.store.conn.execute(sql + " ORDER BY id", args)]


def _nudge(r: sqlite3.Row) -> NudgeRecord:
    return NudgeRecord(
        id=r["id"],
        mentor_id=r["mentor_id"],
        mentee_id=r["mentee_id"],
        recipient_id=r["recipient_id"],
        day=date.fromisoformat(r["day"]),
        kind=r["kind"],
        state=r["state"],
        msgid=r["msgid"],
        error=r["error"],
    )
