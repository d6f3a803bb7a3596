"""A pair made by hand while lmsync watches the programme (tester round 10, 3): it dates from the
day lmsync first sees it, not from the programme's start, and it is not taken for another store's
circle (which held every nudge of the programme)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.service.cycle import cycle_job
from lmsync.service.health import observe_and_assess
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_cycle import PROGRAMME, TODAY, make_config
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def faculty_circles(site):
    enrolments = site.courses[2].enrolments
    return sorted(
        (g for g in site.groups.values()
         if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None and enrolments[m].role != "student"),
        key=lambda g: g.id,
    )


def assessed(config, site, day):
    """Every pair's health at ``day``, as the cycle's health step judges it (nothing recorded)."""
    store = Store(config.store_path())
    try:
        with open_moodle(config, site=site) as conn:
            return observe_and_assess(conn.api, config, store, as_of=day)
    finally:
        store.close()


def test_round_10_3_a_pair_made_by_hand_dates_from_when_lmsync_first_sees_it(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config = make_config(tmp_path, f"[meetings]\nstart = {TODAY}\n")  # the programme starts on day 0
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert cycle_job(config, site=site, now=noon, as_of=TODAY).step("health").state == "ok"  # lmsync judges day 0
    source, target = faculty_circles(site)[:2]
    moved = min(source.members - {mentor_of_idnumber(PROGRAMME, source.idnumber)})
    source.members.discard(moved)  # a teacher moves a mentee by hand, 40 days in
    target.members.add(moved)
    day = TODAY + timedelta(days=40)
    assessment = assessed(config, site, day)
    (view,) = [v for v in assessment.pairs if v.health.mentee_id == moved]
    assert view.health.mentor_id == mentor_of_idnumber(PROGRAMME, target.idnumber)
    assert view.health.paired_since == day  # was the programme's start: "no meeting since pairing 40 days ago"
    assert view.health.status not in ("at_risk", "fading")
    assert assessment.unpaired_here == 0  # was 1: every nudge of the programme held as another store's


def test_round_10_12_a_report_as_of_a_day_before_the_programme_says_so(tmp_path, site_and_coordinators):  # noqa: F811
    from lmsync.service.report import report_job

    site = site_and_coordinators
    config = make_config(tmp_path, f"[meetings]\nstart = {TODAY}\n")
    cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
              as_of=TODAY)
    before = report_job(config, as_of=TODAY - timedelta(days=30), site=site)
    assert f"The programme starts on {TODAY.isoformat()}: as of {TODAY - timedelta(days=30)} there is nothing" in " ".join(before.notes)
    today = report_job(config, as_of=TODAY, site=site)
    assert not [n for n in today.notes if "programme starts on" in n or "Moodle keeps no earlier state" in n]


def test_round_11_1_a_mentor_erased_while_enrolled_leaves_pairs_that_start_again_not_fading(tmp_path, site_and_coordinators):  # noqa: F811
    # all on one day, as the tester did: the first judgement, the erasure, the next judgement
    from lmsync.domain.meetings import Meeting
    from lmsync.service import privacy
    from lmsync.store.meetings import MeetingRepository

    site = site_and_coordinators
    start = TODAY - timedelta(days=40)
    config = make_config(tmp_path, f"[meetings]\nstart = {start}\n")
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    cycle_job(config, site=site, now=noon, as_of=TODAY)  # pairs everyone
    circle = faculty_circles(site)[0]
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    mentees = sorted(circle.members - {mentor})
    store = Store(config.store_path())
    MeetingRepository(store, PROGRAMME).save(
        (Meeting(start + timedelta(days=d), mentor, m, 45, True, "csv"), "test") for m in mentees for d in (7, 21, 35)
    )
    store.close()
    privacy.erase(config, site.users[mentor].username, while_enrolled=True)  # their meetings go with them
    assessment = assessed(config, site, TODAY)
    theirs = [v.health for v in assessment.pairs if v.health.mentor_id == mentor]
    assert theirs and all(h.paired_since == TODAY for h in theirs)  # was the programme's start: "not met yet"
    assert not [h for h in theirs if h.status in ("at_risk", "fading")]


def test_round_20_5_erasing_one_enrolled_mentee_does_not_make_their_pair_another_stores(tmp_path, site_and_coordinators):  # noqa: F811
    """Their pairing history went with them, so their pair looked made by another store, and every
    nudge and digest of the programme was held on every run (exit 2)."""
    from lmsync.service import privacy
    from lmsync.service.jobs import sync_job

    site = site_and_coordinators
    config = make_config(tmp_path, f"[meetings]\nstart = {TODAY}\n")
    assert sync_job(config, site=site).converged
    circle = faculty_circles(site)[0]
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    mentee = min(circle.members - {mentor})
    assert assessed(config, site, TODAY).unpaired_here == 0
    privacy.erase(config, site.users[mentee].username, while_enrolled=True)
    assessment = assessed(config, site, TODAY)
    assert any(v.health.mentee_id == mentee for v in assessment.pairs)  # still in the circle, judged afresh
    assert assessment.unpaired_here == 0  # was 1: "sit in circles it never paired ... another lmsync store"


def test_round_39_1_a_pair_made_by_hand_on_the_stores_first_day_stays_dated_from_that_day(tmp_path, site_and_coordinators):  # noqa: F811
    """Moved by hand on the day lmsync first judged the programme, after that first judgement: the next run dated
    it from that day, every later one from the programme's start: "fading, no meeting since pairing 92 days
    ago", queued, and every run exit 2 with the nudges held as another store's."""
    from lmsync.service.cycle import run_cycle

    site = site_and_coordinators
    config = make_config(tmp_path, f"[meetings]\nstart = {TODAY - timedelta(days=92)}\n")
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert cycle_job(config, site=site, now=noon, as_of=TODAY).step("health").state == "ok"  # the first judgement
    source, target = faculty_circles(site)[:2]
    moved = min(source.members - {mentor_of_idnumber(PROGRAMME, source.idnumber)})
    source.members.discard(moved)  # a teacher moves a mentee by hand the same day
    target.members.add(moved)

    def judged(day):
        store = Store(config.store_path())
        try:
            with open_moodle(config, site=site) as conn:
                run_cycle(conn.api, config, store, site=site, steps=("health",), as_of=day)
        finally:
            store.close()
        assessment = assessed(config, site, day)
        (view,) = [v for v in assessment.pairs if v.health.mentee_id == moved]
        return view.health, assessment.unpaired_here

    for day in (TODAY, TODAY, TODAY + timedelta(days=1)):  # the same day again, then the next
        health, unpaired = judged(day)
        assert health.paired_since == TODAY, day  # was the programme's start from the second run on
        assert health.status not in ("at_risk", "fading") and unpaired == 0


def test_round_55_5_a_run_says_a_circle_is_held_while_its_mentor_is_away(tmp_path, site_and_coordinators):  # noqa: F811
    """`lmsync run` said "0 membership change(s) planned; in sync": an admin reading cron never learnt a hold ran."""
    site = site_and_coordinators
    config = make_config(tmp_path, f"[meetings]\nstart = {TODAY}\n")
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    cycle_job(config, site=site, now=noon, as_of=TODAY)
    mentor = mentor_of_idnumber(PROGRAMME, faculty_circles(site)[0].idnumber)
    site.courses[2].enrolments[mentor].suspended = True
    step = cycle_job(config, site=site, now=noon, as_of=TODAY).step("sync")
    assert step.counts["circles_held_mentor_away"] == 1
    assert "1 circle(s) held while their mentor is away" in step.summary
