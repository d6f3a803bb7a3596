"""Stored survey answers and wave scores, and one person's data: export and erasure.

Answers are kept as given (text) under the key (respondent, instrument, date, item,
source, about), so re-importing a file or re-reading a Feedback activity stores nothing twice.
Scores are derived: ``replace_scores`` rewrites them from the answers after every import
or pull, so a changed scoring rule takes effect everywhere at once.

``export_person`` and ``erase_person`` cover every table of issue #6 holding a Moodle user
id (meetings on either side, survey answers, survey scores), and the tracking of the
person's queue items: what a school needs to answer a subject-access or erasure request
for one person.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, false, func, or_, select

from lmsync.domain.instruments import Score, SurveyAnswer, WaveScore
from lmsync.store import schema
from lmsync.store.db import Store, day_parser, now_iso
from lmsync.store.erased_circles import circle_days
from lmsync.store.erasures import (
    erasure_of,
    note_key,
    record_erased_notes,
    record_erasure,
)
from lmsync.store.meetings import SaveCounts, StampedRepository, row_meeting
from lmsync.store.queue_ends import erase_queue_ends, queue_ends_for, record_queue_ends

_a, _sc = schema.survey_answers, schema.survey_scores


@dataclass(frozen=True)
class StoredAnswer:
    answer: SurveyAnswer
    origin: str | None


class SurveyRepository(StampedRepository[SurveyAnswer]):
    table = _a
    compare = "value"

    def _columns(self, a: SurveyAnswer, origin: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """An answer's natural key and its other columns."""
        key = {
            "programme": self.programme,
            "respondent_id": a.respondent_id,
            "instrument": a.instrument,
            "answer_date": a.date.isoformat(),
            "item": a.item,
            "source": a.source,
            "about_id": _about_column(a.about_id),
        }
        return key, {"value": a.value, "origin": origin}

    def _dated_people(self, a: SurveyAnswer) -> tuple[date, tuple[int | None, ...]]:
        return a.date, (a.respondent_id, a.about_id)

    def replace_source(
        self,
        source: str,
        instrument: str,
        answers: Iterable[tuple[SurveyAnswer, str | None]],
        *,
        keep_missing: bool = False,
        min_fraction: float = 0.0,
        held: Callable[[str | None, tuple[Any, ...]], bool] | None = None,
    ) -> SaveCounts:
        """Make one instrument's answers from a re-readable source equal ``answers``.

        ``keep_missing``, ``min_fraction`` and ``held`` as in ``MeetingRepository.replace_source``
        (``RemovalRefused``: nothing written); ``held(origin, key)`` gets the key date, respondent, item, about:
        it keeps the answers an unreadable response stored before, and only those (tester round 88a, 2).
        """
        items = [(a, o) for a, o in answers if a.source == source and a.instrument == instrument]
        keep = {(a.date.isoformat(), a.respondent_id, a.item, _about_column(a.about_id)) for a, _ in items}
        where = [_a.c.source == source, _a.c.instrument == instrument]
        key = ("answer_date", "respondent_id", "item", "about_id")  # the day first (MeetingRepository._replace)
        return self._replace(where, key, keep, items, keep_missing=keep_missing, min_fraction=min_fraction, held=held)

    def answers(
        self, *, respondent_id: int | None = None, instrument: str | None = None
    ) -> list[SurveyAnswer]:
        query = select(_a).where(_a.c.programme == self.programme)
        if respondent_id is not None:
            query = query.where(_a.c.respondent_id == respondent_id)
        if instrument is not None:
            query = query.where(_a.c.instrument == instrument)
        query = query.order_by(
            _a.c.respondent_id, _a.c.instrument, _a.c.answer_date, _a.c.source, _a.c.about_id, _a.c.item
        )
        return [
            SurveyAnswer(
                respondent_id=r.respondent_id,
                instrument=r.instrument,
                date=date.fromisoformat(r.answer_date),
                item=r.item,
                value=r.value,
                source=r.source,
                about_id=_about_value(r.about_id),
            )
            for r in self.store.rows(query)
        ]

    def written_at(self, *, item: str) -> dict[tuple[int, str, date, str, str, int | None], str]:
        """When each stored answer to ``item`` got its value (``updated_at``: an ISO UTC instant to the second),
        keyed ``(respondent_id, instrument, date, item, source, about_id)`` as ``SurveyAnswer`` has them: an
        answer written before a pair began was given before it (``not_a_good_fit``; tester round 127, 1)."""
        query = select(_a.c.respondent_id, _a.c.instrument, _a.c.answer_date, _a.c.item, _a.c.source, _a.c.about_id,
                       _a.c.updated_at).where(_a.c.programme == self.programme, _a.c.item == item)
        return {(r.respondent_id, r.instrument, date.fromisoformat(r.answer_date), r.item, r.source,
                 _about_value(r.about_id)): r.updated_at for r in self.store.rows(query)}

    def replace_scores(self, scores: Iterable[WaveScore]) -> int:
        """Rewrite this programme's wave scores; returns how many are stored."""
        stamp = now_iso()
        rows = [
            {
                "programme": self.programme,
                "respondent_id": s.respondent_id,
                "instrument": s.instrument,
                "wave": s.wave,
                "sitting_date": s.date.isoformat(),
                "source": s.source,
                "total": s.score.total,
                "answered": s.score.answered,
                "required": s.score.required,
                "subscales": json.dumps(dict(s.score.subscales), sort_keys=True),
                "scored_at": stamp,
                "about_id": _about_column(s.about_id),
            }
            for s in scores
        ]
        with self.store.transaction() as conn:
            conn.write(_sc.delete().where(_sc.c.programme == self.programme))
            conn.write(_sc.insert(), rows)
        return len(rows)

    def scores(self, *, respondent_id: int | None = None) -> list[WaveScore]:
        query = select(_sc).where(_sc.c.programme == self.programme)
        if respondent_id is not None:
            query = query.where(_sc.c.respondent_id == respondent_id)
        query = query.order_by(_sc.c.respondent_id, _sc.c.instrument, _sc.c.sitting_date, _sc.c.about_id)
        return [
            WaveScore(
                respondent_id=r.respondent_id,
                instrument=r.instrument,
                wave=r.wave,
                date=date.fromisoformat(r.sitting_date),
                source=r.source,
                score=Score(r.instrument, r.total, r.answered, r.required, json.loads(r.subscales)),
                about_id=_about_value(r.about_id),
            )
            for r in self.store.rows(query)
        ]

    def totals(self, instruments: Iterable[str]) -> list[WaveScore]:
        """The wave scores of ``instruments``, as ``scores()`` orders them, for judging pairs in bulk.

        One Core select without the ``subscales`` column (each score's ``subscales`` is empty), so
        no JSON is decoded: the health rules read totals only.
        """
        names = sorted(set(instruments))
        if not names:
            return []
        query = (
            select(
                _sc.c.respondent_id, _sc.c.instrument, _sc.c.wave, _sc.c.sitting_date, _sc.c.source,
                _sc.c.total, _sc.c.answered, _sc.c.required, _sc.c.about_id,
            )
            .where(_sc.c.programme == self.programme, _sc.c.instrument.in_(names))
            .order_by(_sc.c.respondent_id, _sc.c.instrument, _sc.c.sitting_date, _sc.c.about_id)
        )
        day = day_parser()
        return [  # rows unpacked as tuples (a Row's attribute access is the slow part of a bulk read)
            WaveScore(person, instrument, wave, day(sat), source, Score(instrument, total, answered, required, {}),
                      _about_value(about))
            for person, instrument, wave, sat, source, total, answered, required, about in self.store.tuples(query)
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
    "pairing_history": ("mentor_id", "mentee_id"),
    "published_grades": ("user_id",),  # a mentor's frozen received means (erased with the mentor)
    "sent_assign_grades": ("user_id",),  # the assignment grade this store wrote them (tester finding 1)
    "pair_forbids": ("mentor_id", "mentee_id"),  # a pair marked not a good fit (revision 0003)
    "digests": ("recipient_id",),  # the digests a coordinator was sent (revision 0003)
    "mentor_absences": ("mentor_id",),  # since when a circle's mentor is away (revision 0008)
    "member_absences": ("user_id",),  # since when a circle's mentee is away (revision 0014)
    "member_absence_spans": ("user_id",),  # the days a circle's mentee was away, their place held (revision 0015)
    "mentor_absence_spans": ("mentor_id",),  # the days a circle's mentor was away, their circle held (revision 0016)
    "rater_counts": ("mentor_id",),  # how many answered about a mentor, counted at erasures (revision 0010)
    "digest_alone": ("recipient_id", "mentee_id"),  # a digest named a mentee as without a mentor (revision 0017)
    "digest_owned": ("recipient_id",),  # the queue items a coordinator owned at a digest sent (revision 0018)
    "digest_statuses": ("recipient_id", "mentor_id", "mentee_id"),  # pair statuses a digest was told from (0022)
    "closed_sittings": ("respondent_id", "about_id"),  # the sittings a closed wave counted (0024; round 128, 1)
}


def _naming(table: Table, columns: tuple[str, ...], person_id: int) -> Any:
    """The rows of ``table`` naming ``person_id`` in any of ``columns``; none for an id below 1: no Moodle user
    has one, and ``about_id`` 0 is the store's "names no one" (``person erase 0`` deleted every answer naming
    no one, tester round 123b, 1)."""
    return or_(*(table.c[c] == person_id for c in columns)) if person_id >= 1 else false()


def _tracking_of(person_id: int) -> Any:
    """The ``queue_tracking`` rows (revision 0003) of the queue items naming this person: keyed by
    the item's id, they name no one themselves."""
    queue, tracking = schema.coordinator_queue, schema.queue_tracking
    items = select(queue.c.id).where(_naming(queue, _PERSON_TABLES["coordinator_queue"], person_id))
    return tracking.c.item_id.in_(items)


#: The ``queue_tracking`` columns holding a coordinator's username (not a Moodle id): the queue's
#: owner of an item and whom it escalated to (tester round 8, 1).
_COORDINATOR_COLUMNS = ("owner", "escalated_to")


def _coordinator_is(column: str, username: str) -> Any:
    """``queue_tracking.<column>`` names ``username`` (Moodle keeps usernames in lower case)."""
    return func.lower(schema.queue_tracking.c[column]) == username.strip().lower()


def export_person(store: Store, person_id: int, username: str | None = None) -> dict[str, Any]:
    """Every stored row that names this Moodle user id, table by table, as plain JSON-able data:
    ``{"person_id": id, table: [row dict, ...], ...}`` for each table of ``_PERSON_TABLES``, then
    ``queue_tracking``: the owner, due date, follow-ups, outcome and escalation of their pairs'
    queue items (by ``item_id``), then ``queue_coordinated``: the queue items this person
    (``username``, a coordinator) owns or was escalated to, with the pair's ids, dates, outcome
    and the item's ``note`` (empty without ``username``), then ``queue_ends``: how many of the items they
    followed erasures removed, and when (``store.queue_ends``; empty without ``username``), then ``erased_on``: the day they were
    erased (``None``: never), all the store keeps of an erasure. Rows as stored: what the person may not
    see is the service's to withhold (``lmsync.service.export_withholding.withhold_others_judgements``)."""
    out: dict[str, Any] = {"person_id": person_id}
    for name, columns in _PERSON_TABLES.items():
        table = schema.metadata.tables[name]
        order = list(table.primary_key.columns)
        rows = store.rows(select(table).where(_naming(table, columns, person_id)).order_by(*order))
        out[name] = [dict(r._mapping) for r in rows]
    tracking = schema.queue_tracking
    rows = store.rows(select(tracking).where(_tracking_of(person_id)).order_by(tracking.c.item_id))
    out["queue_tracking"] = [dict(r._mapping) for r in rows]
    out["queue_coordinated"] = _coordinated(store, username) if username else []
    out["queue_ends"] = queue_ends_for(store, username) if username else []  # tester round 118b, 3
    erased = erasure_of(store, person_id)
    out["erased_on"] = None if erased is None else erased.isoformat()  # what revision 0007 keeps of an erasure
    return out


def _coordinated(store: Store, username: str) -> list[dict[str, Any]]:
    """The queue items ``username`` owns or was escalated to (tester round 8, 1)."""
    q, t = schema.coordinator_queue, schema.queue_tracking
    query = (
        select(
            q.c.id.label("item_id"), q.c.programme, q.c.mentor_id, q.c.mentee_id, q.c.opened_on,
            q.c.last_seen_on, q.c.acked_on, q.c.note, t.c.owner, t.c.due_on, t.c.followups, t.c.outcome,
            t.c.outcome_on, t.c.escalated_to, t.c.escalated_on,
        )
        .select_from(q.join(t, t.c.item_id == q.c.id))
        .where(or_(*(_coordinator_is(c, username) for c in _COORDINATOR_COLUMNS)))
        .order_by(q.c.id)
    )
    return [dict(r._mapping) for r in store.rows(query)]


def _take_shared_notes(store: Store, person_id: int, on: date) -> int:
    """Take a circle meeting's note off the other mentees' copies of it: a mentor's note on a meeting
    logged for the whole circle is stored on each mentee's pair, and may name the one erased (tester
    round 68, 1). The copies are the rows of one mentor's Feedback response (``shared_kind``: source
    ``feedback``, rated by the mentor, the same ``origin``) of the same programme, mentor and day with the same
    text; a mentee's own note, or a file's or ``meetings add``'s row, is nobody's copy and stays (tester round
    108b, 1: erasing s0002 took s0008's own note, same mentor, day and text, for good). The note is remembered by
    hash (``record_erased_notes``) so that a later read does not store it again. Returns how many copies lost it
    (their meetings stay)."""
    m = schema.meetings
    own = store.rows(select(m.c.programme, m.c.mentor_id, m.c.meeting_date, m.c.notes, m.c.origin)
                     .where(m.c.mentee_id == person_id, m.c.notes.is_not(None), m.c.source == "feedback",
                            m.c.rated_by == "mentor"))
    taken = 0
    keys = []
    for row in own:
        copies = store.rows(select(m).where(
            m.c.programme == row.programme, m.c.mentor_id == row.mentor_id, m.c.meeting_date == row.meeting_date,
            m.c.mentee_id != person_id, m.c.notes == row.notes, m.c.source == "feedback", m.c.rated_by == "mentor",
            m.c.origin.is_(None) if row.origin is None else m.c.origin == row.origin))
        for copy in copies:  # its content hash as the same meeting without the note: a re-read finds it unchanged
            bare = replace(row_meeting(copy).meeting, notes=None)
            taken += store.write(m.update().where(m.c.id == copy.id).values(notes=None, content_hash=bare.content_hash))
        keys.append(note_key(row.mentor_id, row.meeting_date, row.notes, row.origin))
    keys += circle_days(store, person_id, on)  # the days they were in a circle (tester round 122b, 1)
    record_erased_notes(store, keys)
    return taken


def erase_person(
    store: Store, person_id: int, username: str | None = None, *, on: date | None = None, record_alone: bool = True
) -> dict[str, int]:
    """Delete every row naming this person; returns rows deleted per table.

    A meeting names two people; it is deleted whole, because a half-erased meeting would
    still tell who met whom. The other side's attendance figures drop accordingly. The
    ``queue_tracking`` rows of the deleted queue items go with them (counted under that
    name), in the same transaction: none is left behind without its item. Then the other queue
    items this person (``username``, a coordinator) owns or was escalated to lose that name:
    ``queue_owner`` and ``queue_escalated_to`` count the items set to no one (tester round 8, 1;
    0 without ``username``); the items stay, they are the pairs'. Before the person's own items go, each coordinator
    following one is remembered with a count naming no pair, which their next digest says (``store.queue_ends``;
    tester round 118b, 3); the coordinator's own such rows go with their erasure (``queue_ends``, 0 without
    ``username``). Last, the erasure is recorded
    (``erasures``, revision 0007): a meeting or survey answer naming the person and dated on or
    before ``on`` (default: today, UTC; ``lmsync.service.privacy.erase`` gives the programme's local
    day, as rows are dated) is withheld from every later save, so the next Feedback read
    does not store it again (tester round 12, 1). ``record_alone=False``: not when nothing was deleted
    (someone nobody knows: a mistyped ``id:N`` withheld a real person's later imports; tester round 20, 6).
    """
    counts: dict[str, int] = {}
    tracking = schema.queue_tracking
    erased_day = on or datetime.now(UTC).date()
    with store.transaction():
        shared = _take_shared_notes(store, person_id, erased_day)  # before their meetings go: it reads them
        record_queue_ends(store, person_id, erased_day)  # before their items go: who followed them (118b, 3)
        deleted = store.write(tracking.delete().where(_tracking_of(person_id)))  # before their items
        for name, columns in _PERSON_TABLES.items():
            table = schema.metadata.tables[name]
            counts[name] = store.write(table.delete().where(_naming(table, columns, person_id)))
        counts["queue_tracking"] = deleted
        counts["meeting_notes_shared"] = shared
        if (record_alone or any(counts.values())) and person_id >= 1:  # no one has id 0 (tester round 123b, 1)
            record_erasure(store, person_id, erased_day)  # so no later read stores it again (tester round 12, 1)
        for column in _COORDINATOR_COLUMNS:
            cleared = 0
            if username:
                cleared = store.write(tracking.update().where(_coordinator_is(column, username)).values({column: None}))
            counts[f"queue_{column}"] = cleared
        counts["queue_ends"] = erase_queue_ends(store, username) if username else 0  # theirs (118b, 3)
    return counts
