"""Tester round 97b, 8c and 8d: the fix for a file that is not the plan a command takes.

8c: ``lmsync apply lmsync.toml`` advised ``lmsync plan --out lmsync.toml --force``, which lmsync then refused
(it never overwrites its configuration): a file that holds no sync plan is told to make ``plan.json``; the
file's own name is kept for a sync plan lmsync wrote (an edited one). A grades plan is named so.
8d: ``grades push`` given a sync plan said only "(4 validation errors for GradesPlan)", with no fix.
"""

from __future__ import annotations

from typing import Any

from lmsync.errors import EXIT_INPUT

from .conftest import run_in


def _said(result: Any) -> str:
    assert result.exit_code == EXIT_INPUT, result.output
    return " ".join(result.output.split())


def test_apply_of_the_configuration_names_a_plan_file_to_make_not_the_configuration(demo_home: Any) -> None:
    said = _said(run_in(demo_home, "apply", "lmsync.toml"))
    assert "lmsync.toml: not an lmsync plan" in said
    assert "--out lmsync.toml" not in said
    assert "make a plan with `lmsync plan --out plan.json`, review it, and apply that file: `lmsync apply plan.json`" in said


def test_apply_of_an_edited_sync_plan_still_names_that_file(demo_home: Any) -> None:
    assert run_in(demo_home, "plan", "--out", "p.json").exit_code == 0
    text = (demo_home / "p.json").read_text()
    (demo_home / "p.json").write_text(text.replace('"kind": "create_group"', '"kind": "make_group"', 1))
    said = _said(run_in(demo_home, "apply", "p.json"))
    assert "p.json: not an lmsync plan (operation " in said and "`lmsync plan --out p-new.json`" in said  # round 99b, 7


def test_apply_of_a_grades_plan_says_it_is_one_and_to_push_it(demo_home: Any) -> None:
    assert run_in(demo_home, "grades", "plan", "--out", "g.json").exit_code == 0
    said = _said(run_in(demo_home, "apply", "g.json"))
    assert "g.json: not an lmsync plan: it is a grades plan" in said and "`lmsync grades push g.json`" in said


def test_grades_push_of_a_sync_plan_says_it_is_one_and_to_apply_it(demo_home: Any) -> None:
    assert run_in(demo_home, "plan", "--out", "plan2.json").exit_code == 0
    said = _said(run_in(demo_home, "grades", "push", "plan2.json"))
    assert "plan2.json: not an lmsync grades plan: it is a sync plan" in said and "`lmsync apply plan2.json`" in said
    assert "validation error" not in said
    assert "fix: to push grades, make a grades plan with `lmsync grades plan --out grades.json`" in said


def test_grades_push_of_the_configuration_gives_a_fix(demo_home: Any) -> None:
    said = _said(run_in(demo_home, "grades", "push", "lmsync.toml"))
    assert "lmsync.toml: not an lmsync grades plan" in said
    assert "fix: make a grades plan with `lmsync grades plan --out grades.json`" in said


def test_a_plan_of_another_programme_is_refused_naming_the_file_with_a_fix(demo_home: Any) -> None:
    """Tester round 98b, 7: "the plan is for programme 'other' ..." named no file and gave no fix."""
    import json

    assert run_in(demo_home, "plan", "--out", "p.json").exit_code == 0
    data = json.loads((demo_home / "p.json").read_text())
    data["programme"] = "other"
    (demo_home / "other.json").write_text(json.dumps(data))
    result = run_in(demo_home, "apply", "other.json")
    said = " ".join(result.output.split())
    assert result.exit_code == EXIT_INPUT, result.output  # a wrong file (tester round 99b, 8a: was 2)
    assert "Refusing the saved plan other.json: it is for programme 'other'" in said and "nothing was applied" in said
    assert "fix: apply it with the configuration of programme 'other'" in said, said


def test_a_file_nested_past_any_plans_depth_is_bad_input_not_a_traceback(demo_home: Any) -> None:
    """Tester round 98b, 6: 200,000 nested brackets ended ``apply`` in a RecursionError, exit 1."""
    (demo_home / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    for command in (("apply", "deep.json"), ("grades", "push", "deep.json")):
        said = _said(run_in(demo_home, *command))
        assert "deep.json: not an lmsync" in said and "Traceback" not in said
