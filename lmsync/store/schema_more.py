"""The store's tables added once ``schema.py`` had reached its size (500 lines): on the same ``schema.metadata``.

``schema.py`` imports this module at its end, so the metadata every migration, comparison, copy, export and erasure
reads (``schema.metadata``) always holds these tables too; not ``lmsync/store/__init__.py``, which every CLI start
imports (``lmsync match --people`` must not load SQLAlchemy: issue 15, ``test_startup``). Each is added by its own Alembic revision, as those of ``schema.py`` are.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, PrimaryKeyConstraint, Table, Text

from lmsync.store.schema_base import _numbered_table, _programme, metadata

# --- revision 0020: the queue items a coordinator followed that an erasure removed (tester round 118b, 3) --------
#: One row per erasure and coordinator following any of the items it removed (their owner, or whom it escalated to):
#: the coordinator's username, the erasure's programme day, how many items (open, or acknowledged and awaiting an
#: outcome) and how many of them acknowledged, and the journal's latest id then (a digest sent after has a larger
#: one), so that coordinator's next digest says it once (``store.queue_ends``). No person's id, no pair's.
queue_ends = _numbered_table(
    "queue_ends", Column("coordinator", Text, nullable=False),  # a username, lower case, as `queue_tracking.owner`
    Column("day", Text, nullable=False), Column("items", Integer, nullable=False),
    Column("acknowledged", Integer, nullable=False), Column("journal_mark", Integer, nullable=False))
REVISION_0020_TABLES = (queue_ends,)  # the tables revision 0020 adds

# --- revision 0021: when a sync recorded each absence, and forgot it, by the journal (tester round 122c, 1) --------
#: The journal's latest id when a sync first found a circle's mentor or member away (``journal_mark``; a span's
#: ``since_mark``) and when it forgot them (``until_mark``): a digest sent earlier the same day has a smaller or equal
#: one, so a hold begun or a person back after that day's digest is told in the next digest (``digest_since``). NULL
#: on the rows of a store from before this revision: compared by day, as before. Declared on ``schema.py``'s tables.
REVISION_0021_COLUMNS = (("mentor_absences", "journal_mark"), ("member_absences", "journal_mark"),
                         ("mentor_absence_spans", "since_mark"), ("mentor_absence_spans", "until_mark"),
                         ("member_absence_spans", "since_mark"), ("member_absence_spans", "until_mark"))

# --- revision 0022: what a coordinator's last digest knew, by the moment it was sent (tester round 122c, 1) -------
#: Two columns of ``digests`` (declared in ``schema.py``): the queue's largest item id (``queue_mark``) and the
#: pairing history's latest instant (``pairing_mark``, ISO-8601 UTC) when the digest was about to be sent, so an item
#: opened, or a pair begun or ended, after that day's digest is news to the next one; NULL on a digest from before it.
REVISION_0022_COLUMNS = (("digests", "queue_mark"), ("digests", "pairing_mark"))
#: One row per coordinator and pair of the health snapshot their last digest sent was told from, with its status and
#: that digest's day (``store.digest_statuses``): "newly at risk or fading", "recovered" and "no longer fading" compare
#: with it, not with that day's snapshot, which a later ``health`` the same day rewrites.
digest_statuses = Table(
    "digest_statuses", metadata, _programme(), Column("recipient_id", Integer, nullable=False),
    Column("mentor_id", Integer, nullable=False), Column("mentee_id", Integer, nullable=False),
    Column("status", Text, nullable=False), Column("day", Text, nullable=False),
    PrimaryKeyConstraint("programme", "recipient_id", "mentor_id", "mentee_id"))
REVISION_0022_TABLES = (digest_statuses,)  # the table revision 0022 adds

# --- revision 0023: each survey wave's window as it was when the wave closed (tester round 123a, 1) ---------------
#: One row per programme and wave, written once, by the first command that writes the store after the wave's last
#: day (``service.closed_windows``): the wave's name, first and last day (ISO dates) as ``[waves]`` had them then, and
#: the programme day it was recorded. The report keeps a closed wave's figures over this window, whatever lmsync.toml
#: says later (widened, a late answer's ratings were given back by difference). No person's id.
closed_windows = Table(
    "closed_windows", metadata, _programme(), Column("wave", Text, nullable=False),
    Column("start", Text, nullable=False), Column("end", Text, nullable=False),
    Column("recorded_on", Text, nullable=False), PrimaryKeyConstraint("programme", "wave"))
REVISION_0023_TABLES = (closed_windows,)  # the table revision 0023 adds

# --- revision 0024: the sittings each survey wave counted when it closed (tester round 128, 1 and 2) -----------------
#: One row per sitting (one respondent's answers to one instrument on one day from one source, about one person or
#: none: ``about_id`` 0) dated inside a closed wave's kept window, written once with the wave's ``closed_windows`` row
#: (``service.closed_windows``): how many answer rows it had, a digest of its items and values (``domain.closed_sittings.
#: digest``: to tell a sitting changed in place; erased with the answers) and the UTC instant; one more row per wave,
#: ``respondent_id`` 0 and the other key columns empty, says the wave was recorded (it may hold no sitting) and holds
#: the highest survey answer id then stored in ``answers`` (rows above it were stored later). The report counts a
#: closed wave over these sittings only, and withholds the figures of one that changed since
#: (``domain.closed_sittings``); an erasure deletes the rows naming the erased person, as their answers.
closed_sittings = Table(
    "closed_sittings", metadata, _programme(), Column("wave", Text, nullable=False),
    Column("respondent_id", Integer, nullable=False), Column("instrument", Text, nullable=False),
    Column("sitting_date", Text, nullable=False), Column("source", Text, nullable=False),
    Column("about_id", Integer, nullable=False), Column("answers", Integer, nullable=False),
    Column("digest", Text, nullable=False), Column("recorded_at", Text, nullable=False),
    PrimaryKeyConstraint("programme", "wave", "respondent_id", "instrument", "sitting_date", "source", "about_id"))
REVISION_0024_TABLES = (closed_sittings,)  # the table revision 0024 adds
