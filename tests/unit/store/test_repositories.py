"""Issue 12: every repository on both engines (SQLite file and PostgreSQL), same behaviour.

Each test runs twice through the ``store_target`` fixture (tests/conftest.py); the
PostgreSQL case skips without ``LMSYNC_TEST_POSTGRES_URL`` and fails without it in CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.exc import DBAPIError

from lmsync.domain.instruments import SurveyAnswer
from lmsync.domain.meetings import Meeting
from lmsync.store.db import Store
from lmsync.store.grade_items import GradeItemRecords
from lmsync.store.health import CoordinatorQueue, HealthSnapshots, NudgeLog
from lmsync.store.journal import Journal
from lmsync.store.meetings import ImportLog, MeetingRepository, SaveCounts, SentComments
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository, erase_person, export_person

D = date(2026, 10, 5)


@dataclass(frozen=True)
class _Reason:
    code: str
    text: str


@dataclass(frozen=True)
class _Health:
    """What the health repositories read of a PairHealth."""

    mentor_id: int
    mentee_id: int
    status: str
    reasons: tuple[_Reason, ...] = (_Reason("no_meeting", "no meeting for 30 days"),)
    paired_since: date = date(2026, 9, 1)
    last_meeting: date | None = None
    shared_status: str | None = None


@pytest.fixture
def store(store_target):
    s = Store(store_target)
    yield s
    s.close()


def test_issue_12_meetings_upsert_by_natural_key_and_replace_one_source(store):
    repo = MeetingRepository(store, "p")
    first = Meeting(D, 66, 3, 30, True, "feedback")
    assert repo.save([(first, "a"), (Meeting(D, 66, 4, 45, False, "csv"), "b")]) == SaveCounts(2, 0, 0)
    assert repo.save([(first, "a")]) == SaveCounts(0, 0, 1)
    assert repo.save([(Meeting(D, 66, 3, 50, True, "feedback"), "a2")]) == SaveCounts(0, 1, 0, replaced=1)  # another origin's values (round 84, 3)
    assert repo.replace_source("feedback", []) == SaveCounts(removed=1)
    [left] = repo.find(person_id=4)
    assert (left.meeting.minutes, left.meeting.attended, left.origin) == (45, False, "b")
    assert repo.count() == 1 and MeetingRepository(store, "other").count() == 0
    assert repo.find(since=D + timedelta(days=1)) == [] and len(repo.find(until=D, source="csv")) == 1


def test_issue_12_an_import_and_its_record_commit_together_or_not_at_all(store):
    repo, log = MeetingRepository(store, "p"), ImportLog(store, "p")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        counts = repo.save_in(tx, [(Meeting(D, 66, 3, 30, True, "csv"), "x")])
        log.record_in(tx, "meetings", "m.csv", "sha", 1, counts)
        raise RuntimeError("the importer failed half way")
    assert repo.count() == 0 and log.previous("meetings", "sha") is None
    with store.transaction() as tx:
        counts = repo.save_in(tx, [(Meeting(D, 66, 3, 30, True, "csv"), "x")])
        log.record_in(tx, "meetings", "m.csv", "sha", 1, counts)
    record = log.previous("meetings", "sha")
    assert record is not None and (record.file_name, record.rows, record.counts.added) == ("m.csv", 1, 1)


def test_issue_12_survey_answers_scores_and_one_persons_data(store):
    surveys = SurveyRepository(store, "p")
    about = SurveyAnswer(66, "relationship_satisfaction_mentor", D, "rs1", "4", "csv", 3)
    general = SurveyAnswer(3, "general_self_efficacy", D, "gse1", "3", "csv")
    assert surveys.save([(about, None), (general, "s.csv")]) == SaveCounts(2, 0, 0)
    changed = SurveyAnswer(3, "general_self_efficacy", D, "gse1", "4", "csv")
    assert surveys.save([(changed, "s.csv")]) == SaveCounts(0, 1, 0)
    assert [(a.respondent_id, a.value, a.about_id) for a in surveys.answers()] == [(3, "4", None), (66, "4", 3)]
    assert surveys.replace_source("csv", "general_self_efficacy", []).removed == 1
    MeetingRepository(store, "p").save([(Meeting(D, 66, 3, 30, True, "csv"), "x")])
    PairingHistory(store, "p").record("add_member", [("lmsync:p:mentor:66", 3)])
    exported = export_person(store, 3)
    assert len(exported["survey_answers"]) == 1 and len(exported["meetings"]) == 1
    assert len(exported["pairing_history"]) == 1
    counts = erase_person(store, 3)
    assert (counts["survey_answers"], counts["meetings"], counts["pairing_history"]) == (1, 1, 1)
    assert surveys.answers() == [] and PairingHistory(store, "p").history() == []


def test_round_12_1_an_erasure_withholds_what_predates_it_on_every_save_on_both_engines(store):
    """Tester round 12, 1: a Feedback read after ``person erase`` stored the person's answers and the
    mentor's circle-wide meeting log again. Rows naming them dated on or before the erasure day
    are withheld (counted) by every save and replace; later rows, and other people's, are stored."""
    meetings, surveys = MeetingRepository(store, "p"), SurveyRepository(store, "p")
    meetings.save([(Meeting(D, 66, 3, 30, True, "feedback"), None)])
    erase_person(store, 3, on=D + timedelta(days=1))
    again = meetings.replace_source("feedback", [(Meeting(D, 66, 3, 30, True, "feedback"), None),
                                                 (Meeting(D, 66, 4, 30, True, "feedback"), None),
                                                 (Meeting(D + timedelta(days=2), 66, 3, 20, True, "feedback"), None)])
    assert again == SaveCounts(added=2, withheld=1)
    assert sorted((m.date, m.mentee_id) for m in meetings.meetings()) == [(D, 4), (D + timedelta(days=2), 3)]
    about = SurveyAnswer(66, "relationship_satisfaction_mentor", D, "rs1", "4", "csv", 3)
    own = SurveyAnswer(3, "general_self_efficacy", D, "gse1", "3", "csv")
    assert surveys.save([(about, None), (own, None)]) == SaveCounts(withheld=2)
    assert surveys.answers() == [] and export_person(store, 3)["erased_on"] == (D + timedelta(days=1)).isoformat()
    assert export_person(store, 4)["erased_on"] is None


def test_issue_12_sent_comments_upsert_without_insert_or_replace(store):
    comments = SentComments(store, "p")
    comments.record(7, [(3, "met twice"), (4, "met once")])
    comments.record(7, [(3, "met three times")])
    assert comments.get(7) == {3: "met three times", 4: "met once"} and comments.get(8) == {}


def test_issue_12_health_snapshots_queue_and_nudges(store):
    snapshots = HealthSnapshots(store, "p")
    assert snapshots.replace_day(D, [_Health(66, 3, "fading"), _Health(66, 4, "ok")]) == 2
    assert snapshots.replace_day(D, [_Health(66, 3, "at_risk")]) == 1  # a re-run replaces the pairs it judges
    # and a pair judged earlier that day and not now (ended since) keeps its row (tester round 87a, 7d)
    assert {(r.mentee_id, r.status) for r in snapshots.rows(day=D)} == {(3, "at_risk"), (4, "ok")}
    assert snapshots.replace_day(D, [_Health(66, 3, "fading")]) == 1
    assert snapshots.replace_day(D + timedelta(days=1), [_Health(66, 3, "ok")]) == 1
    assert [(r.day, r.status) for r in snapshots.rows(pair=(66, 3))] == [(D, "fading"), (D + timedelta(1), "ok")]
    assert snapshots.first_seen() == {(66, 3): D, (66, 4): D}
    assert snapshots.recovered_after((66, 3), D) and not snapshots.recovered_after((66, 3), D + timedelta(1))

    queue = CoordinatorQueue(store, "p")
    assert queue.offer(D, _Health(66, 3, "fading")) == "added"
    assert queue.offer(D + timedelta(1), _Health(66, 3, "fading")) == "updated"
    closed = queue.ack((66, 3), on=D + timedelta(1), note="called them")
    assert closed is not None and closed.acked_on == D + timedelta(1) and closed.note == "called them"
    assert queue.open_items() == [] and queue.ack((66, 3), on=D) is None
    assert queue.offer(D + timedelta(2), _Health(66, 3, "fading")) == "snoozed"
    assert queue.offer(D + timedelta(40), _Health(66, 3, "fading")) == "added"

    nudges = NudgeLog(store, "p")
    with store.transaction() as tx:
        first = nudges.intent(tx, mentor_id=66, mentee_id=3, recipient_id=3, day=D, kind="gentle")
        nudges.link_journal(tx, first, Journal(store, "p").intent("r", "f", "nudge", [f"nudge:{first}"]))
    second = nudges.intent(store, mentor_id=66, mentee_id=3, recipient_id=3, day=D, kind="gentle")
    nudges.finish(second, "sent", msgid=99)
    latest = nudges.latest(66, 3, 3)
    assert second > first and latest is not None and (latest.id, latest.state, latest.msgid) == (second, "sent", 99)
    assert [r.state for r in nudges.records(day=D)] == ["intent", "sent"]


def test_issue_12_grade_item_records_upsert_and_confirm(store):
    items = GradeItemRecords(store, "p", 2, 40)
    items.sending(1, "meetings", "lmsync:p:meetings")
    items.sending(1, "meetings", "lmsync:p:meetings2")  # a re-send replaces the record
    items.confirm(1, 501)
    items.sending(2, "minutes", "lmsync:p:minutes", state="adopted")
    items.confirm(2, 502)
    rows = items.all()
    assert [(r.itemnumber, r.idnumber, r.item_id, r.state) for r in rows] == [
        (1, "lmsync:p:meetings2", 501, "created"),
        (2, "lmsync:p:minutes", 502, "adopted"),
    ]
    assert isinstance(rows[0].sent_at, datetime) and GradeItemRecords(store, "p", 2, 41).all() == []


def test_issue_12_pairing_history_records_joins_and_leaves(store):
    history = PairingHistory(store, "p")
    history.record(
        "add_member",
        [("lmsync:p:mentor:66", 66), ("lmsync:p:mentor:66", 3), ("lmsync:other:mentor:66", 4)],
        at="2026-09-01T10:00:00",
    )
    history.record("add_member", [("lmsync:p:mentor:66", 3)], at="2026-09-20T10:00:00")  # re-added after a hand edit
    history.record("remove_member", [("lmsync:p:mentor:66", 3)], at="2026-10-01T10:00:00")
    history.record("add_member", [("lmsync:p:mentor:67", 5)], at="2026-09-03T10:00:00")
    history.circles_closed(["lmsync:p:mentor:67"], at="2026-10-02T00:00:00")
    assert [(p.mentor_id, p.mentee_id, p.joined_at[:10], (p.left_at or "")[:10]) for p in history.history()] == [
        (66, 3, "2026-09-01", "2026-09-20"),
        (66, 3, "2026-09-20", "2026-10-01"),
        (67, 5, "2026-09-03", "2026-10-02"),
    ]
    assert history.pairing_days() == {(66, 3): date(2026, 9, 20), (67, 5): date(2026, 9, 3)}


def test_a_pairing_day_is_the_date_of_its_instant_in_the_zone_asked_for(store):
    """A circle joined at 22:35 UTC on 2 December was joined on 3 December in Auckland: the day a pair
    starts in health, the grades and "not a good fit" is the programme's (``tz``), UTC only by default."""
    from zoneinfo import ZoneInfo

    history = PairingHistory(store, "p")
    history.record("add_member", [("lmsync:p:mentor:66", 3)], at="2026-12-02T22:35:00.000+00:00")
    history.record("add_member", [("lmsync:p:mentor:67", 4)], at="2026-12-02T09:00:00")  # naive: UTC
    auckland = ZoneInfo("Pacific/Auckland")
    assert history.pairing_days(auckland) == {(66, 3): date(2026, 12, 3), (67, 4): date(2026, 12, 2)}
    assert history.pairing_days() == {(66, 3): date(2026, 12, 2), (67, 4): date(2026, 12, 2)}


def test_issue_12_journal_hook_writes_the_pairing_history_only_for_circle_changes(store):
    @dataclass(frozen=True)
    class Member:
        group: str
        user_id: int

    journal = Journal(store, "p")
    journal.record_pairings("add_member", [Member("lmsync:p:mentor:66", 3)])
    journal.record_pairings("assign_grouping", [object()])  # not a circle change: nothing read or written
    assert PairingHistory(store, "p").pairing_days().keys() == {(66, 3)}


def test_issue_12_binding_and_contents_on_both_engines(store):
    assert store.binding() is None and not store.holds_data()
    bound = store.bind("emulator", "MENTOR-2026")
    assert (bound.site, bound.course, bound.adopted) == ("emulator", "MENTOR-2026", False)
    assert store.bind("https://other.example", "X") == bound  # the first binding stays
    before = store.contents()
    assert before["store_binding"] and "alembic_version" in before
    assert store.contents() == before


def test_issue_12_reads_never_write_on_both_engines(store_target):
    writable = Store(store_target)
    MeetingRepository(writable, "p").save([(Meeting(D, 66, 3, 30, True, "csv"), "x")])
    writable.close()
    reader = Store(store_target, read_only=True)
    assert MeetingRepository(reader, "p").count() == 1
    with pytest.raises(DBAPIError, match="readonly|read-only"):
        Journal(reader, "p").intent("r", "f", "add_member", ["k"])
    with pytest.raises(DBAPIError, match="readonly|read-only"):
        HealthSnapshots(reader, "p").replace_day(D, [_Health(66, 3, "ok")])
    assert MeetingRepository(reader, "p").count() == 1  # the refused transaction left nothing behind
    reader.close()


def test_issue_12_an_empty_postgresql_database_reads_as_an_empty_store_and_stays_empty(postgres_url):
    reader = Store(postgres_url, read_only=True)
    assert MeetingRepository(reader, "p").find() == [] and reader.binding() is None
    reader.close()
    probe = Store(postgres_url, read_only=True)
    assert probe.dialect == "sqlite"  # read through an empty in-memory store
    probe.close()
    from sqlalchemy import create_engine, inspect

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []  # nothing was created
    engine.dispose()
