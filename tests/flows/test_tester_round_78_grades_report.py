"""Tester round 78, 5 and 9: what ``grades plan`` leaves unwritten after an erasure, and what ``[report] path``
may replace.

5. ``lmsync grades plan`` dropped a mentor's received mean withheld after an erasure without naming it, and said
   nothing ("held") of an erased mentor's mean the gradebook still shows once the mentor is back in the course.
   Each is named now, by its metric and the mentor whose grade it is, with the reason: no value, no rater.
9. ``[report] path = "README.md"``: every run replaced the README with the report, and ``lmsync doctor`` said ok.
   A file lmsync did not write is refused (the run's report step fails naming it and the fix; doctor fails the
   same way); a report lmsync wrote before is replaced by the next run, as always.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle as moodle_service
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_77b_erasure import DAY, _at, _invoke, erase, run, user_id
from tests.flows.test_tester_round_77b_erasure import (
    home as home,  # a fixture: the term copied for each test, from ``played`` below
)

HELD = "held: the gradebook shows the mean published before this mentor's erasure"

# --- 78, 5 --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Round 77b's term (the demo's, run on 2026-12-04), with one mentee of m0009, s0026, unenrolled and erased
    before that run: it publishes the T3 means, but not m0009's, whose raters the erasure changed."""
    base = tmp_path_factory.mktemp("term78")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL"):
            mp.delenv(name, raising=False)
        mp.setenv("XDG_STATE_HOME", str(base / "state"))
        mp.setattr(moodle_service, "_announced", False)
        mp.chdir(base)
        _at(mp, DAY)
        assert CliRunner().invoke(main, ["--log-level", "warning", "demo"], catch_exceptions=False).exit_code == 0
        demo = base / "state" / "lmsync" / "emulator"
        shutil.copy(demo / "mentoring-2026.demo.db", base / "term.db")
        toml = (demo / "mentoring-2026.demo.toml").read_text()
        (base / "lmsync.toml").write_text(re.sub(r"(?m)^path = .*$", 'path = "term.db"', toml))
        mp.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
        for step in (("emulator", "edit", "unenrol", "s0026"), ("person", "erase", "s0026", "--yes"), ("run",)):
            assert "Traceback" not in _invoke(base, *step).output, step
    return base


def _held(plan: str) -> dict[str, str]:
    """The plan text's named received means not written: "KEY for PERSON" -> "state: reason"."""
    return dict(line.strip()[2:].split(": ", 1) for line in plan.splitlines() if line.startswith("    = "))


@pytest.mark.sqlite_only("the term is the demo's SQLite store, copied")
def test_round_78_5_grades_plan_says_a_published_mean_an_erasure_would_move_stays_frozen(home: Path) -> None:
    """The plan counted "held for 1 mentor(s)" and named no grade (tester round 78, 5). Since a wave's figures
    appear the day after its window closes (tester round 121a, 5), the demo's T3 window ends the day before the
    demo's last day, so the demo's own last push publishes T3's received means, m0009's among them, before this
    fixture's erasure: that mean is now frozen as published (a published mean never changes, so no rating can be read
    from the difference), counted, and the erased rater named nowhere. A mean not yet published when an erasure
    changes its raters is withheld and named (``tests/unit/test_round_78_grades_held.py``; rounds 77b and 79 flows)."""
    plan = run(home, "grades", "plan").output
    assert ("satisfaction-mentee-received-T3: held: published value frozen for 10 mentor(s) (1 would differ with the "
            "answers stored now)") in plan, plan
    assert not [k for k in _held(plan) if "(m0009)" in k and not _held(plan)[k].startswith(HELD)], plan
    assert "s0026" not in plan  # the erased rater is named nowhere
    shown = json.loads(run(home, "grades", "plan", "--format", "json").output)
    assert "s0026" not in json.dumps(shown)
    assert all(g["state"] != "withheld" for g in shown["held_grades"]), shown["held_grades"]


@pytest.mark.sqlite_only("the term is the demo's SQLite store, copied")
def test_round_78_5_grades_plan_says_held_for_an_erased_mentors_published_mean_once_they_are_back(home: Path) -> None:
    """m0004's T0 and T3 means were published; her erasure took the store's record of them, and back as a teacher
    the plan said nothing of the means the gradebook still shows (the README: "the plan says `held`")."""
    run(home, "emulator", "edit", "unenrol", "m0004")
    run(home, "sync")
    erase(home, "m0004")
    assert "m0004" not in run(home, "grades", "plan").output  # away: no row of hers is read, nothing to say
    run(home, "emulator", "edit", "join", "m0004", "--role", "teacher")
    plan = run(home, "grades", "plan").output
    held = {k.split(" for ")[0]: v for k, v in _held(plan).items() if "(m0004)" in k}
    assert set(held) == {"satisfaction-mentee-received-T0", "satisfaction-mentee-received-T3"}, plan
    assert all(v.startswith(HELD) for v in held.values()), held
    shown = json.loads(run(home, "grades", "plan", "--format", "json").output)
    mine = [h for h in shown["held_grades"] if h["user_id"] == user_id(home, "m0004")]
    assert {h["state"] for h in mine} == {"held"} and all("value" not in h for h in mine)
    pushed = run(home, "grades", "push").output  # the push writes none of them, and says why as the plan does
    assert "satisfaction-mentee-received-T0 for " in pushed and HELD in pushed, pushed


# --- 78, 9 --------------------------------------------------------------------------------------------------


def _report_at(home: Path, target: str) -> None:
    """A configuration made by `lmsync init` whose [report] path is ``target`` (relative: beside the file)."""
    assert run_in(home, "init", "--no-input").exit_code == 0
    (home / "lmsync.toml").write_text((home / "lmsync.toml").read_text() + f'\n[report]\npath = "{target}"\n')


def _doctor_says(home: Path, *, exit_code: int) -> dict[str, str | None]:
    """``lmsync doctor``'s ``report path`` check, read from its JSON, the command ending with ``exit_code``."""
    doctor = run_in(home, "doctor", "--format", "json")
    assert doctor.exit_code == exit_code, doctor.output
    (check,) = [c for c in json.loads(doctor.stdout) if c["name"] == "report path"]
    return dict(check)


def test_round_78_9_a_report_path_naming_a_file_lmsync_did_not_write_fails_the_run_and_doctor(cli_home: Path) -> None:
    readme = cli_home / "README.md"
    readme.write_text("# Our mentoring programme\n\nNotes the coordinators keep.\n")
    _report_at(cli_home, "README.md")
    result = run_in(cli_home, "run")
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("report ")]
    assert "failed" in line and f"[report] path {readme} is a file lmsync did not write" in line, line
    assert "point [report] path at another file" in line and f"move {readme} away" in line, line
    assert readme.read_text() == "# Our mentoring programme\n\nNotes the coordinators keep.\n"
    check = _doctor_says(cli_home, exit_code=2)  # the same reason and fix as the run's
    assert check["status"] == "fail" and f"{check['detail']}; {check['fix']}" in line, (check, line)


def test_round_78_9_a_report_lmsync_wrote_is_replaced_by_the_next_run(cli_home: Path) -> None:
    _report_at(cli_home, "report.html")
    page = cli_home / "report.html"
    assert run_in(cli_home, "run").exit_code == 0
    first = page.read_text()
    page.write_text(first.replace("<title>", "<title>stale "))  # the next run's page differs from this one
    again = run_in(cli_home, "run")
    assert again.exit_code == 0, again.output
    assert re.search(r"^report\s+ok\s+report written to", again.output, re.M), again.output
    assert "stale" not in page.read_text() and "Written by lmsync" in page.read_text()
    assert _doctor_says(cli_home, exit_code=0) == {
        "name": "report path", "status": "ok", "detail": f"each run writes the report to {page}", "fix": None}
