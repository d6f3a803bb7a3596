"""Tester round 85b, 1: a mentor whose Moodle *account* is suspended (trap 41) keeps their circle for
``[sync] away_mentor_hold_days``, as any away mentor; during that hold their pairs were still judged,
nudged and escalated, though neither side could act on it (the mentor cannot log in), and the plan said
both "their circle is re-matched" and "held as it is". An enrolment suspension paused the item at once.

Now health leaves their pairs out as it leaves out a suspended enrolment's: the open item is paused, saying
the mentor's account is suspended, never escalated, and no nudge goes to either side. ``lmsync emulator
edit suspend --account`` rehearses it.
"""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from tests.flows.test_cycle import AS_OF, at, setup
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

SUSPENDED = "the mentor's Moodle account is suspended"


def test_round_85b_1_a_mentors_suspended_account_pauses_their_pairs_item_during_the_hold(
        tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=at(0), as_of=AS_OF)
    pair = cases["lapsed"]
    assert pair in [i.pair for i in health.queue_list(config)]
    site.users[pair[0]].suspended = True  # the account, not the enrolment: still enrolled, still in the group

    late = 14 + 8  # past the due date and escalate_after_days: every other item escalates
    day = AS_OF + timedelta(days=late)
    before = len(site.messages)
    result = cycle_job(config, site=site, now=at(late), as_of=day)
    step = result.step("health")
    assert step.counts["paused_by_this_run"] == 1, step.summary
    (item,) = [i for i in health.queue_list(config) if i.pair == pair]
    assert item.status == "gone" and item.escalated_to is None and item.overdue_days(day) == 0
    assert item.note is not None and SUSPENDED in item.note
    assert not {m["useridto"] for m in site.messages[before:] if "mentoring" in m["text"].lower()} & set(pair)
    seen = health.health_job(config, site=site, as_of=day, record=False)
    judged = seen.assessment.pairs
    assert seen.assessment.skipped_inactive >= 1  # said as "no active enrolment or a suspended Moodle account"
    snapshot_pairs = {(v.health.mentor_id, v.health.mentee_id) for v in judged}
    assert pair not in snapshot_pairs and snapshot_pairs  # the others are judged as before


def test_round_85b_1_the_plan_says_the_suspended_mentors_circle_is_held_first(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    mentor = cases["lapsed"][0]
    site.users[mentor].suspended = True
    with open_moodle(config, site=site) as conn:  # a store dates the hold: without one nothing is held (105a, 6)
        plan = make_plan(conn.api, config, journal=Journal(Store.memory(), config.programme.name)).plan
    said = [w for w in plan.warnings if "account suspended in Moodle" in w]
    assert said and all("re-matched ([sync] away_mentor_hold_days)" in w and "held as it is until " in w
                        for w in said), said


def test_round_85b_1_the_emulator_suspends_and_restores_an_account(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.delenv("LMSYNC_STORE_PATH", raising=False)
    runner = CliRunner()
    done = runner.invoke(main, ["emulator", "edit", "suspend", "m0007", "--account"])
    assert done.exit_code == 0 and "m0007: Moodle account suspended (enrolments unchanged)" in done.output, done.output
    again = runner.invoke(main, ["emulator", "edit", "suspend", "m0007", "--account"])
    assert again.exit_code == 3 and "already suspended" in again.output
    back = runner.invoke(main, ["emulator", "edit", "restore", "m0007", "--account"])
    assert back.exit_code == 0 and "active again" in back.output, back.output
