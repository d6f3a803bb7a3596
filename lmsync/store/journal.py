"""The write journal: every batch lmsync sends to Moodle, recorded before and after.

A row in state ``intent`` with no result means the process died (or the answer was lost)
while Moodle may or may not have applied the batch: the next run re-observes Moodle rather
than trusting or replaying the journal. Rows hold operation keys and ids, never names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lmsync.store.db import Store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class JournalEntry:
    id: int
    run_id: str
    function: str
    op_kind: str
    item_count: int
    state: str
    result: Any
    started_at: str
    finished_at: str | None


class Journal:
    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def intent(self, run_id: str, function: str, op_kind: str, op_keys: list[str]) -> int:
        cursor = self.store.conn.execute(
            "INSERT INTO journal (run_id, programme, function, op_kind, op_keys, item_count, state, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'intent', ?)",
            (run_id, self.programme, function, op_kind, json.dumps(op_keys), len(op_keys), _now()),
        )
        return int(cursor.lastrowid or 0)

    def finish(self, entry_id: int, state: str, result: Any = None) -> None:
        self.store.conn.execute(
            "UPDATE journal SET state = ?, result = ?, finished_at = ? WHERE id = ?",
            (state, json.dumps(result, default=str), _now(), entry_id),
        )

    def unfinished(self) -> list[JournalEntry]:
        """Batches whose outcome is unknown: a crash or a lost answer happened after the intent."""
        return [e for e in self.entries() if e.state in ("intent", "unknown")]

    def entries(self, run_id: str | None = None) -> list[JournalEntry]:
        sql = "SELECT * FROM journal WHERE programme = ?"
        args: list[Any] = [self.programme]
        if run_id is not None:
            sql += " AND run_id = ?"
            args.append(run_id)
        rows = self.store.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [
            JournalEntry(
                id=row["id"],
                run_id=row["run_id"],
                function=row["function"],
                op_kind=row["op_kind"],
                item_count=row["item_count"],
                state=row["state"],
                result=json.loads(row["result"]) if row["result"] else None,
                started_at=row["started_at"],
                finished_at=row["finished_at"],
            )
            for row in rows
        ]

    def succeeded(self, op_kind: str) -> list[tuple[list[str], str]]:
        """``(operation keys, finished_at)`` of every batch of ``op_kind`` Moodle accepted, oldest first."""
        rows = self.store.conn.execute(
            "SELECT op_keys, finished_at FROM journal WHERE programme = ? AND op_kind = ? AND state = 'ok'"
            " AND finished_at IS NOT NULL ORDER BY id",
            (self.programme, op_kind),
        ).fetchall()
        return [(list(json.loads(row["op_keys"])), str(row["finished_at"])) for row in rows]

    def uncertain(self, kinds: Iterable[str]) -> list[tuple[int, list[str], str]]:
        """``(entry id, operation keys, started_at)`` of batches of ``kinds`` whose outcome is unknown
        (a lost answer or a crash after the intent): their writes may still commit (issue 10 point 10)."""
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        rows = self.store.conn.execute(
            "SELECT id, op_keys, started_at FROM journal WHERE programme = ? AND state IN ('intent', 'unknown')"
            f" AND op_kind IN ({marks}) ORDER BY id",
            (self.programme, *kinds),
        ).fetchall()
        return [(int(row["id"]), list(json.loads(row["op_keys"])), str(row["started_at"])) for row in rows]

    def settle(self, entry_ids: Iterable[int], run_id: str, why: str) -> None:
        """Close uncertain batches once re-observation shows them or their settle time passed."""
        for entry_id in entry_ids:
            self.finish(entry_id, "reobserved", {"reobserved_by": run_id, "why": why})

    def settle_unfinished(self, run_id: str, kinds: Iterable[str]) -> int:
        """Mark older unknown outcomes of ``kinds`` as re-observed by ``run_id``.

        Only the job that re-observes those objects may settle them: the sync settles its
        group writes, never the grade pushes or nudges journaled beside them.
        """
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        cursor = self.store.conn.execute(
            "UPDATE journal SET state = 'reobserved', result = ?, finished_at = ?"
            f" WHERE programme = ? AND state IN ('intent', 'unknown') AND op_kind IN ({marks})",
            (json.dumps({"reobserved_by": run_id}), _now(), self.programme, *kinds),
        )
        return cursor.rowcount

    def remember_created(self, kind: str, key: str, moodle_id: int) -> None:
        self.store.conn.execute(
            "INSERT OR REPLACE INTO created_objects (programme, kind, key, moodle_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (self.programme, kind, key, moodle_id, _now()),
        )

    def created(self, kind: str) -> dict[str, int]:
        rows = self.store.conn.execute(
            "SELECT key, moodle_id FROM created_objects WHERE programme = ? AND kind = ?", (self.programme, kind)
        ).fetchall()
        return {row["key"]: row["moodle_id"] for row in rows}
