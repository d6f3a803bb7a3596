"""A mistyped year must not reach the gradebook (a new admin's findings, part 2, point 2): imports
refuse dates long before the programme, and attendance counts from the programme or pair start."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.meetings import Meeting
from lmsync.domain.metrics import summarise_attendance
from lmsync.errors import InputError
from lmsync.service import meetings as service
from lmsync.service.imports import ImportRules, parse_meetings_csv, parse_surveys_csv
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

from .conftest import PEOPLE

TODAY = date(2026, 12, 20)
RESOLVE = service.make_resolver(PEOPLE, "username")
MEETINGS = "date,mentor,mentee,minutes,attended\n"


@pytest.fixture
def config(tmp_path):
    return Config.model_validate(
        {"programme": {"name": "mentoring-2026"}, "store": {"path": str(tmp_path / "p.db")},
         "meetings": {"cadence_days": 14}}
    )


def test_point_2_a_meeting_dated_1999_is_refused_when_no_programme_start_is_set() -> None:
    text = MEETINGS + "2026-10-12,m0001,s0001,30,yes\n1999-10-12,m0001,s0002,30,yes\n"
    with pytest.raises(InputError) as refused:
        parse_meetings_csv(text, "meetings.csv", RESOLVE, rules=ImportRules(today=TODAY))
    message = str(refused.value)
    assert "meetings.csv:3: date: '1999-10-12' is more than 365 days before today (2026-12-20)" in message
    assert "set [meetings] start" in message and "nothing was imported" in message


def test_point_2_a_survey_answer_dated_1999_is_refused_when_no_programme_start_is_set(config) -> None:
    s = service.settings(config)
    text = "respondent,date,instrument,item,value\ns0001,1999-10-12,relationship_satisfaction_mentee,rs1,3\n"
    with pytest.raises(InputError, match=r"surveys.csv:2: date: '1999-10-12' is more than 365 days"):
        parse_surveys_csv(text, "surveys.csv", RESOLVE, s.instruments, rules=ImportRules(today=TODAY))


def test_point_2_dates_within_a_year_are_accepted_without_a_start_and_a_start_still_bounds() -> None:
    text = MEETINGS + "2025-12-21,m0001,s0001,30,yes\n"
    assert len(parse_meetings_csv(text, "m.csv", RESOLVE, rules=ImportRules(today=TODAY))) == 1
    with pytest.raises(InputError, match="before the programme started"):
        parse_meetings_csv(text, "m.csv", RESOLVE, rules=ImportRules(today=TODAY, start=date(2026, 9, 1)))


def test_point_2_meetings_add_refuses_a_date_long_ago_without_a_start(config) -> None:
    with pytest.raises(InputError, match="--date: '1999-10-12' is more than 365 days"):
        service.add_meeting(config, when="1999-10-12", mentor="m0001", mentee="s0001", minutes="30",
                            attended="yes", people=PEOPLE, today=TODAY)


def test_point_2_attendance_counts_from_the_pairs_start_never_from_the_earliest_meeting(config) -> None:
    store = service.open_store(config)
    try:
        repo = MeetingRepository(store, "mentoring-2026")
        repo.save([(Meeting(date(1999, 10, 12), 66, 3, 30, True, "csv"), None),
                   (Meeting(date(2026, 9, 10), 66, 3, 30, True, "csv"), None)])
        PairingHistory(store, "mentoring-2026").record(
            "add_member", [("lmsync:mentoring-2026:mentor:66", 3)], at="2026-09-01T08:00:00.000+00:00"
        )
        s = service.settings(config)
        assert s.meetings.start is None and s.programme_start is None
        metrics = service.compute_metrics(store, s, [(66, 3), (66, 4)], as_of=date(2026, 10, 13))
    finally:
        store.close()
    # 1 Sep - 13 Oct: 3 periods of 14 days; the 1999 meeting is outside; pair (66, 4) has no start
    assert (metrics.attendance[3].held, metrics.attendance[3].expected) == (1, 3)
    assert metrics.attendance[4].expected == 0 and metrics.attendance[4].rate is None
    assert metrics.attendance[66].expected == 3


def test_point_2_attendance_counts_from_the_programme_start_when_set() -> None:
    meetings = [Meeting(date(1999, 10, 12), 66, 3, 30, True, "csv"), Meeting(date(2026, 9, 10), 66, 3, 30, True, "csv")]
    summary = summarise_attendance(meetings, [(66, 3)], cadence_days=14, start=date(2026, 9, 1),
                                   as_of=date(2026, 10, 13), pair_starts={(66, 3): date(1999, 1, 1)})
    assert (summary[3].held, summary[3].expected) == (1, 3)


# --- point 3: the side that answers ---------------------------------------------------------------

PAIRS = [(66, 3), (66, 4), (67, 5)]
SURVEYS = "respondent,date,instrument,item,value,about\n"


def surveys(config, text: str, pairs=PAIRS):
    rules = ImportRules(today=TODAY, pairs=pairs, names={66: "Ada Mentor"})
    return parse_surveys_csv(text, "surveys.csv", RESOLVE, service.settings(config).instruments, rules=rules)


def test_point_3_a_mentor_answering_the_mentee_form_is_refused_naming_both_sides(config) -> None:
    text = SURVEYS + "s0001,2026-10-12,relationship_satisfaction_mentee,rs1,4,m0001\n" \
                     "m0001,2026-10-12,relationship_satisfaction_mentee,rs1,3,s0001\n"
    with pytest.raises(InputError) as refused:
        surveys(config, text)
    message = str(refused.value)
    assert "1 problem" in message
    assert ("surveys.csv:3: respondent: 'm0001' (Ada Mentor) is a mentor, but relationship_satisfaction_mentee "
            "is answered by mentees") in message


def test_point_3_a_mentee_answering_the_mentor_form_is_refused(config) -> None:
    text = SURVEYS + "s0003,2026-10-12,relationship_satisfaction_mentor,rs1,3,m0002\n"
    with pytest.raises(InputError, match=r"surveys.csv:2: respondent: 's0003' is a mentee, but "
                                         r"relationship_satisfaction_mentor is answered by mentors"):
        surveys(config, text)


def test_point_3_each_side_on_its_own_form_and_someone_on_both_sides_are_accepted(config) -> None:
    text = SURVEYS + "m0001,2026-10-12,relationship_satisfaction_mentor,rs1,3,s0001\n" \
                     "s0001,2026-10-12,relationship_satisfaction_mentee,rs1,3,m0001\n" \
                     "m0002,2026-10-12,relationship_satisfaction_mentee,rs1,3,m0001\n"
    peer = [*PAIRS, (66, 67)]  # m0002 mentors s0003 and is mentored by m0001
    assert len(surveys(config, text, peer)) == 3
