"""Stored meetings, keyed by (date, mentor, mentee, source), and the log of imported files.

Saving is an upsert on the natural key that compares content hashes, so saving the same
meetings again changes nothing, and a corrected file updates rows in place rather than
adding a second meeting. ``save_in`` works inside a transaction the caller opened, so
an importer can store a whole file, and the record that it did, atomically.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from lmsync.domain.meetings import Meeting, Source
from lmsync.store.db import Store


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SaveCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __add__(self, other: SaveCounts) -> SaveCounts:
        return SaveCounts(
            self.added + other.added,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
        )


@dataclass(frozen=True)
class StoredMeeting:
    id: int
    meeting: Meeting
    origin: str | None
    created_at: str
    updated_at: str


def _row_to_meeting(row: sqlite3.Row) -> StoredMeeting:
    meeting = Meeting(
        date=date.fromisoformat(row["meeting_date"]),
        mentor_id=row["mentor_id"],
        mentee_id=row["mentee_id"],
        minutes=row["minutes"],
        attended=bool(row["attended"]),
        source=cast(Source, row["source"]),
        rating=row["rating"],
        notes=row["notes"],
    )
    return StoredMeeting(row["id"], meeting, row["origin"], row["created_at"], row["updated_at"])


class MeetingRepository:
    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def save(self, meetings: Iterable[tuple[Meeting, str | None]]) -> SaveCounts:
        """Upsert ``(meeting, origin)`` pairs in one transaction."""
        with self.store.transaction() as conn:
            return self.save_in(conn, meetings)

    def save_in(self, conn: sqlite3.Connection, meetings: Iterable[tuple[Meeting, str | None]]) -> SaveCounts:
        added = updated = unchanged = 0
        stamp = now_iso()
        for meeting, origin in meetings:
            key = meeting.natural_key
            row = conn.execute(
                "SELECT id, content_hash FROM meetings WHERE programme = ? AND meeting_date = ?"
                " AND mentor_id = ? AND mentee_id = ? AND source = ?",
                (self.programme, *key),
            ).fetchone()
            values = (
                meeting.minutes,
                int(meeting.attended),
                meeting.rating,
                meeting.notes,
                meeting.content_hash,
                origin,
            )
            if row is None:
                conn.execute(
                    "INSERT INTO meetings (programme, meeting_date, mentor_id, mentee_id, source, minutes, attended,"
                    " rating, notes, content_hash, origin, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (self.programme, *key, *values, stamp, stamp),
                )
                added += 1
            elif row["content_hash"] != meeting.content_hash:
                conn.execute(
                    "UPDATE meetings SET minutes = ?, attended = ?, rating = ?, notes = ?, content_hash = ?,"
                    " origin = ?, updated_at = ? WHERE id = ?",
                    (*values, stamp, row["id"]),
                )
                updated += 1
            else:
                unchanged += 1
        return SaveCounts(added, updated, unchanged)

    def replace_source(self, source: Source, meetings: Iterable[tuple[Meeting, str | None]]) -> SaveCounts:
        """Make the stored meetings of one re-readable source (the Feedback log) equal ``meetings``.

        Rows of that source no longer present (a response deleted in Moodle) are removed;
        the other sources are untouched.
        """
        items = [(m, o) for m, o in meetings if m.source == source]
        keep = {m.natural_key for m, _ in items}
        with self.store.transaction() as conn:
            counts = self.save_in(conn, items)
            removed = 0
            for row in conn.execute(
                "SELECT id, meeting_date, mentor_id, mentee_id, source FROM meetings WHERE programme = ? AND source = ?",
                (self.programme, source),
            ).fetchall():
                key = (row["meeting_date"], row["mentor_id"], row["mentee_id"], row["source"])
                if key not in keep:
                    conn.execute("DELETE FROM meetings WHERE id = ?", (row["id"],))
                    removed += 1
        return counts + SaveCounts(removed=removed)

    def find(
        self,
        *,
        person_id: int | None = None,
        since: date | None = None,
        until: date | None = None,
        source: Source | None = None,
    ) -> list[StoredMeeting]:
        """Meetings oldest first; ``person_id`` matches either side of the pair."""
        sql = "SELECT * FROM meetings WHERE programme = ?"
        args: list[Any] = [self.programme]
        if person_id is not None:
            sql += " AND (mentor_id = ? OR mentee_id = ?)"
            args += [person_id, person_id]
        if since is not None:
            sql += " AND meeting_date >= ?"
            args.append(since.isoformat())
        if until is not None:
            sql += " AND meeting_date <= ?"
            args.append(until.isoformat())
        if source is not None:
            sql += " AND source = ?"
            args.append(source)
        sql += " ORDER BY meeting_date, mentor_id, mentee_id, source"
        return [_row_to_meeting(r) for r in self.store.conn.execute(sql, args)]

    def meetings(self, **filters: Any) -> list[Meeting]:
        return [s.meeting for s in self.find(**filters)]

    def count(self) -> int:
        row = self.store.conn.execute(
            "SELECT COUNT(*) FROM meetings WHERE programme = ?", (self.programme,)
        ).fetchone()
        return int(row[0])


@dataclass(frozen=True)
class ImportRecord:
    kind: str
    file_name: str
    file_sha256: str
    rows: int
    counts: SaveCounts
    imported_at: str


class ImportLog:
    """Which files were imported, when, and what they changed (meetings and surveys alike)."""

    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def record_in(
        self, conn: sqlite3.Connection, kind: str, file_name: str, sha256: str, rows: int, counts: SaveCounts
    ) -> None:
        conn.execute(
            "INSERT INTO imports (programme, kind, file_name, file_sha256, rows, added, updated, unchanged, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.programme,
                kind,
                file_name,
                sha256,
                rows,
                counts.added,
                counts.updated,
                counts.unchanged,
                now_iso(),
            ),
        )

    def previous(self, kind: str, sha256: str) -> ImportRecord | None:
        """The first import of a file with these exact bytes, if any."""
        row = self.store.conn.execute(
            "SELECT * FROM imports WHERE programme = ? AND kind = ? AND file_sha256 = ? ORDER BY id LIMIT 1",
            (self.programme, kind, sha256),
        ).fetchone()
        if row is None:
            return None
        counts = SaveCounts(row["added"], row["updated"], row["unchanged"])
        return ImportRecord(
            row["kind"], row["file_name"], row["file_sha256"], row["rows"], counts, row["imported_at"]
        )


class SentComments:
    """The attendance comment last sent to each person on an assignment.

    Moodle cannot be asked for it (mod_assign_get_grades has no comments, trap 30), so a
    comment is re-sent only when its text differs from the one recorded here.
    """

    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def get(self, assignment_id: int) -> dict[int, str]:
        rows = self.store.conn.execute(
            "SELECT user_id, comment FROM assign_comments WHERE programme = ? AND assignment_id = ?",
            (self.programme, assignment_id),
        ).fetchall()
        return {int(r["user_id"]): str(r["comment"]) for r in rows}

    def record(self, assignment_id: int, comments: Iterable[tuple[int, str]]) -> None:
        stamp = now_iso()
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO assign_comments (programme, assignment_id, user_id, comment, sent_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(self.programme, assignment_id, uid, text, stamp) for uid, text in comments],
            )
