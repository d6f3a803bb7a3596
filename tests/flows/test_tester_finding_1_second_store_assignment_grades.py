"""Tester finding 1: a second store never overwrites assignment grades it did not write.

Store a (with the term's meetings) pushes the attendance grades to the assignment "Mentoring
attendance". Store b (another machine: its own store, an empty meeting history, same site and
programme) computed zero attendance and wrote it over a's grades every cycle, as it would over a
teacher's. Now a grade is written only where Moodle holds none, or still holds the grade this store
last wrote (``sent_assign_grades``), or this store's journal from before revision 0006 shows it
wrote one. Emulator flows, built like ``test_tester_findings_grades``.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.render.grades import plan_text, push_text
from lmsync.service import grades
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.meetings import SentAssignGrades
from lmsync.store.schema import sent_assign_grades
from tests.flows.test_grades_flow import AS_OF, PROGRAMME, make_config, site_with_circles, term
from tests.flows.test_tester_round_94_grades import store_one_meeting

ASSIGNMENT = 1
NOT_WRITTEN = "saved by lmsync's web-service user but not written by this store (another lmsync store's); left as it is"
CLEAR = "a grade cleared in Moodle stays its clearer's"  # clearing no longer hands it back (round 122a, 1)


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def assignment_grades(site):
    """The assignment's grades as the emulator holds them: user -> (grade, comment, grader)."""
    return {u: (g.grade, g.comment, g.grader) for u, g in site.assignments[ASSIGNMENT].grades.items()}


def push(conn, config, store, *, as_of=AS_OF):
    planned = grades.make_grades_plan(conn.api, config, store, as_of=as_of)
    return planned.plan, grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)


def test_tester_finding_1_a_second_store_never_overwrites_anothers_assignment_grades(config, tmp_path):
    site = site_with_circles()
    first = Store.memory()
    term(config, site, tmp_path, first)
    with open_moodle(config, site=site) as conn:
        plan, report = push(conn, config, first)
        assert report.complete and report.assign_grades == plan.assign_count > 0
        written = assignment_grades(site)
        assert SentAssignGrades(first, PROGRAMME).get(ASSIGNMENT) == {u: g for u, (g, _c, _w) in written.items()}
        assert any(g > 0 for g, _c, _w in written.values())

        second = Store.memory()  # no meetings: it would grade everyone 0
        fresh = grades.make_grades_plan(conn.api, config, second, as_of=AS_OF).plan
        assert fresh.assign_requests == [] and not fresh.in_sync
        assert {r.user_id for r in fresh.assign_refused} == set(written)
        notes = [w for w in fresh.warnings if NOT_WRITTEN in w]
        assert len(notes) == 10 and all(CLEAR in n for n in notes)  # 10 named, then how many more
        more = f"{len(written) - 10} more grades this store did not write are left as they are"
        assert any(more in w for w in fresh.warnings)
        user, (grade, _comment, _grader) = min(written.items())
        # the person named as views name people (tester round 12, 5), not "user 3"
        assert fresh.who(user).endswith(f"({site.users[user].username})")
        assert f"assignment 'Mentoring attendance', {fresh.who(user)}: Moodle holds {grade:g}, {NOT_WRITTEN}" in plan_text(fresh)

        report = grades.push_grades(conn.api, config, second, fresh, observed=None)
        assert report.assign_grades == 0 and not report.complete
        refusals = [what for what, _why in report.left if what.startswith("assignment")]
        assert sorted(refusals) == sorted(f"assignment 'Mentoring attendance', {fresh.who(u)}" for u in written)
        assert "holds a grade this store did not write" in push_text(report) and "grades plan" in push_text(report)
        assert assignment_grades(site) == written  # grade, comment and grader: untouched
        assert SentAssignGrades(second, PROGRAMME).get(ASSIGNMENT) == {}
        # and again, a cycle later: still nothing written
        _plan, again = push(conn, config, second)
        assert again.assign_grades == 0 and assignment_grades(site) == written

        # store a goes on: in sync now, and it keeps rewriting its own grades as attendance changes
        assert grades.make_grades_plan(conn.api, config, first, as_of=AS_OF).plan.in_sync
        later = AS_OF + timedelta(days=28)
        plan, report = push(conn, config, first, as_of=later)
        assert report.complete and plan.assign_count > 0 and not plan.assign_refused
        assert assignment_grades(site) != written
        assert grades.make_grades_plan(conn.api, config, first, as_of=later).plan.in_sync


def test_tester_finding_1_a_teachers_grade_is_left_and_the_others_are_still_written(config, tmp_path):
    """A teacher changes one grade store a wrote: a's next push leaves it and writes everyone else's;
    it is the teacher's decision, kept without asking an admin to act (tester round 17, 6: every run
    exited 2 for good, and the fix offered was to clear the teacher's grade). A row the teacher clears stays
    theirs: Moodle keeps "no grade" with the teacher as grader, as after a feedback comment saved without a grade
    (tester round 122a, 1), so lmsync writes nothing over it."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        push(conn, config, store)
        teacher_set = min(site.assignments[ASSIGNMENT].grades)
        site.assignments[ASSIGNMENT].grades[teacher_set].grade = 7.5
        site.assignments[ASSIGNMENT].grades[teacher_set].grader = 2
        later = AS_OF + timedelta(days=28)
        plan, report = push(conn, config, store, as_of=later)
        assert plan.assign_refused == [] and plan.assign_teacher_kept == [teacher_set]
        assert "1 grade(s) a teacher saved last are kept as the teacher left them" in plan_text(plan)
        assert plan.assign_count > 0 and teacher_set not in {g.user_id for c in plan.assign_requests for g in c}
        assert report.assign_grades == plan.assign_count and report.complete and not report.left
        assert site.assignments[ASSIGNMENT].grades[teacher_set].grade == 7.5

        site.assignments[ASSIGNMENT].grades[teacher_set].grade = -1.0  # the teacher clears it
        plan, report = push(conn, config, store, as_of=later)
        assert report.complete and plan.assign_requests == [] and plan.assign_teacher_kept == [teacher_set]
        assert site.assignments[ASSIGNMENT].grades[teacher_set].grade == -1.0


def test_fourth_tester_finding_3_a_teachers_feedback_comment_on_lmsyncs_grade_is_left(config, tmp_path):
    """A teacher keeps lmsync's grade and saves only a feedback comment: Moodle cannot return the
    comment (trap 30), but the grade's grader becomes the teacher. The next push leaves it."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        push(conn, config, store)
        commented = min(site.assignments[ASSIGNMENT].grades)
        record = site.assignments[ASSIGNMENT].grades[commented]
        kept_grade = record.grade
        record.comment, record.grader = "<p>Teacher: please see me about attendance</p>", 2
        plan, _report = push(conn, config, store, as_of=AS_OF + timedelta(days=28))
        assert plan.assign_refused == [] and plan.assign_teacher_kept == [commented]
        assert (record.grade, record.comment) == (kept_grade, "<p>Teacher: please see me about attendance</p>")
        assert plan.assign_count > 0  # everyone else's grade is still written


def test_tester_finding_1_a_store_from_before_0006_adopts_the_grades_its_journal_shows_it_wrote(config, tmp_path):
    """Its journal shows accepted mod_assign_save_grades, ``sent_assign_grades`` is empty (as after the
    migration): its grades are adopted as Moodle holds them, rewritten, and recorded; a grade someone
    else gave a person it never wrote to stays refused."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        push(conn, config, store)
        wrote = set(site.assignments[ASSIGNMENT].grades)
        with store.transaction():
            store.write(sent_assign_grades.delete())  # as revision 0006 leaves a store that wrote grades
        assert SentAssignGrades(store, PROGRAMME).get(ASSIGNMENT) == {}
        stranger = min(wrote)  # a grade in Moodle whose write this store's journal does not show
        mine = f"assign_grade:{ASSIGNMENT}:{stranger}"
        Journal(store, PROGRAMME).rewrite_keys(lambda k: f"assign_grade:{ASSIGNMENT}:unknown" if k == mine else k)
        assert grades.legacy_assign_users(Journal(store, PROGRAMME), ASSIGNMENT) == wrote - {stranger}
        later = AS_OF + timedelta(days=28)
        plan, report = push(conn, config, store, as_of=later)
        assert [r.user_id for r in plan.assign_refused] == [stranger]
        assert {g.user_id for c in plan.assign_requests for g in c} <= wrote - {stranger}
        assert plan.assign_count > 0 and report.assign_grades == plan.assign_count
        recorded = SentAssignGrades(store, PROGRAMME).get(ASSIGNMENT)
        assert set(recorded) == {g.user_id for c in plan.assign_requests for g in c}


def test_tester_finding_1_and_6_cli_second_machine_plan_warns_push_exits_2_and_the_first_still_converges(
    config, tmp_path
):
    """Two machines, each with its own state directory (store + the emulator's site file, copied
    between them as one Moodle site): b's `grades plan` names the refusals (exit 0), b's `grades push`
    writes none of a's assignment grades and exits 1; a's next push has nothing to do."""
    site = site_with_circles()
    store = Store(config.store_path())
    term(config, site, tmp_path, store)
    store.close()
    site.save(config.emulator_state_path())
    runner = CliRunner()
    cfg = str(tmp_path / "lmsync.toml")
    a_env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    b_env = {"XDG_STATE_HOME": str(tmp_path / "state-b")}
    first = runner.invoke(main, ["--config", cfg, "grades", "push"], env=a_env)
    assert first.exit_code == 0, first.output
    a_site = config.emulator_state_path()
    b_site = tmp_path / "state-b" / a_site.relative_to(tmp_path / "state")
    b_site.parent.mkdir(parents=True)
    shutil.copy(a_site, b_site)

    from lmsync.moodle.emulator.state import Site

    written = assignment_grades(Site.load(a_site))
    assert written
    b_store = Store(tmp_path / "state-b" / config.store_path().relative_to(tmp_path / "state"))
    store_one_meeting(b_store, Site.load(a_site))  # a store with no meeting writes no attendance (round 94b, 1)
    b_store.close()
    planned = runner.invoke(main, ["--config", cfg, "grades", "plan"], env=b_env)
    assert planned.exit_code == 0, planned.output
    assert NOT_WRITTEN in planned.output and CLEAR in planned.output
    pushed = runner.invoke(main, ["--config", cfg, "grades", "push"], env=b_env)
    assert pushed.exit_code == 2, pushed.output  # tester finding 6: an admin must act, a retry changes nothing
    assert "holds a grade this store did not write" in pushed.output and "0 assignment grades" in pushed.output
    assert assignment_grades(Site.load(b_site)) == written

    shutil.copy(b_site, a_site)  # the one site, as b left it
    again = runner.invoke(main, ["--config", cfg, "grades", "push"], env=a_env)
    assert again.exit_code == 0, again.output
    assert "no changes" in again.output and "Pushed in 0 write requests" in again.output
    assert assignment_grades(Site.load(a_site)) == written

