"""Tester round 88a, 2 and 3: while any Meeting log response was unreadable, no other response's deletion or
correction was applied.

With one response unreadable (``09/10/2026`` under ``[import] date_order = auto``), a response deleted in Moodle
kept its meetings, a date corrected from the 12th to the 19th left both days stored (a meetings grade counted two
days from one response), and changing ``date_order`` left two meetings per mentee: the read kept every stored
Feedback meeting whenever any response had a problem. Its removal guard meanwhile counted every row the read did
not give back, the unreadable response's kept ones too, so deleting one response was refused ("it would remove 22
of the 39") with causes that did not apply. Now each stored Feedback meeting names its response (origin
``feedback:ATTEMPT``): only the rows an unreadable response stored before stay, the others follow Moodle, and the
guard counts exactly the rows the read removes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import FeedbackCompleted
from lmsync.service.grades import read_feedback_sources
from lmsync.service.meetings import settings
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_tester_round_87a_4_feedback_dates import api_for
from tests.flows.test_tester_round_87a_4_feedback_dates import config_for as meeting_log_config
from tests.flows.test_tester_round_87a_4_feedback_dates import store as store  # noqa: F401  (fixture)

PROGRAMME = "mentor-2026"
MENTOR, MENTEES = 66, (3, 4, 5)  # a demo mentor and three mentees (s0001..s0003)
PAIRS = [(MENTOR, m) for m in MENTEES]
SENT = int(datetime(2027, 4, 30, 12, tzinfo=UTC).timestamp())
TODAY = date(2027, 5, 1)
CIRCLE, CORRECTED, OTHER, UNREADABLE = 301, 302, 303, 304  # attempt ids


def config_for(tmp_path, environ=None, date_order: str = "auto"):
    return meeting_log_config(tmp_path, environ, f'[import]\ndate_order = "{date_order}"\n')


@pytest.fixture
def logged():
    """The demo site's Meeting log: the mentor's whole-circle response (3 rows), two mentees' and a third
    mentee's (each 1 row), all readable: 6 rows."""
    site = build_demo_site()
    form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    form.completeds[:] = [
        FeedbackCompleted(CIRCLE, MENTOR, SENT, {6: "2027-04-10", 7: "45"}),
        FeedbackCompleted(CORRECTED, 3, SENT, {6: "2027-04-12", 7: "30"}),
        FeedbackCompleted(OTHER, 4, SENT, {6: "2027-04-15", 7: "30"}),
        FeedbackCompleted(UNREADABLE, 5, SENT, {6: "2027-04-18", 7: "30"}),
    ]
    return site, form


def read(site, cfg, store):
    warnings: list[str] = []
    failures: list[str] = []
    reports = read_feedback_sources(api_for(site), store, settings(cfg), course_id=2, roster={}, pairs=PAIRS,
                                    today=TODAY, warnings=warnings, failures=failures)
    report = reports[0] if reports else None  # a refused read reports nothing
    rows = sorted((m.meeting.date, m.meeting.mentee_id) for m in MeetingRepository(store, PROGRAMME).find())
    return report, failures, rows


def edit(form, attempt: int, meeting_date: str) -> None:
    response = next(c for c in form.completeds if c.id == attempt)
    response.values[6] = meeting_date
    response.timemodified = SENT + 3600


def test_round_88a_2_deletions_and_corrections_apply_while_another_response_is_unreadable(tmp_path, store, logged):
    site, form = logged
    cfg = config_for(tmp_path, {"LMSYNC_SYNC_MIN_SOURCE_FRACTION": "0"})
    assert read(site, cfg, store)[2] == sorted([(date(2027, 4, 10), m) for m in MENTEES] + [
        (date(2027, 4, 12), 3), (date(2027, 4, 15), 4), (date(2027, 4, 18), 5)])
    edit(form, UNREADABLE, "09/10/2026")  # reads both ways under auto: unreadable
    edit(form, CORRECTED, "2027-04-19")  # corrected from the 12th
    form.completeds[:] = [c for c in form.completeds if c.id != CIRCLE]  # deleted in Moodle
    report, failures, rows = read(site, cfg, store)
    assert failures == [] and report is not None and report.problems == 1
    # the deleted response's 3 rows and the corrected one's old day go; the unreadable response's earlier row stays
    assert rows == [(date(2027, 4, 15), 4), (date(2027, 4, 18), 5), (date(2027, 4, 19), 3)]
    assert report.removed == 4


def test_round_88a_3_the_guard_counts_exactly_the_rows_the_read_removes(tmp_path, store, logged):
    site, form = logged
    assert len(read(site, config_for(tmp_path), store)[2]) == 6
    edit(form, UNREADABLE, "09/10/2026")
    form.completeds[:] = [c for c in form.completeds if c.id != CIRCLE]  # 3 of the 6 rows: half, allowed at 0.5
    report, failures, rows = read(site, config_for(tmp_path), store)
    assert failures == [], failures  # refused before: "would remove 4 of the 6" counted the unreadable one's row
    assert report is not None and report.removed == 3 and len(rows) == 3
    edit(form, CORRECTED, "2027-04-19")  # and one more day corrected: 1 removed of the 3 stored, as counted
    report, failures, rows = read(site, config_for(tmp_path), store)
    assert failures == [] and report is not None and report.removed == 1
    form.completeds[:] = [c for c in form.completeds if c.id == UNREADABLE]  # the two readable ones deleted,
    form.completeds.append(FeedbackCompleted(305, 3, SENT, {6: "2027-04-25", 7: "30"}))  # a new one sent
    report, failures, rows = read(site, config_for(tmp_path), store)
    assert report is None and len(failures) == 1
    assert "would remove 2 of the 3 meetings row(s)" in failures[0]  # the unreadable response's row is kept
    assert len(rows) == 3  # refused: nothing stored or removed


def test_round_88a_2_a_changed_date_order_replaces_the_rows_of_its_responses(tmp_path, store, logged):
    site, form = logged
    edit(form, OTHER, "04/03/2027")  # 3 April month-first, 4 March day-first
    fraction = {"LMSYNC_SYNC_MIN_SOURCE_FRACTION": "0"}
    read(site, config_for(tmp_path, fraction, date_order="mdy"), store)
    edit(form, UNREADABLE, "2027-13-01")  # another response unreadable meanwhile
    _report, _failures, rows = read(site, config_for(tmp_path, fraction, date_order="dmy"), store)
    assert [day for day, mentee in rows if mentee == 4] == [date(2027, 3, 4), date(2027, 4, 10)]  # not 3 April too
    assert (date(2027, 4, 18), 5) in rows  # the unreadable response's earlier row
