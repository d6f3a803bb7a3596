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
from lmsync.domain.grades import derived_idnumber
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.errors import PartialFailure, PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.faults import SimulatedCrash, fail_once
from lmsync.moodle.emulator.state import FeedbackCompleted, Group
from lmsync.render.grades import plan_text
from lmsync.service import grades
from lmsync.service.meetings import import_meetings, import_surveys
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.grade_items import GradeItemRecords
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from lmsync.store.published_grades import PublishedGrades
from lmsync.store.surveys import SurveyRepository

PROGRAMME = "mentor-2026"
AS_OF = date(2026, 11, 25)
T3_CLOSED = date(2027, 1, 4)  # the check-in answers are in T3 (2026-11-01 .. 2026-12-31)
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


def record_circles(store, site, programme=PROGRAMME):
    """The store's pairing history of the site's circles, as the sync that made them records it
    (a store that never paired them writes no grade: ``grades_hold``)."""
    members = [(idnumber, m) for idnumber, ms in
               ((g.idnumber, g.members) for g in site.groups.values() if g.idnumber.startswith("lmsync:")) for m in ms]
    return PairingHistory(store, programme).record("add_member", members, at="2026-09-01T09:00:00.000+00:00")


def term(config, site, tmp_path, store):
    """The circles' pairing (as their sync recorded it), meetings from a CSV for every pair
    (fortnightly), and one meeting logged in Moodle."""
    record_circles(store, site)
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


def capped_term_with_a_leaver(tmp_path, monkeypatch):
    """At most 2 meetings on the meetings item, a term of meetings, and one mentee whose enrolment is
    suspended while still in their circle group: (config, site, store, leaver)."""
    config = make_config(tmp_path, monkeypatch, max_meetings=2)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    mentor = mentors_of(site)[0]
    leaver = sorted(circles(site)[str(mentor)] - {mentor})[1]
    site.courses[2].enrolments[leaver].suspended = True
    return config, site, store, leaver


def test_unenrolled_members_and_grades_above_the_maximum_are_rejected_before_sending(tmp_path, monkeypatch):
    config, site, store, leaver = capped_term_with_a_leaver(tmp_path, monkeypatch)
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


def test_round_10_6_grades_outside_the_items_range_make_grades_push_exit_2(tmp_path, monkeypatch):
    # `grades push` said "rejected before sending: 2" and exited 0, and every `lmsync run` said grades ok
    config, site, store, leaver = capped_term_with_a_leaver(tmp_path, monkeypatch)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    # someone no longer active is expected, not an admin's problem; a value the item cannot hold is
    assert {r.user_id for r in planned.plan.rejected if not r.out_of_range} == {leaver}
    out_of_range = [r for r in planned.plan.rejected if r.out_of_range]
    assert out_of_range and all("above the maximum 2" in r.reason for r in out_of_range)
    monkeypatch.setattr(grades, "push_job", lambda *a, **k: grades.PushResult(planned.plan, report, planned))
    Store(config.store_path()).close()  # the programme's store file: a push needs one (tester round 98a, 1)
    pushed = CliRunner().invoke(main, ["--config", str(config.source), "grades", "push"])
    assert pushed.exit_code == 2, pushed.output
    assert f"{len(out_of_range)} grade(s) not sent: outside their grade item's range" in pushed.output
    assert "max_meetings" in pushed.output
    # tester round 12, 5: the hint named [grades], where the key is refused as unknown; the person was "user 31"
    assert "[meetings] (max_meetings, max_minutes)" in pushed.output
    first = out_of_range[0]
    name = site.users[first.user_id].username
    from lmsync.render.grades import plan_text

    shown = plan_text(planned.plan)
    assert f"! {first.key} for " in shown and f"({name}) = {first.value:g}: above the maximum" in shown
    assert f"for user {first.user_id} " not in shown
    # round 26, 6: the suspended leaver was "user #N (not in the course)"; named site-wide now
    away = site.users[leaver]
    assert f"for {away.firstname} {away.lastname} ({away.username}), no active enrolment = " in shown
    assert "not in the course" not in shown


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
    with open_moodle(config, site=site) as conn:  # after T3's window closed (FIX-A)
        planned = grades.make_grades_plan(conn.api, config, store, as_of=T3_CLOSED)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    names = {i.itemname: i for i in owned_items(site).values()}
    assert not any(n.startswith("lmsync_checkin-T") for n in names), "a per-mentee rating item was created"
    received = names["lmsync_checkin-received-T3"]
    assert received.hidden, "a mentor read their mentees' mean verdict of them (tester round 94a, 1)"
    values = {c.userid: int(c.values[1]) for c in checkin.completeds}
    assert received.grades[mentor0].finalgrade == pytest.approx(round(mean(values[u] for u in answered0), 2))
    answered1 = {u for u in values if u in circles(site)[str(mentor1)]}
    assert len(answered1) < 3 and mentor1 not in received.grades
    mentees = {u for members in circles(site).values() for u in members} - set(mentors_of(site))
    assert mentees.isdisjoint(received.grades)
    received.hidden = False  # as an earlier lmsync made it, shown to the mentor: the next push hides it
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=T3_CLOSED)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert received.hidden


def test_fix_a_a_mentors_received_mean_cannot_be_differenced_across_pushes(config, tmp_path):
    """Tester finding FIX-A: 3 mentees answer, push; a 4th answers, push again: the mentor's
    received mean must not move (else 4 x new - 3 x old is the 4th mentee's rating), and nothing
    is published while the wave's window is open."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    checkin = site.feedbacks[1]
    mentor0 = mentors_of(site)[0]
    rated0 = sorted(circles(site)[str(mentor0)] - {mentor0})
    answered0 = [c.userid for c in checkin.completeds if c.userid in rated0]
    silent = [u for u in rated0 if u not in answered0]
    assert len(answered0) >= 3 and silent

    def push(as_of):
        with open_moodle(config, site=site) as conn:
            planned = grades.make_grades_plan(conn.api, config, store, as_of=as_of)
            grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        item = next((i for i in owned_items(site).values() if i.itemname == "lmsync_checkin-received-T3"), None)
        grade = item.grades.get(mentor0) if item is not None else None
        return (grade.finalgrade if grade is not None else None), planned.plan

    value, plan = push(AS_OF)  # T3 still open: nothing yet
    assert value is None
    assert any(w.startswith("checkin-received-T3: ") and "window has closed" in w for w in plan.warnings)
    first, _ = push(T3_CLOSED)
    assert first is not None
    number = max(c.id for c in checkin.completeds) + 1
    checkin.completeds.append(FeedbackCompleted(number, silent[0], checkin.completeds[0].timemodified, {1: "1"}))
    again, plan = push(T3_CLOSED)
    assert again == first, "the 4th mentee's rating can be read from the difference"
    assert any("held: published value frozen for" in w and "(1 would differ" in w for w in plan.warnings)
    assert "held: published value frozen" in plan_text(plan)


@pytest.mark.parametrize(
    ("old", "new", "renamed_key"),
    [
        ("T3 = {", "T3autumn = {", "checkin-received-T3autumn"),  # the wave renamed
        ('grade_name = "checkin"', 'grade_name = "rapport"', "rapport-received-T3"),  # the grade name
        ("T3 = { start = 2026-11-01, end = 2026-12-31 }", "T3b = { start = 2026-10-31, end = 2027-01-01 }",
         "checkin-received-T3b"),  # renamed and its window moved a day (third tester)
        (("[instruments.checkin]", 'grade_name = "checkin"'), ("[instruments.rapport]", 'grade_name = "rapport"'),
         "rapport-received-T3"),  # the instrument itself renamed, same items (fourth tester)
    ],
)
def test_tester_finding_3_renaming_a_wave_keeps_the_frozen_received_mean(config, tmp_path, old, new, renamed_key):
    """Tester finding 3: 3 mentees answer, push; the wave is renamed (same window) and a 4th
    answers: the received mean under the new name must be the frozen one, not a new mean over
    four raters beside the old item's (the 4th rating by difference)."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    checkin = site.feedbacks[1]
    mentor0 = mentors_of(site)[0]
    rated0 = sorted(circles(site)[str(mentor0)] - {mentor0})
    silent = [u for u in rated0 if u not in {c.userid for c in checkin.completeds}]
    assert silent

    def push(conf, key):
        with open_moodle(conf, site=site) as conn:
            planned = grades.make_grades_plan(conn.api, conf, store, as_of=T3_CLOSED)
            grades.push_grades(conn.api, conf, store, planned.plan, observed=planned.state)
        item = next(i for i in owned_items(site).values() if i.itemname == f"lmsync_{key}")
        return item.grades[mentor0].finalgrade, planned.plan

    first, _ = push(config, "checkin-received-T3")
    number = max(c.id for c in checkin.completeds) + 1
    checkin.completeds.append(FeedbackCompleted(number, silent[0], checkin.completeds[0].timemodified, {1: "1"}))
    path = tmp_path / "lmsync.toml"
    text = path.read_text()
    for before, after in zip(*((o,) if isinstance(o, str) else o for o in (old, new)), strict=True):
        assert before in text
        text = text.replace(before, after)
    path.write_text(text)
    renamed = load_config(path, environ={})
    again, plan = push(renamed, renamed_key)
    assert again == first, "the 4th mentee's rating can be read from the old and the renamed item's means"
    assert any(w.startswith(f"{renamed_key}: held: published value frozen") for w in plan.warnings)


def test_tester_finding_4_a_plan_after_a_wave_rename_scores_under_the_new_name_and_writes_nothing(config, tmp_path):
    """Tester finding 4: stored scores keep the wave names of their last rescore; a plan made
    after a rename (no Feedback read: reads never write) must grade the renamed wave, not miss it."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        before = grades.make_grades_plan(conn.api, config, store, as_of=T3_CLOSED).plan  # reads the Feedback
    path = tmp_path / "lmsync.toml"
    path.write_text(path.read_text().replace("T3 = {", "T3autumn = {"))
    renamed = load_config(path, environ={})
    stored = {ws.wave for ws in SurveyRepository(store, PROGRAMME).scores()}
    with open_moodle(renamed, site=site) as conn:
        after = grades.make_grades_plan(conn.api, renamed, store, as_of=T3_CLOSED, read_sources=False).plan

    def graded(plan, wave):
        return sum(len(r.grades) for r in plan.requests if (plan.item(r.itemnumber) or r).key == f"checkin-received-{wave}")

    assert graded(before, "T3") > 0
    assert graded(after, "T3autumn") == graded(before, "T3")
    assert {ws.wave for ws in SurveyRepository(store, PROGRAMME).scores()} == stored  # nothing rewritten


def test_fix_a_a_saved_plan_that_would_change_a_published_mean_is_refused(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    mentor0 = mentors_of(site)[0]
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=T3_CLOSED)
        PublishedGrades(store, PROGRAMME).freeze([("checkin-received-T3", mentor0, 1.0)])  # recorded meanwhile
        with pytest.raises(PlanError, match="published mentor mean"):
            grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert not owned_items(site)  # nothing was sent


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


@pytest.mark.parametrize("pool", [1, 3])
def test_answers_lost_after_a_write_stop_the_push_and_the_next_push_converges(config, tmp_path, pool):
    config.moodle.max_parallel = pool  # issue 15: exact with the pool on
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
    # stopped after the first uncertain request; with the pool on, the ones already in flight
    # (at most max_parallel, one per item) are journaled as unknown too, and nothing after them
    assert [e.state for e in entries] == ["unknown"] * len(entries) and 1 <= len(entries) <= pool
    with open_moodle(config, site=site) as conn:
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert again.plan.unchanged > 0  # the lost write did land and is not sent twice
        assert again.plan.grade_count == planned.plan.grade_count - again.plan.unchanged
        final = grades.push_grades(conn.api, config, store, again.plan, observed=again.state)
        assert final.complete
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.empty


@pytest.mark.parametrize("pool", [1, 3])
def test_a_crash_mid_push_leaves_an_intent_and_the_next_push_converges(config, tmp_path, pool):
    config.moodle.max_parallel = pool  # issue 15: exact with the pool on
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(
        config, site=site, fault=fail_once("core_grades_update_grades", "after", "crash")
    ) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        with pytest.raises(SimulatedCrash):
            grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    unfinished = [e.state for e in Journal(store, PROGRAMME).unfinished()]
    assert unfinished == ["intent"] * len(unfinished) and 1 <= len(unfinished) <= pool
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
    # `grades plan` is a read (issue 11): the meeting logged in Feedback is read by the next push
    assert "Feedback answers were not read" in planned.output and "read Feedback '" not in planned.output
    fed = runner.invoke(main, ["--config", cfg, "grades", "push"], env=env)
    assert fed.exit_code == 0 and "Pushed in 0 write requests" not in fed.output, fed.output
    again = runner.invoke(main, ["--config", cfg, "grades", "push"], env=env)
    assert again.exit_code == 0, again.output
    assert "no changes" in again.output and "Pushed in 0 write requests" in again.output
    stale = runner.invoke(main, ["--config", cfg, "grades", "push", str(out)], env=env)
    assert stale.exit_code == 2 and "changed since the plan" in stale.output


# --- issue 10: ownership you can prove (point 6) and duplicates / slow creates (point 10) ---------


def another_programmes_items(site):
    """The recorded items 1000-1002 on forum cm 3 (another programme's, one also named
    lmsync_attendance with idnumber 20261000, 72 grades on it), as the recording site holds them."""
    from lmsync.moodle.emulator.state import Grade, GradeItem

    students = active_students(site)
    specs = {
        1000: ("lmsync_attendance", "20261000", 100.0, {u: float(40 + u % 60) for u in students[:57] + mentors_of(site)}),
        1001: ("lmsync_satisfaction-avg", "20261001", 5.0, {u: 4.0 for u in students[:10]}),
        1002: ("lmsync_dup", "20261000", 10.0, {students[0]: 1.0}),
    }
    first = max(site.grade_items) + 1
    site.counters["grade_items"] = max(site.counters.get("grade_items", 0), first + 2)
    for n, (number, (name, idnumber, grademax, values)) in enumerate(specs.items()):
        item = GradeItem(first + n, 2, "mod", "forum", 3, number, 3, name, idnumber, grademax)
        item.grades = {u: Grade(g, g, 1795599341) for u, g in values.items()}
        site.grade_items[item.id] = item
    return [first, first + 1, first + 2]


def snapshot(site, ids):
    return {
        i: (
            site.grade_items[i].itemname,
            site.grade_items[i].idnumber,
            site.grade_items[i].grademax,
            site.grade_items[i].hidden,
            {u: (g.rawgrade, g.finalgrade) for u, g in site.grade_items[i].grades.items()},
        )
        for i in ids
    }


def test_issue_10_point_6_another_programmes_items_in_the_range_are_never_written(config, tmp_path):
    site = site_with_circles()
    foreign = another_programmes_items(site)
    assert len(site.grade_items[foreign[0]].grades) >= 60
    before = snapshot(site, foreign)
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        assert {x.itemnumber for x in plan.taken} == {1000, 1001, 1002}
        assert not {r.itemnumber for r in plan.requests} & {1000, 1001, 1002}
        assert {i.itemnumber for i in plan.items}.isdisjoint({1000, 1001, 1002})
        assert any("itemnumber 1000 holds grade item 'lmsync_attendance'" in w and "itemnumber_base" in w
                   for w in plan.warnings)
        report = grades.push_grades(conn.api, config, store, plan, observed=planned.state)
        assert report.complete and report.grades == plan.grade_count
        assert snapshot(site, foreign) == before  # compared before and after, grades included
        # lmsync's own items carry the derived idnumber and are recorded in the store
        mine = {i.itemnumber: i for i in owned_items(site).values() if i.id not in foreign}
        assert set(mine) == {r.itemnumber for r in plan.requests} and set(mine) <= {i.itemnumber for i in plan.items}
        for spec in plan.items:
            if spec.itemnumber in mine:
                assert mine[spec.itemnumber].idnumber == derived_idnumber(PROGRAMME, spec.key)
        records = GradeItemRecords(store, PROGRAMME, 2, 3).all()
        assert {(r.itemnumber, r.item_id, r.state) for r in records} == {
            (n, i.id, "created") for n, i in mine.items()
        }
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan
        assert again.in_sync and again.unchanged == plan.grade_count
    assert snapshot(site, foreign) == before
    assert "itemnumber 1000 is taken by 'lmsync_attendance'" in plan_text(plan)


def test_issue_10_point_6_a_fresh_store_proves_nothing_even_with_lmsyncs_own_idnumber(config, tmp_path):
    """Same site, the store lost: lmsync's items (derived idnumber, no record) are not provably its own."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        created = {i.id for i in owned_items(site).values()}
        before = snapshot(site, created)
        other = Store.memory()
        term(config, site, tmp_path, other)
        fresh = grades.make_grades_plan(conn.api, config, other, as_of=AS_OF).plan
        assert {x.item_id for x in fresh.taken} == created
        assert not {r.itemnumber for r in fresh.requests} & {i.itemnumber for i in owned_items(site).values()}
    assert snapshot(site, created) == before


def test_issue_10_point_6_items_an_earlier_lmsync_created_are_adopted_from_its_journal(config, tmp_path):
    """The earlier version named item 1000 lmsync_attendance with idnumber 20261000 and journaled
    sending its details; the foreign-looking 1001 and 1002 have no such record and stay untouched."""
    site = site_with_circles()
    foreign = another_programmes_items(site)
    store = Store.memory()
    journal = Journal(store, PROGRAMME)
    entry = journal.intent("old-run", "core_grades_update_grades", "update_grades", ["grade:1000:3", "grade:1000:4"])
    journal.finish(entry, "ok", {"grades": 2, "details": True})
    untouched = snapshot(site, foreign[1:])
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        assert {x.itemnumber for x in plan.taken} == {1001, 1002}
        (adopt,) = [r for r in plan.requests if r.adopts]
        assert adopt.itemnumber == 1000 and adopt.itemdetails["idnumber"] == derived_idnumber(PROGRAMME, "attendance")
        report = grades.push_grades(conn.api, config, store, plan, observed=planned.state)
        assert report.complete
        assert site.grade_items[foreign[0]].idnumber == derived_idnumber(PROGRAMME, "attendance")
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.in_sync
    assert snapshot(site, foreign[1:]) == untouched
    (row,) = [r for r in GradeItemRecords(store, PROGRAMME, 2, 3).all() if r.itemnumber == 1000]
    assert (row.state, row.item_id) == ("adopted", foreign[0])


def test_issue_10_point_10_two_items_at_one_itemnumber_are_drift_never_in_sync(config, tmp_path):
    from dataclasses import replace

    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.in_sync
        # a timed-out create committed late: a second item at lmsync's attendance itemnumber
        number = by_number_key(planned.plan, "attendance")
        (original,) = [i for i in owned_items(site).values() if i.itemnumber == number]
        copy = replace(original, id=site.next_id("grade_items"), grades={})
        site.grade_items[copy.id] = copy
        conn.transport.stats.clear()
        drift = grades.make_grades_plan(conn.api, config, store, as_of=date(2026, 12, 20))
        plan = drift.plan
        assert not plan.in_sync
        assert [(d.itemnumber, sorted(d.item_ids), d.mine) for d in plan.duplicates] == [
            (number, sorted([original.id, copy.id]), True)
        ]
        assert number not in {r.itemnumber for r in plan.requests}
        assert "drift: itemnumber" in plan_text(plan)
        report = grades.push_grades(conn.api, config, store, plan, observed=drift.state)
        assert not report.complete and any("grade items at one itemnumber" in why for _w, why in report.left)
    assert len([i for i in site.grade_items.values() if i.cmid == 3 and i.itemnumber == number]) == 2


def test_issue_10_point_10_a_lost_create_is_not_sent_again_while_it_may_commit(config, tmp_path, monkeypatch):
    config.moodle.max_parallel = 1  # one lost create at a time (the pool's case: the test below)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)

    def lost(function, phase):  # the create never answers (and has not landed yet)
        return "timeout" if function == "core_grades_update_grades" and phase == "before" else None

    with open_moodle(config, site=site, fault=lost) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert report.uncertain
    first = planned.plan.requests[0]
    assert first.creates
    (pending,) = [r for r in GradeItemRecords(store, PROGRAMME, 2, 3).all() if r.state == "sending"]
    assert pending.itemnumber == first.itemnumber
    with open_moodle(config, site=site) as conn:
        held = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan
        assert held.held == [first.key] and not held.in_sync
        assert first.itemnumber not in {r.itemnumber for r in held.requests}
        assert all(not (r.creates and r.key == first.key) for r in held.requests)
        # the slow Moodle commits the create now: the next plan sees lmsync's item, one copy only
        item = planned.plan.item(first.itemnumber)
        conn.api.update_grades(
            "lmsync", 2, "mod_forum", 3, first.itemnumber,
            [{"studentid": g.user_id, "grade": g.grade} for g in first.grades], itemdetails=first.itemdetails,
        )
        after = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert not after.plan.held and not after.plan.duplicates
        assert first.itemnumber not in {r.itemnumber for r in after.plan.requests if r.creates}
        assert grades.push_grades(conn.api, config, store, after.plan, observed=after.state).complete
        (created,) = [i for i in site.grade_items.values() if i.cmid == 3 and i.itemnumber == first.itemnumber]
        assert created.idnumber == item.idnumber


def test_issue_10_point_10_a_lost_create_is_sent_again_once_it_can_no_longer_commit(config, tmp_path, monkeypatch):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)

    def lost(function, phase):
        return "timeout" if function == "core_grades_update_grades" and phase == "before" else None

    with open_moodle(config, site=site, fault=lost) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    config = config.model_copy(update={"sync": config.sync.model_copy(update={"write_settle_seconds": 0})})
    with open_moodle(config, site=site) as conn:
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert not again.plan.held
        first = planned.plan.requests[0]
        assert any(r.creates and r.itemnumber == first.itemnumber for r in again.plan.requests)
        assert grades.push_grades(conn.api, config, store, again.plan, observed=again.state).complete


def test_issue_10_point_10_a_saved_plan_never_resends_a_create_that_may_still_commit(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    config.moodle.max_parallel = 1
    site = site_with_circles()
    site.late_after = 10_000  # the slow Moodle holds the first create for a while
    store = Store.memory()
    term(config, site, tmp_path, store)
    fired = []

    def late_once(function, phase):
        if function == "core_grades_update_grades" and phase == "before" and not fired:
            fired.append(1)
            return "late"
        return None

    with open_moodle(config, site=site, fault=late_once) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        saved = planned.plan  # as `lmsync grades plan --out plan.json` would save it
        first = saved.requests[0]
        assert first.creates
        assert grades.push_grades(conn.api, config, store, saved, observed=planned.state).uncertain
        assert [r.state for r in GradeItemRecords(store, PROGRAMME, 2, 3).all()] == ["sending"]
        conn.transport.stats.clear()
        # `lmsync grades push plan.json` again, within write_settle_seconds: refused, nothing sent
        with pytest.raises(PartialFailure) as refused:
            grades.push_grades(conn.api, config, store, saved)
        assert refused.value.exit_code == 1
        assert f"itemnumber {first.itemnumber}" in str(refused.value) and "retry after" in str(refused.value)
        assert writes(conn.transport.stats) == 0
    site.commit_late()
    copies = [i for i in site.grade_items.values() if i.cmid == 3 and i.itemnumber == first.itemnumber]
    assert len(copies) == 1, f"{len(copies)} grade items at itemnumber {first.itemnumber}"


def pushed_term(config, tmp_path):
    """``site_with_circles`` and a store after ``term``, its grades pushed (and that plan): the gradebook a
    teacher then edits by hand."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        first = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert grades.push_grades(conn.api, config, store, first.plan, observed=first.state).complete
    return site, store, first.plan


def test_tester_round_9_3_a_grade_a_teacher_overrode_or_locked_is_left_as_it_is(config, tmp_path):
    """Moodle keeps a final grade a teacher typed or locked in the gradebook whatever the activity
    sends (``grade_item::regrade_final_grades`` skips locked or overridden grades): lmsync sent its
    value again on every run, and the read-back never matched. Now such grades are never written,
    the plan says so, and a second plan is empty."""
    site, store, pushed = pushed_term(config, tmp_path)
    with open_moodle(config, site=site) as conn:
        item = owned_items(site)[by_number_key(pushed, "attendance")]
        overridden, locked = sorted(item.grades)[:2]
        item.grades[overridden].finalgrade, item.grades[overridden].overridden = 99.0, True
        item.grades[locked].finalgrade, item.grades[locked].locked = 1.0, True

        conn.transport.stats.clear()
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert again.plan.empty and again.plan.in_sync, [r.grades for r in again.plan.requests]
        assert any("2 grade(s) a teacher overrode or locked" in w for w in again.plan.warnings), again.plan.warnings
        assert grades.push_grades(conn.api, config, store, again.plan, observed=again.state).requests == 0
        assert writes(conn.transport.stats) == 0
        assert (item.grades[overridden].finalgrade, item.grades[locked].finalgrade) == (99.0, 1.0)


def test_trap_emulator_keeps_a_final_grade_a_teacher_overrode_or_locked(config):
    """The emulator as Moodle: core_grades_update_grades moves an overridden grade's raw grade only and
    leaves a locked one alone; gradereport_user_get_grade_items flags both."""
    site = site_with_circles()
    with open_moodle(config, site=site) as conn:
        send = {"source": "lmsync", "courseid": 2, "component": "mod_forum", "activityid": 3, "itemnumber": 1050,
                "itemdetails": {"itemname": "t", "grademax": 100}}
        conn.transport.call("core_grades_update_grades", {**send, "grades": [{"studentid": 3, "grade": 10},
                                                                             {"studentid": 4, "grade": 10}]})
        item = next(i for i in site.grade_items.values() if i.itemnumber == 1050)
        item.grades[3].finalgrade, item.grades[3].overridden = 80.0, True
        item.grades[4].locked = True
        conn.transport.call("core_grades_update_grades", {**send, "grades": [{"studentid": 3, "grade": 20},
                                                                             {"studentid": 4, "grade": 20}]})
        assert (item.grades[3].rawgrade, item.grades[3].finalgrade) == (20, 80.0)
        assert (item.grades[4].rawgrade, item.grades[4].finalgrade) == (10, 10)
        rows = conn.transport.call("gradereport_user_get_grade_items", {"courseid": 2, "userid": 3})
        row = next(r for r in rows["usergrades"][0]["gradeitems"] if r["itemnumber"] == 1050)
        assert row["gradeisoverridden"] is True and row["gradeislocked"] is False and row["graderaw"] == 80


def test_tester_round_9_4_an_item_whose_idnumber_was_changed_by_hand_is_refused_not_created_again(config, tmp_path):
    """Clearing the ID number of lmsync's own item made the next push create a second column with
    the same name; the store knows the item by its Moodle id, so it is named and nothing is created."""
    site, store, pushed = pushed_term(config, tmp_path)
    with open_moodle(config, site=site) as conn:
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)  # reads the items' ids back
        assert again.plan.in_sync
        number = by_number_key(pushed, "attendance")
        item = owned_items(site)[number]
        recorded, item.idnumber = item.idnumber, ""
        items_before = len(site.grade_items)

        edited = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert not edited.plan.in_sync and all(r.itemnumber != number for r in edited.plan.requests)
        assert not any(r.creates for r in edited.plan.requests)
        assert any(f"now has the ID number (none) instead of {recorded}" in w for w in edited.plan.warnings), edited.plan.warnings
        grades.push_grades(conn.api, config, store, edited.plan, observed=edited.state)
        assert len(site.grade_items) == items_before  # no second column

        item.idnumber = recorded  # the fix the warning gives
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.in_sync


def test_tester_round_21_12_a_meeting_dated_after_its_pair_ended_is_kept_and_said(config, tmp_path, monkeypatch):
    from datetime import date as day

    site = site_with_circles()
    store = Store(config.store_path())
    try:
        record_circles(store, site)
        group = next(g for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
        mentor = int(group.idnumber.rsplit(":", 1)[-1])
        moved, stays = sorted(group.members - {mentor})[:2]
        PairingHistory(store, PROGRAMME).record("remove_member", [(group.idnumber, moved)],
                                                at="2026-10-01T09:00:00.000+00:00")  # re-matched on 1 October
        name = site.users
        path = tmp_path / "late.csv"
        path.write_text("date,mentor,mentee,minutes,attended\n"
                        f"2026-09-20,{name[mentor].username},{name[moved].username},30,yes\n"
                        f"2026-10-14,{name[mentor].username},{name[moved].username},30,yes\n"
                        f"2026-10-14,{name[mentor].username},{name[stays].username},30,yes\n")
        people = [Person(u.id, u.username, u.idnumber, u.email) for u in (site.users[i] for i in site.courses[2].enrolments)]
        monkeypatch.chdir(tmp_path)  # the file named as typed in its folder: notes name it as given (round 122c, 2)
        result = import_meetings(config, path.relative_to(tmp_path), people=people, store=store, today=AS_OF)
        assert result.counts.added == 3  # kept: a pair may go on meeting
        assert result.outside_pair == (1, day(2026, 10, 14), "after the pair ended (2026-10-01)")  # 20 Sep: paired
        from lmsync.cli.meetings import _report

        assert ("warning: 1 meeting(s) dated when their pair did not exist (the first on 2026-10-14: after the pair "
                "ended (2026-10-01)): kept, but no grade counts them") in _report(result)
        # which row, as a refused one is named (tester round 67, 5)
        assert result.outside_rows == ("late.csv:3",) and "\n  rows: late.csv:3" in _report(result)
    finally:
        store.close()


def test_tester_round_24_5_no_figure_computed_says_where_meetings_are_counted_from():
    from lmsync.domain.metrics import MetricSpec
    from lmsync.render.grades import sources_text
    from lmsync.service.grade_metrics import Metrics
    from lmsync.service.grades import GradesPlanResult

    specs = {"attendance": MetricSpec("attendance", 0, 100)}
    empty = GradesPlanResult(plan=None, metrics=Metrics(specs=specs, values=[], attendance={}), state=None, pairs=50)  # type: ignore[arg-type]
    assert "set one of them if the pairs met before lmsync paired them" in sources_text(empty)
    # tester round 58, 10: with `[grades] enabled = []` no metric is left; that is the reason said
    none = GradesPlanResult(plan=None, metrics=Metrics(specs={}, values=[], attendance={}), state=None, pairs=50)  # type: ignore[arg-type]
    assert "no figure: [grades] enabled names no metric to publish" in sources_text(none)
    assert "programme_start" not in sources_text(none)


def test_round_28_7_the_grades_plans_csv_and_json_name_whose_value_was_rejected(tmp_path, monkeypatch):
    """The CSV's rejected table showed bare user ids (README: every view names a person)."""
    import csv
    import io
    import json

    from lmsync.render.formats import render
    from lmsync.render.grades import plan_view

    config, site, store, leaver = capped_term_with_a_leaver(tmp_path, monkeypatch)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
    user = site.users[leaver]
    rows = json.loads(render(plan_view(planned), "json"))["rejected"]
    (row,) = [r for r in rows if r["user_id"] == leaver and r["key"] == "attendance"]
    assert user.username in row["person"] and "user #" not in row["person"]
    table = render(plan_view(planned), "csv").split("# rejected\n", 1)[1]
    assert any(user.username in r["person"] for r in csv.DictReader(io.StringIO(table)) if r["user_id"] == str(leaver))


def test_round_57_6_a_meeting_dated_before_its_pair_began_is_kept_and_said(config, tmp_path):
    """A mentee moved to another mentor on 1 October: a meeting with the new mentor dated in September,
    as a file or with `meetings add`, was stored and counted in that month's figures without a word."""
    from lmsync.cli.meetings import _report
    from lmsync.service.meetings import add_meeting

    site = site_with_circles()
    store = Store(config.store_path())
    try:
        record_circles(store, site)
        groups = [g for g in site.groups.values() if g.idnumber.startswith("lmsync:")]
        mentor = int(groups[1].idnumber.rsplit(":", 1)[-1])
        moved = sorted(groups[0].members - {int(groups[0].idnumber.rsplit(":", 1)[-1])})[0]
        history = PairingHistory(store, PROGRAMME)
        history.record("remove_member", [(groups[0].idnumber, moved)], at="2026-10-01T09:00:00.000+00:00")
        history.record("add_member", [(groups[1].idnumber, moved)], at="2026-10-01T09:00:00.000+00:00")
        name = site.users
        path = tmp_path / "early.csv"
        path.write_text("date,mentor,mentee,minutes,attended\n"
                        f"2026-09-20,{name[mentor].username},{name[moved].username},30,yes\n"
                        f"2026-10-14,{name[mentor].username},{name[moved].username},30,yes\n")
        people = [Person(u.id, u.username, u.idnumber, u.email) for u in (site.users[i] for i in site.courses[2].enrolments)]
        result = import_meetings(config, path, people=people, store=store, today=AS_OF)
        assert result.counts.added == 2 and result.outside_pair == (1, date(2026, 9, 20), "before the pair began (2026-10-01)")
        assert ("warning: 1 meeting(s) dated when their pair did not exist (the first on 2026-09-20: before the pair "
                "began (2026-10-01)): kept, but no grade counts them") in _report(result)
        said: list[str] = []
        add_meeting(config, when="2026-09-27", mentor=name[mentor].username, mentee=name[moved].username, minutes="20",
                    attended=None, said=said, people=people, store=store, today=AS_OF)
        assert said == ["warning: dated before the pair began (2026-10-01): kept, but no grade counts it; `lmsync "
                        "meetings remove` takes it back if it is a mistake"]
    finally:
        store.close()


def test_round_57_9_an_item_renamed_by_hand_is_shown_as_set_back_not_as_a_new_item(config, tmp_path):
    site, store, pushed = pushed_term(config, tmp_path)
    number = by_number_key(pushed, "attendance")
    first_text = plan_text(pushed)
    assert f"[{number}]" in first_text and "(new item)" in first_text  # the first push made the items
    owned_items(site)[number].itemname = "Attendance (renamed by a teacher)"
    with open_moodle(config, site=site) as conn:
        shown = plan_text(grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan)
    (line,) = [x for x in shown.splitlines() if f"[{number}]" in x]
    assert line.startswith("  ~ ") and "set back to lmsync's" in line and "new item" not in line
