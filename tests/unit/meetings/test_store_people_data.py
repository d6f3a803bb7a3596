import json
from datetime import UTC, date, datetime

from lmsync.domain.instruments import BUILTIN_INSTRUMENTS, SurveyAnswer, Wave, score_waves
from lmsync.domain.meetings import Meeting
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.surveys import SurveyRepository, erase_person, export_person


def fill(store):
    meetings = MeetingRepository(store, "p")
    meetings.save(
        [
            (Meeting(date(2026, 10, 1), 66, 3, 30, True, "csv"), "a.csv:2"),
            (Meeting(date(2026, 10, 1), 66, 4, 30, True, "csv"), "a.csv:3"),
            (Meeting(date(2026, 10, 2), 67, 5, 30, False, "cli"), "cli"),
        ]
    )
    surveys = SurveyRepository(store, "p")
    answers = [
        SurveyAnswer(p, "general_self_efficacy", date(2026, 9, 5), f"gse{i}", "3", "csv")
        for p in (3, 4)
        for i in range(1, 11)
    ]
    surveys.save([(a, "s.csv") for a in answers])
    surveys.replace_scores(
        score_waves(surveys.answers(), BUILTIN_INSTRUMENTS, [Wave("T0", date(2026, 9, 1), date(2026, 9, 30))])
    )


def test_export_person_gathers_every_row_naming_them():
    store = Store.memory()
    fill(store)
    data = export_person(store, 66)
    assert len(data["meetings"]) == 2 and data["survey_answers"] == [] and data["survey_scores"] == []
    data = export_person(store, 3)
    assert [m["mentor_id"] for m in data["meetings"]] == [66]
    assert len(data["survey_answers"]) == 10
    assert [s["total"] for s in data["survey_scores"]] == [30.0]
    json.dumps(data)  # plain data, ready to hand over


def test_erase_person_removes_them_and_only_them(tmp_path):
    store = Store(tmp_path / "p.db")
    fill(store)
    counts = erase_person(store, 3)
    assert counts == {
        "meetings": 1,
        "survey_answers": 10,
        "survey_scores": 1,
        "assign_comments": 0,
        "health_snapshots": 0,
        "coordinator_queue": 0,
        "nudges": 0,
        "pairing_history": 0,  # issue 12: the pairing history names people too
        "published_grades": 0,  # FIX-A: a mentor's frozen received means
        "sent_assign_grades": 0,  # tester finding 1: the assignment grade this store wrote them
        "pair_forbids": 0,  # tester round 6: not-a-good-fit marks and digests name people too
        "digests": 0,
        "mentor_absences": 0,  # tester round 53, 1: since when a circle's mentor is away
        "member_absences": 0,  # tester round 103b, 1: since when a circle's mentee is away
        "member_absence_spans": 0,  # tester round 104a, 8: the days a circle's mentee was away, their place held
        "mentor_absence_spans": 0,  # tester round 104b, 10: the days a circle's mentor was away, their circle held
        "rater_counts": 0,  # tester round 77b, 1: how many answered about a mentor, counted at erasures
        "digest_alone": 0,  # tester round 114b, 2: the mentees a coordinator's digest named as without a mentor
        "digest_owned": 0,  # tester round 115a, 5: the queue items a coordinator owned at a digest sent
        "digest_statuses": 0,  # tester round 122c, 1: the pair statuses a coordinator's last digest was told from
        "closed_sittings": 0,  # tester round 128, 1: the sittings a closed wave counted go with the answers
        "queue_tracking": 0,  # the tracking of their queue items goes with the items
        "meeting_notes_shared": 0,  # tester round 68, 1: a circle meeting's note leaves the others' copies
        "queue_owner": 0,  # tester round 8, 1: a coordinator's name leaves the items they own
        "queue_escalated_to": 0,
        "queue_ends": 0,  # tester round 118b, 3: a coordinator's count of their items an erasure removed
    }
    assert export_person(store, 3) == {
        "person_id": 3,
        "meetings": [],
        "survey_answers": [],
        "survey_scores": [],
        "assign_comments": [],
        "health_snapshots": [],
        "coordinator_queue": [],
        "nudges": [],
        "pairing_history": [],
        "published_grades": [],
        "sent_assign_grades": [],
        "pair_forbids": [],
        "digests": [],
        "mentor_absences": [],
        "member_absences": [],
        "member_absence_spans": [],
        "mentor_absence_spans": [],
        "rater_counts": [],
        "digest_alone": [],
        "digest_owned": [],
        "digest_statuses": [],
        "closed_sittings": [],
        "queue_tracking": [],
        "queue_coordinated": [],
        "queue_ends": [],
        "erased_on": datetime.now(UTC).date().isoformat(),  # tester round 12, 1: all an erasure keeps
    }
    assert len(export_person(store, 4)["survey_answers"]) == 10
    assert MeetingRepository(store, "p").count() == 2
    assert erase_person(store, 3) == dict.fromkeys(counts, 0)
    store.close()


def test_round_104a_8_the_days_a_mentee_was_away_are_exported_and_erased_with_them():
    """The days of a held absence (``member_absence_spans``, kept when the sync forgets the absence) name the
    mentee: ``person export`` gives them, ``person erase`` takes them, and an absence of theirs that began on or before
    their erasure is not kept again when a later sync forgets it."""
    from lmsync.store.absences import MemberAbsences
    from lmsync.store.erasures import record_erasure

    store = Store.memory()
    absences = MemberAbsences(store, "p")
    absences.follow([3, 4], date(2026, 10, 1))
    absences.follow([], date(2026, 10, 22))
    assert absences.days_away() == {3: ((date(2026, 10, 1), date(2026, 10, 22)),),
                                    4: ((date(2026, 10, 1), date(2026, 10, 22)),)}
    assert export_person(store, 3)["member_absence_spans"] == [
        {"programme": "p", "user_id": 3, "since": "2026-10-01", "until": "2026-10-22", "since_mark": 0,
         "until_mark": 0}]  # the journal's latest ids then (none yet): tester round 122c, 1
    assert erase_person(store, 3)["member_absence_spans"] == 1
    assert export_person(store, 3)["member_absence_spans"] == [] and 3 not in absences.days_away()
    assert len(export_person(store, 4)["member_absence_spans"]) == 1
    absences.follow([3, 4], date(2026, 11, 1))  # away again, still recorded: open
    assert absences.days_away()[4] == ((date(2026, 10, 1), date(2026, 10, 22)), (date(2026, 11, 1), None))
    with store.transaction():
        record_erasure(store, 3, date(2026, 11, 2))  # erased while the absence is recorded
    absences.follow([], date(2026, 11, 8))
    assert 3 not in absences.days_away() and len(absences.days_away()[4]) == 2


def test_feedback_source_mirror_removes_deleted_responses_only():
    store = Store.memory()
    repo = MeetingRepository(store, "p")
    repo.save([(Meeting(date(2026, 10, 1), 66, 3, 30, True, "csv"), "a.csv:2")])
    first = [Meeting(date(2026, 10, d), 66, 4, 20, True, "feedback") for d in (1, 8)]
    assert repo.replace_source("feedback", [(m, "feedback") for m in first]).added == 2
    counts = repo.replace_source("feedback", [(first[1], "feedback")])
    assert (counts.unchanged, counts.removed) == (1, 1)
    assert [(m.date.day, m.source) for m in repo.meetings()] == [(1, "csv"), (8, "feedback")]


def test_tester_round_6_every_table_naming_a_person_is_exported_and_erased():
    """A table with a person's Moodle user id in it that export and erase leave out makes a
    subject-access answer incomplete and an erasure leave traces (pair_forbids and digests were)."""
    from lmsync.store import schema
    from lmsync.store.surveys import _PERSON_TABLES

    person_columns = {"mentor_id", "mentee_id", "recipient_id", "respondent_id", "about_id", "user_id"}
    naming = {t.name: {c.name for c in t.columns} & person_columns for t in schema.metadata.sorted_tables}
    missing = {name: cols for name, cols in naming.items() if cols and set(_PERSON_TABLES.get(name, ())) != cols}
    assert missing == {}
