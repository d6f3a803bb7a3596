"""Tester round 99b, 7 and 8: saved plans, ``--config`` and ``init --url``, exit codes and fixes as the README says.

7: a group renamed by hand in a saved plan was named twice (as not planned and as lacking), and the fix overwrote
the edited file with ``--force``.
8a: a plan for another programme was refused with exit 2; it is a wrong file, bad input: exit 3.
8b: ``"operations_digest": null`` was "not an lmsync plan (operations_digest: Input should be a valid string)",
exit 3; a file without a digest "says it cannot tell", and null is no digest.
8c: ``--config`` naming no file exited 2; a wrong command-line argument is exit 3 (``LMSYNC_CONFIG`` naming none is
the deployment's configuration: still 2).
8d: ``init --url moodle.example.edu`` said "leave --url out for the example's value", which is the emulator.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT

from .conftest import run_in


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_a_group_renamed_in_a_saved_plan_is_said_once_by_its_field_with_a_new_plan_as_the_fix(demo_home: Any) -> None:
    (demo_home / "bad").mkdir()
    assert run_in(demo_home, "plan", "--out", "bad/edited.json").exit_code == 0
    data = json.loads((demo_home / "bad/edited.json").read_text())
    index = next(i for i, op in enumerate(data["operations"]) if op["kind"] == "create_group")
    idnumber, name = data["operations"][index]["idnumber"], data["operations"][index]["name"]
    key = f"create group '{name}' [{idnumber}]"  # in words, as lmsync plans it (tester round 117b, 10)
    data["operations"][index]["name"] = "Circle: Someone Else"
    (demo_home / "bad/edited.json").write_text(json.dumps(data))
    refused = run_in(demo_home, "apply", "bad/edited.json")
    said = _said(refused)
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert f"operation {index} ({key}): its name differs" in said and said.count(f"[{idnumber}]") == 1, said
    assert "it lacks" not in said and "Someone Else" not in said
    assert "--force" not in said and "`lmsync plan --out bad/edited-new.json`" in said


def test_a_plan_for_another_programme_is_bad_input_exit_3(demo_home: Any) -> None:
    assert run_in(demo_home, "plan", "--out", "p.json").exit_code == 0
    data = json.loads((demo_home / "p.json").read_text())
    data["programme"] = "other"
    (demo_home / "other.json").write_text(json.dumps(data))
    result = run_in(demo_home, "apply", "other.json")
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Refusing the saved plan other.json: it is for programme 'other'" in _said(result)


def test_a_null_operations_digest_is_read_as_no_digest_and_says_it_cannot_tell(demo_home: Any) -> None:
    assert run_in(demo_home, "plan", "--out", "p.json").exit_code == 0
    data = json.loads((demo_home / "p.json").read_text())
    data["operations_digest"] = None
    data["operations"].pop(0)
    (demo_home / "p.json").write_text(json.dumps(data))
    result = run_in(demo_home, "apply", "p.json")
    said = _said(result)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "not an lmsync plan" not in said and "carries no digest of its operations to tell which" in said


def test_config_naming_no_file_on_the_command_line_is_bad_input_exit_3(cli_home: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("LMSYNC_CONFIG", raising=False)
    for args in (["--config", "nonexist.toml", "plan"], ["plan", "--config", "nonexist.toml"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == EXIT_INPUT, result.output
        assert "--config nonexist.toml: no such configuration file" in _said(result)
    (cli_home / "folder").mkdir()
    assert CliRunner().invoke(main, ["--config", "folder", "plan"]).exit_code == EXIT_INPUT
    monkeypatch.setenv("LMSYNC_CONFIG", "nonexist.toml")  # the deployment's configuration: an admin must act
    result = CliRunner().invoke(main, ["plan"])
    assert result.exit_code == EXIT_ADMIN and "nonexist.toml: no such configuration file" in _said(result)
    assert CliRunner().invoke(main, ["--config", "new.toml", "init", "--no-input"]).exit_code == 0  # init writes it


def test_init_url_without_its_scheme_offers_the_https_form_not_the_emulator(cli_home: Any) -> None:
    result = CliRunner().invoke(main, ["init", "--url", "moodle.example.edu", "--no-input"])
    said = _said(result)
    assert result.exit_code == EXIT_INPUT, result.output
    assert "fix: write the site's address with its scheme: --url https://moodle.example.edu" in said
    assert "leave --url out" not in said and not (cli_home / "lmsync.toml").exists()
    other = _said(CliRunner().invoke(main, ["init", "--url", "ftp://moodle.example.edu/m", "--no-input"]))
    assert "--url https://moodle.example.edu/m" in other
