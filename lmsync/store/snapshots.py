"""Stored pair health: one snapshot of every pair a day (issue 13).

Rows of ``health_snapshots`` (migration 004): each pair's status and reasons on each day
health ran, which give the pair's history, when lmsync first saw it and whether it
recovered. A re-run on the same day replaces the rows of the pairs it judges (``replace_day``). People are Moodle ids only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, bindparam, func, select

from lmsync.domain.health import PairHealth
from lmsync.store.db import ProgrammeRepository, from_row, now_iso
from lmsync.store.schema import health_snapshots

_s = health_snapshots
#: One pair's row of one day (``replace_day``), built once so an executemany compiles it once.
_REPLACED = _s.delete().where(_s.c.programme == bindparam("p"), _s.c.day == bindparam("d"),
                              _s.c.mentor_id == bindparam("mr"), _s.c.mentee_id == bindparam("me"))


def reasons_json(health: PairHealth) -> str:
    """A health's reasons as stored: JSON ``[[code, text], ...]``."""
    return json.dumps([[r.code, r.text] for r in health.reasons])


def reasons_of(text: str) -> tuple[tuple[str, str], ...]:
    """The ``(code, text)`` reasons of a stored JSON list (``reasons_json``)."""
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


class HealthSnapshots(ProgrammeRepository):
    def replace_day(self, day: date, healths: Iterable[PairHealth]) -> int:
        """Make ``healths`` ``day``'s snapshot of the pairs they judge; returns their count. A re-run on the same
        day replaces those pairs' rows; a pair judged earlier that day and not now (ended since: re-matched,
        suspended, left) keeps its row: the judgement a queue item was opened for stays in ``pair show``
        (tester round 87a, 7d: ``queue done --outcome rematched``, then ``health`` again the same day, took it)."""
        stamp = now_iso()
        rows = [
            {
                "programme": self.programme,
                "day": day.isoformat(),
                "mentor_id": h.mentor_id,
                "mentee_id": h.mentee_id,
                "status": h.status,
                "reasons": reasons_json(h),
                "paired_since": h.paired_since.isoformat(),
                "last_meeting": h.last_meeting.isoformat() if h.last_meeting else None,
                "computed_at": stamp,
                "shared_status": h.shared_status or h.status,
            }
            for h in healths
        ]
        with self.store.transaction():
            self.store.write(_REPLACED, [{"p": self.programme, "d": r["day"], "mr": r["mentor_id"], "me": r["mentee_id"]}
                                         for r in rows])  # one executemany: only the pairs judged now
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
            from_row(
                SnapshotRow,
                r,
                day=date.fromisoformat(r.day),
                reasons=reasons_of(r.reasons),
                paired_since=date.fromisoformat(r.paired_since),
                last_meeting=date.fromisoformat(r.last_meeting) if r.last_meeting else None,
            )
            for r in self.store.rows(query)
        ]

    def last_day(self) -> date | None:
        """The latest day any snapshot is of (None: none): the last day health judged the programme."""
        found = self.store.scalar(select(func.max(_s.c.day)).where(_s.c.programme == self.programme))
        return date.fromisoformat(found) if found else None

    def day_before(self, day: date) -> date | None:
        """The latest snapshot day before ``day`` (None: none)."""
        found = self.store.scalar(
            select(func.max(_s.c.day)).where(_s.c.programme == self.programme, _s.c.day < day.isoformat())
        )
        return date.fromisoformat(found) if found else None

    def latest(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], SnapshotRow]:
        """Each of ``pairs``' latest snapshot row (a pair never snapshotted is left out): what the
        coordinator queue shows as the pair's status now (tester finding 6)."""
        wanted = set(pairs)
        if not wanted:
            return {}
        last = (
            select(_s.c.mentor_id, _s.c.mentee_id, func.max(_s.c.day).label("day"))
            .where(_s.c.programme == self.programme, _s.c.mentor_id.in_(sorted({m for m, _ in wanted})))
            .group_by(_s.c.mentor_id, _s.c.mentee_id)
            .subquery()
        )
        query = select(_s).join(
            last, and_(_s.c.mentor_id == last.c.mentor_id, _s.c.mentee_id == last.c.mentee_id, _s.c.day == last.c.day)
        ).where(_s.c.programme == self.programme)
        out = {}
        for r in self.store.rows(query):
            if (r.mentor_id, r.mentee_id) in wanted:
                out[(r.mentor_id, r.mentee_id)] = from_row(
                    SnapshotRow,
                    r,
                    day=date.fromisoformat(r.day),
                    reasons=reasons_of(r.reasons),
                    paired_since=date.fromisoformat(r.paired_since),
                    last_meeting=date.fromisoformat(r.last_meeting) if r.last_meeting else None,
                )
        return out

    def judged_last(self) -> set[tuple[int, int]]:
        """The pairs of the latest snapshot day (none: no snapshot): those health judged last. Ids only."""
        last = self.last_day()
        if last is None:
            return set()
        query = select(_s.c.mentor_id, _s.c.mentee_id).where(_s.c.programme == self.programme, _s.c.day == last.isoformat())
        return {(r.mentor_id, r.mentee_id) for r in self.store.rows(query)}

    def first_seen(self) -> dict[tuple[int, int], date]:
        """The earliest day each pair appears in a snapshot."""
        query = (
            select(_s.c.mentor_id, _s.c.mentee_id, func.min(_s.c.day).label("first"))
            .where(_s.c.programme == self.programme)
            .group_by(_s.c.mentor_id, _s.c.mentee_id)
        )
        return {(r.mentor_id, r.mentee_id): date.fromisoformat(r.first) for r in self.store.rows(query)}

    def paired_since_on(self, day: date) -> dict[tuple[int, int], date]:
        """Each pair's ``paired_since`` as ``day``'s snapshot holds it."""
        query = select(_s.c.mentor_id, _s.c.mentee_id, _s.c.paired_since).where(
            _s.c.programme == self.programme, _s.c.day == day.isoformat()
        )
        return {(r.mentor_id, r.mentee_id): date.fromisoformat(r.paired_since) for r in self.store.rows(query)}

    def quiet_after(self, pair: tuple[int, int], day: date) -> bool:
        """Whether the pair was seen ``ok`` or on ``watch`` (nothing due on its item) on a day after ``day``."""
        return self._seen_after(pair, day, _s.c.status.in_(("ok", "watch")))

    def recovered_after(self, pair: tuple[int, int], day: date) -> bool:
        """Whether the pair was seen not fading on a day after ``day``."""
        return self._seen_after(pair, day, _s.c.status != "fading")

    def _seen_after(self, pair: tuple[int, int], day: date, status: ColumnElement[bool]) -> bool:
        """Whether a snapshot of the pair after ``day`` meets ``status``."""
        query = (
            select(_s.c.day)
            .where(_s.c.programme == self.programme, _s.c.mentor_id == pair[0], _s.c.mentee_id == pair[1],
                   _s.c.day > day.isoformat(), status)
            .limit(1)
        )
        return self.store.first(query) is not None
