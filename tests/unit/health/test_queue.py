"""The coordinator queue (issue 13): owners, due dates, outcomes, escalation; not-a-good-fit pairs;
nudge grouping, the daily cap and quiet hours; the digest's once-a-day record; the migration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason
from lmsync.service.nudges import PlannedNudge, apply_cap, group_messages, in_quiet_hours, message_text
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue, DigestLog, PairForbids, due_date
from lmsync.store.migrate import head_revision

DAY = date(2026, 12, 1)


def fading(mentee: int, mentor: int = 66) -> PairHealth:
    reason = Reason("no_meeting", "fading", "no meeting for 9 weeks")
    return PairHealth(mentor, mentee, "fading", (reason,), date(2026, 9, 1), date(2026, 10, 1), 61)


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def queue(store: Store, **kw) -> CoordinatorQueue:
    return CoordinatorQueue(store, "p", coordinators=kw.pop("coordinators", ["ann", "bob"]), **kw)


def test_issue_13_due_dates_are_twice_in_the_first_month_then_monthly():
    dates = [due_date(DAY, n, [14, 28], 30) for n in range(4)]
    assert [(d - DAY).days for d in dates] == [14, 28, 58, 88]
    assert (due_date(DAY, 1, [7], 10) - DAY).days == 17  # configurable


def test_issue_13_round_robin_gives_each_new_item_to_the_least_loaded_coordinator(store):
    q = queue(store)
    for mentee in (3, 4, 5):
        assert q.offer(DAY, fading(mentee)) == "added"
    owners = [i.owner for i in q.open_items()]
    assert owners == ["ann", "bob", "ann"]
    assert all(i.due_on == DAY + timedelta(days=14) for i in q.open_items())


def test_issue_13_by_mentor_keeps_one_mentors_items_with_one_coordinator(store):
    q = queue(store, assign="by_mentor")
    q.offer(DAY, fading(3, mentor=66))
    q.offer(DAY, fading(7, mentor=70))
    q.offer(DAY, fading(4, mentor=66))
    owners = {i.pair: i.owner for i in q.open_items()}
    assert owners == {(66, 3): "ann", (70, 7): "bob", (66, 4): "ann"}


def test_issue_13_met_keeps_the_item_open_until_its_next_due_date_other_outcomes_close_it(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    met = q.done((66, 3), "met", on=DAY + timedelta(days=10), note="coffee")
    assert met is not None and met.acked_on is None and met.outcome == "met"
    assert met.due_on == DAY + timedelta(days=28) and met.note == "coffee"
    late = q.done((66, 3), "met", on=DAY + timedelta(days=40))
    assert late is not None and late.due_on == DAY + timedelta(days=58)  # the next date still ahead
    closed = q.done((66, 4), "no_action", on=DAY + timedelta(days=2))
    assert closed is not None and closed.acked_on == DAY + timedelta(days=2) and closed.outcome == "no_action"
    assert [i.pair for i in q.open_items()] == [(66, 3)]
    with pytest.raises(ValueError):
        q.done((66, 3), "forgot", on=DAY)
    assert q.done((66, 99), "met", on=DAY) is None


def test_issue_13_a_met_item_closes_itself_once_the_pair_no_longer_fades(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    q.done((66, 3), "met", on=DAY + timedelta(days=1))
    q.done((66, 4), "met", on=DAY + timedelta(days=1))
    closed = q.close_recovered(DAY + timedelta(days=5), still_fading={(66, 4)})
    assert [i.pair for i in closed] == [(66, 3)]
    assert [i.pair for i in q.open_items()] == [(66, 4)]


def test_issue_13_an_overdue_item_escalates_once_to_the_second_coordinator(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    due = DAY + timedelta(days=14)
    assert q.escalate(due + timedelta(days=7), "chief", after_days=7) == []  # 7 days late: not yet
    (item,) = q.escalate(due + timedelta(days=8), "chief", after_days=7)
    assert (item.owner, item.escalated_to, item.escalated_on) == ("ann", "chief", due + timedelta(days=8))
    assert item.overdue_days(due + timedelta(days=8)) == 8
    assert q.escalate(due + timedelta(days=9), "chief", after_days=7) == []  # once
    # a follow-up meeting gives a new due date and clears the escalation
    met = q.done((66, 3), "met", on=due + timedelta(days=9))
    assert met is not None and met.escalated_to is None


def test_tester_round_19_3_an_overdue_item_escalate_to_cannot_take_is_reported_with_why(store):
    q = CoordinatorQueue(store, "p", coordinators=["ann", "chief"], usernames={66: "mentor66", 3: "m3", 4: "m4"})
    q.offer(DAY, fading(3))  # ann
    q.offer(DAY, fading(4))  # chief
    late = DAY + timedelta(days=14 + 8)
    assert q.unescalated(late - timedelta(days=1), "chief", after_days=7) == []  # not late enough yet
    (escalated,) = q.escalate(late, "chief", after_days=7)
    assert escalated.pair == (66, 3)
    assert [(i.pair, why) for i, why in q.unescalated(late, "chief", after_days=7)] == [
        ((66, 4), "chief already owns it")]
    # escalate_to is now the pair's own mentor: never given the items (the one chief had included), and said so
    assert q.escalate(late, "mentor66", after_days=7) == []
    assert [(i.pair, why) for i, why in q.unescalated(late, "mentor66", after_days=7)] == [
        ((66, 3), "mentor66 is one of the pair"), ((66, 4), "mentor66 is one of the pair")]


def test_tester_round_23_3_a_misspelt_escalate_to_gets_nothing_and_the_fixed_name_gets_the_items(store):
    q = CoordinatorQueue(store, "p", coordinators=["ann"], usernames={66: "mentor66"})
    q.offer(DAY, fading(3))
    late = DAY + timedelta(days=14 + 8)
    assert [(i.pair, why) for i, why in q.unescalated(late, "chiefx", after_days=7, no_user=True)] == [
        ((66, 3), "Moodle has no user chiefx ([health] escalate_to)")]
    assert [i.escalated_to for i in q.open_items()] == [None]  # nothing went to the misspelt name
    q.escalate(late, "chiefx", after_days=7)  # as before the fix: escalated to it all the same
    (again,) = q.escalate(late + timedelta(days=1), "chief", after_days=7)  # the name fixed: escalated again
    assert again.escalated_to == "chief"
    assert q.escalate(late + timedelta(days=2), "chief", after_days=7) == []  # once


def test_issue_13_an_item_from_before_the_revision_is_read_and_tracked(store):
    from lmsync.store.schema import coordinator_queue

    store.write(coordinator_queue.insert().values(
        programme="p", mentor_id=66, mentee_id=3, status="fading", reasons="[]",
        opened_on=DAY.isoformat(), last_seen_on=DAY.isoformat(),
    ))
    q = queue(store)
    (item,) = q.open_items()
    assert item.owner is None and item.due_on == DAY + timedelta(days=14)
    done = q.done((66, 3), "met", on=DAY + timedelta(days=1))
    assert done is not None and done.due_on == DAY + timedelta(days=28)


def test_issue_13_not_a_good_fit_pairs_are_recorded_once(store):
    forbids = PairForbids(store, "p")
    assert forbids.mark((66, 3), source="queue", on=DAY)
    assert not forbids.mark((66, 3), source="survey", on=DAY + timedelta(days=1))
    assert forbids.pairs() == {(66, 3): ("queue", DAY)}
    assert PairForbids(store, "other").pairs() == {}


def test_a_not_a_good_fit_answer_given_before_a_rematch_on_the_programme_day_spares_the_new_pair(store):
    """Mentee 3 answered "not a good fit" on 2 December (Auckland), about mentor 66; at 22:35 UTC that
    day (3 December in Auckland) lmsync re-matched them to mentor 77. The new pair was dated the UTC
    day, 2 December, so the answer about the former mentor counted against the new one."""
    from lmsync.domain.instruments import SurveyAnswer
    from lmsync.domain.plan import mentor_group_idnumber
    from lmsync.service.health import not_a_good_fit_answers
    from lmsync.store.pairings import PairingHistory
    from lmsync.store.surveys import SurveyRepository

    config = Config.model_validate({"programme": {"name": "p", "timezone": "Pacific/Auckland"},
                                    "health": {"not_a_good_fit_item": "relationship_satisfaction_mentee.rs4"}})
    history = PairingHistory(store, "p")
    history.record("add_member", [(mentor_group_idnumber("p", 66), 3)], at="2026-11-01T09:00:00.000+00:00")
    history.record("remove_member", [(mentor_group_idnumber("p", 66), 3)], at="2026-12-02T22:35:00.000+00:00")
    history.record("add_member", [(mentor_group_idnumber("p", 77), 3)], at="2026-12-02T22:35:00.000+00:00")
    answer = SurveyAnswer(3, "relationship_satisfaction_mentee", date(2026, 12, 2), "rs4", "yes", "csv")
    SurveyRepository(store, "p").save([(answer, "test")])
    assert not_a_good_fit_answers(config, store, [(77, 3)], as_of=date(2026, 12, 3)) == []
    # on 3 December (Auckland) mentee 3 had mentor 66 until 11:35, then 77: an answer of that day naming no one
    # may be about either, so it marks neither (tester round 127, 1); one naming 77 counts
    later = SurveyAnswer(3, "relationship_satisfaction_mentee", date(2026, 12, 3), "rs4", "yes", "csv")
    SurveyRepository(store, "p").save([(later, "test")])
    assert not_a_good_fit_answers(config, store, [(77, 3)], as_of=date(2026, 12, 3)) == []
    named = SurveyAnswer(3, "relationship_satisfaction_mentee", date(2026, 12, 3), "rs4", "yes", "csv", about_id=77)
    SurveyRepository(store, "p").save([(named, "test")])  # said of the new mentor: it counts
    assert not_a_good_fit_answers(config, store, [(77, 3)], as_of=date(2026, 12, 3)) == [(77, 3)]


def test_issue_13_a_forbidden_pair_reaches_the_matching_input(store):
    from lmsync.service.health import with_forbidden_pairs

    config = Config()
    same, none = with_forbidden_pairs(config, store)
    assert same is config and none == []
    PairForbids(store, config.programme.name).mark((66, 3), source="queue", on=DAY)
    changed, pairs = with_forbidden_pairs(config, store)
    assert pairs == [(66, 3)] and changed.matching.forbids == [("id:3", "id:66")]
    assert config.matching.forbids == []  # the loaded configuration is left alone


def test_issue_13_a_digest_row_is_unique_per_coordinator_and_day(store):
    log = DigestLog(store, "p")
    with store.transaction() as conn:
        log.intent(conn, recipient_id=9, day=DAY, items=3)
    assert log.on(9, DAY) is not None and log.on(9, DAY + timedelta(days=1)) is None
    with pytest.raises(IntegrityError), store.transaction() as conn:
        log.intent(conn, recipient_id=9, day=DAY, items=1)
    assert len(log.records()) == 1


def test_issue_13_the_new_tables_come_with_a_new_revision(store):
    assert head_revision() >= "0003"  # 0003 made them; a later revision keeps them
    with store.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    assert {"queue_tracking", "pair_forbids", "digests"} <= names


# --- nudges: one message per person, a daily cap, quiet hours -------------------------------------


def nudge(recipient: int, mentee: int, status: str = "at_risk") -> PlannedNudge:
    return PlannedNudge(66, mentee, recipient, f"u{recipient}", "mentor", "no_meeting", status, f"about {mentee}")


def test_issue_13_one_message_per_person_covers_all_of_their_pairs_most_pressing_first():
    planned = [nudge(66, 3), nudge(3, 3), nudge(66, 4, "fading"), nudge(4, 4, "fading")]
    groups = group_messages(planned)
    assert [[n.mentee_id for n in g] for g in groups] == [[4], [3, 4], [3]]
    assert [g[0].recipient_id for g in groups] == [4, 66, 3]
    assert message_text(groups[1]) == "about 3\n\nabout 4"


def test_issue_13_the_daily_cap_and_one_message_a_day():
    groups = group_messages([nudge(r, r) for r in (3, 4, 5, 6)])
    send, capped, already = apply_cap(groups, already_today={4}, sent_today=1, cap=3)
    assert [g[0].recipient_id for g in send] == [3, 5] and capped == 1 and already == 1
    send, capped, _ = apply_cap(groups, already_today=set(), sent_today=0, cap=0)
    assert send == [] and capped == 4


@pytest.mark.parametrize(
    ("hours", "local", "quiet"),
    [
        ("21:00-08:00", "22:30", True),
        ("21:00-08:00", "07:59", True),
        ("21:00-08:00", "08:00", False),
        ("21:00-08:00", "12:00", False),
        ("12:00-13:00", "12:30", True),
        ("", "03:00", False),
    ],
)
def test_issue_13_quiet_hours_are_local_to_the_programme_timezone(hours, local, quiet):
    config = Config.model_validate(
        {"programme": {"timezone": "Pacific/Auckland"}, "nudges": {"quiet_hours": hours}}
    )
    from zoneinfo import ZoneInfo

    h, m = (int(x) for x in local.split(":"))
    instant = datetime(2026, 12, 1, h, m, tzinfo=ZoneInfo("Pacific/Auckland")).astimezone(UTC)
    assert in_quiet_hours(config, instant) is quiet


def test_issue_13_bad_quiet_hours_timezone_or_exam_pattern_are_config_errors():
    for data in (
        {"nudges": {"quiet_hours": "9pm-8am"}},
        {"programme": {"timezone": "Mars/Olympus"}},
        {"nudges": {"exam_pattern": "(exam"}},
    ):
        with pytest.raises(ValueError):
            Config.model_validate(data)


def test_round_3_finding_1_a_pair_closed_as_ended_is_never_queued_again(store):
    """Tester round 3, finding 1: ``--outcome closed`` (the pair has ended) came back as a new item
    once ``requeue_after_days`` had passed, and both people were nudged again."""
    q = queue(store, requeue_after_days=28)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    q.done((66, 3), "closed", on=DAY + timedelta(days=2))
    q.done((66, 4), "no_action", on=DAY + timedelta(days=2))
    later = DAY + timedelta(days=60)
    assert q.offer(later, fading(3)) == "ended"
    assert q.offer(later, fading(4)) == "added"  # no action is not an end: it fades again, it is queued
    assert [i.pair for i in q.open_items()] == [(66, 4)]
    assert [i.outcome for i in q.items((66, 3))] == ["closed"]


def test_round_3_finding_8_met_after_an_ack_on_the_same_day_keeps_the_item_open(store):
    """Tester round 3, finding 8: met, ack, met on one day closed the item, while met, ack, met
    on different days (and met twice) kept it open."""
    q = queue(store)
    q.offer(DAY, fading(3))
    first = q.done((66, 3), "met", on=DAY + timedelta(days=5))
    assert first is not None and first.acked_on is None
    acked = q.ack((66, 3), on=DAY + timedelta(days=5))
    assert acked is not None and acked.acked_on is not None
    again = q.done((66, 3), "met", on=DAY + timedelta(days=5), note="spoke again")
    assert again is not None and again.acked_on is None and again.note == "spoke again"
    assert again.due_on == first.due_on and again.followups == first.followups  # moved once that day
    assert [i.pair for i in q.open_items()] == [(66, 3)]


def test_round_35_1_a_second_met_on_one_day_keeps_its_note(store):
    """Tester round 35, 1: `queue done --outcome met --note` twice on one day said "met recorded", exit 0,
    and dropped the second note; a coordinator logging each follow-up lost the record."""
    q = queue(store)
    q.offer(DAY, fading(3))
    day = DAY + timedelta(days=5)
    first = q.done((66, 3), "met", on=day, note="first")
    again = q.done((66, 3), "met", on=day, note="second")
    assert again is not None and again.note == "first / second"
    assert again.due_on == first.due_on and again.followups == first.followups  # still moved once that day
    assert q.done((66, 3), "met", on=day).note == "first / second"  # no note: nothing added
    assert [i.note for i in q.items((66, 3))] == ["first / second"]
