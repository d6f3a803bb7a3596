"""Tester round 130b, 2: `lmsync plan --format csv` and `lmsync grades plan --format csv` dropped every
warning: not in the CSV, not on stderr. Text shows them under the table and JSON in ``warnings``; with CSV
they go to stderr, as `lmsync match --format csv` does (README, output formats: the notes that are not data
go to stderr), and stdout stays the CSV alone."""

from __future__ import annotations

import csv
import io
from typing import Any

from lmsync.moodle.emulator import records as R
from lmsync.moodle.emulator.state import Site
from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)

GROUPING = "a grouping named"
ITEM = "lmsync_attendance: a grade item lmsync did not make"


def _csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]


def test_plan_as_csv_says_its_warnings_on_stderr(env: Any) -> None:  # noqa: F811
    config, site = seed(env)
    gid = site.next_id("groupings")
    site.groupings[gid] = R.Grouping(id=gid, courseid=2, name="Mentoring circles (mentor-2026)", idnumber="",
                                     description="", descriptionformat=1, groupids=[])
    site.save(config.emulator_state_path())
    shown = run_cli(env, "plan")
    assert GROUPING in shown.output, shown.output  # the warning the CSV lost
    as_csv = run_cli(env, "plan", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert GROUPING in as_csv.stderr and "warning: " in as_csv.stderr, as_csv.stderr
    assert GROUPING not in as_csv.stdout
    assert _csv_rows(as_csv.stdout)[0][0] == "kind"  # the header, nothing before it


def test_grades_plan_as_csv_says_its_warnings_on_stderr(env: Any) -> None:  # noqa: F811
    config, _site = seed(env, "[meetings]\nstart = 2026-09-01\n")
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "meetings", "add", "--mentor", "m0001", "--mentee", "s0008", "--date", "2026-10-01",
                   "--minutes", "45").exit_code == 0
    site = Site.load(config.emulator_state_path())
    gid = site.next_id("grade_items")
    site.grade_items[gid] = R.GradeItem(id=gid, courseid=2, itemtype="manual", itemname="lmsync_attendance", idnumber="")
    site.save(config.emulator_state_path())
    shown = run_cli(env, "grades", "plan")
    assert ITEM in shown.output, shown.output
    as_csv = run_cli(env, "grades", "plan", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert f"warning: {ITEM}" in as_csv.stderr, as_csv.stderr
    assert ITEM not in as_csv.stdout
    assert "lmsync_attendance-2" in as_csv.stdout  # the suffixed item, and now why on stderr
