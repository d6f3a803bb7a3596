"""Stored meetings, keyed by (date, mentor, mentee, source), and the log of imported files.

Saving is an upsert on the natural key that compares content hashes, so saving the same
meetings again changes nothing, and a corrected file updates rows in place rather than
adding a second meeting. ``save_in`` works inside a transaction the caller opened, so
an importer can store a whole file, and the record that it did, atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Table, func, or_, select

from lmsync.domain.meetings import RATED_BY, Meeting, RatedBy, Source
from lmsync.store.db import ProgrammeRepository, Store, day_parser, now_iso
from lmsync.store.erasures import erased_note_keys, erased_on, note_taken, withheld
from lmsync.store.schema import assign_comments, imports, meetings, sent_assign_grades
from lmsync.store.stamped import upsert_stamped

_m, _i, _c, _g = meetings, imports, assign_comments, sent_assign_grades

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class SaveCounts:
    """Rows one save added, updated, left unchanged (same content) and removed (``replace_source``:
    rows of that source no longer read), and rows withheld because they name an erased person and
    date from before the erasure (``lmsync.store.erasures``), and rows kept as stored because they changed after
    the file now imported again was first imported (``upsert_stamped``); ``+`` sums two counts field by field."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    withheld: int = 0
    kept: int = 0
    replaced: int = 0  # of ``updated``: rows whose values another file (or ``meetings add``) had stored
    #: those rows' natural keys less the programme (meetings: ``Meeting.natural_key``), in save order; not compared
    replaced_keys: tuple[tuple[Any, ...], ...] = field(default=(), compare=False)  # (tester round 105b, 2)

    def __add__(self, other: SaveCounts) -> SaveCounts:
        return SaveCounts(
            self.added + other.added,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
            self.withheld + other.withheld,
            self.kept + other.kept,
            self.replaced + other.replaced,
            self.replaced_keys + other.replaced_keys,
        )

    @classmethod
    def of(cls, outcomes: Iterable[str]) -> SaveCounts:
        """Count ``upsert_stamped`` outcomes (``"added"``, ``"updated"``, ``"unchanged"``, ``"kept"``; a
        ``"replaced"`` row counts as updated and as replaced)."""
        seen = list(outcomes)
        replaced = seen.count("replaced")
        return cls(seen.count("added"), seen.count("updated") + replaced, seen.count("unchanged"), kept=seen.count("kept"),
                   replaced=replaced)


class RemovalRefused(Exception):
    """A re-read would remove too many of a source's stored rows; nothing was written.

    ``removing`` of the ``stored`` rows were absent from the read. Raised inside the
    transaction, so the read's additions and updates are rolled back too.
    """

    def __init__(self, removing: int, stored: int) -> None:
        super().__init__(f"would remove {removing} of {stored} stored row(s)")
        self.removing = removing
        self.stored = stored


def check_removal(removing: int, stored: int, *, min_fraction: float) -> None:
    """Raise ``RemovalRefused`` when removing more than ``1 - min_fraction`` of ``stored``
    (``min_fraction`` 0 turns the guard off), like ``[sync] min_source_fraction``."""
    if min_fraction > 0 and removing and removing > (1 - min_fraction) * stored:
        raise RemovalRefused(removing, stored)


def save_stamped(
    conn: Store, table: Table, rows: Iterable[tuple[dict[str, Any], dict[str, Any]]], *, compare: str,
    keep_changed_since: str | None = None,
) -> SaveCounts:
    """Upsert each ``(natural key, values)`` with ``upsert_stamped`` (one instant for all), counted; the keys (less
    the programme) of the rows it counted as replaced are ``replaced_keys`` (tester round 105b, 2)."""
    stamp = now_iso()
    done = [(key, upsert_stamped(conn, table, key, values, compare=compare, stamp=stamp,
                                 keep_changed_since=keep_changed_since)) for key, values in rows]
    replaced = tuple(tuple(v for k, v in key.items() if k != "programme") for key, outcome in done if outcome == "replaced")
    return replace(SaveCounts.of(outcome for _, outcome in done), replaced_keys=replaced)


class StampedRepository(ProgrammeRepository, Generic[_Item]):
    """A repository of imported rows upserted on their natural key (``upsert_stamped``):
    meetings, survey answers. Subclasses name the ``table``, the ``compare`` column and how an
    item becomes its key and other columns (``_columns``)."""

    table: Table
    compare: str

    def save(self, items: Iterable[tuple[_Item, str | None]]) -> SaveCounts:
        """Upsert ``(item, origin)`` pairs in one transaction."""
        with self.store.transaction() as conn:
            return self.save_in(conn, items)

    def save_in(
        self, conn: Store, items: Iterable[tuple[_Item, str | None]], *, keep_changed_since: str | None = None
    ) -> SaveCounts:
        """Upsert inside the caller's transaction (``conn``: what ``store.transaction()`` yielded).

        An item naming an erased person and dated on or before their erasure is not stored
        (counted as ``withheld``; tester round 12, 1: a Feedback read put erased answers back). A stored row
        changed at or after ``keep_changed_since`` is left as it is (counted as ``kept``; ``upsert_stamped``)."""
        erased = erased_on(conn)
        given = list(items)
        kept = [(i, o) for i, o in given if not withheld(erased, *self._dated_people(i))] if erased else given
        kept = self._without_erased_text(conn, kept) if erased else kept
        counts = save_stamped(conn, self.table, (self._columns(i, origin) for i, origin in kept), compare=self.compare,
                              keep_changed_since=keep_changed_since)
        return replace(counts, withheld=len(given) - len(kept))

    def _columns(self, item: _Item, origin: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """An item's natural key (with the programme) and its other columns."""
        raise NotImplementedError

    def _without_erased_text(self, conn: Store, items: list[tuple[_Item, str | None]]) -> list[tuple[_Item, str | None]]:
        """``items`` less any free text an erasure took off (meetings: ``erased_notes``); as given here."""
        return items

    def _dated_people(self, item: _Item) -> tuple[date, tuple[int | None, ...]]:
        """An item's date and the people it names (``withheld`` after an erasure)."""
        raise NotImplementedError

    def _replace(
        self,
        where: Sequence[ColumnElement[bool]],
        key: Sequence[str],
        keep: set[tuple[Any, ...]],
        items: Sequence[tuple[_Item, str | None]],
        *,
        keep_missing: bool,
        min_fraction: float,
        held: Callable[[str | None, tuple[Any, ...]], bool] | None = None,
    ) -> SaveCounts:
        """In one transaction: save ``items``, and remove this programme's rows matching ``where``
        whose ``key`` columns are not in ``keep`` (none when ``keep_missing``; nor those ``held(origin, key)``
        says are kept, e.g. the rows an unreadable response stored before, tester round 88a, 2).

        Raises ``RemovalRefused`` (``check_removal``) before anything is written when that
        would remove more than ``1 - min_fraction`` of those rows (``held`` rows are not counted: they stay).
        The first key column is the
        row's ISO day: a stale row whose key is kept one day earlier or later is re-dated, not lost
        (Feedback responses dated by the programme's day where an older version took the UTC day),
        and does not count towards that share; it is replaced all the same. With ``held``, each saved row's
        ``origin`` is made the one given here even when its content is unchanged (an older row's origin may
        not name its response yet).
        """
        table = self.table
        with self.store.transaction() as conn:
            query = select(table.c.id, table.c.origin, *(table.c[name] for name in key))
            rows = list(conn.rows(query.where(table.c.programme == self.programme, *where)))
            stale_keys = {r.id: tuple(r._mapping[name] for name in key) for r in rows}
            origins = {r.id: r.origin for r in rows}
            stale = [row_id for row_id, k in stale_keys.items() if k not in keep and not (held and held(origins[row_id], k))]
            lost = [row_id for row_id in stale if not _redated(stale_keys[row_id], keep)]
            check_removal(len(lost), len(rows), min_fraction=min_fraction)  # keep_missing (surveys): as before
            counts = self.save_in(conn, items)
            if held is not None:
                self._set_origins(conn, key, {k: origins[i] for i, k in stale_keys.items()}, items)
            if keep_missing:
                return counts
            for row_id in stale:
                conn.write(table.delete().where(table.c.id == row_id))
        return counts + SaveCounts(removed=len(stale))

    def _set_origins(
        self, conn: Store, key: Sequence[str], stored: dict[tuple[Any, ...], str | None],
        items: Sequence[tuple[_Item, str | None]],
    ) -> None:
        """Give each saved row (by natural ``key``) the origin of the last item of that key, where it differs."""
        wanted: dict[tuple[Any, ...], tuple[dict[str, Any], str | None]] = {}
        for item, origin in items:
            columns = self._columns(item, origin)[0]
            wanted[tuple(columns[name] for name in key)] = (columns, origin)
        for k, (columns, origin) in wanted.items():
            if k not in stored or stored[k] != origin:
                where = (self.table.c[name] == value for name, value in columns.items())
                moved = {"origin": origin, **({"words_origin": origin} if "words_origin" in self.table.c else {})}
                conn.write(self.table.update().where(*where).values(**moved))  # a re-read response gave its words


def _redated(key: tuple[Any, ...], keep: set[tuple[Any, ...]]) -> bool:
    """Whether ``key`` (its first column an ISO day) is kept with its day moved by one."""
    day = date.fromisoformat(key[0])
    return any((shifted.isoformat(), *key[1:]) in keep for shifted in (day - timedelta(days=1), day + timedelta(days=1)))


@dataclass(frozen=True)
class StoredMeeting:
    """A stored meeting: ``origin`` names the row that wrote it last (``FILE:LINE``, ``feedback:ATTEMPT``; ``None``:
    ``meetings add``), ``words_origin`` the one that gave its rating, notes and side (revision 0013): they differ
    where a later row kept them, an attendance register's (tester round 97a, 3)."""

    id: int
    meeting: Meeting
    origin: str | None
    created_at: str
    updated_at: str
    words_origin: str | None = None


def _rated_by(value: str | None) -> RatedBy | None:
    """A stored ``rated_by`` (revision 0004); NULL or anything else: not known."""
    return value if value in RATED_BY else None


def row_meeting(row: Any) -> StoredMeeting:
    """A ``meetings`` row (every column) as the meeting it stores, with its bookkeeping."""
    meeting = Meeting(
        date=date.fromisoformat(row.meeting_date),
        mentor_id=row.mentor_id,
        mentee_id=row.mentee_id,
        minutes=row.minutes,
        attended=bool(row.attended),
        source=cast(Source, row.source),
        rating=row.rating,
        notes=row.notes,
        rated_by=_rated_by(row.rated_by),
    )
    words = row.words_origin if row.words_origin is not None else row.origin  # NULL: stored before revision 0013
    return StoredMeeting(row.id, meeting, row.origin, row.created_at, row.updated_at, words)


class MeetingRepository(StampedRepository[Meeting]):
    """A programme's meetings. ``words_from``: the ``words_origin`` to save for a meeting (by ``natural_key``) whose
    rating, notes and side a row kept from its stored record instead of giving them; any other saved row gave
    them, so its own origin is theirs (tester round 97a, 3)."""

    table = _m
    compare = "content_hash"  # a corrected row changes its hash

    def __init__(
        self, store: Store, programme: str, words_from: Mapping[tuple[str, int, int, str], str | None] | None = None
    ) -> None:
        super().__init__(store, programme)
        self.words_from = dict(words_from or {})

    def _columns(self, meeting: Meeting, origin: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """A meeting's natural key and its other columns."""
        meeting_date, mentor_id, mentee_id, source = meeting.natural_key
        key = {
            "programme": self.programme,
            "meeting_date": meeting_date,
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "source": source,
        }
        values = {
            "minutes": meeting.minutes,
            "attended": int(meeting.attended),
            "rating": meeting.rating,
            "notes": meeting.notes,
            "rated_by": meeting.rated_by,
            "content_hash": meeting.content_hash,
            "origin": origin,
            "words_origin": self.words_from.get(meeting.natural_key, origin),
        }
        return key, values

    def _dated_people(self, meeting: Meeting) -> tuple[date, tuple[int | None, ...]]:
        return meeting.date, (meeting.mentor_id, meeting.mentee_id)

    def _without_erased_text(
        self, conn: Store, items: list[tuple[Meeting, str | None]]
    ) -> list[tuple[Meeting, str | None]]:
        """A circle meeting's note taken off the other mentees' copies when one of them was erased
        (``erased_notes``) stays off: the same Feedback response read again brings it (tester round 68, 1).
        Only on a row that may be such a copy (``shared_kind``): a mentee's own note, a file's or ``meetings
        add``'s, is stored as given (tester round 108b, 1)."""
        gone = erased_note_keys(conn)
        if not gone:
            return items
        return [(replace(m, notes=None), o) if note_taken(gone, m.mentor_id, m.date, m.notes, m.source, m.rated_by, o)
                else (m, o) for m, o in items]

    def replace_source(
        self,
        source: Source,
        meetings: Iterable[tuple[Meeting, str | None]],
        *,
        keep_missing: bool = False,
        min_fraction: float = 0.0,
        held: Callable[[str | None, tuple[Any, ...]], bool] | None = None,
    ) -> SaveCounts:
        """Make the stored meetings of one re-readable source (the Feedback log) equal ``meetings``.

        Rows of that source no longer present (a response deleted in Moodle, or read with another date) are
        removed; the other sources are untouched. ``keep_missing`` keeps them all instead; ``held(origin, key)``
        (key: date, mentor, mentee, source) keeps those it is true of: the rows a response that cannot be read
        now stored before, and only those (tester round 88a, 2: every row was kept while any response was
        unreadable, so deletions and corrections of the others were never applied). A read that would remove
        more than ``1 - min_fraction`` of the source's stored rows raises ``RemovalRefused`` and writes nothing.
        """
        items = [(m, o) for m, o in meetings if m.source == source]
        keep = {m.natural_key for m, _ in items}
        key = ("meeting_date", "mentor_id", "mentee_id", "source")
        return self._replace([_m.c.source == source], key, keep, items, keep_missing=keep_missing,
                             min_fraction=min_fraction, held=held)

    def find(
        self,
        *,
        person_id: int | None = None,
        since: date | None = None,
        until: date | None = None,
        source: Source | None = None,
        after_id: int | None = None,
    ) -> list[StoredMeeting]:
        """Meetings oldest first; ``person_id`` matches either side of the pair; ``after_id``: only rows stored
        after that row (``last_id``)."""
        query = select(_m).where(_m.c.programme == self.programme)
        if after_id is not None:
            query = query.where(_m.c.id > after_id)
        if person_id is not None:
            query = query.where(or_(_m.c.mentor_id == person_id, _m.c.mentee_id == person_id))
        if since is not None:
            query = query.where(_m.c.meeting_date >= since.isoformat())
        if until is not None:
            query = query.where(_m.c.meeting_date <= until.isoformat())
        if source is not None:
            query = query.where(_m.c.source == source)
        query = query.order_by(_m.c.meeting_date, _m.c.mentor_id, _m.c.mentee_id, _m.c.source)
        return [row_meeting(r) for r in self.store.rows(query)]

    def meetings(self, **filters: Any) -> list[Meeting]:
        return [s.meeting for s in self.find(**filters)]

    def remove(self, ids: Iterable[int]) -> int:
        """Delete this programme's meetings with these row ids, in one transaction; how many went."""
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        with self.store.transaction() as conn:
            where = (_m.c.programme == self.programme, _m.c.id.in_(wanted))
            found = len(list(conn.rows(select(_m.c.id).where(*where))))
            conn.write(_m.delete().where(*where))
        return found

    def held(self, keys: Iterable[tuple[date, int, int]]) -> dict[tuple[date, int, int], list[StoredMeeting]]:
        """The stored records (every source) of each (date, mentor, mentee) in ``keys``: what an
        import checks its rows against (tester finding FIX-B). Read by date, 500 dates a query."""
        wanted = set(keys)
        days = sorted({day.isoformat() for day, _, _ in wanted})
        out: dict[tuple[date, int, int], list[StoredMeeting]] = {}
        for start in range(0, len(days), 500):
            query = select(_m).where(_m.c.programme == self.programme, _m.c.meeting_date.in_(days[start : start + 500]))
            for row in self.store.rows(query.order_by(_m.c.id)):
                stored = row_meeting(row)
                key = (stored.meeting.date, stored.meeting.mentor_id, stored.meeting.mentee_id)
                if key in wanted:
                    out.setdefault(key, []).append(stored)
        return out

    def not_in_file(self, file_name: str, keys: Iterable[tuple[str, int, int, str]]) -> list[str]:
        """The origins (``FILE:LINE``) of the stored meetings an earlier import of a file named ``file_name`` stored
        whose natural key (``Meeting.natural_key``) is not among ``keys``: rows taken out of a corrected copy of the
        file, which an import never removes (tester round 85b, 3: still counted, and nothing said so)."""
        wanted = set(keys)
        query = select(_m.c.meeting_date, _m.c.mentor_id, _m.c.mentee_id, _m.c.source, _m.c.origin).where(
            _m.c.programme == self.programme, _m.c.origin.startswith(f"{file_name}:", autoescape=True))
        return [str(r.origin) for r in self.store.rows(query.order_by(_m.c.id))
                if (str(r.meeting_date), int(r.mentor_id), int(r.mentee_id), str(r.source)) not in wanted]

    def pair_meetings(self, *, until: date | None = None) -> list[Meeting]:
        """Every meeting up to ``until`` (all when ``None``), oldest first, for judging pairs in bulk.

        One Core select of the columns the health rules read (``rated_by`` among them: each side's
        ratings are judged on their own): ``notes`` is left out (``None``),
        and the row bookkeeping (id, origin, stamps) with it. Same meetings, same order as
        ``meetings(until=...)``, built without the ``StoredMeeting`` wrapper.
        """
        query = select(
            _m.c.meeting_date, _m.c.mentor_id, _m.c.mentee_id, _m.c.minutes, _m.c.attended, _m.c.source, _m.c.rating,
            _m.c.rated_by,
        ).where(_m.c.programme == self.programme)
        if until is not None:
            query = query.where(_m.c.meeting_date <= until.isoformat())
        query = query.order_by(_m.c.meeting_date, _m.c.mentor_id, _m.c.mentee_id, _m.c.source)
        day = day_parser()
        # rows unpacked as tuples: a Row's attribute access cost twice the rest of the read (25,000 meetings)
        return [
            Meeting(day(when), mentor, mentee, minutes, bool(attended), source, rating, rated_by=_rated_by(rated_by))
            for when, mentor, mentee, minutes, attended, source, rating, rated_by in self.store.tuples(query)
        ]

    def count(self) -> int:
        return int(self.store.scalar(select(func.count()).select_from(_m).where(_m.c.programme == self.programme)))

    def last_id(self) -> int:
        """The highest row id of this programme's meetings (0: none): rows stored later have higher ones."""
        return int(self.store.scalar(select(func.coalesce(func.max(_m.c.id), 0)).where(_m.c.programme == self.programme)))


@dataclass(frozen=True)
class ImportRecord:
    kind: str
    file_name: str
    file_sha256: str
    rows: int
    counts: SaveCounts
    imported_at: str


class ImportLog(ProgrammeRepository):
    """Which files were imported, when, and what they changed (meetings and surveys alike)."""

    def record_in(self, conn: Store, kind: str, file_name: str, sha256: str, rows: int, counts: SaveCounts) -> None:
        conn.write(
            _i.insert().values(
                programme=self.programme,
                kind=kind,
                file_name=file_name,
                file_sha256=sha256,
                rows=rows,
                added=counts.added,
                updated=counts.updated,
                unchanged=counts.unchanged + counts.kept,  # the rows this import left as stored
                imported_at=now_iso(),
            )
        )

    def previous(self, kind: str, sha256: str) -> ImportRecord | None:
        """The first import of a file with these exact bytes, if any."""
        row = self.store.first(
            select(_i)
            .where(_i.c.programme == self.programme, _i.c.kind == kind, _i.c.file_sha256 == sha256)
            .order_by(_i.c.id)
            .limit(1)
        )
        if row is None:
            return None
        counts = SaveCounts(row.added, row.updated, row.unchanged)
        return ImportRecord(row.kind, row.file_name, row.file_sha256, row.rows, counts, row.imported_at)


_V = TypeVar("_V", str, float)


class _SentPerPerson(ProgrammeRepository, Generic[_V]):
    """What this store last sent to each person on an assignment: user id -> ``column``'s value
    (one row per person, ``schema._sent_per_person``)."""

    table: Table
    column: str

    def get(self, assignment_id: int) -> dict[int, _V]:
        t = self.table
        query = select(t.c.user_id, t.c[self.column]).where(
            t.c.programme == self.programme, t.c.assignment_id == assignment_id
        )
        return {int(r.user_id): cast(_V, getattr(r, self.column)) for r in self.store.rows(query)}

    def record(self, assignment_id: int, values: Iterable[tuple[int, _V]]) -> None:
        stamp = now_iso()
        with self.store.transaction() as conn:
            for uid, value in values:
                row = {"programme": self.programme, "assignment_id": assignment_id, "user_id": uid}
                conn.insert(self.table, {**row, self.column: value, "sent_at": stamp}, update=(self.column, "sent_at"))


class SentComments(_SentPerPerson[str]):
    """The attendance comment last sent to each person on an assignment.

    Moodle cannot be asked for it (mod_assign_get_grades has no comments, trap 30), so a
    comment is re-sent only when its text differs from the one recorded here.
    """

    table, column = _c, "comment"


class SentAssignGrades(_SentPerPerson[float]):
    """The assignment grade this store last wrote to each person (tester finding 1): user id -> grade.

    The store's proof of ownership: a grade is rewritten only when Moodle has none or still holds
    the one recorded here (``lmsync.domain.assign_grades.plan_assignment_grades``). Recorded after
    Moodle accepted the write, never while planning.
    """

    table, column = _g, "grade"
