"""Tester finding FIX-C: a mentee added by hand to a second lmsync circle stays with their established
mentor, whichever circle has the lower group id; the hand-added membership is the drift the plan
removes, destructive (``!``), with its own reason, and the warning names the person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.render.sync import plan_text
from lmsync.service.directory import people_of
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"
COURSE = 2


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    return load_config(path, environ={})


def circles(site):
    """lmsync's circles: group id -> (mentor id, member ids)."""
    return {
        g.id: (mentor_of_idnumber(PROGRAMME, g.idnumber), set(g.members))
        for g in site.groups.values()
        if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber) is not None
    }


def hand_added(site, second_lower: bool):
    """A mentee of an established circle (the tester's s0001 with Valentina), and another faculty circle
    (Ifeoma's) with a lower (or higher) group id that a teacher adds them to by hand."""
    owned = circles(site)
    faculty = {uid for uid, u in site.users.items() if u.username.startswith("m")}
    ids = sorted(gid for gid, (mentor, members) in owned.items() if mentor in faculty and len(members) > 1)
    home, other = (ids[-1], ids[0]) if second_lower else (ids[0], ids[-1])
    mentor, members = owned[home]
    mentee = min(m for m in members if m != mentor)
    site.groups[other].members.add(mentee)  # the teacher's hand edit
    return mentee, home, other


@pytest.mark.parametrize("second_lower", [True, False], ids=["second-circle-lower-id", "second-circle-higher-id"])
def test_fix_c_a_mentee_added_by_hand_to_a_second_circle_stays_with_their_established_mentor(config, second_lower):
    site = build_demo_site()
    store = Store.memory()
    with open_moodle(config, site=site) as conn:
        assert run_sync(conn.api, config, store).converged
    mentee, home, other = hand_added(site, second_lower)
    mentor = circles(site)[home][0]
    start = date(2026, 3, 2)
    MeetingRepository(store, PROGRAMME).save(
        (Meeting(date=start + timedelta(days=30 * k), mentor_id=mentor, mentee_id=mentee, minutes=45,
                 attended=True, source="cli"), None)
        for k in range(2)
    )

    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config, journal=Journal(store, PROGRAMME))
    plan = planned.plan
    removals = [op for op in plan.by_kind("remove_member") if op.user_id == mentee]
    assert [(op.group, op.destructive) for op in removals] == [(site.groups[other].idnumber, True)]
    other_mentor = site.users[circles(site)[other][0]]
    named = f"{other_mentor.firstname} {other_mentor.lastname} ({other_mentor.username})"  # as views name them (121b, 4)
    assert removals[0].reason.startswith(f"also in {named}'s circle, added by hand")
    assert "re-matched" not in removals[0].reason
    assert not plan.by_kind("add_member"), "nobody else moves"
    user = site.users[mentee]
    warning = next(w for w in plan.warnings if "lmsync circles" in w)
    assert f"{user.firstname} {user.lastname} ({user.username})" in warning
    assert f"user {mentee} " not in " ".join(plan.warnings), "a person is never a bare id"
    text = plan_text(plan, people=people_of(config, planned.snapshot.roster))
    assert f"! {user.firstname} {user.lastname} ({user.username})" in text and ", added by hand; stays in" in text

    with open_moodle(config, site=site) as conn:
        assert run_sync(conn.api, config, store).converged
    after = circles(site)
    assert mentee in after[home][1] and mentee not in after[other][1]


@pytest.mark.parametrize("second_lower", [True, False], ids=["second-circle-lower-id", "second-circle-higher-id"])
def test_fix_c_without_pairing_history_the_pair_with_meetings_is_kept(config, second_lower):
    """A fresh store (no pairing history) with the meetings imported: the pair that met is kept."""
    site = build_demo_site()
    with open_moodle(config, site=site) as conn:
        run_sync(conn.api, config, Store.memory())
    mentee, home, other = hand_added(site, second_lower)
    store = Store.memory()
    MeetingRepository(store, PROGRAMME).save(
        [(Meeting(date=date(2026, 4, 1), mentor_id=circles(site)[home][0], mentee_id=mentee, minutes=30,
                  attended=True, source="csv"), None)]
    )
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    removals = [op for op in plan.by_kind("remove_member") if op.user_id == mentee]
    assert [op.group for op in removals] == [site.groups[other].idnumber]


@pytest.mark.parametrize("second_lower", [True, False], ids=["second-circle-lower-id", "second-circle-higher-id"])
def test_round_93b_1_a_store_that_took_over_leaves_a_mentee_in_both_circles_when_nothing_ranks_them(
        config, second_lower):
    """A fresh store (no pairing history, no meetings) found a mentee in two circles and guessed by group id: the
    lower id won, and a sync took the mentee out of their real circle when that one had the higher id. Nothing
    proves either membership hand-added, so both stay, the warning says why, and a hand edit settles it."""
    site = build_demo_site()
    with open_moodle(config, site=site) as conn:
        run_sync(conn.api, config, Store.memory())
    mentee, home, other = hand_added(site, second_lower)
    store = Store.memory()  # the store that takes over: it never paired anyone
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    assert not [op for op in plan.by_kind("remove_member") if op.user_id == mentee]
    user = site.users[mentee]
    [warning] = [w for w in plan.warnings if "lmsync circles" in w]
    assert warning.startswith(f"{user.firstname} {user.lastname} ({user.username}) is in 2 lmsync circles")
    assert "left in all of them" in warning and "remove them by hand in Moodle" in warning

    with open_moodle(config, site=site) as conn:
        assert run_sync(conn.api, config, store, takes_over=True).converged  # --store-takes-over
    assert mentee in circles(site)[home][1] and mentee in circles(site)[other][1]

    site.groups[other].members.discard(mentee)  # the coordinator removes the wrong membership by hand
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    assert not [op for op in plan.by_kind("remove_member") + plan.by_kind("add_member") if op.user_id == mentee]
    assert not [w for w in plan.warnings if "lmsync circles" in w]
