"""Tester R44b-3 on the emulator: a fading pair is queued, then its mentee's enrolment is suspended.

The pair is no longer judged (the sync takes the mentee out of the circle; ``lmsync health`` alone
leaves them out as without an active enrolment), but its open item stayed open for ever: overdue,
escalated to ``[health] escalate_to`` and in the coordinator's digest every day. The next recording
health run pauses it (status ``gone``, a note saying why), says so, does not escalate it, and the digest
lists it once as paused, not as overdue. Back in the circle, the pair takes its item up again with its
due date, owner and escalation (round 46, 3: closing it and opening a new one had wiped them).
"""

from __future__ import annotations

import html
import json
from datetime import timedelta

from lmsync.render.formats import render
from lmsync.render.health import health_view
from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.service.directory import people_of
from lmsync.service.established import ended_by_coordinator
from lmsync.store.db import Store
from lmsync.store.queue import CoordinatorQueue
from tests.flows.test_cycle import AS_OF, NOON, PROGRAMME, at, circle_pairs, setup, user_id
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

COURSE = 2
SUSPENDED = "the mentee is no longer active in the course (enrolment suspended, ended, or unenrolled)"


def items_of(config, pair):
    store = Store(config.store_path())
    try:
        return CoordinatorQueue(store, PROGRAMME).items(pair)
    finally:
        store.close()


def section(message: str, head: str) -> str:
    """The section of a digest (as Moodle shows plain text: ``<p>``, ``<br />``) whose first line starts
    with ``head`` ("" when there is none)."""
    text = html.unescape(message.removeprefix("<p>").removesuffix("</p>").replace("<br />\n", "\n"))
    return next((block for block in text.split("\n\n") if block.startswith(head)), "")


def queued_then_suspended(tmp_path, site):
    """The cycle at AS_OF queues the lapsed pair (and the other fading ones); then the lapsed pair's
    mentee's enrolment is suspended. Returns (config, cases, the pair, the open items at AS_OF)."""
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    pair = cases["lapsed"]
    items = health.queue_list(config)
    assert pair in [i.pair for i in items] and len(items) >= 2
    site.courses[COURSE].enrolments[pair[1]].suspended = True
    return config, cases, pair, items


def test_r44b_3_the_run_after_a_mentees_enrolment_is_suspended_pauses_their_pairs_item(
        tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases, pair, items = queued_then_suspended(tmp_path, site)
    (owner,) = {i.owner for i in items if i.pair == pair}
    late = 14 + 8  # every item overdue past escalate_after_days: escalated, but not the pair gone
    day = AS_OF + timedelta(days=late)
    before = len(site.messages)
    result = cycle_job(config, site=site, now=at(late), as_of=day)
    step = result.step("health")
    assert step.state == "ok" and step.counts["paused_not_in_programme"] == 1, step.summary
    assert step.counts["paused_by_this_run"] == 1
    assert "1 queue item(s) paused (the pair is no longer in the programme), 1 of them by this run" in step.summary
    assert step.counts["escalated"] == len(items) - 1
    (paused,) = [i for i in health.queue_list(config) if i.pair == pair]  # still listed, open
    assert paused.status == "gone" and paused.acked_on is None and paused.outcome is None
    assert paused.escalated_to is None and paused.overdue_days(day) == 0 and paused.owner == owner
    assert paused.note == f"paused by lmsync on {day.isoformat()}: the pair is no longer in the programme ({SUSPENDED})"
    # the owner's digest names it once as paused, never as due or overdue; the escalate_to's never names it
    mentee = site.users[pair[1]].username
    sent = {m["useridto"]: m["text"] for m in site.messages[before:]}
    text = sent[user_id(site, owner)]
    head = ("Paused, the pair no longer in the programme (1; nothing is due unless the pair is back in a circle; each "
            "stays open until an outcome is recorded):")  # nobody away when a mentee was moved (tester round 114b, 3)
    assert mentee in section(text, head) and SUSPENDED in section(text, head)
    assert mentee not in section(text, "Queue items due or overdue") and mentee not in section(text, "Newly")
    chief = sent[user_id(site, cases["chief"])]
    assert "overdue" in chief and mentee not in chief
    # the next run: nothing more to pause, nothing escalated, the same one item, still said to be paused
    # (tester round 50, 10: the count went to 0 while the item stayed paused)
    again = cycle_job(config, site=site, now=at(late + 1), as_of=day + timedelta(days=1))
    still = again.step("health")
    assert still.counts["paused_not_in_programme"] == 1 and still.counts["paused_by_this_run"] == 0
    assert "1 queue item(s) paused (the pair is no longer in the programme)" in still.summary
    assert "by this run" not in still.summary
    assert [i.id for i in items_of(config, pair)] == [paused.id]
    # back in the programme: the sync returns the mentee to their mentor; still fading (no meeting since), the
    # same item takes it up with its owner, its due date moved on by the days paused (nothing is due meanwhile:
    # tester round 65, 4), overdue as it was, so it escalates now
    site.courses[COURSE].enrolments[pair[1]].suspended = False
    back = cycle_job(config, site=site, now=at(late + 2), as_of=day + timedelta(days=2))
    assert back.step("sync").state == "ok" and pair in circle_pairs(site)
    assert back.step("health").counts["queued"] == 0 and back.step("nudges").counts["pairs_flagged"] >= 1
    (resumed,) = items_of(config, pair)
    assert resumed.id == paused.id and resumed.status == "fading" and resumed.acked_on is None
    paused_days = (day + timedelta(days=2) - paused.last_seen_on).days
    assert resumed.owner == owner and resumed.due_on == paused.due_on + timedelta(days=paused_days)
    assert resumed.escalated_to is not None


def test_r44b_3_lmsync_health_alone_pauses_it_and_says_so_but_never_the_as_of_view(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, _cases, pair, _items = queued_then_suspended(tmp_path, site)
    day = AS_OF + timedelta(days=3)
    view = health.health_job(config, site=site, as_of=day, record=False)  # `lmsync health --as-of`: writes nothing
    assert view.gone == [] and items_of(config, pair)[-1].acked_on is None
    report = health.health_job(config, site=site, as_of=day)  # no sync: the mentee is still in the circle group
    assert report.assessment.skipped_inactive == 1
    assert [i.pair for i in report.gone] == [pair] and report.gone[0].gone_why == SUSPENDED
    people = people_of(config, report.assessment.roster)
    text = render(health_view(report, people), "text")
    assert "1 queue item(s) paused: the pair is no longer in the programme: " in text
    assert f"{people.pair(*pair)} ({SUSPENDED}; paused by this run)" in text
    assert json.loads(render(health_view(report, people), "json"))["paused_not_in_programme"] == 1
    # a coordinator's closed on the paused item is theirs to record, and ends the pair
    done = health.queue_done(config, pair, "closed", note="moved school", on=day)
    assert done.outcome == "closed" and done.note is not None and done.note.endswith(" / moved school")
    store = Store(config.store_path())
    assert pair in ended_by_coordinator(store, PROGRAMME)
    store.close()


def test_round_50_10_health_keeps_counting_an_item_paused_by_an_earlier_run(tmp_path, site_and_coordinators):
    """The health run after the one that paused an item reported ``paused_not_in_programme=0`` in JSON and said
    nothing in text while the item stayed paused: every run counts the items paused now, and apart those it
    paused itself (``paused_by_this_run``); the ``--as-of`` view counts them too."""
    site = site_and_coordinators
    config, _cases, pair, _items = queued_then_suspended(tmp_path, site)
    day = AS_OF + timedelta(days=3)
    first = health.health_job(config, site=site, as_of=day)
    assert [i.pair for i in first.gone] == [pair]
    for report in (health.health_job(config, site=site, as_of=day + timedelta(days=1)),
                   health.health_job(config, site=site, as_of=day + timedelta(days=2), record=False)):
        assert report.gone == [] and [i.pair for i in report.paused] == [pair]
        people = people_of(config, report.assessment.roster)
        data = json.loads(render(health_view(report, people), "json"))
        assert data["paused_not_in_programme"] == 1 and data["paused_by_this_run"] == 0
        text = render(health_view(report, people), "text")
        assert "1 queue item(s) paused: the pair is no longer in the programme: " in text
        assert f"{people.pair(*pair)} ({SUSPENDED}; paused since {day.isoformat()})" in text
    # an outcome recorded on it: no longer paused, no longer counted
    health.queue_done(config, pair, "closed", on=day + timedelta(days=2))
    after = health.health_job(config, site=site, as_of=day + timedelta(days=2))
    assert after.paused == [] and json.loads(render(health_view(after, people_of(config, after.assessment.roster)),
                                                    "json"))["paused_not_in_programme"] == 0


def test_second_pass_2_a_report_of_an_earlier_day_does_not_show_a_later_pause(tmp_path, site_and_coordinators):
    """The queue as a report --as-of an earlier day reads it: an item paused later was not paused that day
    (it read "paused <the as-of day>", the pause's day clamped to it); as of the pause's day it is, with
    that day."""
    from lmsync.service.labels import People
    from lmsync.service.report_sections import at_risk_table
    from lmsync.store.report import FlaggedPair, queue_states

    site = site_and_coordinators
    config, _cases, pair, _items = queued_then_suspended(tmp_path, site)
    late = 5
    day = AS_OF + timedelta(days=late)
    cycle_job(config, site=site, now=at(late), as_of=day)
    (paused,) = [i for i in health.queue_list(config) if i.pair == pair]
    assert paused.status == "gone"
    store = Store(config.store_path())
    try:
        before = queue_states(store, PROGRAMME, until=day - timedelta(days=2))[pair]
        on_the_day = queue_states(store, PROGRAMME, until=day)[pair]
        later = queue_states(store, PROGRAMME, until=day + timedelta(days=9))[pair]
    finally:
        store.close()
    assert before.status != "gone" and before.paused_on is None
    assert on_the_day.status == "gone" and on_the_day.paused_on == day and later.paused_on == day

    flagged = [FlaggedPair(pair[0], pair[1], "fading", None, ())]
    people = People({}, show_names=False)
    (row,) = at_risk_table(flagged, {pair: before}, people).rows
    assert "paused" not in row[-1]
    (row,) = at_risk_table(flagged, {pair: later}, people).rows
    assert row[-1] == "open, paused: the pair had left the programme"  # no date (tester finding after round 94b)


def test_round_51b_6_the_report_names_a_suspended_mentee_of_a_pair_at_risk_by_their_account(
        tmp_path, site_and_coordinators, monkeypatch):
    """The at-risk table read "user #15 (not in the course)" for a mentee whose enrolment was suspended: the
    report's names came from the active roster only. They come from the account while it exists."""
    from lmsync.service import programme_settings
    from lmsync.service.report import report_job

    site = site_and_coordinators
    config, _cases, pair, _items = queued_then_suspended(tmp_path, site)
    monkeypatch.setattr(programme_settings, "clock", lambda: NOON)
    data = report_job(config, as_of=AS_OF, site=site)
    mentee = site.users[pair[1]]
    rows = [r for r in data.at_risk.rows if mentee.username in r[1]]
    assert rows, [r[:2] for r in data.at_risk.rows]
    assert not [r for r in data.at_risk.rows if "not in the course" in r[0] + r[1]]
