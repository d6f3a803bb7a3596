"""Tester findings on grades (FIX-A): a second store on the same site (1b), a survey wave renamed
after its grades were pushed (3). Emulator flows, built like ``test_grades_flow``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lmsync.domain.grades import derived_idnumber
from lmsync.render.grades import plan_text, push_text
from lmsync.service import grades
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_grades_flow import (
    AS_OF,
    CONFIG,
    PROGRAMME,
    T3_CLOSED,
    make_config,
    owned_items,
    site_with_circles,
    snapshot,
    term,
)


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def test_tester_finding_1b_a_second_store_on_the_same_site_never_duplicates_lmsyncs_grade_items(
    config, tmp_path
):
    """Store a created lmsync's items; store b (same site, same programme) cannot prove them: each
    such metric is refused with which item, why and the fix, nothing is written to those items and
    no second item carries their idnumber; a metric whose item is gone is still created and pushed."""
    site = site_with_circles()
    first = Store.memory()
    term(config, site, tmp_path, first)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, first, as_of=AS_OF)
        assert grades.push_grades(conn.api, config, first, planned.plan, observed=planned.state).complete
        created = {i.itemnumber: i for i in owned_items(site).values()}
        keys = {i.itemnumber: i.key for i in planned.plan.items}
        assert len(created) >= 3
        # an admin deleted one of them: that metric has no item anywhere, so store b may create it
        gone = min(n for n in created if keys[n] != "attendance")
        del site.grade_items[created.pop(gone).id]
        before = snapshot(site, [i.id for i in created.values()])

        second = Store.memory()
        term(config, site, tmp_path, second)
        replanned = grades.make_grades_plan(conn.api, config, second, as_of=AS_OF)
        fresh = replanned.plan
        refused = {r.key: r for r in fresh.refused}
        assert set(refused) == {keys[n] for n in created}
        assert not fresh.in_sync
        attendance = refused["attendance"]
        assert attendance.idnumber == derived_idnumber(PROGRAMME, "attendance")
        assert (attendance.itemnumber, attendance.item_id) == (1000, created[1000].id)
        for text in (attendance.message, plan_text(fresh)):
            assert "metric 'attendance' refused" in text and "no record that it created" in text
            assert "[store] path" in text and "Gradebook setup" in text
        assert "set [grades] itemnumber_base to a range nobody uses" not in plan_text(fresh)
        assert not {i.key for i in fresh.items} & set(refused)  # no item planned for a refused metric
        assert {r.key for r in fresh.requests} == {keys[gone]}

        # tester finding 1: store a's assignment grades (and comments) are not store b's to rewrite either
        assigned = {u: (g.grade, g.comment) for u, g in site.assignments[1].grades.items()}
        assert fresh.assign_requests == [] and {r.user_id for r in fresh.assign_refused} == set(assigned)
        report = grades.push_grades(conn.api, config, second, fresh, observed=replanned.state)
        assert report.grades > 0 and not report.complete
        assert {what for what, _why in report.left} == {f"metric {key}" for key in refused} | {
            f"assignment 'Mentoring attendance', {fresh.who(u)}" for u in assigned
        }
        assert {u: (g.grade, g.comment) for u, g in site.assignments[1].grades.items()} == assigned
        assert "metric attendance" in push_text(report) and "grades plan" in push_text(report)
    assert snapshot(site, [i.id for i in created.values()]) == before
    idnumbers = [i.idnumber for i in owned_items(site).values()]
    assert len(idnumbers) == len(set(idnumbers)) == len(created) + 1  # no idnumber twice
    again = {i.itemnumber: i for i in owned_items(site).values()}
    assert again[gone].idnumber == derived_idnumber(PROGRAMME, keys[gone])


def test_tester_finding_1b_the_first_store_is_told_about_a_copy_and_keeps_writing_its_own_items(
    config, tmp_path
):
    """A copy an earlier lmsync made from another store (same idnumber, next itemnumber) is named as a
    copy with the way out, never written; the store that made the originals goes on writing them."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        from lmsync.moodle.emulator.state import GradeItem

        original = next(i for i in owned_items(site).values() if i.itemnumber == 1000)
        copy = GradeItem(max(site.grade_items) + 1, 2, "mod", "forum", 3, 1090, 3, original.itemname,
                         original.idnumber, original.grademax)
        site.grade_items[copy.id] = copy
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan
        assert not again.refused and not again.requests
        assert any("itemnumber 1090 holds a copy of lmsync's item for metric 'attendance'" in w for w in again.warnings)
        assert not any("itemnumber 1090 holds grade item" in w for w in again.warnings)


def test_tester_finding_3_a_renamed_wave_leaves_its_pushed_item_alone_and_every_other_metric_goes_on(
    config, tmp_path
):
    """T3's received means were pushed; T3 is then renamed. Plan and push no longer stop with
    "metric ... has no spec": the T3 item is left as it is (one warning naming it and how to remove
    it), and attendance goes on updating."""
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=T3_CLOSED)
        assert grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state).complete
        (t3,) = [i for i in planned.plan.items if i.key == "checkin-received-T3"]
        assert any(r.itemnumber == t3.itemnumber for r in planned.plan.requests)
    kept = snapshot(site, [i.id for i in owned_items(site).values() if i.itemnumber == t3.itemnumber])

    (tmp_path / "lmsync.toml").write_text(
        CONFIG.replace("T3 = {{", "T3b = {{").format(budget=2000, max_meetings=100, policy="aggregate_only")
    )
    from lmsync.config import load_config

    renamed = load_config(tmp_path / "lmsync.toml", environ={})
    later = T3_CLOSED + timedelta(days=28)
    with open_moodle(renamed, site=site) as conn:
        for read_sources in (False, True):  # `grades plan` reads the store only; `run` reads Feedback first
            plan = grades.make_grades_plan(conn.api, renamed, store, as_of=later, read_sources=read_sources).plan
            notes = [w for w in plan.warnings if "'checkin-received-T3'" in w]
            assert len(notes) == 1 and "left as it is in Moodle and never written again" in notes[0]
            assert "Gradebook setup" in notes[0] and f"itemnumber {t3.itemnumber}" in notes[0]
            assert t3.itemnumber not in {r.itemnumber for r in plan.requests}
            assert "attendance" in {r.key for r in plan.requests}
        planned = grades.make_grades_plan(conn.api, renamed, store, as_of=later)
        report = grades.push_grades(conn.api, renamed, store, planned.plan, observed=planned.state)
        assert report.complete and report.grades > 0
    assert snapshot(site, [i.id for i in owned_items(site).values() if i.itemnumber == t3.itemnumber]) == kept


def test_fourth_tester_finding_1_a_second_store_never_publishes_a_second_received_mean(config, tmp_path):
    """Fourth tester, finding 1a: store a publishes mentor M's T3 received mean over 3 raters; a 4th
    mentee answers; store b (fresh, no record of a's frozen value) renames T3 (same dates) and
    pushes. Its new item must not show a second mean for M beside a's (4 x new - 3 x old is the
    late rating): held with a warning; a mentor a's items show no mean for is published."""
    from lmsync.config import load_config
    from lmsync.moodle.emulator.state import FeedbackCompleted
    from lmsync.store.published_grades import PublishedGrades
    from tests.flows.test_grades_flow import circles, mentors_of

    site = site_with_circles()
    first = Store.memory()
    term(config, site, tmp_path, first)
    checkin = site.feedbacks[1]
    mentor0, mentor1 = mentors_of(site)[:2]
    answered = {c.userid for c in checkin.completeds}
    silent0 = sorted(circles(site)[str(mentor0)] - {mentor0} - answered)
    silent1 = sorted(circles(site)[str(mentor1)] - {mentor1} - answered)
    assert silent0 and len(silent1) >= 3
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, first, as_of=T3_CLOSED)
        assert grades.push_grades(conn.api, config, first, planned.plan, observed=planned.state).complete
    old = next(i for i in owned_items(site).values() if i.itemname == "lmsync_checkin-received-T3")
    shown = {u: g.finalgrade for u, g in old.grades.items()}
    assert mentor0 in shown and mentor1 not in shown
    # an admin deleted a's attendance item: store b may create it, with mentor0's row too
    del site.grade_items[next(i.id for i in owned_items(site).values() if i.itemname == "lmsync_attendance")]

    # late answers: a 4th rater of mentor0, and enough raters of mentor1 for a first mean
    when = checkin.completeds[0].timemodified
    for n, (mentee, value) in enumerate([(silent0[0], "1"), *((u, "4") for u in silent1)]):
        checkin.completeds.append(FeedbackCompleted(max(c.id for c in checkin.completeds) + 1 + n, mentee, when,
                                                    {1: value}))
    (tmp_path / "lmsync.toml").write_text(
        CONFIG.replace("T3 = {{", "Autumn = {{").format(budget=2000, max_meetings=100, policy="aggregate_only")
    )
    renamed = load_config(tmp_path / "lmsync.toml", environ={})
    second = Store.memory()
    term(renamed, site, tmp_path, second)
    with open_moodle(renamed, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, renamed, second, as_of=T3_CLOSED)
        grades.push_grades(conn.api, renamed, second, planned.plan, observed=planned.state)
    plan = planned.plan
    new = next(i for i in owned_items(site).values() if i.itemname == "lmsync_checkin-received-Autumn")
    assert mentor0 not in new.grades, "the 4th mentee's rating can be read from a's and b's means"
    assert not set(shown) & set(new.grades)  # no mentor a's item shows gets a second mean
    assert new.grades[mentor1].finalgrade == 4.0  # a mentor a's items show nothing for is published
    attendance = next(i for i in owned_items(site).values() if i.itemname == "lmsync_attendance")
    assert attendance.grades[mentor0].finalgrade is not None  # mentor0's other values go on
    notes = [w for w in plan.warnings if w.startswith("checkin-received-Autumn: held for ")]
    assert notes == [
        f"checkin-received-Autumn: held for {len(shown)} mentor(s): another store's received item "
        "(lmsync_checkin-received-T3) already shows their mean; a second mean over other raters could give "
        "a rating away"
    ]
    assert "another store's received item" in plan_text(plan)
    published = {k for k in PublishedGrades(second, PROGRAMME).values() if k[1] == mentor0}
    assert not any("received" in key for key, _ in published)  # held, so not frozen either
    assert {u: g.finalgrade for u, g in old.grades.items()} == shown  # a's item left as it was
