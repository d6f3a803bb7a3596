"""``pair show`` of two people who are not a pair, ``queue done`` errors in names, ``met`` once a day."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.health import PairHealth, Reason
from lmsync.errors import EXIT_INPUT, InputError
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from tests.flows.test_cycle import AS_OF, NOON, circle_pairs, setup
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _on_the_day_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """A coordinator acts on the day the cycle judged (``AS_OF``), not under the wall clock behind it: `queue done`
    under a clock behind the store's last judgement is refused, nothing written (tester round 107a, 2)."""
    monkeypatch.setattr("lmsync.service.programme_settings.clock", lambda: NOON)


def _a_mentor_and_a_stranger(tmp_path, site):
    """After one cycle: the configuration, usernames by id, a mentor and a mentee of another circle."""
    config, _cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    users = {u.id: u.username for u in site.users.values()}
    pairs = circle_pairs(site)
    mentor = pairs[0][0]
    stranger = next(mentee for m, mentee in pairs if m != mentor and (mentor, mentee) not in pairs)
    return config, users, mentor, stranger


def test_pair_show_of_two_people_who_never_were_a_pair_says_so_and_exits_3(tmp_path, site_and_coordinators):  # noqa: F811
    config, users, mentor, stranger = _a_mentor_and_a_stranger(tmp_path, site_and_coordinators)
    runner = CliRunner()
    cfg = str(config.source)
    shown = runner.invoke(main, ["--config", cfg, "pair", "show", users[mentor], users[stranger]])
    assert shown.exit_code == EXIT_INPUT, shown.output
    assert ("are not a pair in this programme's store (it holds no pairing of theirs: never paired, one of them was erased, "
            "or paired in Moodle since the store last synced or judged the programme's health)") in " ".join(shown.output.split())
    # a circle changed by hand is recorded by the next health run (tester round 41, 4)
    assert "recorded by the next `lmsync health` or `lmsync run`" in " ".join(shown.output.split())
    assert f"({users[mentor]})" in shown.output and f"({users[stranger]})" in shown.output
    twice = runner.invoke(main, ["--config", cfg, "pair", "show", users[mentor], users[mentor]])
    assert twice.exit_code == EXIT_INPUT, twice.output
    assert "a pair is two people" in twice.output
    # someone with no pair at all (an id outside the course): naming a second person cannot help (round 3, 20)
    nobody = runner.invoke(main, ["--config", cfg, "pair", "show", "999999"])
    assert nobody.exit_code == EXIT_INPUT and "has 0 pairs in the store (none)" in nobody.output
    assert "name both people" not in nobody.output and "lmsync queue list" in nobody.output


def test_queue_done_without_an_open_item_names_the_people(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    users = {u.id: u.username for u in site.users.values()}
    store = Store(config.store_path())
    queued = {i.pair for i in CoordinatorQueue(store, config.programme.name).open_items()}
    store.close()
    mentor, mentee = next(p for p in circle_pairs(site) if p not in queued)
    done = CliRunner().invoke(
        main, ["--config", str(config.source), "queue", "done", users[mentor], users[mentee], "--outcome", "met"]
    )
    assert done.exit_code == EXIT_INPUT, done.output
    assert f"({users[mentor]}) / " in done.output and f"({users[mentee]}): no open item" in done.output
    assert f"pair {mentor}-{mentee}" not in done.output
    # --outcome rematched on a pair today's health did not judge (the cycle judged AS_OF): the fix is to judge
    # first, not "--outcome rematched ... also acts", which it already was (tester round 42, 6)
    from lmsync.service import health

    with pytest.raises(InputError) as refused:  # a real pair, not judged on or before that day
        health.queue_done(config, (mentor, mentee), "rematched", on=AS_OF - timedelta(days=365))
    assert "the latest health judgement (on or before" in refused.value.message
    assert (refused.value.hint or "").startswith("run `lmsync health` (or `lmsync run`) first")


def test_round_50_9_queue_done_on_two_people_never_a_pair_says_so_not_run_health(
        tmp_path, site_and_coordinators):  # noqa: F811
    """`queue done` on two people who were never a pair said "no open item" and "run `lmsync health` first",
    which cannot help: it says they are not a pair, as `lmsync pair show` does, for every outcome."""
    config, users, mentor, stranger = _a_mentor_and_a_stranger(tmp_path, site_and_coordinators)
    cfg = str(config.source)
    shown = CliRunner().invoke(main, ["--config", cfg, "pair", "show", users[mentor], users[stranger]])
    said_by_pair_show = " ".join(shown.output.split())
    assert "are not a pair in this programme's store" in said_by_pair_show
    for outcome in ("rematched", "met"):
        done = CliRunner().invoke(
            main, ["--config", cfg, "queue", "done", users[mentor], users[stranger], "--outcome", outcome])
        assert done.exit_code == EXIT_INPUT, done.output
        said = " ".join(done.output.split())
        assert said == said_by_pair_show, said  # the same words and fix as `pair show`
        assert "no open item" not in said and "run `lmsync health` (or `lmsync run`) first" not in said
        assert f"({users[mentor]}) and " in said and f"({users[stranger]}) are not a pair" in said
    from lmsync.service import health
    from lmsync.service.established import NotAPair

    with pytest.raises(NotAPair) as refused:  # the service says it too, by ids
        health.queue_done(config, (mentor, stranger), "closed", on=AS_OF)
    assert refused.value.message.startswith(f"user {mentor} and user {stranger} are not a pair")
    store = Store(config.store_path())
    assert [i for i in CoordinatorQueue(store, config.programme.name).items() if i.pair == (mentor, stranger)] == []
    store.close()


def test_queue_done_met_twice_on_one_day_moves_the_due_date_once():
    store = Store.memory()
    queue = CoordinatorQueue(store, "p")
    reason = Reason("no_meeting", "fading", "no meeting")
    opened = date(2026, 11, 1)
    queue.offer(opened, PairHealth(66, 5, "fading", (reason,), date(2026, 9, 1), None, 61))
    first = queue.done((66, 5), "met", on=date(2026, 11, 20))
    second = queue.done((66, 5), "met", on=date(2026, 11, 20))
    assert first is not None and second is not None
    assert (second.due_on, second.followups) == (first.due_on, first.followups)
    later = queue.done((66, 5), "met", on=date(2026, 11, 21))
    assert later is not None and later.followups == first.followups + 1 and later.due_on != first.due_on
    store.close()


def test_newly_queued_items_are_announced_in_their_owners_digest(tmp_path, site_and_coordinators):  # noqa: F811
    from lmsync.service import health
    from tests.flows.test_cycle import user_id

    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    before = len(site.messages)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert result.step("digest").state == "ok", result.step("digest").summary
    users = {u.id: u.username for u in site.users.values()}
    new = [i for i in health.queue_list(config) if i.opened_on == AS_OF]
    assert new
    digests = {m["useridto"]: m["text"] for m in site.messages[before:] if "lmsync digest" in m["text"]}
    for owner in {i.owner for i in new if i.owner}:
        text = digests[user_id(site, owner)]
        mine = [i for i in new if i.owner == owner]
        assert f"Newly in your queue ({len(mine)}):" in text
        section = text.split("Newly in your queue")[1].split("\n\n")[0]
        for i in mine:
            assert f"({users[i.mentor_id]}) / " in section and f"({users[i.mentee_id]}): " in section
        # each pair said once: not again under "Newly at risk or fading" (tester round 61, 6)
        risky = text.split("Newly at risk or fading")[1].split("\n\n")[0] if "Newly at risk or fading" in text else ""
        for i in mine:
            assert not [line for line in risky.splitlines()
                        if f"({users[i.mentor_id]}) / " in line and f"({users[i.mentee_id]}): " in line], text
    # the next day, nothing newly queued: no such section
    after = len(site.messages)
    again = cycle_job(config, site=site, now=NOON.replace(day=NOON.day + 1), as_of=AS_OF.replace(day=AS_OF.day + 1))
    assert again.step("digest").state == "ok"
    assert not any("Newly in your queue" in m["text"] for m in site.messages[after:])


def test_tester_finding_4_pair_show_finds_a_pair_known_only_by_its_queue_item(tmp_path, site_and_coordinators):  # noqa: F811
    """Tester finding 4: a pair re-matched and judged again on the same day lost that day's
    snapshot, and ``pair show`` then said it never was a pair although its queue item (and
    nudges) were in the store. The queue's pairs count as known pairs."""
    config, users, mentor, stranger = _a_mentor_and_a_stranger(tmp_path, site_and_coordinators)
    store = Store(config.store_path())
    CoordinatorQueue(store, config.programme.name).offer(
        AS_OF, PairHealth(mentor, stranger, "fading", (Reason("no_meeting", "fading", "no meeting"),), AS_OF, None, 0)
    )
    store.close()
    shown = CliRunner().invoke(main, ["--config", str(config.source), "pair", "show", users[mentor], users[stranger]])
    assert shown.exit_code == 0, shown.output
    assert "not a pair" not in shown.output


def test_left_alone_round_9_pair_show_closes_an_item_on_its_outcome_day_not_its_ack_day(tmp_path, site_and_coordinators):  # noqa: F811
    """An item acknowledged on one day and given its outcome days later closed on the later day:
    ``pair show`` said the acknowledgement's day (its CSV and JSON ``closed`` too); the report said
    the outcome's."""
    config, users, mentor, stranger = _a_mentor_and_a_stranger(tmp_path, site_and_coordinators)
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, config.programme.name)
    queue.offer(AS_OF, PairHealth(mentor, stranger, "fading", (Reason("no_meeting", "fading", "no meeting"),), AS_OF, None, 0))
    acked, outcome = date(2026, 12, 1), date(2026, 12, 5)
    assert queue.ack((mentor, stranger), on=acked) is not None
    assert queue.done((mentor, stranger), "no_action", on=outcome) is not None
    store.close()
    args = ["--config", str(config.source), "pair", "show", users[mentor], users[stranger]]
    text = CliRunner().invoke(main, args)
    assert f"closed {outcome.isoformat()}, " in text.output and f"closed {acked.isoformat()}" not in text.output
    shown = CliRunner().invoke(main, [*args, "--format", "json"])
    assert shown.exit_code == 0, shown.output


    (item,) = json.loads(shown.output)["queue"]
    assert item["closed"] == outcome.isoformat() and item["outcome"] == "no_action"


def test_round_35_2_pair_show_json_and_csv_keep_an_acknowledged_item_open_until_its_outcome(tmp_path, site_and_coordinators):  # noqa: F811
    """An acknowledged item still awaiting its outcome was ``closed`` on its ack day in JSON and CSV, while the
    text said "acknowledged, no outcome yet" and `queue list` said awaiting_outcome: a script counted it closed."""
    config, users, mentor, stranger = _a_mentor_and_a_stranger(tmp_path, site_and_coordinators)
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, config.programme.name)
    queue.offer(AS_OF, PairHealth(mentor, stranger, "fading", (Reason("no_meeting", "fading", "no meeting"),), AS_OF, None, 0))
    acked = date(2026, 12, 1)
    assert queue.ack((mentor, stranger), on=acked) is not None
    store.close()
    args = ["--config", str(config.source), "pair", "show", users[mentor], users[stranger]]
    (item,) = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)["queue"]
    assert item["closed"] is None and item["acknowledged_on"] == acked.isoformat() and item["outcome"] is None
    assert item["due"] is None  # no due date once acknowledged, as queue list says (tester round 38, 4)
    text = CliRunner().invoke(main, [*args, "--format", "csv"]).output
    (row,) = csv.DictReader(text.split("# queue\n", 1)[1].split("\n\n", 1)[0].splitlines())
    assert row["closed"] == "" and row["acknowledged_on"] == acked.isoformat()


def test_round_10_2_queue_done_rematched_on_a_pinned_pair_says_the_pin_keeps_it(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    mentor, mentee = circle_pairs(site)[0]
    users = {u.id: u.username for u in site.users.values()}
    text = config.source.read_text() + f'\n[matching]\npins = [["{users[mentee]}", "{users[mentor]}"]]\n'
    config.source.write_text(text)
    store = Store(config.store_path())
    CoordinatorQueue(store, config.programme.name).offer(
        AS_OF, PairHealth(mentor, mentee, "fading", (Reason("no_meeting", "fading", "no meeting"),), AS_OF, None, 0)
    )
    store.close()
    args = ["--config", str(config.source), "queue", "done", users[mentor], users[mentee]]
    done = CliRunner().invoke(main, [*args, "--outcome", "rematched"])
    assert done.exit_code == 0, done.output
    assert "but [matching] pins in lmsync.toml keeps this pair, so it is not re-matched until you remove the pin" in done.output


def test_round_10_7_a_pair_the_coordinator_closed_is_not_listed_as_needing_attention(tmp_path, site_and_coordinators):  # noqa: F811
    from lmsync.render.health import health_view
    from lmsync.service import health
    from lmsync.service.directory import people_of
    from lmsync.service.moodle import open_moodle
    from tests.flows.test_cycle import AS_OF, NOON

    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    mentor, mentee = cases["lapsed"]
    assert health.queue_done(config, (mentor, mentee), "closed", on=AS_OF) is not None
    store = Store(config.store_path())
    try:
        with open_moodle(config, site=site) as conn:
            report = health.run_health(conn.api, config, store, as_of=AS_OF, record=False)
    finally:
        store.close()
    assert report.ended == {(mentor, mentee)}
    assert (mentor, mentee) not in {(v.health.mentor_id, v.health.mentee_id) for v in report.attention}
    assert report.attention  # the probe can fail: other pairs still need attention
    from lmsync.render.formats import render

    text = render(health_view(report, people_of(config, report.assessment.roster)), "text")
    assert "1 pair(s) a coordinator ended (`queue done --outcome closed`) are counted as ended" in text
    assert "on watch (early, minor signals)" not in text  # none on watch here: no such line
    # counted once, as ended, not also under its status: the head's at-risk and fading add up to the list
    # (tester round 19, 5; round 23, 4)
    shown = report.shown_counts
    assert shown["ended"] == 1 and sum(shown.values()) == sum(report.counts.values())
    assert shown["at_risk"] + shown["fading"] == len(report.attention)
    assert "1 ended by a coordinator." in text.splitlines()[0] or ", 1 ended by a coordinator" in text
    step = cycle_job(config, site=site, now=NOON, as_of=AS_OF).step("health")
    assert step.counts["ended_by_coordinator"] == 1 and ", 1 ended by a coordinator;" in step.summary


def test_round_11_7_the_pairs_on_watch_are_pointed_to_in_text() -> None:
    from datetime import date

    from lmsync.render.formats import render
    from lmsync.render.health import health_view
    from lmsync.service.health import Assessment, HealthReport, PairView
    from lmsync.service.labels import People

    day = date(2026, 12, 1)
    watch = [PairView(PairHealth(66, mentee, "watch", (Reason("forum_quiet", "watch", "forum quiet"),), day, day, 3),
                      "m0001", f"s{mentee:04d}") for mentee in (3, 4)]
    report = HealthReport(Assessment(day, watch, {}), {"watch": 2})
    text = render(health_view(report, People()), "text")
    assert "2 pair(s) on watch (early, minor signals) are not listed here: `lmsync health --format csv`" in text
    assert "s0003" not in text  # not listed in text: the line points to where they are


def test_round_21_6_a_pair_that_never_met_has_no_days_since_meeting_in_csv() -> None:
    """``days_since_meeting 0`` beside an empty ``last_meeting`` read as "met today"."""
    import csv
    import io
    from datetime import date

    from lmsync.render.formats import render
    from lmsync.render.health import health_view
    from lmsync.service.health import Assessment, HealthReport, PairView
    from lmsync.service.labels import People

    day = date(2026, 12, 1)
    views = [PairView(PairHealth(66, 3, "ok", (), day, None, 0), "m0001", "s0003"),
             PairView(PairHealth(66, 4, "ok", (), day, day, 0), "m0001", "s0004")]
    text = render(health_view(HealthReport(Assessment(day, views, {}), {"ok": 2}), People()), "csv")
    rows = {r["mentee"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["s0003"]["days_since_meeting"] == "" and rows["s0003"]["last_meeting"] == ""
    assert rows["s0004"]["days_since_meeting"] == "0"  # met today


def _judged_not_queued(tmp_path, site):
    """After one cycle: the configuration, the setup's cases, and the pairs health judged at AS_OF that
    the rules did not queue (their snapshot rows)."""
    from lmsync.store.snapshots import HealthSnapshots

    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    store = Store(config.store_path())
    try:
        queued = {i.pair for i in CoordinatorQueue(store, config.programme.name).items()}
        rows = HealthSnapshots(store, config.programme.name).rows(day=AS_OF)
    finally:
        store.close()
    return config, cases, [r for r in rows if (r.mentor_id, r.mentee_id) not in queued]


def test_round_21_10_an_at_risk_pair_the_rules_did_not_queue_can_be_rematched_from_the_queue(
        tmp_path, site_and_coordinators):  # noqa: F811
    from lmsync.service import health
    from lmsync.store.forbids import PairForbids

    config, _cases, unqueued = _judged_not_queued(tmp_path, site_and_coordinators)
    assert unqueued  # the probe can fail
    row = unqueued[0]
    no_action = CliRunner().invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "queue", "done",
                                          f"{row.mentor_id}-{row.mentee_id}", "--outcome", "no_action"])
    assert no_action.exit_code == EXIT_INPUT and "--outcome rematched or closed also acts" in no_action.output
    # named mentee first, as a coordinator may
    item = health.queue_done(config, (row.mentee_id, row.mentor_id), "rematched", note="asked to change", on=AS_OF)
    assert item.pair == (row.mentor_id, row.mentee_id) and item.outcome == "rematched" and item.acked_on == AS_OF
    assert item.status == row.status and item.note == "asked to change"
    store = Store(config.store_path())
    try:
        assert (row.mentor_id, row.mentee_id) in PairForbids(store, config.programme.name).pairs()
    finally:
        store.close()
    if len(unqueued) > 1:  # ending a pair says it stays in Moodle (tester round 23, 5)
        other = unqueued[1]
        ended = CliRunner().invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "queue", "done",
                                          f"{other.mentor_id}-{other.mentee_id}", "--outcome", "closed"])
        assert ended.exit_code == 0 and "it stays in its Moodle circle" in ended.output, ended.output


def test_round_21_1_the_need_met_status_does_not_read_as_the_queues_closed_outcome() -> None:
    from datetime import date

    from lmsync.domain.health import status_label
    from lmsync.render.formats import render
    from lmsync.render.health import health_view
    from lmsync.service.health import Assessment, HealthReport
    from lmsync.service.labels import People

    assert status_label("closed") == "closed (need met)" and status_label("at_risk") == "at risk"
    report = HealthReport(Assessment(date(2026, 12, 1), [], {}), {"ok": 2, "at_risk": 1, "closed": 0})
    assert "2 ok, 1 at risk, 0 closed (need met)." in render(health_view(report, People()), "text")


def test_round_22_5_json_logs_of_a_refused_queue_ack_or_meeting_carry_ids_not_names(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    store = Store(config.store_path())
    try:
        queued = {i.pair for i in CoordinatorQueue(store, config.programme.name).items()}
    finally:
        store.close()
    mentor, mentee = next(p for p in circle_pairs(site) if p not in queued)
    names = (site.users[mentor], site.users[mentee])
    args = ["--config", str(tmp_path / "lmsync.toml"), "--log-format", "json"]
    ack = CliRunner().invoke(main, [*args, "queue", "ack", names[0].username, names[1].username])
    line = json.loads(ack.stderr.strip().splitlines()[-1])
    assert ack.exit_code == EXIT_INPUT and line["message"] == f"pair {mentor}-{mentee}: no open item in the coordinator queue"
    stranger = next(u for u in site.users.values() if u.username.startswith("s") and u.id not in (mentor, mentee)
                    and (mentor, u.id) not in circle_pairs(site))
    added = CliRunner().invoke(main, [*args, "meetings", "add", "--date", "2026-11-20", "--mentor", names[0].username,
                                      "--mentee", stranger.username, "--minutes", "30"])
    assert added.exit_code == EXIT_INPUT, added.output
    for text in (ack.stderr, added.stderr):
        assert all(n.firstname not in text and n.lastname not in text for n in (*names, stranger)), text


def test_round_30_3_queue_done_never_makes_a_coordinator_the_owner_of_their_own_pairs_item(
        tmp_path, site_and_coordinators):  # noqa: F811
    """README: a coordinator never owns an item about a pair they are part of. The item `queue done`
    opened for a pair the rules did not queue went to the coordinator who was the pair's mentor."""
    site = site_and_coordinators
    config, cases, unqueued = _judged_not_queued(tmp_path, site)
    row = unqueued[0]
    users = {u.id: u.username for u in site.users.values()}
    mentor = users[row.mentor_id]
    toml = tmp_path / "lmsync.toml"  # the pair's mentor is now the first coordinator, the one with no items
    toml.write_text(toml.read_text().replace(f"coordinators = {json.dumps(cases['coordinators'])}",
                                             f"coordinators = {json.dumps([mentor, cases['coordinators'][0]])}"))
    done = CliRunner().invoke(main, ["--config", str(toml), "queue", "done", mentor, users[row.mentee_id],
                                     "--outcome", "closed"])
    assert done.exit_code == 0, done.output
    store = Store(config.store_path())
    try:
        (item,) = [i for i in CoordinatorQueue(store, config.programme.name).items() if i.pair == (row.mentor_id,
                                                                                                    row.mentee_id)]
    finally:
        store.close()
    assert item.owner == cases["coordinators"][0]


def test_round_55_3_queue_done_rematched_on_a_held_two_role_mentee_says_they_are_left_with_no_mentor(
    tmp_path, site_and_coordinators,  # noqa: F811
):
    """The queue promised "the next `lmsync run` matches the mentee with another mentor" of a mentee with a
    teacher role too, whom the plan then left with no mentor (held until an admin decides)."""
    from lmsync.service.emulator_edit import course_of

    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    mentor, mentee = circle_pairs(site)[0]
    course_of(site, config.programme.course).enrolments[mentee].other_roles.append("teacher")
    site.save(config.emulator_state_path())  # the site the command reads
    users = {u.id: u.username for u in site.users.values()}
    store = Store(config.store_path())
    CoordinatorQueue(store, config.programme.name).offer(
        AS_OF, PairHealth(mentor, mentee, "fading", (Reason("no_meeting", "fading", "no meeting"),), AS_OF, None, 0)
    )
    store.close()
    args = ["--config", str(config.source), "queue", "done", users[mentor], users[mentee], "--outcome", "rematched"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "left with no mentor, not matched anew until an admin decides ([matching] dual_role)" in said
    assert "matches the mentee with another mentor" not in said
    # tester round 58, 8: the plan took them out while its warning still said "kept in their circle"
    planned = CliRunner().invoke(main, ["--config", str(config.source), "plan"])
    shown = " ".join(planned.output.split())
    assert f"({users[mentee]}) (Moodle id {mentee}) has a mentor role and a mentee role" in shown
    assert "left with no mentor, their pair marked not a good fit" in shown
    assert "kept in their circle while their mentor has room" not in shown
