"""Tester round 94 findings on grades: meeting grades written while no meeting was ever stored (94b, 1), and one
meeting above ``[meetings] max_minutes`` counted twice by every run's grades line (94a, 5). Emulator flows, built
like ``test_cycle`` and ``test_grades_flow``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lmsync.domain.meetings import Meeting
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.render.grades import plan_text
from lmsync.service import grades
from lmsync.service.cycle import cycle_job, run_cycle
from lmsync.service.grade_metrics import attendance_comments
from lmsync.service.meetings import import_meetings
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_cycle import AS_OF as LATER
from tests.flows.test_cycle import (
    NOON,
    TODAY,
    circle_pairs,
    site_and_coordinators,  # noqa: F401 (a fixture)
)
from tests.flows.test_cycle import make_config as cycle_config
from tests.flows.test_grades_flow import (
    AS_OF,
    PROGRAMME,
    Person,
    circles,
    make_config,
    mentors_of,
    owned_items,
    record_circles,
    site_with_circles,
)

MEETING_KEYS = {"attendance", "meetings", "minutes"}


def test_tester_round_94b_1_no_meeting_grade_is_written_while_no_meeting_is_stored(tmp_path, site_and_coordinators):  # noqa: F811
    """``lmsync init``'s configuration (no meeting source) some days in: every person got 0 attendance on two new
    visible grade items, and the run said "grades ok 144 grade(s)"."""
    site = site_and_coordinators
    config = cycle_config(tmp_path)
    first = cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
                      + timedelta(hours=12), as_of=TODAY)
    assert first.step("sync").state == "ok", first.step("sync").summary
    later = cycle_job(config, site=site, now=NOON, as_of=LATER)
    step = later.step("grades")
    assert not owned_items(site), {i.itemname for i in owned_items(site).values()}
    assert step.state == "held" and step.exit_code == EXIT_OK, step.summary
    assert "meeting grades wait for the first meeting" in step.summary and "0 grade(s)" in step.summary
    store = Store(config.store_path())
    try:
        with open_moodle(config, site=site) as conn:
            planned = grades.make_grades_plan(conn.api, config, store, as_of=LATER, read_sources=False)
        assert not MEETING_KEYS & {v.key for v in planned.metrics.values} and planned.metrics.meeting_grades_wait
        assert not attendance_comments(planned.metrics)  # nor the assignment's attendance grade
        said = plan_text(planned.plan)
        assert "meeting grades wait for the first meeting" in said
        assert "`lmsync import meetings`" in said and "`lmsync meetings add`" in said and "[meetings] feedback" in said
        # one meeting stored: meeting grades are computed as before, a pair that never met gets 0
        mentor, mentee = circle_pairs(site)[0]
        MeetingRepository(store, PROGRAMME).save([(Meeting(TODAY + timedelta(days=5), mentor, mentee, 45, True, "csv"),
                                                   "test")])
    finally:
        store.close()
    again = cycle_job(config, site=site, now=NOON + timedelta(days=1), as_of=LATER + timedelta(days=1))
    assert again.step("grades").state == "ok", again.step("grades").summary
    attendance = next(i for i in owned_items(site).values() if i.itemname == "lmsync_attendance")
    assert attendance.grades and 0.0 in {g.finalgrade for g in attendance.grades.values()}


def store_one_meeting(store, site, programme=PROGRAMME):
    """One meeting of the site's first circle pair in ``store``: meeting grades are computed once a store holds a
    meeting (tester round 94b, 1), for tests about what such a store writes."""
    mentor, members = min(circles(site).items())
    mentee = min(members - {int(mentor)})
    MeetingRepository(store, programme).save([(Meeting(AS_OF - timedelta(days=7), int(mentor), mentee, 45, True, "csv"),
                                               "test")])


def long_meeting_term(config, site, tmp_path, store):
    """One meeting of 45 minutes per pair, but the first mentee's only meeting, on a day of its own, lasted 300 (above the default
    [meetings] max_minutes 240: the import warns and stores it). Returns that mentee's Moodle id."""
    record_circles(store, site)
    rows = ["date,mentor,mentee,minutes,attended"]
    first = None
    for mentor, members in sorted(circles(site).items(), key=lambda c: (-len(c[1]), c[0])):  # mentor: 2+ mentees
        for mentee in sorted(members - {int(mentor)}):
            day, minutes = ("2026-09-30", 300) if first is None else ("2026-09-16", 45)  # the mentor's own day
            first = mentee if first is None else first
            rows.append(f"{day},{site.users[int(mentor)].username},{site.users[mentee].username},{minutes},yes")
    path = tmp_path / "meetings.csv"
    path.write_text("\n".join(rows) + "\n")
    people = [Person(u.id, u.username, u.idnumber, u.email) for u in (site.users[i] for i in site.courses[2].enrolments)]
    import_meetings(config, path, people=people, store=store, today=AS_OF)
    return first


def test_tester_round_94a_5_a_long_meeting_is_one_figure_named_with_its_fix_in_the_run_and_the_plan(
    tmp_path, monkeypatch
):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    store = Store.memory()
    mentee = long_meeting_term(config, site, tmp_path, store)
    assert mentors_of(site)
    with open_moodle(config, site=site) as conn:
        for _run in range(2):  # the second run writes nothing new and still says it
            step = run_cycle(conn.api, config, store, as_of=AS_OF, site=site, steps=("grades",)).step("grades")
            assert step.state == "admin" and step.exit_code == EXIT_ADMIN, step.summary
            assert "rejected before sending" not in step.summary, step.summary  # counted once
            assert "1 not sent, outside its grade item's range" in step.summary, step.summary
            assert "minutes for " in step.summary and "= 300: above the maximum 240" in step.summary
            assert "`lmsync meetings remove`" in step.summary and "max_minutes" in step.summary
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF, read_sources=False)
    said = plan_text(planned.plan)
    assert not planned.plan.in_sync and "no changes" not in said, said
    assert [(r.key, r.user_id) for r in planned.plan.rejected] == [("minutes", mentee)]
    assert "= 300: above the maximum 240" in said and "`lmsync meetings remove`" in said
