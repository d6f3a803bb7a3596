"""the exam pattern, the held message, counts in messages, one greeting per merged message, log counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import structlog

from lmsync.cli.health import nudge_text
from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason
from lmsync.moodle.models.message import CalendarEvent, CalendarEventsResult
from lmsync.service.health import Assessment, PairView
from lmsync.service.nudges import message_text, plan_nudges, send_nudges
from lmsync.store.db import Store

DAY = date(2026, 12, 16)
NOW = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)  # inside the recorded exam block (14-19 Dec, UTC)
EXAM = CalendarEvent(id=4, name="Exam block: Anatomy finals", timestart=1797206400, timeduration=432000)
TUTORIAL = CalendarEvent(id=6, name="Worked examples tutorial", timestart=1797206400, timeduration=432000)


class FakeApi:
    def __init__(self, events: list[CalendarEvent]) -> None:
        self.events = events

    def get_calendar_events(self, **_: Any) -> CalendarEventsResult:
        return CalendarEventsResult(events=self.events)

    def get_users_by_field(self, field: str, values: list[int]) -> list[Any]:
        return []


@pytest.fixture
def store() -> Iterator[Store]:
    db = Store.memory()
    yield db
    db.close()


def health(mentor: int, mentee: int, status: str = "fading") -> PairHealth:
    reasons = (Reason("no_meeting", status, "no meeting"),)
    return PairHealth(mentor, mentee, status, reasons, DAY - timedelta(days=100), None, 37)  # type: ignore[arg-type]


def assessment(*healths: PairHealth) -> Assessment:
    views = [PairView(h, f"m{h.mentor_id:04d}", f"s{h.mentee_id:04d}") for h in healths]
    return Assessment(DAY, views, {}, course_id=2)


# one mentor (66) with three pairs, and one (70) with one: 6 messages (6 people) for 8 pair nudges
THREE_AND_ONE = (health(66, 3), health(66, 4), health(66, 5), health(70, 6))


def test_the_default_exam_pattern_is_whole_words_and_a_worked_examples_tutorial_holds_nothing(store):
    report = send_nudges(FakeApi([TUTORIAL]), Config(), store, assessment(*THREE_AND_ONE), dry_run=True, now=NOW)
    assert report.held is None and len(report.messages) == 6


def test_the_held_message_names_the_exam_block_and_until_when(store):
    report = send_nudges(
        FakeApi([TUTORIAL, EXAM]), Config(), store, assessment(*THREE_AND_ONE), dry_run=True, now=NOW
    )
    # the day they go again, not "until" it, read as held through it (tester round 59, 9)
    assert report.held == 'exam block "Exam block: Anatomy finals" (nudges resume on 2026-12-19)'
    assert 'held: exam block "Exam block: Anatomy finals" (nudges resume on 2026-12-19)' in nudge_text(report)


def test_dry_run_counts_messages_not_pair_nudges(store):
    report = send_nudges(FakeApi([]), Config(), store, assessment(*THREE_AND_ONE), dry_run=True, now=NOW)
    text = nudge_text(report)
    assert len(report.planned) == 8
    assert "Would send on 2026-12-16: 6 message(s) to 6 people about 4 pair(s)" in text
    assert text.count("  to ") == 6


def test_dry_run_with_daily_cap_0_says_nudges_are_switched_off(store):
    """A cap of 0 switches nudges off: held and said so, not "left for tomorrow" every day (tester round 56, 6)."""
    config = Config.model_validate({"nudges": {"daily_cap": 0}})
    report = send_nudges(FakeApi([]), config, store, assessment(*THREE_AND_ONE), dry_run=True, now=NOW)
    text = nudge_text(report)
    assert "Would hold on 2026-12-16: 6 message(s)" in text
    assert "held: [nudges] daily_cap = 0 switches nudges off" in text and "left for tomorrow" not in text


def test_a_merged_message_greets_once_then_one_paragraph_per_pair(store):
    names = {66: "Ifeoma", 3: "Ada", 4: "Bo", 5: "Cy"}
    planned, _ = plan_nudges(Config(), store, assessment(health(66, 3), health(66, 4), health(66, 5)), names)
    mine = [n for n in planned if n.recipient_id == 66]
    text = message_text(mine)
    assert text.count("Hello Ifeoma") == 1
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Hello Ifeoma,"
    assert len(paragraphs) == 4 and all(p.startswith("It's been 5 weeks") for p in paragraphs[1:])
    assert [p for p in paragraphs[1:] if "with Ada." in p] and [p for p in paragraphs[1:] if "with Cy." in p]
    (ada,) = [n for n in planned if n.recipient_id == 3]
    assert message_text([ada]) == ada.text  # a single pair's message is the template text as is


def test_tester_round_83_2_mentees_sharing_a_first_name_are_told_apart_in_one_message(store):
    """Tester round 83, finding 2: mentor Ben read that his meetings "with Pedro" did not happen and
    that those "with Pedro" were short: Pedro Mensah and Pedro Takahashi. A first name that repeats
    among the people one message names gets the surname's initial, then the full name; others stay."""
    from lmsync.moodle.models.users import User

    class Named(FakeApi):
        def get_users_by_field(self, field: str, values: list[int]) -> list[Any]:
            people = {66: ("Ben", "Okafor"), 3: ("Pedro", "Mensah"), 4: ("Pedro", "Takahashi"), 5: ("Ada", "Obi"),
                      70: ("Ana", "Silva"), 6: ("Pedro", "Mendes"), 7: ("Pedro", "Moreno"), 8: ("Pedro", "Mensah")}
            return [User(id=u, username=f"u{u}", firstname=f, lastname=last)
                    for u, (f, last) in people.items() if u in values]

    pairs = (health(66, 3), health(66, 4), health(66, 5), health(70, 6), health(70, 7), health(70, 8))
    report = send_nudges(Named([]), Config(), store, assessment(*pairs), dry_run=True, now=NOW)
    texts = {g[0].recipient_id: message_text(g) for g in report.messages}
    ben = texts[66]
    assert "with Pedro M." in ben and "with Pedro T." in ben and "with Ada." in ben  # Ada's name is not repeated
    assert "with Pedro." not in ben and ben.startswith("Hello Ben,")
    # same initial (Mendes, Moreno, and a second Pedro Mensah): full names, the same full name as it is
    ana = texts[70]
    assert "with Pedro Mendes." in ana and "with Pedro Moreno." in ana and "with Pedro Mensah." in ana
    assert "with Pedro M." not in ana
    # a message naming one Pedro, or each Pedro's own message, keeps the first names
    assert texts[3].startswith("Hello Pedro,") and "with Ben." in texts[3] and "with Ben." in texts[4]
    solo, _ = plan_nudges(Config(), store, assessment(health(66, 3), health(66, 5)), {66: "Ben", 3: "Pedro", 5: "Ada"})
    assert "with Pedro." in message_text([n for n in solo if n.recipient_id == 66])
    # round 86b, 9: one Pedro due, the other Pedro doing well: still told apart, as Ben has two
    fine = PairHealth(66, 4, "ok", (), DAY - timedelta(days=100), DAY, 0)
    alone = send_nudges(Named([]), Config(), store, assessment(health(66, 3), fine), dry_run=True, now=NOW)
    (ben_only,) = [message_text(g) for g in alone.messages if g[0].recipient_id == 66]
    assert "with Pedro M." in ben_only and "Pedro T." not in ben_only, ben_only


def test_nudge_done_counts_sent_messages_as_the_cycle_step_does(store, monkeypatch):
    from lmsync.service import nudges

    class Outcome:
        def __init__(self, nudge: Any) -> None:
            self.nudge, self.state, self.msgid, self.error = nudge, "sent", 1, None

    def send_all(self: Any, planned: list[Any]) -> tuple[list[Any], list[Any]]:
        return [Outcome(n) for n in planned], []

    monkeypatch.setattr(nudges.NudgeSender, "send_all", send_all)
    with structlog.testing.capture_logs() as logs:
        report = send_nudges(FakeApi([]), Config(), store, assessment(*THREE_AND_ONE), now=NOW)
    (done,) = [e for e in logs if e["event"] == "nudge.done"]
    assert done["sent"] == 6 == len({o.nudge.recipient_id for o in report.sent})  # cycle.step's count
    assert done["pair_nudges_sent"] == 8


def test_tester_finding_6_a_pair_the_coordinator_closed_is_not_nudged(store):
    """Tester finding 6: ``queue done ... --outcome closed`` (the pair has ended), and both people
    were still told to meet. The pair is skipped, and no later item reopens it (tester round 3, 1)."""
    from lmsync.store.queue import CoordinatorQueue

    queue = CoordinatorQueue(store, "mentoring")
    queue.offer(DAY - timedelta(days=3), health(66, 3))
    queue.offer(DAY - timedelta(days=3), health(66, 4))
    queue.done((66, 3), "closed", on=DAY - timedelta(days=1))
    queue.done((66, 4), "met", on=DAY - timedelta(days=1))
    config = Config.model_validate({"programme": {"name": "mentoring"}})
    planned, _ = plan_nudges(config, store, assessment(health(66, 3), health(66, 4)), {})
    assert {n.mentee_id for n in planned} == {4}


def test_tester_finding_11_a_pairs_two_people_stand_together_before_the_cap():
    """Tester finding 11: with a daily cap the mentee of a pair was told today and its mentor
    tomorrow (people were ordered by Moodle id). A pair's two people now sit side by side."""
    from lmsync.service.nudges import PlannedNudge, apply_cap, group_messages

    def nudge(mentor: int, mentee: int, recipient: int) -> PlannedNudge:
        role = "mentor" if recipient == mentor else "mentee"
        return PlannedNudge(mentor, mentee, recipient, f"u{recipient}", role, "no_meeting", "at_risk", "x")  # type: ignore[arg-type]

    planned = [nudge(m, e, r) for m, e in ((90, 1), (91, 2), (92, 3)) for r in (m, e)]
    order = [g[0].recipient_id for g in group_messages(planned)]
    assert order == [1, 90, 2, 91, 3, 92]  # before: 1, 2, 3, 90, 91, 92
    send, capped, _ = apply_cap(group_messages(planned), already_today=set(), sent_today=0, cap=4)
    assert [g[0].recipient_id for g in send] == [1, 90, 2, 91] and capped == 2


def test_round_3_finding_2_the_cap_sends_a_pairs_two_people_together_longest_wait_first():
    """Tester round 3, finding 2: under daily_cap = 3 the mentee of the second pair was told to
    suggest a time while the mentor waited for tomorrow, and the pair with the shortest wait went
    first (pairs were ordered by mentor id)."""
    from lmsync.service.nudges import PlannedNudge, apply_cap, group_messages

    def nudge(mentor: int, mentee: int, recipient: int, days: int) -> PlannedNudge:
        role = "mentor" if recipient == mentor else "mentee"
        return PlannedNudge(mentor, mentee, recipient, f"u{recipient}", role, "no_meeting", "fading", "x",  # type: ignore[arg-type]
                            days_since=days)

    waits = {(90, 1): 73, (91, 2): 86, (92, 3): 85}
    planned = [nudge(m, e, r, waits[m, e]) for m, e in waits for r in (m, e)]
    groups = group_messages(planned)
    assert [g[0].recipient_id for g in groups] == [2, 91, 3, 92, 1, 90]  # 86 days, then 85, then 73
    send, capped, _ = apply_cap(groups, already_today=set(), sent_today=0, cap=3)
    assert [g[0].recipient_id for g in send] == [2, 91] and capped == 4  # not 2, 91 and 3 without 92
    # someone already told today leaves their pair's other person free to go alone
    send, capped, already = apply_cap(groups, already_today={2}, sent_today=1, cap=3)
    assert [g[0].recipient_id for g in send] == [91] and capped == 4 and already == 1  # 3 and 92 wait together
    # a mentor with more mentees than the whole cap goes whole on a fresh day, over the cap, one message each
    # (tester round 104b, 5; before: cut to the pairs that fitted, round 56, 1, its mentor messaged again the next day)
    crowd = group_messages([nudge(80, e, r, 40) for e in (11, 12, 13, 14) for r in (80, e)])
    send, capped, _ = apply_cap(crowd, already_today=set(), sent_today=0, cap=3)
    assert sorted(g[0].recipient_id for g in send) == [11, 12, 13, 14, 80] and capped == 0
    (mentor,) = [g for g in send if g[0].recipient_id == 80]
    assert {n.mentee_id for n in mentor} == {11, 12, 13, 14}
    mentees_first = [g for g in crowd if g[0].recipient_id != 80] + [g for g in crowd if g[0].recipient_id == 80]
    send, capped, _ = apply_cap(mentees_first, already_today=set(), sent_today=0, cap=3)
    assert len(send) == 5 and capped == 0
    send, capped, _ = apply_cap(crowd, already_today=set(), sent_today=1, cap=3)
    assert send == [] and capped == 5  # not on a day the cap is partly spent: it starts tomorrow's
    send, capped, _ = apply_cap(crowd + groups, already_today=set(), sent_today=0, cap=3)
    assert len(send) == 5 and capped == 6  # nobody else that day


def test_round_56_2_a_stopped_nudge_step_counts_the_pairs_it_sent_about_not_those_planned(monkeypatch):
    """Stopped after two messages, the run line said "9 message(s) sent about 60 pair(s)": 60 were planned."""
    from datetime import date
    from types import SimpleNamespace

    from lmsync.service import cycle, nudges
    from lmsync.service.nudges import NudgeOutcome, NudgeReport, PlannedNudge

    planned = [PlannedNudge(m, e, r, f"u{r}", "mentor" if r == m else "mentee", "no_meeting", "fading", "x")  # type: ignore[arg-type]
               for m, e in ((90, 1), (91, 2), (92, 3)) for r in (m, e)]
    report = NudgeReport(as_of=date(2026, 9, 22), dry_run=False, run_id="r", planned=planned,
                         messages=[[n] for n in planned], stopped=True, not_attempted=planned[2:],
                         outcomes=[NudgeOutcome(n, "sent") for n in planned[:2]])
    monkeypatch.setattr(nudges, "send_nudges", lambda *a, **k: report)
    run = SimpleNamespace(api=None, config=None, store=None, now=None, allow_mass_nudge=False, should_stop=lambda: True,
                          outputs={"health": SimpleNamespace(assessment=None)})
    step = cycle._nudges(run)  # type: ignore[arg-type]
    assert step.summary.startswith("2 message(s) sent about 1 pair(s)") and step.summary.endswith("stopped on request")
