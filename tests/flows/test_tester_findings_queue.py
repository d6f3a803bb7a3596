"""The tester's findings 6-8 on the coordinator queue: latest states in the list and the digest,
``done`` after ``ack``, and ``match`` applying the pairs marked not a good fit as plan does."""

from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason
from lmsync.render.health import queue_view
from lmsync.service.digest import run_digest
from lmsync.service.health import Assessment
from lmsync.service.labels import People
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from lmsync.store.snapshots import HealthSnapshots
from tests.flows.test_new_admin_part2 import env as env  # noqa: F401  (fixture)
from tests.flows.test_new_admin_part2 import run_cli, synced_with_a_pair_marked_not_a_good_fit

OLD = date(2026, 9, 10)
NEW = date(2026, 11, 28)


def _health(mentee: int, status: str, day: date, mentor: int = 66) -> PairHealth:
    reasons = (Reason("no_meeting", "fading", "no meeting for 81 days"),) if status == "fading" else ()
    return PairHealth(mentor, mentee, status, reasons, date(2026, 9, 1), day, 0)


def _both_queued(store: Store, day: date) -> CoordinatorQueue:
    """Mentees 3 and 4 of mentor 66 fading on ``day``: snapshot and queue, as ``lmsync health`` does."""
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    HealthSnapshots(store, "p").replace_day(day, [_health(3, "fading", OLD), _health(4, "fading", OLD)])
    for mentee in (3, 4):
        assert queue.offer(day, _health(mentee, "fading", OLD)) == "added"
    return queue


def _queued_then_recovered(store: Store) -> CoordinatorQueue:
    """A pair fading on one day (snapshot and queue, as ``lmsync health`` does), ok on a later one."""
    queue = _both_queued(store, NEW - timedelta(days=20))
    HealthSnapshots(store, "p").replace_day(NEW, [_health(3, "ok", NEW), _health(4, "fading", OLD)])
    assert queue.offer(NEW, _health(4, "fading", OLD)) == "updated"
    return queue


def test_finding_6_queue_list_shows_a_recovered_pair_with_its_latest_status_not_the_stale_reasons() -> None:
    store = Store.memory()
    queue = _queued_then_recovered(store)
    items = {i.pair: i for i in queue.open_items()}
    store.close()
    recovered, still = items[(66, 3)], items[(66, 4)]
    assert recovered.status == "recovered" and recovered.reasons == ()
    assert recovered.overdue_days(NEW + timedelta(days=60)) == 0  # never chased
    assert still.status == "fading" and still.reasons[0][1] == "no meeting for 81 days"
    rows = {r["pair"]: r for r in queue_view([recovered, still], People()).rows}
    assert rows["66-3"]["status"] == "recovered" and "no meeting" not in json.dumps(rows["66-3"]["lines"])
    # tester finding 12: a recovered item is never due, so the list shows no due date for it
    assert rows["66-3"]["due"] is None and "due" not in rows["66-3"]["extra"]
    assert rows["66-4"]["due"] is not None
    # tester round 56, 5: "recovered  since 2026-11-08" read as recovered since the day the item opened
    from lmsync.render.formats import table_lines

    lines = table_lines(queue_view([recovered], People()))
    assert any("recovered  item open since 2026-11-08  (last flagged 2026-11-08)" in line for line in lines), lines


def test_finding_6_the_digest_does_not_chase_a_recovered_pair_as_overdue() -> None:
    store = Store.memory()
    _queued_then_recovered(store)
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"coordinators": ["ann"]}})
    api = SimpleNamespace(get_users_by_field=lambda field, values: [SimpleNamespace(id=900, username="ann")])
    later = NEW + timedelta(days=13)
    report = run_digest(api, config, store, Assessment(later, [], {}), dry_run=True)  # type: ignore[arg-type]
    store.close()
    (digest,) = report.digests
    assert [i.pair for i in digest.items] == [(66, 4)]
    assert "user #3 " not in digest.text and "user #4 " in digest.text
    # the due item with its status and reasons, which a coordinator acts on (tester round 19, 2)
    assert "- fading: user #66 (not in the course) / user #4 (not in the course): no meeting for 81 days; due " in digest.text


def test_finding_7_an_acknowledged_item_still_takes_an_outcome() -> None:
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    queue.offer(OLD, _health(11, "fading", OLD, mentor=70))
    acked = queue.ack((70, 11), on=OLD + timedelta(days=1), note="phoning them")
    assert acked is not None and queue.open_items() == []
    done = queue.done((70, 11), "rematched", on=OLD + timedelta(days=3))
    assert done is not None and done.outcome == "rematched"
    assert done.acked_on == OLD + timedelta(days=1) and done.note == "phoning them"  # the ack is kept
    assert queue.done((70, 11), "closed", on=OLD + timedelta(days=4)) is None  # an outcome closed it
    queue.offer(OLD, _health(12, "fading", OLD, mentor=70))
    queue.ack((70, 12), on=OLD + timedelta(days=1))
    met = queue.done((70, 12), "met", on=OLD + timedelta(days=2))
    assert met is not None and met.acked_on is None and met.due_on is not None  # open again, followed up
    assert [i.pair for i in queue.open_items()] == [(70, 12)]
    store.close()


def test_finding_7_queue_list_ends_with_the_done_hint_not_ack() -> None:
    footer = queue_view([], People()).footer
    assert footer is not None and "lmsync queue done" in footer and "queue ack" not in footer


def test_finding_8_match_applies_the_pairs_marked_not_a_good_fit_as_plan_does(env: Any) -> None:  # noqa: F811
    config, site, _group, mentor, mentee = synced_with_a_pair_marked_not_a_good_fit(env, "queue")
    before = config.store_path().stat().st_mtime_ns
    matched = run_cli(env, "match", "--format", "json")
    assert matched.exit_code == 0, matched.output
    mentor_name, mentee_name = site.users[mentor].username, site.users[mentee].username
    assignments = json.loads(matched.stdout)["assignments"]
    assert assignments and not any(
        a["mentee"] == mentee_name and a["mentor"] == mentor_name for a in assignments
    ), "match kept a pair marked not a good fit"
    assert config.store_path().stat().st_mtime_ns == before  # read, nothing written


def test_third_tester_finding_7_a_newly_queued_item_already_recovered_shows_nothing_due() -> None:
    from lmsync.service.digest import digest_text

    store = Store.memory()
    queue = _queued_then_recovered(store)
    items = {i.pair: i for i in queue.open_items()}
    store.close()
    text = digest_text("p", NEW, [], [], lambda uid: f"user #{uid}", "ann", new_items=[items[(66, 3)], items[(66, 4)]])
    recovered = next(line for line in text.splitlines() if "user #3" in line)
    assert recovered == "- recovered: user #66 / user #3: ok again; nothing due"
    assert "due " in next(line for line in text.splitlines() if "user #4" in line)  # a fading one keeps its due date


def test_round_3_finding_7_an_item_without_an_owner_says_so_in_the_list() -> None:
    """Tester round 3, finding 7: the only coordinator was the pair's mentor, so the item had no
    owner, no digest listed it, and queue list showed nothing unusual."""
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["m66"], usernames={66: "m66", 4: "s4"})
    queue.offer(NEW, _health(4, "fading", OLD))
    (item,) = queue.open_items()
    store.close()
    assert item.owner is None
    (row,) = queue_view([item], People()).rows
    assert "no owner ([health] coordinators)" in row["extra"]


def _digest_on(store: Store, day: date, told: tuple[date, ...], flagged_on: date) -> Any:
    """Ann's digest on ``day``: she was sent one on each of ``told``; pair 66-5 was ok before ``flagged_on``
    and fading from it (snapshots as ``lmsync health`` stores them, one a day)."""
    from lmsync.store.messages import DigestLog

    snapshots = HealthSnapshots(store, "p")
    for offset in range((day - OLD).days):
        on = OLD + timedelta(days=offset)
        snapshots.replace_day(on, [_health(5, "fading" if on >= flagged_on else "ok", on)])
    log_ = DigestLog(store, "p")
    for on in told:
        log_.finish(log_.intent(store, recipient_id=900, day=on, items=1), "sent", msgid=1)
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"coordinators": ["ann"]}})
    api = SimpleNamespace(get_users_by_field=lambda field, values: [SimpleNamespace(id=900, username="ann")])
    view = SimpleNamespace(health=_health(5, "fading", day))
    return run_digest(api, config, store, Assessment(day, [view], {}), dry_run=True)  # type: ignore[arg-type]


def test_round_19_1_pairs_flagged_on_a_day_whose_digest_quiet_hours_held_reach_the_next_digest() -> None:
    """The digest was held on the evening the pair first faded; the next morning's compared with that
    evening's snapshot, so the pair was in no digest ever. Now: new since the coordinator was last told."""
    flagged = OLD + timedelta(days=5)
    held_then_next = _digest_on(Store.memory(), flagged + timedelta(days=1), (flagged - timedelta(days=1),), flagged)
    assert [p.mentee_id for p in held_then_next.digests[0].new_pairs] == [5]
    told_that_day = _digest_on(Store.memory(), flagged + timedelta(days=1), (flagged,), flagged)
    assert told_that_day.digests == [] or told_that_day.digests[0].new_pairs == []  # told already: not again
    never_told = _digest_on(Store.memory(), flagged + timedelta(days=3), (), flagged)
    assert [p.mentee_id for p in never_told.digests[0].new_pairs] == [5]


def test_round_21_1_a_pair_the_coordinator_ended_is_never_newly_at_risk_in_a_digest() -> None:
    """A pair closed with ``queue done --outcome closed`` was listed as newly fading 22 days later
    (the digest had been held since, so every fading pair was news)."""
    flagged = OLD + timedelta(days=5)
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"], usernames={66: "m66", 5: "s5"})
    queue.offer(flagged, _health(5, "fading", flagged))
    assert queue.done((66, 5), "closed", on=flagged) is not None
    later = _digest_on(store, flagged + timedelta(days=22), (), flagged)
    assert later.digests == [] or later.digests[0].new_pairs == []
    not_ended = _digest_on(Store.memory(), flagged + timedelta(days=22), (), flagged)
    assert [p.mentee_id for p in not_ended.digests[0].new_pairs] == [5]  # the probe can fail


def test_round_21_11_an_overdue_item_says_by_how_many_days_in_queue_list() -> None:
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    queue.offer(NEW, _health(4, "fading", OLD))
    (item,) = queue.open_items()
    assert item.due_on is not None
    (row,) = queue_view([item], People(), item.due_on + timedelta(days=8)).rows
    assert "(8 day(s) overdue)" in row["extra"] and row["overdue_days"] == 8
    (on_time,) = queue_view([item], People(), item.due_on).rows
    assert "overdue" not in on_time["extra"] and on_time["overdue_days"] == 0


def test_round_23_3_an_unknown_escalate_to_is_named_under_its_own_setting() -> None:
    from lmsync.service.digest import DigestReport

    both = DigestReport(NEW, "r", unknown_coordinators=["anx", "nobodyx"], escalate_to="nobodyx")
    assert both.problem == "[health] coordinators: no Moodle user anx; [health] escalate_to: no Moodle user nobodyx"
    assert DigestReport(NEW, "r", unknown_coordinators=["nobodyx"], escalate_to="nobodyx").problem == (
        "[health] escalate_to: no Moodle user nobodyx")


def test_round_56_5_the_digest_says_once_that_a_pair_recovered_and_its_item_waits_to_be_closed() -> None:
    """A recovered item stays open until its coordinator closes it, yet dropped out of the digest without a
    word: a coordinator who only reads never learnt there was one to close."""
    from lmsync.store.messages import DigestLog

    store = Store.memory()
    _queued_then_recovered(store)
    told = NEW - timedelta(days=20)  # ann's digest on the day both pairs were fading
    log_ = DigestLog(store, "p")
    log_.finish(log_.intent(store, recipient_id=900, day=told, items=2), "sent", msgid=1)
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"coordinators": ["ann"]}})
    api = SimpleNamespace(get_users_by_field=lambda field, values: [SimpleNamespace(id=900, username="ann")])
    report = run_digest(api, config, store, Assessment(NEW, [], {}), dry_run=True)  # type: ignore[arg-type]
    (digest,) = report.digests
    assert [i.pair for i in digest.recovered] == [(66, 3)]
    assert "Recovered since your last digest (1; nothing due: close the item once the recovery holds" in digest.text
    assert "user #3 (not in the course): ok again (item open since 2026-11-08)" in digest.text
    assert "lmsync queue done MENTOR MENTEE" in digest.text
    log_.finish(log_.intent(store, recipient_id=900, day=NEW, items=2), "sent", msgid=2)
    HealthSnapshots(store, "p").replace_day(NEW + timedelta(days=1), [_health(3, "ok", NEW), _health(4, "fading", OLD)])
    again = run_digest(api, config, store, Assessment(NEW + timedelta(days=1), [], {}), dry_run=True)  # type: ignore[arg-type]
    assert all(not d.recovered for d in again.digests)  # said once
    store.close()


def test_round_83_6_an_item_whose_pair_is_only_on_watch_now_is_not_overdue_nor_chased() -> None:
    """Tester round 83, 6: a pair queued as fading met again; its only reasons left were unanswered surveys (watch),
    and `queue list` showed its item "42 day(s) overdue", the digest chasing it. On watch, it is not due."""
    store = Store.memory()
    queue = _both_queued(store, NEW - timedelta(days=20))
    unanswered = PairHealth(66, 3, "watch", (Reason("survey_unanswered_mentee", "watch", "no answer in wave T3"),),
                            date(2026, 9, 1), NEW, 0)
    HealthSnapshots(store, "p").replace_day(NEW, [unanswered, _health(4, "fading", OLD)])
    assert queue.offer(NEW, _health(4, "fading", OLD)) == "updated"
    items = {i.pair: i for i in queue.open_items()}
    watched, still = items[(66, 3)], items[(66, 4)]
    later = NEW + timedelta(days=42)
    assert watched.status == "watch" and watched.overdue_days(later) == 0 and still.overdue_days(later) > 0
    rows = {r["pair"]: r for r in queue_view([watched, still], People(), today=later).rows}
    assert rows["66-3"]["due"] is None and "overdue" not in rows["66-3"]["extra"]
    assert "no longer fading (minor signals only): not due" in rows["66-3"]["extra"]
    assert "overdue" in rows["66-4"]["extra"]
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"coordinators": ["ann"]}})
    api = SimpleNamespace(get_users_by_field=lambda field, values: [SimpleNamespace(id=900, username="ann")])
    report = run_digest(api, config, store, Assessment(later, [], {}), dry_run=True)  # type: ignore[arg-type]
    store.close()
    (digest,) = report.digests
    assert [i.pair for i in digest.items] == [(66, 4)]


def test_round_84_5_a_pair_that_recovered_and_fades_again_is_due_afresh_not_long_overdue() -> None:
    """Tester round 84, 5: a queued pair met again (recovered, then watch), faded again 50 days after its due date,
    and its item read "50 day(s) overdue" the day it relapsed, its owner's digest chasing it at once. While it
    recovered nothing was due; fading again, it is due as a new item would be. Without a recovery between, the
    due date stands."""
    from lmsync.store.queue import due_date

    store = Store.memory()
    first = NEW - timedelta(days=60)
    queue = _both_queued(store, first)
    due = {i.pair: i.due_on for i in queue.open_items()}
    HealthSnapshots(store, "p").replace_day(first + timedelta(days=10), [_health(3, "ok", first), _health(4, "fading", OLD)])
    HealthSnapshots(store, "p").replace_day(NEW, [_health(3, "fading", OLD), _health(4, "fading", OLD)])
    for mentee in (3, 4):
        assert queue.offer(NEW, _health(mentee, "fading", OLD)) == "updated"
    items = {i.pair: i for i in queue.open_items()}
    store.close()
    relapsed, steady = items[(66, 3)], items[(66, 4)]
    assert relapsed.due_on == due_date(NEW, 0, queue.due_days, queue.due_every_days) and relapsed.overdue_days(NEW) == 0
    assert relapsed.opened_on == first  # the same item: its history and owner kept
    assert steady.due_on == due[(66, 4)] and steady.overdue_days(NEW) > 0
