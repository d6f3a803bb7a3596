"""Tester finding FIX-B: one meeting, two contradicting records (wrong figures and false nudges).

A meetings CSV row for a pair and date that the Feedback log already held was stored next to
it ("1 added", no warning); health then read the file's "10 min, absent" and nudged the pair
although the mentor logged 45 minutes, while the report counted the Feedback row. Now an import
refuses such a row (naming file, line, field and where to change it), an identical one is
unchanged, and health, grades and the report read one rule (``counted_meeting``).
"""

from datetime import date

import pytest

from lmsync.domain.health.evidence import PairEvidence
from lmsync.domain.health.signals import Context
from lmsync.domain.health.thresholds import Thresholds
from lmsync.domain.meetings import Meeting, counted_meeting, dedupe_across_sources
from lmsync.domain.metrics import summarise_attendance
from lmsync.errors import InputError
from lmsync.service.imports import ImportRules, import_meetings_file
from lmsync.service.meetings import make_resolver
from lmsync.store.meetings import MeetingRepository
from lmsync.store.report import meetings_per_month

from .conftest import PEOPLE

TODAY = date(2026, 11, 30)
RULES = ImportRules(today=TODAY)  # the import checks dates against this day
DAY = date(2026, 11, 21)
LOGGED = Meeting(DAY, 66, 3, 45, True, "feedback", rated_by="mentor")
HEADER = "date,mentor,mentee,minutes,attended,rating,notes\n"


def write(tmp_path, text, name="clash.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(store, path, resolve=None):
    return import_meetings_file(store, "p", path, resolve or make_resolver(PEOPLE, "username"), rules=RULES)


def test_fix_b_csv_row_contradicting_the_feedback_log_is_refused_and_nothing_stored(tmp_path, store):
    repository = MeetingRepository(store, "p")
    repository.save([(LOGGED, "feedback")])
    text = HEADER + "2026-11-14,m0002,s0003,30,yes,,\n2026-11-21,m0001,s0001,10,no,,\n"
    with pytest.raises(InputError) as refused:
        run(store, write(tmp_path, text))
    assert (
        "clash.csv:3: attended: the Feedback log already has a meeting of 'm0001' and 's0001' on 2026-11-21 "
        "(45 min, attended); change it in Moodle's Feedback or remove that response"
    ) in str(refused.value)
    assert "nothing was imported" in str(refused.value)
    assert repository.meetings() == [LOGGED]  # the good row on line 2 was not stored either


def test_fix_b_identical_row_is_unchanged_not_a_second_record(tmp_path, store):
    repository = MeetingRepository(store, "p")
    repository.save([(LOGGED, "feedback")])
    result = run(store, write(tmp_path, HEADER + "2026-11-21,m0001,s0001,45,yes,,\n"))
    assert (result.rows, result.counts.added, result.counts.unchanged) == (1, 0, 1)
    assert repository.meetings() == [LOGGED]


def test_fix_b_a_file_row_held_by_meetings_add_names_it(tmp_path, store):
    MeetingRepository(store, "p").save([(Meeting(DAY, 66, 3, 30, True, "cli"), "cli")])
    with pytest.raises(InputError, match=r"clash.csv:2: minutes: a meeting entered with `lmsync meetings add` already records"):
        run(store, write(tmp_path, HEADER + "2026-11-21,m0001,s0001,45,yes,,\n"))


def test_round_99a_3_a_register_row_held_by_meetings_add_says_both_ways_out(tmp_path, store):
    """Tester round 99a, 3: one hand-entered meeting held a whole register back, and the refusal sent the user to
    `meetings add` only, which may not take the row's words: it names leaving the row out, or `meetings remove`."""
    MeetingRepository(store, "p").save([(Meeting(DAY, 66, 3, 30, True, "cli"), "cli")])
    with pytest.raises(InputError) as refused:
        run(store, write(tmp_path, HEADER + "2026-11-21,m0001,s0001,45,yes,,\n"))
    said = str(refused.value)
    assert "and leave this row out" in said
    assert "remove it with `lmsync meetings remove` to store this row instead" in said


def test_fix_b_a_corrected_file_still_updates_its_own_row(tmp_path, store):
    run(store, write(tmp_path, HEADER + "2026-11-21,m0001,s0001,40,yes,,\n"))
    result = run(store, write(tmp_path, HEADER + "2026-11-21,m0001,s0001,45,yes,,\n", "fixed.csv"))
    assert (result.counts.added, result.counts.updated) == (0, 1)


def test_fix_b_health_grades_and_report_count_the_same_record(store):
    """Stores made before the fix may hold both: every reader takes the attended 45 minutes."""
    clash = Meeting(DAY, 66, 3, 10, False, "csv")
    assert counted_meeting([clash, LOGGED]) == counted_meeting([LOGGED, clash]) == LOGGED
    assert dedupe_across_sources([clash, LOGGED]) == [LOGGED]
    evidence = PairEvidence(66, 3, date(2026, 9, 1), meetings=(clash, LOGGED))
    ctx = Context(evidence, Thresholds(), as_of=TODAY)  # health: the last meeting is the 21st
    assert (ctx.last, [m.minutes for m in ctx.meetings]) == (DAY, [45])
    grades = summarise_attendance([clash, LOGGED], [(66, 3)], cadence_days=14, start=date(2026, 9, 1), as_of=TODAY)
    assert grades[3].held == 1
    MeetingRepository(store, "p").save([(clash, "clash.csv:2"), (LOGGED, "feedback")])
    (month,) = meetings_per_month(store, "p", date(2026, 9, 1), TODAY)
    assert (month.held, month.missed, month.mean_minutes) == (1, 0, 45)


def test_fix_b_among_two_attended_records_the_longer_then_feedback_counts():
    short = Meeting(DAY, 66, 3, 30, True, "csv")
    assert counted_meeting([short, LOGGED]) == LOGGED
    same = Meeting(DAY, 66, 3, 45, True, "cli")
    assert counted_meeting([same, LOGGED]).source == "feedback"


def test_fix_b_an_email_when_people_are_named_by_username_says_so(tmp_path, store):
    text = HEADER + "2026-11-21,m0001@example.org,s0001,45,yes,,\n"
    with pytest.raises(InputError) as refused:
        run(store, write(tmp_path, text))
    message = str(refused.value)
    assert "mentor: 'm0001@example.org' is an email address, but [meetings] person_key = \"username\"" in message
    assert "must name people by username" in message and "matches nobody" not in message


def test_fix_b_excel_trailing_empty_header_columns_are_ignored(tmp_path, store):
    text = "date,mentor,mentee,minutes,attended,rating,notes,,\n2026-11-21,m0001,s0001,45,yes,,,,\n"
    assert run(store, write(tmp_path, text)).counts.added == 1
    filled = "date,mentor,mentee,minutes,attended,notes,,\n2026-11-14,m0002,s0003,30,yes,,oops,\n"
    with pytest.raises(InputError, match="clash.csv:2: 8 fields, the header has 6"):
        run(store, write(tmp_path, filled))


def test_fix_b_meetings_add_contradicting_the_feedback_log_is_refused(tmp_path):
    from lmsync.config import Config
    from lmsync.service import meetings as service

    config = Config.model_validate(
        {"programme": {"name": "p"}, "store": {"path": str(tmp_path / "p.db")}, "import": {"date_order": "dmy"}}
    )
    add = dict(when="2026-11-21", mentor="m0001", mentee="s0001", people=PEOPLE, today=TODAY)
    db = service.open_store(config)
    MeetingRepository(db, "p").save([(LOGGED, "feedback")])
    db.close()
    with pytest.raises(InputError, match=r"--absent: the Feedback log already has a meeting of 'm0001' and 's0001'"):
        service.add_meeting(config, minutes="10", attended="no", **add)
    _, counts = service.add_meeting(config, minutes="45", attended="yes", **add)
    assert counts.unchanged == 1
    assert [m.meeting.source for m in service.list_meetings(config, person="s0001", people=PEOPLE)] == ["feedback"]
