"""Read-only queries behind the programme report (issue 14): aggregates the other repositories lack.

SQLAlchemy Core over ``lmsync.store.schema`` (SQLite and PostgreSQL alike). Everything here
only reads (a report never writes, issue 11), works on a store opened read-only, and returns
plain rows keyed by Moodle user ids: names stay in Moodle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Select, case, cast, distinct, func, select

from lmsync.store import schema
from lmsync.store.db import Store


@dataclass(frozen=True)
class MonthMeetings:
    """One calendar month (``YYYY-MM``): meetings held, their mean minutes, pairs met, meetings missed.

    A meeting logged by two sources (a Feedback answer and a CSV row for the same pair and day)
    counts once, with the longer of its lengths.
    """

    month: str
    held: int
    mean_minutes: float | None
    pairs_met: int
    missed: int


@dataclass(frozen=True)
class QueueState:
    """The latest coordinator-queue item of one pair: open (``acked_on`` None) or acknowledged."""

    opened_on: date
    last_seen_on: date
    acked_on: date | None


@dataclass(frozen=True)
class FlaggedPair:
    """One pair's snapshot on a day: status, last meeting, reasons as ``(code, sentence)``."""

    mentor_id: int
    mentee_id: int
    status: str
    last_meeting: date | None
    reasons: tuple[tuple[str, str], ...]


def _deduped(programme: str, since: date, until: date) -> Any:
    m = schema.meetings
    return (
        select(
            m.c.meeting_date,
            m.c.mentor_id,
            m.c.mentee_id,
            func.max(m.c.attended).label("attended"),
            func.max(case((m.c.attended == 1, m.c.minutes))).label("minutes"),
        )
        .where(m.c.programme == programme, m.c.meeting_date >= since.isoformat(), m.c.meeting_date <= until.isoformat())
        .group_by(m.c.meeting_date, m.c.mentor_id, m.c.mentee_id)
        .subquery()
    )


def meetings_per_month(store: Store, programme: str, since: date, until: date) -> list[MonthMeetings]:
    """Months from ``since`` to ``until`` (inclusive) that hold a meeting, oldest first."""
    d = _deduped(programme, since, until)
    month = func.substr(d.c.meeting_date, 1, 7).label("month")
    pair_key = cast(d.c.mentor_id, BigInteger) * 4294967296 + d.c.mentee_id
    statement: Select[Any] = (
        select(
            month,
            func.sum(d.c.attended).label("held"),
            func.avg(d.c.minutes).label("mean_minutes"),
            func.count(distinct(case((d.c.attended == 1, pair_key)))).label("pairs_met"),
            func.sum(1 - d.c.attended).label("missed"),
        )
        .group_by(month)
        .order_by(month)
    )
    return [
        MonthMeetings(
            month=str(r.month),
            held=int(r.held or 0),
            mean_minutes=float(r.mean_minutes) if r.mean_minutes is not None else None,
            pairs_met=int(r.pairs_met or 0),
            missed=int(r.missed or 0),
        )
        for r in store.rows(statement)
    ]


def meetings_held(store: Store, programme: str, since: date, until: date) -> int:
    """Meetings held (attended) between ``since`` and ``until``, each pair and day once."""
    d = _deduped(programme, since, until)
    return int(store.scalar(select(func.count()).select_from(d).where(d.c.attended == 1)) or 0)


def health_status_counts(store: Store, programme: str, *, until: date | None = None) -> list[tuple[date, str, int]]:
    """``(day, status, pairs)`` for every stored health snapshot day, oldest first."""
    h = schema.health_snapshots
    statement = select(h.c.day, h.c.status, func.count().label("n")).where(h.c.programme == programme)
    if until is not None:
        statement = statement.where(h.c.day <= until.isoformat())
    statement = statement.group_by(h.c.day, h.c.status).order_by(h.c.day, h.c.status)
    return [(date.fromisoformat(r.day), str(r.status), int(r.n)) for r in store.rows(statement)]


def latest_snapshot_day(store: Store, programme: str, *, until: date | None = None) -> date | None:
    """The most recent day with a health snapshot (at or before ``until``), if any."""
    h = schema.health_snapshots
    statement = select(func.max(h.c.day)).where(h.c.programme == programme)
    if until is not None:
        statement = statement.where(h.c.day <= until.isoformat())
    value = store.scalar(statement)
    return date.fromisoformat(value) if value else None


def flagged_pairs(store: Store, programme: str, day: date, statuses: tuple[str, ...]) -> list[FlaggedPair]:
    """The pairs whose snapshot on ``day`` has one of ``statuses``."""
    h = schema.health_snapshots
    statement = (
        select(h.c.mentor_id, h.c.mentee_id, h.c.status, h.c.last_meeting, h.c.reasons)
        .where(h.c.programme == programme, h.c.day == day.isoformat(), h.c.status.in_(statuses))
        .order_by(h.c.mentor_id, h.c.mentee_id)
    )
    return [
        FlaggedPair(
            mentor_id=int(r.mentor_id),
            mentee_id=int(r.mentee_id),
            status=str(r.status),
            last_meeting=date.fromisoformat(r.last_meeting) if r.last_meeting else None,
            reasons=tuple((str(code), str(text)) for code, text in json.loads(r.reasons)),
        )
        for r in store.rows(statement)
    ]


def queue_states(store: Store, programme: str) -> dict[tuple[int, int], QueueState]:
    """Each pair's latest coordinator-queue item (the highest id), keyed ``(mentor_id, mentee_id)``."""
    q = schema.coordinator_queue
    latest = (
        select(func.max(q.c.id).label("id"))
        .where(q.c.programme == programme)
        .group_by(q.c.mentor_id, q.c.mentee_id)
        .subquery()
    )
    statement = select(q.c.mentor_id, q.c.mentee_id, q.c.opened_on, q.c.last_seen_on, q.c.acked_on).join(
        latest, latest.c.id == q.c.id
    )
    return {
        (int(r.mentor_id), int(r.mentee_id)): QueueState(
            opened_on=date.fromisoformat(r.opened_on),
            last_seen_on=date.fromisoformat(r.last_seen_on),
            acked_on=date.fromisoformat(r.acked_on) if r.acked_on else None,
        )
        for r in store.rows(statement)
    }
