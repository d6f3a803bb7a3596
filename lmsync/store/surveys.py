"""Stored survey answers and wave scores, and one person's data: export and erasure.

Answers are kept as given (text) under the key (respondent, instrument, date, item,
source, about), so re-importing a file or re-reading a Feedback activity stores nothing twice.
Scores are derived: ``replace_scores`` rewrites them from the answers after every import
or pull, so a changed scoring rule takes effect everywhere at once.

``export_person`` and ``erase_person`` cover every table of issue #6 holding a Moodle user
id (meetings on either side, survey answers, survey scores): what a school needs to
answer a subject-access or erasure request for one person.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lmsync.domain.instruments import Score, SurveyAnswer, WaveScore
from lmsync.store.db import Store
from lmsync.store.meetings import SaveCounts, now_iso


@dataclass(frozen=True)
class StoredAnswer:
    answer: SurveyAnswer
    origin: str | None


class SurveyRepository:
    def __init__(self, store: Store, programme: str) -> None:
        self.store = store
        self.programme = programme

    def save(self, answers: Iterable[tuple[SurveyAnswer, str | None]]) -> SaveCounts:
        with self.store.transaction() as conn:
            return self.save_in(conn, answers)

    def save_in(
        self, conn: sqlite3.Connection, answers: Iterable[tuple[SurveyAnswer, str | None]]
    ) -> SaveCounts:
        added = updated = unchanged = 0
        stamp = now_iso()
        for a, origin in answers:
            key = (
                self.programme,
                a.respondent_id,
                a.instrument,
                a.date.isoformat(),
                a.item,
                a.source,
                _about_column(a.about_id),
            )
            row = conn.execute(
                "SELECT id, value FROM survey_answers WHERE programme = ? AND respondent_id = ? AND instrument = ?"
                " AND answer_date = ? AND item = ? AND source = ? AND about_id = ?",
                key,
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO survey_answers (programme, respondent_id, instrument, answer_date, item, source,"
                    " about_id, value, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, a.value, origin, stamp, stamp),
                )
                added += 1
            elif row["value"] != a.value:
                conn.execute(
                    "UPDATE survey_answers SET value = ?, origin = ?, updated_at = ? WHERE id = ?",
                    (a.value, origin, stamp, row["id"]),
                )
                updated += 1
            else:
                unchanged += 1
        return SaveCounts(added, updated, unchanged)

    def replace_source(
        self, source: str, instrument: str, answers: Iterable[tuple[SurveyAnswer, str | None]]
    ) -> SaveCounts:
        """Make one instrument's answers from a re-readable source equal ``answers``."""
        items = [(a, o) for a, o in answers if a.source == source and a.instrument == instrument]
        keep = {(a.respondent_id, a.date.isoformat(), a.item, _about_column(a.about_id)) for a, _ in items}
        with self.store.transaction() as conn:
            counts = self.save_in(conn, items)
            removed = 0
            for row in conn.execute(
                "SELECT id, respondent_id, answer_date, item, about_id FROM survey_answers"
                " WHERE programme = ? AND source = ? AND instrument = ?",
                (self.programme, source, instrument),
            ).fetchall():
                if (row["respondent_id"], row["answer_date"], row["item"], row["about_id"]) not in keep:
                    conn.execute("DELETE FROM survey_answers WHERE id = ?", (row["id"],))
                    removed += 1
        return counts + SaveCounts(removed=removed)

    def answers(
        self, *, respondent_id: int | None = None, instrument: str | None = None
    ) -> list[SurveyAnswer]:
        sql = "SELECT * FROM survey_answers WHERE programme = ?"
        args: list[Any] = [self.programme]
        if respondent_id is not None:
            sql += " AND respondent_id = ?"
            args.append(respondent_id)
        if instrument is not None:
            sql += " AND instrument = ?"
            args.append(instrument)
        sql += " ORDER BY respondent_id, instrument, answer_date, source, about_id, item"
        return [
            SurveyAnswer(
                respondent_id=r["respondent_id"],
                instrument=r["instrument"],
                date=date.fromisoformat(r["answer_date"]),
                item=r["item"],
                value=r["value"],
                source=r["source"],
                about_id=_about_value(r["about_id"]),
            )
            for r in self.store.conn.execute(sql, args)
        ]

    def replace_scores(self, scores: Iterable[WaveScore]) -> int:
        """Rewrite this programme's wave scores; returns how many are stored."""
        stamp = now_iso()
        rows = [
            (
                self.programme,
                s.respondent_id,
                s.instrument,
                s.wave,
                s.date.isoformat(),
                s.source,
                s.score.total,
                s.score.answered,
                s.score.required,
                json.dumps(dict(s.score.subscales), sort_keys=True),
                stamp,
                _about_column(s.about_id),
            )
            for s in scores
        ]
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM survey_scores WHERE programme = ?", (self.programme,))
            conn.executemany(
                "INSERT INTO survey_scores (programme, respondent_id, instrument, wave, sitting_date, source, total,"
                " answered, required, subscales, scored_at, about_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def scores(self, *, respondent_id: int | None = None) -> list[WaveScore]:
        sql = "SELECT * FROM survey_scores WHERE programme = ?"
        args: list[Any] = [self.programme]
        if respondent_id is not None:
            sql += " AND respondent_id = ?"
            args.append(respondent_id)
        sql += " ORDER BY respondent_id, instrument, sitting_date, about_id"
        return [
            WaveScore(
                respondent_id=r["respondent_id"],
                instrument=r["instrument"],
                wave=r["wave"],
                date=date.fromisoformat(r["sitting_date"]),
                source=r["source"],
                score=Score(
                    r["instrument"], r["total"], r["answered"], r["required"], json.loads(r["subscales"])
                ),
                about_id=_about_value(r["about_id"]),
            )
            for r in self.store.conn.execute(sql, args)
        ]


def _about_column(about_id: int | None) -> int:
    """``about_id`` as stored: 0 for "not about one relationship" (Moodle user ids start at 1)."""
    return 0 if about_id is None else about_id


def _about_value(column: int) -> int | None:
    return None if not column else int(column)


# --- one person's data ------------------------------------------------------------------------

_PERSON_TABLES: dict[str, tuple[str, ...]] = {
    "meetings": ("mentor_id", "mentee_id"),
    "survey_answers": ("respondent_id", "about_id"),
    "survey_scores": ("respondent_id", "about_id"),
    "assign_comments": ("user_id",),
    "health_snapshots": ("mentor_id", "mentee_id"),
    "coordinator_queue": ("mentor_id", "mentee_id"),
    "nudges": ("mentor_id", "mentee_id", "recipient_id"),
}


def _where(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"{c} = ?" for c in columns)


def export_person(store: Store, person_id: int) -> dict[str, Any]:
    """Every stored row that names this Moodle user id, table by table, as plain JSON-able data."""
    out: dict[str, Any] = {"person_id": person_id}
    for table, columns in _PERSON_TABLES.items():
        rows = store.conn.execute(
            f"SELECT * FROM {table} WHERE {_where(columns)} ORDER BY rowid", (person_id,) * len(columns)
        ).fetchall()
        out[table] = [dict(r) for r in rows]
    return out


def erase_person(store: Store, person_id: int) -> dict[str, int]:
    """Delete every row naming this person; returns rows deleted per table.

    A meeting names two people; it is deleted whole, because a half-erased meeting would
    still tell who met whom. The other side's attendance figures drop accordingly.
    """
    counts: dict[str, int] = {}
    with store.transaction() as conn:
        for table, columns in _PERSON_TABLES.items():
            cursor = conn.execute(f"DELETE FROM {table} WHERE {_where(columns)}", (person_id,) * len(columns))
            counts[table] = cursor.rowcount
    return counts
