"""Tester round 14, 1: a store with no history of the programme (a typo in ``[store] path``, a
per-user store) wrote ``0`` and "0 of 6 meetings" to every student whose assignment grade was
still empty: the meetings are in the store that made the circles. Such a store now writes no
grade until an admin says it replaces that store (``--store-takes-over``); ``grades_hold``.
"""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.meetings import Meeting
from lmsync.moodle.emulator.state import Site
from lmsync.service import grades
from lmsync.service.cycle import run_cycle
from lmsync.service.grades_hold import foreign_store_hold
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory
from tests.flows.test_grades_flow import (
    AS_OF,
    PROGRAMME,
    make_config,
    owned_items,
    record_circles,
    site_with_circles,
)
from tests.flows.test_tester_round_94_grades import store_one_meeting

ASSIGNMENT = 1


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def with_a_meeting(config, site):
    """The config's store holding one meeting and nothing else: a store with no meeting at all writes no meeting
    grade (tester round 94b, 1), and these tests are about a store that holds some but never paired the circles."""
    store = Store(config.store_path())
    store_one_meeting(store, site)
    store.close()


def written(site):
    """What the gradebook holds from lmsync: assignment grades and lmsync's items' grades."""
    items = owned_items(site)
    return len(site.assignments[ASSIGNMENT].grades), sum(len(i.grades) for i in items.values())


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_14_1_a_store_that_never_paired_the_circles_writes_no_grade_until_it_takes_over(config, tmp_path):
    site = site_with_circles()
    site.save(config.emulator_state_path())
    with_a_meeting(config, site)
    runner = CliRunner()
    cfg = ["--config", str(tmp_path / "lmsync.toml")]

    planned = runner.invoke(main, [*cfg, "grades", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "HELD, nothing above is written" in planned.output and "never paired 60 of the 60" in planned.output

    pushed = runner.invoke(main, [*cfg, "grades", "push"])
    assert pushed.exit_code == 2, pushed.output  # an admin must act
    assert "Nothing written, held" in pushed.output and "--store-takes-over" in pushed.output
    assert written(Site.load(config.emulator_state_path())) == (0, 0)

    took = runner.invoke(main, [*cfg, "grades", "push", "--store-takes-over"])
    assert took.exit_code == 0, took.output
    assert "HELD" not in took.output  # the plan shown is the one written (tester round 18, 7)
    assignment_grades, item_grades = written(Site.load(config.emulator_state_path()))
    assert assignment_grades == 60 and item_grades > 0

    again = runner.invoke(main, [*cfg, "grades", "push"])  # it has written grades now: its own proof governs
    assert again.exit_code == 0, again.output
    assert "Nothing written, held" not in again.output and "no changes" in again.output


def test_round_14_1_the_run_holds_the_grades_step_and_goes_on(config):
    site = site_with_circles()
    store = Store.memory()
    store_one_meeting(store, site)  # a store with no meeting writes no meeting grade at all (tester round 94b, 1)
    with open_moodle(config, site=site) as conn:
        result = run_cycle(conn.api, config, store, site=site, steps=("feedback", "grades", "health"), as_of=AS_OF)
    by_step = {s.step: s for s in result.steps}
    assert by_step["grades"].state == "held" and by_step["grades"].exit_code == 2
    assert by_step["grades"].counts["held_assignment_grades"] == 60
    assert by_step["health"].state == "ok"
    assert written(site) == (0, 0)


def test_round_14_1_a_store_that_paired_most_circles_writes_despite_a_pair_moved_by_hand(config):
    site = site_with_circles()
    store = Store.memory()
    record_circles(store, site)
    store_one_meeting(store, site)
    circle = next(g for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
    newcomer = next(u for u in sorted(site.courses[2].enrolments) if all(u not in g.members for g in site.groups.values())
                    and site.users[u].username.startswith("s"))
    circle.members.add(newcomer)  # a coordinator moved a mentee in by hand: this store never paired it
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert planned.plan.store_hold is None
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert report.held is None and report.assign_grades >= 60


def test_round_14_1_the_hold_counts_only_pairs_this_store_never_paired(config):
    """More than half unpaired holds; the pairing history of a mentee's earlier circle does not count."""
    site = site_with_circles()
    store = Store.memory()
    history = PairingHistory(store, PROGRAMME)
    circles = sorted((g for g in site.groups.values() if g.idnumber.startswith("lmsync:")), key=lambda g: g.id)
    mentors = {g.idnumber: int(g.idnumber.rsplit(":", 1)[-1]) for g in circles}
    # this store paired five circles of twelve: 25 of 60 pairs
    history.record("add_member", [(g.idnumber, m) for g in circles[:5] for m in g.members if m != mentors[g.idnumber]])
    with open_moodle(config, site=site) as conn:
        held = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.store_hold
        assert held is not None and "never paired 35 of the 60" in held
        history.record("add_member", [(g.idnumber, m) for g in circles[5:7] for m in g.members])  # 35 of 60 now
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.store_hold is None


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_37_2_a_held_grades_plan_says_so_in_json_and_csv(config, tmp_path):
    """`grades plan --format json` of a held plan gave in_sync false and 567 grades, with no word of the hold."""
    site = site_with_circles()
    site.save(config.emulator_state_path())
    with_a_meeting(config, site)
    cfg = ["--config", str(tmp_path / "lmsync.toml"), "grades", "plan", "--format"]
    shown = CliRunner().invoke(main, [*cfg, "json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert "never paired 60 of the 60" in data["held"] and data["items"] and all(i["held"] for i in data["items"])
    as_csv = CliRunner().invoke(main, [*cfg, "csv"]).stdout
    rows = list(csv.DictReader(as_csv.split("# items\n", 1)[1].split("\n\n", 1)[0].splitlines()))
    assert rows and {r["held"] for r in rows} == {"yes"}


def test_round_37_3_the_hold_counts_the_meetings_this_store_holds():
    """The hold said "(0 meetings)" of a store holding 653 imported meetings of those pairs."""
    store = Store.memory()
    MeetingRepository(store, PROGRAMME).save([(Meeting(date(2026, 10, 2), 5, 9, 30, True, "csv"), "m.csv:2")])
    why = foreign_store_hold(store, PROGRAMME, [(5, 9), (6, 10)])
    assert why is not None and "only the 1 meeting(s) of theirs this store holds" in why and "0 meetings" not in why
    assert "holds none" in (foreign_store_hold(Store.memory(), PROGRAMME, [(5, 9)]) or "")
