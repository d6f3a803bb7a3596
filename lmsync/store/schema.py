"""The store's tables, once, as SQLAlchemy Core metadata for SQLite and PostgreSQL alike.

The names and columns are those the numbered SQL migrations 001-007 made, so a store made
by an earlier lmsync is this schema already (the Alembic baseline recognises it). Dates are
ISO text (``YYYY-MM-DD``) and instants ISO-8601 text, as they always were: they sort as
text and read back the same on both engines. People are Moodle user ids only.

``sqlite_autoincrement`` keeps SQLite's never-reuse-an-id rule for journal and queue ids
(a dialect option, rendered only on SQLite; PostgreSQL uses an identity sequence).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.schema import SchemaItem

from lmsync.store.schema_base import _id, _numbered_table, _programme, metadata

__all__ = ["metadata"]


# --- the column groups several tables share (a fresh Column each call: one column, one table) ---

def _pair() -> tuple[Column[int], Column[int]]:
    """A mentoring pair: its mentor's and mentee's Moodle user ids."""
    return Column("mentor_id", Integer, nullable=False), Column("mentee_id", Integer, nullable=False)


def _health() -> tuple[Column[str], Column[str]]:
    """A pair's health: its status (new | ok | at_risk | fading) and reasons (JSON [[code, text], ...])."""
    return Column("status", Text, nullable=False), Column("reasons", Text, nullable=False)


def _origin_stamps() -> tuple[Column[str], Column[str], Column[str]]:
    """Where an imported row came from (a file row, a Feedback response; NULL: the CLI), and
    when it was first and last written."""
    return Column("origin", Text), Column("created_at", Text, nullable=False), Column("updated_at", Text, nullable=False)


def _about() -> Column[int]:
    """Whom a survey answer is about (0: the respondent's relationships in general; 006)."""
    return Column("about_id", Integer, nullable=False, server_default=text("0"))


def _delivery() -> tuple[Column[str], Column[int], Column[str], Column[int], Column[str], Column[str]]:
    """A message's delivery: written ``intent`` before the send, finished after it."""
    return (
        Column("state", Text, nullable=False),  # intent | sent | failed | unknown
        Column("msgid", Integer),
        Column("error", Text),
        Column("journal_id", Integer),
        Column("created_at", Text, nullable=False),
        Column("finished_at", Text),
    )


# --- the two kinds of table most of the store is: one programme's rows, with or without an id ---
def _programme_table(name: str, *items: SchemaItem) -> Table:
    """A table of one programme's rows, keyed by its own columns: ``programme`` first, then ``items``."""
    return Table(name, metadata, _programme(), *items)


# --- 001: every write lmsync sends to Moodle, intent before and result after ----------------------
journal = Table(
    "journal",
    metadata,
    _id(),
    Column("run_id", Text, nullable=False),
    _programme(),
    Column("function", Text, nullable=False),
    Column("op_kind", Text, nullable=False),
    Column("op_keys", Text, nullable=False),  # JSON list of operation keys in this batch
    Column("item_count", Integer, nullable=False),
    Column("state", Text, nullable=False),  # intent | ok | failed | unknown | reobserved
    Column("result", Text),  # JSON: created ids, error code
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Index("journal_run", "run_id"),
    sqlite_autoincrement=True,
)

created_objects = _programme_table(
    "created_objects",
    Column("kind", Text, nullable=False),  # discussion | event | message
    Column("key", Text, nullable=False),  # lmsync's own key (e.g. the group idnumber)
    Column("moodle_id", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("programme", "kind", "key"),
)

# --- 002: meetings, imported files, survey answers and scores (issue 6; 006 added about_id) ---------
meetings = _numbered_table(
    "meetings",
    Column("meeting_date", Text, nullable=False),
    *_pair(),
    Column("source", Text, nullable=False),  # feedback | csv | cli
    Column("minutes", Integer, nullable=False),
    Column("attended", Integer, nullable=False),  # 0 | 1
    Column("rating", Integer),
    Column("notes", Text),
    Column("content_hash", Text, nullable=False),
    *_origin_stamps(),
    Column("rated_by", Text),  # revision 0004: mentor | mentee (who logged and rated it); NULL: not known
    Column("words_origin", Text),  # revision 0013: the origin that gave rating, notes and side; NULL: ``origin``
    UniqueConstraint("programme", "meeting_date", "mentor_id", "mentee_id", "source"),
    Index("meetings_mentor", "programme", "mentor_id"),
    Index("meetings_mentee", "programme", "mentee_id"),
)

imports = _numbered_table(
    "imports",
    Column("kind", Text, nullable=False),  # meetings | surveys
    Column("file_name", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("imported_at", Text, nullable=False),
    Index("imports_hash", "programme", "kind", "file_sha256"),
)

survey_answers = _numbered_table(
    "survey_answers",
    Column("respondent_id", Integer, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("answer_date", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("value", Text, nullable=False),  # as given, so N/A markers survive
    Column("source", Text, nullable=False),  # feedback | csv
    *_origin_stamps(),
    _about(),
    UniqueConstraint("programme", "respondent_id", "instrument", "answer_date", "item", "source", "about_id"),
    Index("survey_answers_respondent", "programme", "respondent_id"),
    Index("survey_answers_about", "programme", "about_id"),
)

survey_scores = _programme_table(
    "survey_scores",
    Column("respondent_id", Integer, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("wave", Text, nullable=False),
    Column("sitting_date", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("total", Float),  # NULL: too few items answered
    Column("answered", Integer, nullable=False),
    Column("required", Integer, nullable=False),
    Column("subscales", Text, nullable=False),  # JSON {name: score or null}
    Column("scored_at", Text, nullable=False),
    _about(),
    PrimaryKeyConstraint("programme", "respondent_id", "instrument", "wave", "about_id"),
)

# --- 003: the comment last sent with each assignment grade (trap 30) --------------------------------
def _sent_per_person(name: str, value: Column[Any]) -> Table:
    """What this store last sent to each person on an assignment: ``programme``, ``assignment_id``,
    ``user_id``, ``value``, ``sent_at``; one row per person (``assign_comments``, ``sent_assign_grades``)."""
    return _programme_table(
        name,
        Column("assignment_id", Integer, nullable=False),
        Column("user_id", Integer, nullable=False),
        value,
        Column("sent_at", Text, nullable=False),
        PrimaryKeyConstraint("programme", "assignment_id", "user_id"),
    )


assign_comments = _sent_per_person("assign_comments", Column("comment", Text, nullable=False))

# --- 004: pair health, the coordinator queue, the nudges sent ------------------------------------
health_snapshots = _programme_table(
    "health_snapshots",
    Column("day", Text, nullable=False),
    *_pair(),
    *_health(),
    Column("paired_since", Text, nullable=False),
    Column("last_meeting", Text),
    Column("computed_at", Text, nullable=False),
    Column("shared_status", Text),  # revision 0011: judged without one side's own answers; NULL: not known
    PrimaryKeyConstraint("programme", "day", "mentor_id", "mentee_id"),
    Index("health_snapshots_pair", "programme", "mentor_id", "mentee_id", "day"),
)

coordinator_queue = _numbered_table(
    "coordinator_queue",
    *_pair(),
    *_health(),
    Column("opened_on", Text, nullable=False),
    Column("last_seen_on", Text, nullable=False),
    Column("acked_on", Text),  # NULL while open
    Column("acked_at", Text),
    Column("note", Text),
)
# at most one open item per pair (a partial unique index on both engines)
Index(
    "coordinator_queue_open",
    coordinator_queue.c.programme,
    coordinator_queue.c.mentor_id,
    coordinator_queue.c.mentee_id,
    unique=True,
    sqlite_where=coordinator_queue.c.acked_on.is_(None),
    postgresql_where=coordinator_queue.c.acked_on.is_(None),
)

nudges = _numbered_table(
    "nudges",
    *_pair(),
    Column("recipient_id", Integer, nullable=False),
    Column("day", Text, nullable=False),
    Column("kind", Text, nullable=False),
    *_delivery(),
    Index("nudges_pair", "programme", "mentor_id", "mentee_id", "recipient_id", "day"),
)

# --- 005: which Moodle site and course the store belongs to (issue 11) ------------------------------
store_binding = Table(
    "store_binding",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("site", Text, nullable=False),
    Column("course", Text, nullable=False),
    Column("bound_at", Text, nullable=False),
    Column("adopted", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("id = 1", name="store_binding_one_row"),
)

# --- 007: grade items lmsync created or adopted (issue 10 point 6) ----------------------------------
grade_items = _programme_table(
    "grade_items",
    Column("course_id", Integer, nullable=False),
    Column("cmid", Integer, nullable=False),
    Column("itemnumber", Integer, nullable=False),
    Column("metric", Text, nullable=False),
    Column("idnumber", Text, nullable=False),
    Column("item_id", Integer),
    Column("state", Text, nullable=False),  # sending | created | adopted
    Column("sent_at", Text, nullable=False),
    Column("confirmed_at", Text),
    PrimaryKeyConstraint("programme", "course_id", "cmid", "itemnumber"),
)

#: The tables of the baseline revision (the schema numbered migrations 001-007 made).
BASELINE_TABLES = (
    journal,
    created_objects,
    meetings,
    imports,
    survey_answers,
    survey_scores,
    assign_comments,
    health_snapshots,
    coordinator_queue,
    nudges,
    store_binding,
    grade_items,
)

# --- revision 0002: when each mentee joined and left a mentor's circle (issue 12) -----------------
pairing_history = _numbered_table(
    "pairing_history",
    *_pair(),
    Column("joined_at", Text, nullable=False),  # ISO instant the add_member batch was accepted
    Column("left_at", Text),  # NULL while the mentee is in the circle
    Column("source", Text, nullable=False),  # apply | journal (back-filled by the migration) | observed (by hand in Moodle)
    Index("pairing_history_pair", "programme", "mentor_id", "mentee_id"),
)

# --- revision 0003: the queue's owners, due dates and outcomes; not-a-good-fit pairs; digests (issue 13) --
queue_tracking = Table(
    "queue_tracking",
    metadata,
    Column("item_id", Integer, primary_key=True, autoincrement=False),  # coordinator_queue.id
    _programme(),
    Column("owner", Text),  # a coordinator's username; NULL: no coordinators configured
    Column("due_on", Text, nullable=False),
    Column("followups", Integer, nullable=False, server_default=text("0")),  # `met` outcomes so far
    Column("outcome", Text),  # met | rematched | closed | no_action (the latest)
    Column("outcome_on", Text),
    Column("escalated_to", Text),
    Column("escalated_on", Text),
)

pair_forbids = _numbered_table(
    "pair_forbids",
    *_pair(),
    Column("source", Text, nullable=False),  # queue | survey
    Column("marked_on", Text, nullable=False),
    UniqueConstraint("programme", "mentor_id", "mentee_id"),
)

digests = _numbered_table(
    "digests",
    Column("recipient_id", Integer, nullable=False),
    Column("day", Text, nullable=False),
    Column("items", Integer, nullable=False),  # pairs and queue items the digest named
    *_delivery(),
    Column("queue_mark", Integer), Column("pairing_mark", Text),  # revision 0022: the queue's, pairings' latest then
    UniqueConstraint("programme", "recipient_id", "day"),  # never two digests to one person on one day
)

REVISION_0003_TABLES = (queue_tracking, pair_forbids, digests)  # the tables revision 0003 adds

# --- revision 0004: which side logged (and rated) each meeting (issue 13) ---------------------------
REVISION_0004_COLUMNS = (("meetings", "rated_by"),)  # the columns revision 0004 adds (table, column)

# --- revision 0005: the received means lmsync published, frozen (tester finding FIX-A) ------------
published_grades = _programme_table(
    "published_grades",
    Column("metric", Text, nullable=False),  # a received metric key, e.g. checkin-received-T3
    Column("user_id", Integer, nullable=False),  # the mentor
    Column("value", Float, nullable=False),
    Column("published_at", Text, nullable=False),
    PrimaryKeyConstraint("programme", "metric", "user_id"),
)

REVISION_0005_TABLES = (published_grades,)  # the tables revision 0005 adds

# --- revision 0006: the assignment grade this store last wrote per person (tester finding 1) -------
sent_assign_grades = _sent_per_person("sent_assign_grades", Column("grade", Float, nullable=False))

REVISION_0006_TABLES = (sent_assign_grades,)  # the tables revision 0006 adds

# --- revision 0007: who was erased, and on which day (tester round 12, 1) ------------------------
#: One row per erased person (no programme: an erasure takes the person out of every programme of
#: the store). Nothing dated on or before ``erased_on`` is stored about them again: a Feedback
#: response or an old file read after the erasure would otherwise put their data straight back.
erasures = Table(
    "erasures",
    metadata,
    Column("person_id", Integer, primary_key=True, autoincrement=False),  # a Moodle user id
    Column("erased_on", Text, nullable=False),  # ISO day, the programme's local day (privacy.erase)
)

REVISION_0007_TABLES = (erasures,)  # the tables revision 0007 adds

# --- revision 0008: since when each circle's mentor has been away (tester round 53, 1) -------------
#: One row per mentor of a circle whom a sync found no longer active in the course (enrolment suspended
#: or ended, account suspended), from the first such sync: their circle is held as it is for ``[sync]
#: away_mentor_hold_days`` from ``since`` before its mentees are re-matched. Deleted when they are back.
mentor_absences = _programme_table(
    "mentor_absences",
    Column("mentor_id", Integer, nullable=False),  # a Moodle user id
    Column("since", Text, nullable=False),  # ISO day, the programme's local day of the sync that saw it
    Column("journal_mark", Integer),  # revision 0021: the journal's latest id then (NULL: recorded before it)
    PrimaryKeyConstraint("programme", "mentor_id"),
)

REVISION_0008_TABLES = (mentor_absences,)  # the tables revision 0008 adds

# --- revision 0009: the notes of circle meetings an erased mentee was part of (tester round 68, 1) ---
#: A mentor's note on a meeting logged for the whole circle is stored on each mentee's pair. Erasing
#: one mentee deletes their copy; the others' copies, which may name them, lose the note too, and it
#: is remembered here (no programme, as ``erasures``) by a SHA-256 of its mentor, day and text, so a
#: later read of the same Feedback response stores those copies without it. Neither the text nor
#: anyone's id: the table names no person.
erased_notes = Table(
    "erased_notes",
    metadata,
    Column("note_sha256", Text, primary_key=True),
)

REVISION_0009_TABLES = (erased_notes,)  # the tables revision 0009 adds

# --- revision 0010: who answered about each mentor, counted at each erasure (tester round 77b, 1) ---------
#: Before an erasure deletes a person's answers, the sittings (one respondent's answers of one day) that
#: others gave about each mentor of the programme, dated on or before that day, per instrument: every
#: mentor's, not the erased person's mentor's alone (a row for one mentor would tie the erased person to
#: them). A figure over those answers whose count differs later is withheld: a mean over the others gave
#: the erased person's answers back by difference. Counts only, never a value (a mean over one rater is
#: that rater's answer); a mentor's rows are erased with them. ``mentor_id`` 0 holds the programme-wide count of
#: each instrument's sittings (no Moodle user has id 0), for the report's programme-wide figures; ``mentor_id`` -1
#: the count of each respondent's answers of a day about one person (tester round 94a, 2).
rater_counts = _programme_table(
    "rater_counts",
    Column("mentor_id", Integer, nullable=False),  # a Moodle user id
    Column("instrument", Text, nullable=False),
    Column("counted_on", Text, nullable=False),  # ISO day of the erasure, the programme's local day
    Column("sittings", Integer, nullable=False),
    PrimaryKeyConstraint("programme", "mentor_id", "instrument", "counted_on"),
)

REVISION_0010_TABLES = (rater_counts,)  # the tables revision 0010 adds

# --- revision 0011: each snapshot's status as both people may read it (tester round 86b, 1) -------------------
REVISION_0011_COLUMNS = (("health_snapshots", "shared_status"),)  # the columns revision 0011 adds (table, column)

# --- revision 0012: the Feedback responses a read found unreadable, and since when (tester round 87a, 5) ------
#: One row per problem of a Feedback response (``source``: ``meetings`` for the meeting log, else the
#: instrument's name), as a SHA-256 of the response's attempt id, its last-modified time and the problem
#: (neither a person's id nor the answer), with the day a read first found it. A run says a new one (partial,
#: exit 1); one found unchanged is counted as still unreadable since that day, not a failing step. A read
#: forgets the rows of its source that it no longer finds (mended, deleted, or edited: then found anew).
unreadable_responses = _programme_table(
    "unreadable_responses",
    Column("source", Text, nullable=False),
    Column("problem_sha256", Text, nullable=False),
    Column("since", Text, nullable=False),  # ISO day, the programme's local day of the read that first found it
    PrimaryKeyConstraint("programme", "source", "problem_sha256"),
)

REVISION_0012_TABLES = (unreadable_responses,)  # the tables revision 0012 adds

# --- revision 0013: which row gave each meeting's rating, notes and side (tester round 97a, 3) -----------------
#: ``meetings.words_origin``: the origin (``FILE:LINE``, as ``origin``) of the row that gave the record's rating,
#: notes and side; ``origin`` names the row that wrote it last, which may have kept them (an attendance register).
#: NULL (every row stored before): not known apart, read as ``origin``.
REVISION_0013_COLUMNS = (("meetings", "words_origin"),)

# --- revision 0014: since when a circle's mentee has been away (tester round 103b, 1) --------------------------
#: One row per member of a circle (not its mentor) whom a sync found no longer active in the course (enrolment
#: suspended or ended, account suspended) while the circle's mentor is here, from the first such sync: their place
#: is held for ``[sync] away_mentor_hold_days`` from ``since`` before they are removed. Deleted when they are back
#: or out of every circle.
member_absences = _programme_table(
    "member_absences",
    Column("user_id", Integer, nullable=False),  # a Moodle user id
    Column("since", Text, nullable=False),  # ISO day, the programme's local day of the sync that saw it
    Column("journal_mark", Integer),  # revision 0021: the journal's latest id then (NULL: recorded before it)
    PrimaryKeyConstraint("programme", "user_id"),
)

REVISION_0014_TABLES = (member_absences,)  # the tables revision 0014 adds

# --- revision 0015: the days a circle's mentee was away while their place was held (tester round 104a, 8) --------
#: One row per absence a ``member_absences`` row recorded, written when the sync forgets it: the member (not a
#: circle's mentor) and the days from ``since`` (the first sync that found them away) up to ``until`` (exclusive: the
#: day of the first sync that no longer did: back, or out of every circle). Health leaves these days out of a
#: silence as it leaves out a break's (``pair_dates.days_apart``): back from a held absence, a pair was judged silent
#: over the days its mentee was away.
member_absence_spans = _programme_table(
    "member_absence_spans",
    Column("user_id", Integer, nullable=False),  # a Moodle user id
    Column("since", Text, nullable=False),  # ISO day, the programme's local day of the sync that first saw it
    Column("until", Text, nullable=False),  # ISO day, the programme's local day of the sync that forgot it
    Column("since_mark", Integer), Column("until_mark", Integer),  # revision 0021: the journal's latest ids
    PrimaryKeyConstraint("programme", "user_id", "since"),
)

REVISION_0015_TABLES = (member_absence_spans,)  # the tables revision 0015 adds

# --- revision 0016: the days a circle's mentor was away while their circle was held (tester round 104b, 10) -------
#: One row per absence a ``mentor_absences`` row recorded, written when the sync forgets it (as
#: ``member_absence_spans`` of a mentee's): the mentor and the days from ``since`` (the first sync that found them
#: away) up to ``until`` (exclusive: the first sync that no longer did: back, or their circle gone or emptied).
#: ``lmsync health --as-of`` a day of the hold says the circle was on hold then, asked during the hold or after it.
mentor_absence_spans = _programme_table(
    "mentor_absence_spans",
    Column("mentor_id", Integer, nullable=False),  # a Moodle user id
    Column("since", Text, nullable=False),  # ISO day, the programme's local day of the sync that first saw it
    Column("until", Text, nullable=False),  # ISO day, the programme's local day of the sync that forgot it
    Column("since_mark", Integer), Column("until_mark", Integer),  # revision 0021: the journal's latest ids
    PrimaryKeyConstraint("programme", "mentor_id", "since"),
)

REVISION_0016_TABLES = (mentor_absence_spans,)  # the tables revision 0016 adds

# --- revision 0017: the mentees a coordinator's digest named as without a mentor (tester round 114b, 2) ----------
#: One row per coordinator and mentee a digest sent to them named as without a mentor, with the day of the first such
#: digest, kept until a digest says them with a mentor (``store.digest_alone``, ``service.digest_alone``).
digest_alone = _programme_table(
    "digest_alone", Column("recipient_id", Integer, nullable=False), Column("mentee_id", Integer, nullable=False),
    Column("day", Text, nullable=False),  # ISO day, the programme's day of the digest that first named them
    PrimaryKeyConstraint("programme", "recipient_id", "mentee_id"),
)
REVISION_0017_TABLES = (digest_alone,)  # the tables revision 0017 adds

# --- revision 0018: the queue items each coordinator's last digest sent knew as theirs (tester round 115a, 5) ------
#: One row per coordinator and item they owned when a digest was sent to them, with that day (``store.digest_owned``).
digest_owned = _programme_table(
    "digest_owned", Column("recipient_id", Integer, nullable=False), Column("item_id", Integer, nullable=False),
    Column("day", Text, nullable=False), PrimaryKeyConstraint("programme", "recipient_id", "item_id"))
REVISION_0018_TABLES = (digest_owned,)  # the tables revision 0018 adds

# --- revision 0019: a held circle's hold ended early by its mentor's erasure (tester round 117c, 2) ---------------
#: One row per such erasure, naming no one: its day, mentees held, the journal's latest id then (``store.hold_ends``).
hold_ends = _numbered_table("hold_ends", Column("day", Text, nullable=False), Column("mentees", Integer, nullable=False),
                            Column("journal_mark", Integer, nullable=False))
REVISION_0019_TABLES = (hold_ends,)  # the tables revision 0019 adds
from lmsync.store import schema_more as _more  # noqa: E402,F401  tables of 0020 on, on this metadata (not __init__)
