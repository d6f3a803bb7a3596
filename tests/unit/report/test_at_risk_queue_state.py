"""The report's "at risk today" queue column says what the coordinator did (tester round 8, 2):
an item closed with ``queue done`` was shown as "acknowledged" as if still in hand."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.labels import People
from lmsync.service.report_sections import at_risk_table, ended_pairs
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from lmsync.store.report import flagged_pairs, queue_states
from lmsync.store.snapshots import HealthSnapshots

DAY = date(2026, 11, 20)


def _fading(mentee: int) -> PairHealth:
    return PairHealth(66, mentee, "fading", (Reason("no_meeting", "fading", "no meeting for 40 days"),),
                      date(2026, 9, 1), date(2026, 10, 10), 0)


def test_tester_round_8_2_a_closed_item_reads_closed_with_its_outcome_not_acknowledged():
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    pairs = [_fading(mentee) for mentee in (1, 2, 3, 4, 5)]
    HealthSnapshots(store, "p").replace_day(DAY, pairs)
    for pair in pairs:
        assert queue.offer(DAY, pair) == "added"
    queue.ack((66, 2), on=date(2026, 11, 21))
    queue.ack((66, 3), on=date(2026, 11, 21))
    queue.done((66, 3), "no_action", on=date(2026, 11, 23))
    queue.done((66, 4), "met", on=date(2026, 11, 24))
    queue.done((66, 5), "closed", on=date(2026, 11, 24))  # the pair ended: waits for no one (round 21, 1)
    flagged, states_now = flagged_pairs(store, "p", DAY, ("fading",)), queue_states(store, "p")
    assert ended_pairs(flagged, states_now) == {(66, 5)}
    table = at_risk_table(flagged, states_now, People({}))
    states = {row[1].split(" ")[1]: row[5] for row in table.rows}  # "user #1 (not in the course)"
    assert states == {
        "#1": "open",  # no dates: one before the shared judgement called a pair fading told a verdict (after 94b)
        "#2": "acknowledged, no outcome yet",
        "#3": "closed, outcome no_action",
        "#4": "open, outcome met",
    }


def test_tester_round_21_9_the_queue_column_as_of_a_day_shows_the_queue_as_it_stood_then():
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    HealthSnapshots(store, "p").replace_day(DAY, [_fading(1), _fading(2)])
    queue.offer(DAY, _fading(1))
    queue.done((66, 1), "closed", on=date(2026, 11, 30))
    queue.offer(date(2026, 12, 5), _fading(2))  # opened after the report's day
    flagged = flagged_pairs(store, "p", DAY, ("fading",))
    then = queue_states(store, "p", until=date(2026, 11, 25))
    assert then[(66, 1)].acked_on is None and then[(66, 1)].outcome is None and (66, 2) not in then
    states = {row[1].split(" ")[1]: row[5] for row in at_risk_table(flagged, then, People({})).rows}
    assert states == {"#1": "open", "#2": "not queued"}
    assert ended_pairs(flagged, queue_states(store, "p")) == {(66, 1)}  # today it has ended


def test_tester_round_25_4_the_shared_report_shows_no_sides_answers_in_its_reasons():
    """A coordinator who mentors read their mentee's low rating of them in the report's at-risk table."""
    from lmsync.service.report_sections import shared_reasons

    reasons = [("satisfaction_low_mentee", "satisfaction low (mentee side)"),
               ("satisfaction_low_mentor", "satisfaction low (mentor side)"),
               ("hi_bye", "recent meetings on time but short (20 min on average) and low-rated (2.0 on average)"),
               ("no_meeting", "no meeting for 40 days")]
    assert shared_reasons(reasons) == [  # round 85b, 4: not even "a survey or rating signal"
        "recent meetings on time but short (20 min on average)",
        "no meeting for 40 days",
    ]


def test_round_85b_4_a_pair_flagged_by_one_sides_answers_alone_is_counted_not_named():
    """"m0005 | s0013 | at risk | a survey or rating signal": the mentor, whose own answers were fine, read their
    mentee's verdict. Such a pair is counted in the table's title, not named; a pair with evidence both know is
    named with that evidence alone."""
    from datetime import date

    from lmsync.service.labels import People
    from lmsync.service.report_sections import at_risk_table
    from lmsync.store.report import FlaggedPair

    rated = FlaggedPair(5, 13, "at_risk", date(2027, 1, 19), (("satisfaction_low_mentee", "satisfaction low (mentee side)"),))
    mixed = FlaggedPair(6, 14, "fading", None, (("satisfaction_low_mentee", "satisfaction low (mentee side)"),
                                                 ("no_meeting", "no meeting for 40 days"),
                                                 ("several_signals", "2 warning signs together")))  # round 86b, 1
    unanswered = FlaggedPair(7, 15, "at_risk", None, (("survey_unanswered_mentee", "the mentee did not answer T1"),))
    table = at_risk_table([rated, mixed, unanswered], {}, People({}, show_names=False))
    assert [row[4] for row in table.rows] == [
        "no meeting for 40 days", "a survey wave not answered (by whom: in the coordinators' own view, their digest)"]
    assert [row[0] for row in table.rows] == ["user #6 (not in the course)", "user #7 (not in the course)"]
    assert "(1 more that one side's own answers (a survey, or meeting ratings) flagged, not named here" in table.title
    assert "satisfaction" not in str(table.rows)


def test_tester_round_48_4_the_health_chart_counts_a_pair_a_coordinator_ended_as_ended_from_that_day():
    """The chart said "fading 53" where `lmsync health` and the report's summary said 52 fading and 1 ended."""
    from lmsync.config import Config
    from lmsync.service.report_inputs import read_inputs

    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    days = (date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22))
    for day in days:
        HealthSnapshots(store, "p").replace_day(day, [_fading(1), _fading(2), _fading(3)])
    queue.offer(days[0], _fading(2))
    queue.done((66, 2), "closed", on=days[1])
    queue.offer(days[0], _fading(3))
    queue.done((66, 3), "met", on=days[1])  # met: still fading, still counted so
    ok = PairHealth(66, 4, "ok", (), date(2026, 9, 1), date(2026, 11, 19), 3)  # round 49, 1: an ended pair judged ok
    HealthSnapshots(store, "p").replace_day(days[2], [_fading(1), _fading(2), _fading(3), ok])
    queue.offer(days[0], ok)
    queue.done((66, 4), "closed", on=days[2])
    config = Config.model_validate({"programme": {"name": "p"}})
    counts = read_inputs(config, store, as_of=days[2]).status_counts
    assert counts == (
        (days[0], "fading", 3),
        (days[1], "ended", 1), (days[1], "fading", 2),
        (days[2], "ended", 2), (days[2], "fading", 2),
    )


def test_second_pass_11_the_table_is_titled_by_its_snapshots_day_unless_that_is_today():
    store = Store.memory()
    HealthSnapshots(store, "p").replace_day(DAY, [_fading(1)])
    flagged = flagged_pairs(store, "p", DAY, ("fading",))
    assert at_risk_table(flagged, {}, People({}), DAY, DAY).title == "Pairs at risk today"
    earlier = at_risk_table(flagged, {}, People({}), DAY, date(2026, 12, 3))
    assert earlier.title == "Pairs at risk on 2026-11-20" and len(earlier.rows) == 1


def test_round_51_3_a_meeting_the_snapshot_did_not_know_is_said_beside_the_pair():
    """A fading pair's meeting recorded after the health snapshot: the report's meetings table counted it while
    the at-risk row still read "no meeting for 40 days", last meeting 2026-10-10, as if the pair were silent."""
    from lmsync.domain.meetings import Meeting
    from lmsync.service.report import gather
    from lmsync.store.meetings import MeetingRepository
    from tests.unit.report.synthetic import config_for

    store = Store.memory()
    config = config_for(":memory:", 120)
    programme = config.programme.name
    HealthSnapshots(store, programme).replace_day(DAY, [_fading(1), _fading(2)])
    MeetingRepository(store, programme).save([
        (Meeting(date(2026, 11, 12), 66, 1, 40, True, "csv"), None),  # dated before the snapshot, recorded after it
        (Meeting(date(2026, 11, 13), 66, 2, 0, False, "csv"), None),  # missed: not a meeting held
    ])
    data = gather(config, store, as_of=date(2026, 11, 24), roster={}, pairs=[(66, 1), (66, 2)])
    rows = {row[1].split(" ")[1]: row for row in data.at_risk.rows}  # "user #1 (not in the course)"
    assert rows["#1"][3] == "2026-11-12"
    assert "met on 2026-11-12, recorded after this judgement of 2026-11-20" in rows["#1"][4]
    assert rows["#2"][3] == "2026-10-10" and "met on" not in rows["#2"][4]
    earlier = gather(config, store, as_of=date(2026, 11, 11), roster={}, pairs=[(66, 1), (66, 2)])
    assert earlier.at_risk.rows == ()  # no snapshot by then: nothing flagged, nothing said


def test_round_51_3_a_report_of_a_day_before_the_first_snapshot_does_not_say_there_are_none():
    from lmsync.service.report import gather
    from tests.unit.report.synthetic import config_for

    store = Store.memory()
    config = config_for(":memory:", 120)
    HealthSnapshots(store, config.programme.name).replace_day(DAY, [_fading(1)])
    notes = " ".join(gather(config, store, as_of=date(2026, 11, 11), roster={}, pairs=[(66, 1)]).notes)
    assert "No health snapshot on or before 2026-11-11: the first is of 2026-11-20" in notes
    assert "No health snapshots yet" not in notes
    empty = Store.memory()
    assert "No health snapshots yet" in " ".join(gather(config, empty, as_of=DAY, roster={}, pairs=[(66, 1)]).notes)


def test_round_51b_8_a_page_with_no_snapshot_by_its_day_does_not_head_the_table_today():
    from lmsync.render.report import html_page
    from lmsync.service.report import gather
    from tests.unit.report.synthetic import config_for

    store = Store.memory()
    config = config_for(":memory:", 120)
    HealthSnapshots(store, config.programme.name).replace_day(DAY, [_fading(1)])
    page = html_page(gather(config, store, as_of=date(2026, 11, 11), roster={}, pairs=[(66, 1)]))
    assert "<h3>At risk or fading</h3>" in page and "At risk today" not in page
    assert "among the people in a pair on the report's day" in page


def test_round_56_4_a_met_item_closed_on_recovery_reads_closed_that_day():
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    HealthSnapshots(store, "p").replace_day(DAY, [_fading(4)])
    queue.offer(DAY, _fading(4))
    queue.done((66, 4), "met", on=date(2026, 11, 24))
    assert queue.close_recovered(date(2026, 12, 2), still_fading=set())
    table = at_risk_table(flagged_pairs(store, "p", DAY, ("fading",)), queue_states(store, "p"), People({}))
    (row,) = table.rows
    assert row[5] == "closed (the pair recovered), outcome met"


def test_round_77_7_an_unanswered_survey_is_not_called_a_rating_signal():
    """Every at-risk row read "a survey or rating signal" where the only reason was a survey wave left unanswered."""
    from lmsync.service.report_sections import shared_reasons

    reasons = [("survey_unanswered_mentee", "the mentee did not answer T1"), ("survey_unanswered_mentor", "...")]
    assert shared_reasons(reasons) == ["a survey wave not answered (by whom: in the coordinators' own view, their digest)"]
