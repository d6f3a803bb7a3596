"""Grades flows against the in-process emulator: plan, push, read back, saved plans, refusals.

The circles are put into the emulator's site directly (as a previous sync would leave them),
so these flows do not depend on the matching engine.
"""

from __future__ import annotations

from datetime import date
from statistics import mean

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.errors import PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.faults import SimulatedCrash, fail_once
from lmsync.moodle.emulator.state import FeedbackCompleted, Group
from lmsync.service import grades
from lmsync.service.meetings import import_meetings, import_surveys
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.journal import Journal

PROGRAMME = "mentor-2026"
AS_OF = date(2026, 11, 25)
WRITES = {"core_grades_update_grades", "mod_assign_save_grades"}
CONFIG = """
[programme]
name = "mentor-2026"
[moodle]
batch_budget = {budget}
[meetings]
feedback = "Meeting log"
cadence_days = 14
start = 2026-09-01
max_meetings = {max_meetings}
[meetings.items]
minutes = "meeting_minutes"
date = "meeting_date"
notes = "notes"
[waves]
programme_start = 2026-09-01
[waves.windows]
T0 = {{ start = 2026-08-20, end = 2026-09-30 }}
T3 = {{ start = 2026-11-01, end = 2026-12-31 }}
[instruments.checkin]
items = ["satisfaction"]
scale_min = 1
scale_max = 5
rates_mentor = true
grade_name = "checkin"
feedback = "Relationship check-in"
[grades]
assignment = "Mentoring attendance"
mentee_ratings = "{policy}"
"""


def make_config(tmp_path, monkeypatch, *, budget=2000, max_meetings=100, policy="aggregate_only"):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(CONFIG.format(budget=budget, max_meetings=max_meetings, policy=policy))
    return load_config(path, environ={})


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def active_students(site):
    course = site.courses[2]
    return sorted(
        uid
        for uid, e in course.enrolments.items()
        if e.role == "student" and not e.suspended and not e.timeend
    )


def mentors_of(site):
    return sorted(u.id for u in site.users.values() if u.username.startswith("m0"))


def site_with_circles(size=5):
    """The demo site with one lmsync circle per mentor (5 mentees each), as after a sync."""
    site = build_demo_site()
    students = active_students(site)
    for i, mentor in enumerate(mentors_of(site)):
        members = {mentor, *students[i * size : (i + 1) * size]}
        site.groups[100 + i] = Group(
            100 + i, 2, f"Circle {i}", mentor_group_idnumber(PROGRAMME, mentor), members=members
        )
    return site


def circles(site):
    return {
        g.idnumber.rsplit(":", 1)[-1]: g.members
        for g in site.groups.values()
        if g.idnumber.startswith("lmsync:")
    }


def term(config, site, tmp_path, store):
    """Meetings from a CSV for every pair (fortnightly), and one meeting logged in Moodle."""
    rows = ["date,mentor,mentee,minutes,attended"]
    for mentor, members in circles(site).items():
        mentor_name = site.users[int(mentor)].username
        for n, mentee in enumerate(sorted(members - {int(mentor)})):
            for k, day in enumerate(("2026-09-16", "2026-09-30", "2026-10-14", "2026-10-28")):
                attended = "yes" if (n + k) % 3 else "no"
                rows.append(f"{day},{mentor_name},{site.users[mentee].username},{30 + 5 * n},{attended}")
    path = tmp_path / "meetings.csv"
    path.write_text("\n".join(rows) + "\n")
    people = [
        Person(u.id, u.username, u.idnumber, u.email)
        for u in (site.users[i] for i in site.courses[2].enrolments)
    ]
    import_meetings(config, path, people=people, store=store, today=AS_OF)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    first_mentor = mentors_of(site)[0]
    log.completeds.append(FeedbackCompleted(1, first_mentor, 1795598973, {6: "2026-11-11", 7: "50"}))
    return people


class Person:
    def __init__(self, id, username, idnumber, email):
        self.id, self.username, self.idnumber, self.email = id, username, idnumber, email


def owned_items(site, cmid=3):
    return {
        i.itemnumber: i
        for i in site.grade_items.values()
        if i.itemmodule == "forum" and i.cmid == cmid and i.itemnumber >= 1000
    }


def writes(stats):
    return sum(n for f, n in stats.items() if f in WRITES)


def test_pushed_grades_read_back_equal_and_a_second_push_writes_nothing(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        assert plan.grade_count > 0 and not plan.rejected
        report = grades.push_grades(conn.api, config, store, plan, observed=planned.state)
        assert report.complete and report.verified == plan.grade_count + plan.assign_count
        assert writes(conn.transport.stats) == len(plan.requests) + len(plan.assign_requests)

        # Read back from the emulator's own state, not through lmsync.
        items = owned_items(site)
        by_number = {i.itemnumber: i for i in plan.items}
        for request in plan.requests:
            item = items[request.itemnumber]
            assert item.itemname == by_number[request.itemnumber].itemname
            assert item.grademax == by_number[request.itemnumber].grademax
            for g in request.grades:
                assert item.grades[g.user_id].finalgrade == pytest.approx(g.grade)
        assignment = site.assignments[1]
        for chunk in plan.assign_requests:
            for g in chunk:
                assert assignment.grades[g.user_id].grade == pytest.approx(g.grade)
                assert assignment.grades[g.user_id].comment == g.comment

        # Attendance of a mentee, recomputed here from the CSV rule: attended when (n + k) % 3.
        mentor = mentors_of(site)[1]
        mentee = sorted(circles(site)[str(mentor)] - {mentor})[0]  # n = 0: attended k = 1, 2 of 4
        held = sum(1 for k in range(4) if k % 3)
        expected_periods = (AS_OF - date(2026, 9, 1)).days // 14
        assert items[by_number_key(plan, "attendance")].grades[mentee].finalgrade == pytest.approx(
            round(100 * held / expected_periods, 2)
        )

        conn.transport.stats.clear()
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert again.plan.empty and again.plan.unchanged == plan.grade_count
        second = grades.push_grades(conn.api, config, store, again.plan, observed=again.state)
        assert second.requests == 0 and writes(conn.transport.stats) == 0


def by_number_key(plan, key):
    return next(i.itemnumber for i in plan.items if i.key == key)


def test_journal_records_every_write_before_and_after(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    entries = Journal(store, PROGRAMME).entries(report.run_id)
    assert [e.function for e in entries].count("core_grades_update_grades") == len(planned.plan.requests)
    assert [e.function for e in entries].count("mod_assign_save_grades") == len(planned.plan.assign_requests)
    assert all(e.state == "ok" and e.finished_at for e in entries)
    sent = sum(e.item_count for e in entries if e.function == "core_grades_update_grades")
    assert sent == planned.plan.grade_count


def test_saved_plan_is_pushed_as_is_and_refused_once_the_gradebook_moved(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        saved = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan
        text = saved.model_dump_json()
        loaded = grades.GradesPlan.model_validate_json(text)
        assert loaded == saved
        report = grades.push_grades(conn.api, config, store, loaded)  # re-observes, fingerprint matches
        assert report.complete and report.grades == saved.grade_count

        # New meetings -> a new plan; then a teacher edits one of lmsync's grades in Moodle.
        next_plan = grades.make_grades_plan(conn.api, config, store, as_of=date(2026, 12, 20)).plan
        assert not next_plan.empty
        item = owned_items(site)[next_plan.requests[0].itemnumber]
        some_user = next(iter(item.grades))
        item.grades[some_user].finalgrade = 1.0
        before = dict(conn.transport.stats)
        with pytest.raises(PlanError, match="changed since the plan"):
            grades.push_grades(conn.api, config, store, next_plan)
        assert writes(conn.transport.stats) == writes(before)


def test_unenrolled_members_and_grades_above_the_maximum_are_rejected_before_sending(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch, max_meetings=2)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    mentor = mentors_of(site)[0]
    leaver = sorted(circles(site)[str(mentor)] - {mentor})[1]
    site.courses[2].enrolments[leaver].suspended = True  # still in the circle group, enrolment suspended
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        reasons = {(r.key, r.user_id): r.reason for r in plan.rejected}
        assert ("attendance", leaver) in reasons and "not an active participant" in reasons[
            ("attendance", leaver)
        ]
        too_many = [r for r in plan.rejected if r.key == "meetings" and "above the maximum 2" in r.reason]
        assert too_many and all(r.value > 2 for r in too_many)
        sent_users = {g.user_id for r in plan.requests for g in r.grades}
        assert leaver not in sent_users
        grades.push_grades(conn.api, config, store, plan, observed=planned.state)
    assert all(leaver not in item.grades for item in owned_items(site).values())
    assert leaver not in site.assignments[1].grades
    meetings_item = owned_items(site)[by_number_key(plan, "meetings")]
    assert all(g.finalgrade <= 2 for g in meetings_item.grades.values())
    assert {r.user_id for r in too_many}.isdisjoint(meetings_item.grades)


def test_small_budget_chunks_requests_with_item_details_first(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch, budget=40)
    site = site_with_circles()
    site.max_input_vars = 40  # a site configured this low cuts anything bigger (trap 23)
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        report = grades.push_grades(conn.api, config, store, plan, observed=planned.state)
        assert report.complete, report.mismatches[:3]
    first_seen: set[int] = set()
    for request in plan.requests:
        domain = request.to_domain()
        assert domain.var_count() <= 40
        if request.itemnumber not in first_seen:
            assert request.itemdetails is not None  # the item's first request carries its details
            first_seen.add(request.itemnumber)
        else:
            assert request.itemdetails is None
    assert len(plan.requests) > len(first_seen)  # chunking happened
    for number, item in owned_items(site).items():
        assert item.itemname == plan.item(number).itemname  # no nameless item from a cut request


def test_a_cut_request_is_caught_by_the_read_back(tmp_path, monkeypatch):
    """A site whose max_input_vars is below lmsync's budget applies part of a request and says OK."""
    config = make_config(tmp_path, monkeypatch, budget=200)
    site = site_with_circles()
    site.max_input_vars = 59  # PHP keeps 60 variables: 5 scalars, 5 item details, 25 whole grades
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert report.mismatches and not report.complete


def test_mentee_ratings_reach_a_mentor_only_as_a_mean_over_three_mentees(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    # The recorded check-in answers come from students 3, 4, 5, 9, 10, 15: circle 0 holds 3-7, circle 1 8-12...
    checkin = site.feedbacks[1]
    mentor0, mentor1 = mentors_of(site)[:2]
    rated0 = sorted(circles(site)[str(mentor0)] - {mentor0})
    answered0 = {c.userid for c in checkin.completeds if c.userid in rated0}
    assert len(answered0) >= 3
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    names = {i.itemname: i for i in owned_items(site).values()}
    assert not any(n.startswith("lmsync_checkin-T") for n in names), "a per-mentee rating item was created"
    received = names["lmsync_checkin-received-T3"]
    values = {c.userid: int(c.values[1]) for c in checkin.completeds}
    assert received.grades[mentor0].finalgrade == pytest.approx(round(mean(values[u] for u in answered0), 2))
    answered1 = {u for u in values if u in circles(site)[str(mentor1)]}
    assert len(answered1) < 3 and mentor1 not in received.grades
    mentees = {u for members in circles(site).values() for u in members} - set(mentors_of(site))
    assert mentees.isdisjoint(received.grades)


def test_hidden_policy_writes_hidden_items_and_warns(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch, policy="hidden")
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert any("viewhidden" in w for w in planned.plan.warnings)
    per_mentee = [i for i in owned_items(site).values() if i.itemname == "lmsync_checkin-T3"]
    assert per_mentee and per_mentee[0].hidden and per_mentee[0].grades


def test_answers_lost_after_a_write_stop_the_push_and_the_next_push_converges(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)

    def always_lost(function, phase):  # the write happens, the answer never arrives (retries too)
        return "timeout" if function == "core_grades_update_grades" and phase == "after" else None

    with open_moodle(config, site=site, fault=always_lost) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert report.uncertain and not report.complete
    entries = Journal(store, PROGRAMME).entries(report.run_id)
    assert [e.state for e in entries] == ["unknown"]  # stopped after the first uncertain request
    with open_moodle(config, site=site) as conn:
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert again.plan.unchanged > 0  # the lost write did land and is not sent twice
        assert again.plan.grade_count == planned.plan.grade_count - again.plan.unchanged
        final = grades.push_grades(conn.api, config, store, again.plan, observed=again.state)
        assert final.complete
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.empty


def test_a_crash_mid_push_leaves_an_intent_and_the_next_push_converges(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(
        config, site=site, fault=fail_once("core_grades_update_grades", "after", "crash")
    ) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        with pytest.raises(SimulatedCrash):
            grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert [e.state for e in Journal(store, PROGRAMME).unfinished()] == ["intent"]
    with open_moodle(config, site=site) as conn:
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert grades.push_grades(conn.api, config, store, again.plan, observed=again.state).complete
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.empty


def test_surveys_imported_from_csv_become_wave_scores_and_change(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    people = term(config, site, tmp_path, store)
    mentee = sorted(circles(site)[str(mentors_of(site)[2])])[0]
    who = site.users[mentee].username
    rows = ["respondent,date,instrument,item,value"]
    for day, value in (("2026-09-10", 2), ("2026-11-20", 3)):
        rows += [f"{who},{day},general_self_efficacy,gse{i},{value}" for i in range(1, 11)]
    path = tmp_path / "surveys.csv"
    path.write_text("\n".join(rows) + "\n")
    import_surveys(config, path, people=people, store=store, today=AS_OF)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    names = {i.itemname: i for i in owned_items(site).values()}
    assert names["lmsync_selfefficacy-T0"].grades[mentee].finalgrade == 20
    assert names["lmsync_selfefficacy-T3"].grades[mentee].finalgrade == 30
    assert names["lmsync_selfefficacy-change-T3"].grades[mentee].finalgrade == 10


def test_cli_plan_out_then_push_the_file(config, tmp_path):
    site = site_with_circles()
    site.save(config.emulator_state_path())
    store = Store(config.store_path())
    term(config, site, tmp_path, store)
    store.close()
    site.save(config.emulator_state_path())  # with the meeting-log answer
    runner = CliRunner()
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    cfg = str(tmp_path / "lmsync.toml")
    out = tmp_path / "grades-plan.json"
    planned = runner.invoke(main, ["--config", cfg, "grades", "plan", "--out", str(out)], env=env)
    assert planned.exit_code == 0, planned.output
    assert "lmsync_attendance [1000]" in planned.output and out.exists()
    pushed = runner.invoke(main, ["--config", cfg, "grades", "push", str(out)], env=env)
    assert pushed.exit_code == 0, pushed.output
    assert "read back:" in pushed.output and " equal" in pushed.output
    again = runner.invoke(main, ["--config", cfg, "grades", "push"], env=env)
    assert again.exit_code == 0, again.output
    assert "no changes" in again.output and "Pushed in 0 write requests" in again.output
    stale = runner.invoke(main, ["--config", cfg, "grades", "push", str(out)], env=env)
    assert stale.exit_code == 2 and "changed since the plan" in stale.output
