"""The latest day each kind of a programme's records is dated by the clock that wrote it (``clock_check``).

The store dates what it writes by today's clock: a day (``YYYY-MM-DD``, the programme's day of the command or run
that wrote it) or an instant (ISO-8601, UTC, ``db.now_iso``). ``lmsync sync``, ``run`` and the commands that record
refuse a clock behind the latest of them (``clock_check.last_recorded_day``). Only those count: a day a person typed
or a file gave (a meeting's date, a survey answer's date) may be any day, and a due date is ahead by design.

Before, only a health judgement and what a sync writes counted: a coordinator's own records did not, so two queue
commands with no run between them were dated out of order (`queue done ... --outcome met` under a clock at
2027-02-20, then `queue ack` under one at 2027-02-12, accepted and dated 2027-02-12; after tester round 107a, 2).
"""

from __future__ import annotations

from datetime import date, tzinfo

from sqlalchemy import Integer, Table, func, literal_column, select, union_all

from lmsync.store.db import Store
from lmsync.store.pairings import local_day
from lmsync.store.schema import (
    assign_comments,
    coordinator_queue,
    created_objects,
    digest_alone,
    digest_owned,
    digests,
    grade_items,
    health_snapshots,
    hold_ends,
    imports,
    journal,
    meetings,
    member_absence_spans,
    member_absences,
    mentor_absence_spans,
    mentor_absences,
    nudges,
    pair_forbids,
    pairing_history,
    published_grades,
    queue_tracking,
    rater_counts,
    sent_assign_grades,
    survey_answers,
    survey_scores,
    unreadable_responses,
)
from lmsync.store.schema_more import closed_windows, digest_statuses, queue_ends

#: The kinds of record, in the order a tie is told (the first kind dated the latest day names it).
JUDGED = "judged"  # a health judgement (``lmsync run``, ``lmsync health``): its snapshots' day
SYNCED = "synced"  # what a sync writes: the pairing history, the journal, circles made, the days someone was away
QUEUE = "queue"  # a coordinator's queue record: an item queued, paused or on hold, acknowledged, given an outcome
RECORDS = "records"  # a meeting, a survey answer or an import, by the day it was recorded (not the day it names)
SENT = "sent"  # a nudge, a digest or grades sent
ERASED = "erased"  # an erasure's counts (``lmsync person erase``)
KINDS = (JUDGED, SYNCED, QUEUE, RECORDS, SENT, ERASED)

#: (kind, table, columns that hold a day, columns that hold an instant): every column written from today's clock.
_SOURCES: tuple[tuple[str, Table, tuple[str, ...], tuple[str, ...]], ...] = (
    (JUDGED, health_snapshots, ("day",), ()),
    (SYNCED, pairing_history, (), ("joined_at", "left_at")),
    (SYNCED, journal, (), ("started_at", "finished_at")),
    (SYNCED, created_objects, (), ("created_at",)),
    (SYNCED, mentor_absences, ("since",), ()),
    (SYNCED, member_absences, ("since",), ()),
    (SYNCED, member_absence_spans, ("until",), ()),
    (SYNCED, mentor_absence_spans, ("until",), ()),
    # not ``queue_tracking.due_on``: a due date is ahead of the day it is set
    (QUEUE, coordinator_queue, ("opened_on", "last_seen_on", "acked_on"), ("acked_at",)),
    (QUEUE, queue_tracking, ("outcome_on", "escalated_on"), ()),
    (QUEUE, pair_forbids, ("marked_on",), ()),
    # not ``meetings.meeting_date`` nor ``survey_answers.answer_date``: the day a person or a file gave
    (RECORDS, meetings, (), ("created_at", "updated_at")),
    (RECORDS, survey_answers, (), ("created_at", "updated_at")),
    (RECORDS, survey_scores, (), ("scored_at",)),
    (RECORDS, imports, (), ("imported_at",)),
    (RECORDS, unreadable_responses, ("since",), ()),
    (RECORDS, closed_windows, ("recorded_on",), ()),  # the day a closed wave's window was kept (round 123a, 1)
    (SENT, nudges, ("day",), ("created_at", "finished_at")),
    (SENT, digests, ("day",), ("created_at", "finished_at")),
    (SENT, digest_alone, ("day",), ()),
    (SENT, digest_owned, ("day",), ()),
    (SENT, digest_statuses, ("day",), ()),  # the pair statuses a coordinator's last digest was told from (122c, 1)
    (SENT, published_grades, (), ("published_at",)),
    (SENT, sent_assign_grades, (), ("sent_at",)),
    (SENT, assign_comments, (), ("sent_at",)),
    (SENT, grade_items, (), ("sent_at", "confirmed_at")),
    (ERASED, rater_counts, ("counted_on",), ()),
    (ERASED, hold_ends, ("day",), ()),  # a held circle's hold an erasure ended (tester round 117c, 2)
    (ERASED, queue_ends, ("day",), ()),  # the queue items a coordinator followed an erasure removed (118b, 3)
)


def latest_days(store: Store, programme: str, zone: tzinfo) -> dict[str, date]:
    """Kind (``KINDS``) -> the latest day ``programme``'s records of that kind in ``store`` are dated: a stored day
    as it is, an instant as its day in ``zone`` (the programme's); a kind with no record is left out. One statement:
    a ``MAX`` per column, each over the programme's rows (no row is read into Python). Raises what the store
    raises."""
    columns = [(kind, table, name, instant) for kind, table, days, instants in _SOURCES
               for name, instant in [*((d, False) for d in days), *((i, True) for i in instants)]]
    statement = union_all(*(
        select(literal_column(str(index), Integer).label("source"), func.max(table.c[name]).label("latest"))
        .where(table.c.programme == programme)
        for index, (_kind, table, name, _instant) in enumerate(columns)
    ))
    found: dict[str, date] = {}
    for row in store.rows(statement):
        if not row.latest:
            continue
        kind, _table, _name, instant = columns[row.source]
        day = local_day(row.latest, zone) if instant else date.fromisoformat(row.latest)
        found[kind] = max(found.get(kind, day), day)
    return found
