"""Tester round 85a, 1: an edited grades plan file was pushed to the gradebook as it stood, exit 0.

A grade of 0 added for one person, a grade for a user id nobody has, an assignment comment written by hand:
``lmsync grades push g.json`` sent them and read them back "equal". ``lmsync apply`` refuses a sync plan that is
not what lmsync plans now; ``grades push FILE`` now does the same with the grades plan (``grades_saved``): it
plans afresh and refuses (exit 2, nothing written) a file holding any write the fresh plan does not hold with the
same value, naming how many and the first by item and user id; an unedited file pushes the fresh plan.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.emulator.state import Site
from lmsync.service.meetings import import_meetings
from lmsync.store.db import Store
from tests.flows.test_grades_flow import (
    circles,
    make_config,
    mentors_of,
    owned_items,
    site_with_circles,
    term,
)

ASSIGNMENT = 1
NOBODY = 999999
TAMPERED = "<p>Tampered</p>"


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def gradebook(config):
    """What the emulator's gradebook holds of lmsync's items and of the assignment (grades and comments)."""
    site = Site.load(config.emulator_state_path())
    items = {(n, u): g.finalgrade for n, i in owned_items(site).items() for u, g in i.grades.items()}
    assignment = {u: (g.grade, g.comment) for u, g in site.assignments[ASSIGNMENT].grades.items()}
    return items, assignment


@pytest.fixture
def planned(config, tmp_path):
    """A term's meetings in the store, circles in Moodle, and ``grades plan --out g.json``: (invoke, file, people)."""
    site = site_with_circles()
    store = Store(config.store_path())
    people = term(config, site, tmp_path, store)
    store.close()
    site.save(config.emulator_state_path())
    runner = CliRunner()
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}

    def invoke(*args):
        return runner.invoke(main, ["--config", str(tmp_path / "lmsync.toml"), *args], env=env)

    out = tmp_path / "g.json"
    made = invoke("grades", "plan", "--out", str(out))
    assert made.exit_code == 0, made.output
    return invoke, out, people


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))
    return data


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_85a_1_an_edited_grades_plan_is_refused_and_nothing_is_written(config, planned):
    invoke, out, _ = planned
    victim = None

    def tamper(data):
        nonlocal victim
        request = data["requests"][0]
        victim = request["grades"][0]["user_id"]
        request["grades"][0]["grade"] = 0.0
        request["grades"].append({"user_id": NOBODY, "grade": 50.0})
        data["assign_requests"].append([{"user_id": victim, "grade": 1.0, "comment": TAMPERED}])

    data = edit(out, tamper)
    before = gradebook(config)

    pushed = invoke("grades", "push", str(out))
    assert pushed.exit_code == 2, pushed.output
    text = " ".join(pushed.output.split())
    assert "Refusing the saved grades plan" in text and "3 of its" in text and "not what lmsync plans now" in text
    assert f"item {data['requests'][0]['itemnumber']}, user #{victim}" in text  # the first, by item and user id
    assert "lmsync grades plan --out" in text and "Pushed" not in text
    assert "Tampered" not in text  # a comment may be private: never shown back
    assert gradebook(config) == before  # nothing written: not the file's grades, not the fresh plan's


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_85a_1_a_comment_edited_alone_is_refused_and_not_shown(config, planned):
    invoke, out, _ = planned

    def comment(data):
        data["assign_requests"][0][0]["comment"] = TAMPERED

    data = edit(out, comment)
    before = gradebook(config)
    pushed = invoke("grades", "push", str(out))
    assert pushed.exit_code == 2, pushed.output
    text = " ".join(pushed.output.split())
    assert "1 of its" in text and f"assignment {ASSIGNMENT}, user #{data['assign_requests'][0][0]['user_id']}" in text
    assert "Tampered" not in text
    assert gradebook(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_85a_1_a_file_lacking_a_write_lmsync_plans_is_refused(config, planned):
    invoke, out, _ = planned
    edit(out, lambda data: data["requests"][0]["grades"].pop())
    before = gradebook(config)
    pushed = invoke("grades", "push", str(out))
    assert pushed.exit_code == 2, pushed.output
    assert "it lacks 1 of the" in " ".join(pushed.output.split())
    assert gradebook(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_85a_1_a_file_outdated_by_the_store_is_refused_as_a_changed_plan(config, planned, tmp_path):
    invoke, out, people = planned
    site = Site.load(config.emulator_state_path())
    mentor = mentors_of(site)[1]
    mentee = sorted(circles(site)[str(mentor)] - {mentor})[0]
    csv = tmp_path / "more.csv"
    csv.write_text("date,mentor,mentee,minutes,attended\n"
                   f"2026-11-11,{site.users[mentor].username},{site.users[mentee].username},45,yes\n")
    store = Store(config.store_path())
    import_meetings(config, csv, people=people, store=store)
    store.close()
    before = gradebook(config)

    pushed = invoke("grades", "push", str(out))  # the file is as lmsync made it; the store moved on
    assert pushed.exit_code == 2, pushed.output
    text = " ".join(pushed.output.split())
    assert "not what lmsync plans now" in text and "the store changed since it was made" in text
    assert gradebook(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_85a_1_an_unedited_file_pushes_the_fresh_plan_and_push_alone_is_unchanged(config, planned):
    invoke, out, _ = planned
    data = json.loads(out.read_text())
    pushed = invoke("grades", "push", str(out))
    assert pushed.exit_code == 0, pushed.output
    assert "read back:" in pushed.output and " equal" in pushed.output
    items, assignment = gradebook(config)
    for request in data["requests"]:
        for g in request["grades"]:
            assert items[(request["itemnumber"], g["user_id"])] == pytest.approx(g["grade"])
    for chunk in data["assign_requests"]:
        for g in chunk:
            assert assignment[g["user_id"]] == (pytest.approx(g["grade"]), g["comment"])

    alone = invoke("grades", "push")  # reads Feedback, plans and pushes in one go, as before
    assert alone.exit_code == 0, alone.output
    assert "Pushed" in alone.output and "Refusing" not in alone.output
