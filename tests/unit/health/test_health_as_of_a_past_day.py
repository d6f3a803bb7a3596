"""Tester round 102a (built-in emulator, daily runs, then a mentee's and a mentor's enrolment suspended):
``lmsync health --as-of`` a past day, asked later.

1. The view listed the queue items paused after that day ("paused since 2026-11-16" on a view of 2026-11-10, and on
   one of a day before the programme began): a past day lists only the items paused on or before it.
2. A past day's pairs lost those whose people were suspended since (today's account state: "7 circle member(s) left
   out", today's left-out members counted on top): that day's pairs are the pairing history's, people away since
   judged and named; a pair lmsync's own record of that day left out stays out. Today's rule is unchanged.
5. ``queue list`` said "(last flagged DAY)" of a paused item, DAY the pause's and its reasons an earlier judgement's:
   it says "(paused on DAY)".
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from lmsync.render.formats import render
from lmsync.render.health import health_view, queue_view
from lmsync.service import health
from lmsync.service.directory import people_of
from lmsync.service.moodle import open_moodle
from lmsync.store.snapshots import HealthSnapshots
from tests.unit.health.test_resumed_pair import synced as synced  # noqa: F401  (fixture)

COURSE = 2


def _view(config, site, store, day):
    with open_moodle(config, site=site) as conn:
        return health.run_health(conn.api, config, store, as_of=day, record=False)


def _suspended_since(synced):  # noqa: F811
    """The history backdated 60 days, then one mentee's enrolment suspended today (no sync since: still in the
    circle group, left out today). Returns (config, site, store, today, the pair)."""
    config, site, store, history, today, stamp = synced
    store.write(text("UPDATE pairing_history SET joined_at = :at"), {"at": stamp(60)})
    pair = history.open_pairs()[0]
    site.courses[COURSE].enrolments[pair[1]].suspended = True
    return config, site, store, today, pair


def test_a_past_day_judges_its_pairs_with_someone_suspended_since_and_names_them(synced):  # noqa: F811
    config, site, store, today, pair = _suspended_since(synced)
    now = _view(config, site, store, today)  # today's rule: left out, counted
    assert pair not in [(v.health.mentor_id, v.health.mentee_id) for v in now.assessment.pairs]
    assert now.assessment.skipped_inactive == 1
    then = _view(config, site, store, today - timedelta(days=10))
    judged = {(v.health.mentor_id, v.health.mentee_id): v for v in then.assessment.pairs}
    assert pair in judged and then.assessment.skipped_inactive == 0, then.assessment.skipped_inactive
    assert len(judged) == len(now.assessment.pairs) + 1 and then.assessment.away_since == 1
    assert judged[pair].mentee_username == site.users[pair[1]].username  # named by their account
    people = people_of(config, then.assessment.roster)
    shown = render(health_view(then, people, today=today), "text")
    assert "left out" not in shown and people.pair(*pair) in shown
    assert "That day's pairs as lmsync's pairing history has them (1 with someone no longer active" in shown
    assert "`lmsync report --as-of` counts the health recorded that day" in shown
    assert "pairing history" not in render(health_view(now, people_of(config, now.assessment.roster), today=today),
                                           "text")


def test_a_pair_the_days_own_health_record_left_out_stays_out_of_that_day(synced):  # noqa: F811
    config, site, store, today, pair = _suspended_since(synced)
    day = today - timedelta(days=5)  # the day's recorded run judged every pair but this one: away already then
    others, _left_out = health.circle_pairs(config.programme.name, _snapshot(config, site))  # not the pair
    HealthSnapshots(store, config.programme.name).replace_day(
        day, health.assess_pairs(config, store, others, as_of=day).healths)
    then = _view(config, site, store, day)
    assert pair not in [(v.health.mentor_id, v.health.mentee_id) for v in then.assessment.pairs]
    assert then.assessment.skipped_inactive == 1 and then.assessment.away_since == 0
    shown = render(health_view(then, people_of(config, then.assessment.roster), today=today), "text")
    assert "(1 pair(s) left out: someone in them is not active in the course today, and lmsync's health" in shown
    earlier = _view(config, site, store, today - timedelta(days=10))  # no record of that day: judged
    assert pair in [(v.health.mentor_id, v.health.mentee_id) for v in earlier.assessment.pairs]


def _snapshot(config, site):
    from lmsync.service.observe import observe

    with open_moodle(config, site=site) as conn:
        return observe(conn.api, config)


def _paused(synced):  # noqa: F811
    """A pair fading 20 days ago, queued then, its item paused 3 days ago. Returns (config, site, store, today,
    the pair, the queue)."""
    config, site, store, history, today, stamp = synced
    store.write(text("UPDATE pairing_history SET joined_at = :at"), {"at": stamp(100)})
    pair = history.open_pairs()[0]
    (fading,) = health.assess_pairs(config, store, [pair], as_of=today - timedelta(days=20)).healths
    assert fading.status == "fading", fading
    queue = health._queue(config, store)
    assert queue.offer(today - timedelta(days=20), fading) == "added"
    others = set(history.open_pairs()) - {pair}
    assert [i.pair for i in queue.pause_gone(today - timedelta(days=3), others, lambda p: "gone away")] == [pair]
    return config, site, store, today, pair, queue


def test_a_past_days_view_lists_only_the_items_paused_on_or_before_it(synced):  # noqa: F811
    config, site, store, today, pair, _queue = _paused(synced)
    paused_on = today - timedelta(days=3)
    before = _view(config, site, store, today - timedelta(days=10))
    assert before.paused == []
    shown = render(health_view(before, people_of(config, before.assessment.roster), today=today), "text")
    assert "paused since" not in shown and "queue item(s) paused" not in shown
    for day in (paused_on, today - timedelta(days=1), today):
        assert [i.pair for i in _view(config, site, store, day).paused] == [pair], day
    # a day before lmsync paired anyone (as a day before the programme began): nothing paused yet either
    assert _view(config, site, store, today - timedelta(days=200)).paused == []


def test_queue_list_says_the_day_a_paused_item_was_paused_not_last_flagged(synced):  # noqa: F811
    config, _site, store, today, pair, queue = _paused(synced)
    (item,) = [i for i in queue.open_items() if i.pair == pair]
    shown = render(queue_view([item], people_of(config, {}), today=today), "text")
    paused_on = (today - timedelta(days=3)).isoformat()
    assert f"(paused on {paused_on}): gone away" in shown, shown
    assert "last flagged" not in shown
