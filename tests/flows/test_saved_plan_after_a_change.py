"""A saved plan after Moodle changed (tester round 9): a change that leaves the plan as it was (a
mentee's post in their circle) no longer refuses it; one that changes what lmsync plans (someone
enrolled since) still does, and says both that Moodle changed and how the plan differs."""

from __future__ import annotations

import pytest

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Discussion
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import apply_saved_plan, make_plan, run_sync
from lmsync.store.db import Store

COURSE = 2


@pytest.fixture
def config(programme_config):
    # the leaver is removed at once, not held (a suspended mentee's place is held otherwise: tester round 103b, 1)
    config = programme_config
    return config.model_copy(update={"sync": config.sync.model_copy(update={"away_mentor_hold_days": 0})})


def synced_then_a_leaver_planned(config):
    """A synced site, and a saved plan taking out a mentee whose enrolment was suspended."""
    site, store = build_demo_site(), Store.memory()
    with open_moodle(config, site=site) as conn:
        run_sync(conn.api, config, store)
    circle = min((g for g in site.groups.values() if mentor_of_idnumber("mentor-2026", g.idnumber)), key=lambda g: g.id)
    leaver = min(circle.members - {mentor_of_idnumber("mentor-2026", circle.idnumber)})
    site.courses[COURSE].enrolments[leaver].suspended = True
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config).plan
    assert [op.user_id for op in plan.by_kind("remove_member")] == [leaver]  # the probe can fail
    return site, store, plan, circle


def test_round_9_a_post_in_a_circle_since_the_plan_does_not_refuse_it(config):
    site, store, plan, circle = synced_then_a_leaver_planned(config)
    did = site.next_id("discussions")
    forum = next(d.forumid for d in site.discussions.values() if d.groupid == circle.id)
    site.discussions[did] = Discussion(id=did, forumid=forum, postid=did, groupid=circle.id, subject="Coffee?",
                                       message="<p>Coffee on Friday?</p>", userid=min(circle.members), created=1)
    with open_moodle(config, site=site) as conn:
        assert make_plan(conn.api, config).plan.fingerprint != plan.fingerprint  # the probe can fail: Moodle changed
        report = apply_saved_plan(conn.api, config, store, plan)
        assert report.complete and sum(report.written.values()) == 1
        assert make_plan(conn.api, config).plan.empty


def test_round_9_a_change_that_changes_the_plan_still_refuses_it_and_says_both(config):
    site, store, plan, circle = synced_then_a_leaver_planned(config)
    newcomer = next(uid for uid, e in site.courses[COURSE].enrolments.items() if e.suspended and uid not in circle.members)
    site.courses[COURSE].enrolments[newcomer].suspended = False
    with open_moodle(config, site=site) as conn, pytest.raises(PlanError) as refused:
        apply_saved_plan(conn.api, config, store, plan)
    message = str(refused.value)
    assert message.startswith(f"Moodle changed since the plan was made (fingerprint {plan.fingerprint} -> ")
    assert "and lmsync now plans otherwise: Refusing the saved plan: it lacks" in message
