"""Tester round 90a, 4: a store that replaced a lost one (``--store-takes-over``) never wrote grades again. The lost
store's grade items carry lmsync's idnumber but this store has no record of creating them, so each metric was refused
("unproven") for good, and the only fix offered was deleting the items with their grades. With ``--store-takes-over``
(``grades push``, ``grades plan``, ``run``) a store with no record of an item now adopts an item alone at its number
in lmsync's itemnumber range that carries exactly this programme's derived idnumber of a metric and that metric's
name, records it as adopted, and later pushes write it without the flag. Anything else stays refused.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.grade_items import ItemRecord, ObservedGradeItem, derived_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service import grades
from lmsync.service.cycle import run_cycle
from lmsync.service.meetings import import_meetings
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from lmsync.store.grade_items import GradeItemRecords
from tests.flows.test_grades_flow import AS_OF, CONFIG, PROGRAMME, owned_items, site_with_circles, term

TAKEN = ("attendance", "meetings", "minutes")  # the items store a creates on this term


@pytest.fixture
def config(tmp_path, monkeypatch):
    """The flows' configuration without the assignment: its grades keep their per-person proof (a store that did
    not write them refuses them, exit 2), which this finding leaves as it is."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    text = CONFIG.format(budget=2000, max_meetings=100, policy="aggregate_only")
    path.write_text(text.replace('assignment = "Mentoring attendance"\n', ""))
    return load_config(path, environ={})


def items_of(site):
    """lmsync's items as the gradebook holds them: itemnumber -> (id, name, idnumber, grades)."""
    return {n: (i.id, i.itemname, i.idnumber, {u: g.rawgrade for u, g in i.grades.items()})
            for n, i in owned_items(site).items()}


def store_a_pushed(config, site, tmp_path):
    """Store a (the one later lost) pushes the term's grades: it creates and records the items."""
    first = Store.memory()
    term(config, site, tmp_path, first)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, first, as_of=AS_OF)
        report = grades.push_grades(conn.api, config, first, planned.plan, observed=planned.state)
    assert report.complete and report.details >= len(TAKEN)
    numbers = {i.key: i.itemnumber for i in planned.plan.items if i.key in TAKEN}
    assert set(numbers) == set(TAKEN) and set(numbers.values()) <= set(owned_items(site))
    return numbers


def another_meeting(config, site, tmp_path, store, day):
    """A meeting store b holds and store a never did (logged after the takeover)."""
    mentor = next(g for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
    mentor_id = int(mentor.idnumber.rsplit(":", 1)[-1])
    mentee = min(mentor.members - {mentor_id})
    path = tmp_path / f"more-{day}.csv"
    path.write_text(f"date,mentor,mentee,minutes,attended\n{day},{site.users[mentor_id].username},"
                    f"{site.users[mentee].username},55,yes\n")
    people = [_Person(u) for u in (site.users[i] for i in site.courses[2].enrolments)]
    import_meetings(config, path, people=people, store=store, today=AS_OF)
    return mentee


class _Person:
    def __init__(self, user):
        self.id, self.username, self.idnumber, self.email = user.id, user.username, user.idnumber, user.email


def store_b(config, site, tmp_path):
    """Store b replaces the lost store a: `sync --store-takes-over`, then the term's meetings imported again, and one
    meeting more (so its push has grades to write, not only the adoption's details)."""
    second = Store.memory()
    with open_moodle(config, site=site) as conn:
        run_sync(conn.api, config, second, takes_over=True)
    term(config, site, tmp_path, second)
    return second, another_meeting(config, site, tmp_path, second, "2026-11-04")


def push(config, site, store, *, takes_over=False):
    told = {"takes_over": True} if takes_over else {}
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF, **told)
        return planned.plan, grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state,
                                                takes_over=takes_over)


def test_round_90a_4_a_store_that_takes_over_adopts_the_lost_stores_items_and_writes_them(config, tmp_path):
    site = site_with_circles()
    numbers = store_a_pushed(config, site, tmp_path)
    second, mentee = store_b(config, site, tmp_path)
    before = items_of(site)

    # without the flag: refused as before, nothing written on them
    plan, report = push(config, site, second)
    assert {r.key for r in plan.refused} == set(TAKEN)
    assert {what for what, _why in report.left} == {f"metric {k}" for k in TAKEN} and not report.complete
    assert items_of(site) == before and GradeItemRecords(second, PROGRAMME, 2, 3).all() == []
    assert any("--store-takes-over" in w and "adopts the item" in w for w in plan.warnings)

    # with it: the lost store's items are adopted (idnumber and id kept), recorded, and written
    plan, report = push(config, site, second, takes_over=True)
    assert plan.refused == [] and report.complete and report.left == [], report
    adopted = {r.itemnumber for r in plan.requests if r.adopts}
    assert adopted == set(numbers.values())
    assert sum(f"itemnumber {n} ({k}): a lost store's grade item" in w for k, n in numbers.items() for w in plan.warnings) == 3
    after = items_of(site)
    for key, number in numbers.items():
        item_id, name, idnumber, values = after[number]
        assert (item_id, name, idnumber) == before[number][:3] and idnumber == derived_idnumber(PROGRAMME, key)
        assert values[mentee] != before[number][3][mentee]  # the meeting store b holds, written
    assert report.grades >= 3
    rows = {r.itemnumber: r for r in GradeItemRecords(second, PROGRAMME, 2, 3).all()}
    assert {n: (r.metric, r.state, r.item_id) for n, r in rows.items()} == {
        n: (k, "adopted", before[n][0]) for k, n in numbers.items()
    }
    assert len(owned_items(site)) == len(before)  # nothing created beside them

    # a later push without the flag writes them: the store's record is its proof now
    another_meeting(config, site, tmp_path, second, "2026-11-18")
    plan, report = push(config, site, second)
    assert plan.refused == [] and not any(r.adopts for r in plan.requests)
    assert report.complete and report.grades >= 3 and {r.itemnumber for r in plan.requests} >= set(numbers.values())
    again, _report = push(config, site, second)
    assert again.in_sync


def test_round_90a_4_another_name_or_another_programmes_idnumber_is_never_adopted(config, tmp_path):
    site = site_with_circles()
    numbers = store_a_pushed(config, site, tmp_path)
    renamed = owned_items(site)[numbers["attendance"]]
    renamed.itemname = "Attendance (teacher's copy)"  # lmsync's idnumber, another name
    foreign = owned_items(site)[numbers["meetings"]]
    foreign.idnumber = derived_idnumber("mentor-2025", "meetings")  # the metric's name, another programme's idnumber
    second, _mentee = store_b(config, site, tmp_path)
    before = items_of(site)

    plan, report = push(config, site, second, takes_over=True)
    adopted = {r.itemnumber for r in plan.requests if r.adopts}
    assert adopted == {numbers["minutes"]}  # the one still proven by idnumber and name
    assert [r.key for r in plan.refused] == ["attendance"] and [w for w, _why in report.left] == ["metric attendance"]
    assert numbers["meetings"] in {t.itemnumber for t in plan.taken}  # another programme's: left alone
    after = items_of(site)
    assert after[numbers["attendance"]] == before[numbers["attendance"]]
    assert after[numbers["meetings"]] == before[numbers["meetings"]]
    assert {r.itemnumber for r in GradeItemRecords(second, PROGRAMME, 2, 3).all()} >= {numbers["minutes"]}
    assert numbers["attendance"] not in {r.itemnumber for r in GradeItemRecords(second, PROGRAMME, 2, 3).all()}
    assert numbers["meetings"] not in {r.itemnumber for r in GradeItemRecords(second, PROGRAMME, 2, 3).all()}


def test_round_90a_4_the_run_takes_over_the_grade_items_with_its_flag(config, tmp_path):
    site = site_with_circles()
    numbers = store_a_pushed(config, site, tmp_path)
    second, _mentee = store_b(config, site, tmp_path)
    with open_moodle(config, site=site) as conn:
        refused = run_cycle(conn.api, config, second, site=site, steps=("grades",), as_of=AS_OF)
        told = run_cycle(conn.api, config, second, site=site, steps=("grades",), as_of=AS_OF, store_takes_over=True)
    (step,) = refused.steps
    assert step.exit_code == 2 and step.counts["left"] == 3
    (step,) = told.steps
    assert step.exit_code == 0 and step.counts["left"] == 0 and step.counts["grades"] > 0, step
    rows = GradeItemRecords(second, PROGRAMME, 2, 3).all()
    assert {(r.itemnumber, r.state) for r in rows} == {(n, "adopted") for n in numbers.values()}


def _item(number, name, idnumber, item_id):
    return ObservedGradeItem(number, name, idnumber, id=item_id)


def test_round_90a_4_only_one_item_alone_in_the_range_with_the_idnumber_and_the_name_is_taken_over():
    """Two items at one number, two items with the metric's idnumbers, one outside the range, a recorded metric or
    number: none is adopted."""
    from lmsync.domain.grade_items import takeover_numbers

    keys = ["attendance", "meetings", "minutes"]

    def mine(key, n=0):
        return derived_idnumber(PROGRAMME, key, n)

    def numbers(observed, records=(), foreign=()):
        return takeover_numbers(observed, records, keys, programme=PROGRAMME, base=1000, count=100,
                                foreign_idnumbers=foreign)

    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1),
                    _item(1001, "lmsync_meetings", mine("meetings", 2), 2)]) == {1000, 1001}
    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1),
                    _item(1000, "lmsync_attendance", mine("attendance", 1), 2)]) == set()  # two at one number
    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1),
                    _item(1001, "lmsync_attendance", mine("attendance", 1), 2)]) == set()  # two claim the metric
    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1)], foreign=[mine("attendance", 3)]) == set()
    assert numbers([_item(1200, "lmsync_attendance", mine("attendance"), 1)]) == set()  # outside the range
    assert numbers([_item(1000, "lmsync_attendance", None, 1), _item(1001, "lmsync_minutes", "", 2)]) == set()
    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1)],
                   records=[ItemRecord("attendance", 1005, mine("attendance", 1))]) == set()  # recorded elsewhere
    assert numbers([_item(1000, "lmsync_attendance", mine("attendance"), 1)],
                   records=[ItemRecord("minutes", 1000, mine("minutes"))]) == set()  # its number recorded


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_90a_4_grades_plan_and_push_take_the_flag_on_the_command_line(config, tmp_path):
    site = site_with_circles()
    numbers = store_a_pushed(config, site, tmp_path)
    site.save(config.emulator_state_path())
    cfg = ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning"]
    assert CliRunner().invoke(main, [*cfg, "sync", "--store-takes-over"]).exit_code == 0
    second = Store(config.store_path())
    try:
        term(config, site, tmp_path, second)
    finally:
        second.close()

    refused = CliRunner().invoke(main, [*cfg, "grades", "push"])
    assert refused.exit_code == 2 and "refused" in refused.output, refused.output
    shown = CliRunner().invoke(main, [*cfg, "grades", "plan", "--store-takes-over"])
    assert shown.exit_code == 0 and shown.output.count("a lost store's grade item") == 3, shown.output
    assert items_of(Site.load(config.emulator_state_path())) == items_of(site)  # the plan wrote nothing
    took = CliRunner().invoke(main, [*cfg, "grades", "push", "--store-takes-over"])
    assert took.exit_code == 0, took.output
    again = CliRunner().invoke(main, [*cfg, "grades", "push"])
    assert again.exit_code == 0 and "refused" not in again.output, again.output
    held = Store(config.store_path(), read_only=True)
    try:
        rows = GradeItemRecords(held, PROGRAMME, 2, 3).all()
    finally:
        held.close()
    assert {(r.itemnumber, r.state) for r in rows} == {(n, "adopted") for n in numbers.values()}
