"""Issue 15, start-up: ``lmsync`` commands import numpy and scipy only when they solve a match,
each command's module only when that command is used, and ``match --people`` no store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from lmsync.cli import COMMANDS, main

HEAVY = ("numpy", "scipy")
#: What ``lmsync match --people`` never needs: the store, the Moodle client, the charts.
NOT_FOR_A_CSV = ("sqlalchemy", "alembic", "requests", "matplotlib")


def _loaded_after(code: str, heavy: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None) -> list[str]:
    """Top-level packages among ``heavy`` that a fresh interpreter has loaded after ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def _command_modules_after(code: str, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    """The ``lmsync.cli.*`` command modules a fresh interpreter has imported after ``code``, and its stdout."""
    probe = (f"{code}\nimport json, sys\n"
             "from lmsync.cli import COMMANDS\n"
             "commands = {entry[0].split(':')[0] for entry in COMMANDS.values()}\n"
             "print(json.dumps(sorted(m for m in sys.modules if m in commands)))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    *before, last = out.strip().splitlines()
    return list(json.loads(last)), "\n".join(before)


def _run_cli(*args: str) -> str:
    return f"import sys\nfrom lmsync.cli import main\nsys.argv = ['lmsync', *{list(args)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass"


def test_issue_15_importing_the_cli_does_not_import_scipy_or_numpy() -> None:
    assert _loaded_after("import lmsync.cli") == []


def test_issue_15_lmsync_help_does_not_import_scipy_or_numpy() -> None:
    code = "import sys\nfrom lmsync.cli import main\nsys.argv = ['lmsync', '--help']\ntry:\n    main()\nexcept SystemExit:\n    pass"
    assert _loaded_after(code) == []


def test_issue_15_match_settings_and_explanations_need_no_numpy() -> None:
    code = (
        "from lmsync.domain.compatibility import Circle, MatchSettings, explain\n"
        "from lmsync.domain.people import Person\n"
        "import lmsync.domain.matching, lmsync.service.match\n"
        "a, b = Person('s1', 'mentee', department='x'), Person('t1', 'mentor', department='x')\n"
        "assert explain(Circle('mentor', [], [], [], [], frozenset(), {}, {}), a, b, False, MatchSettings())[0]"
    )
    assert _loaded_after(code) == []


def test_issue_15_solving_a_match_does_import_the_solver_libraries() -> None:
    # The probe can fail: if the lazy import were lost, solving would not load numpy/scipy here.
    code = (
        "from lmsync.domain.matching import match\n"
        "from lmsync.domain.compatibility import MatchSettings\n"
        "from lmsync.domain.people import People, Person\n"
        "r = match(People((Person('s1', 'mentee'), Person('t1', 'mentor', capacity=1))), MatchSettings())\n"
        "assert [(a.mentee, a.mentor) for a in r.assignments] == [('s1', 't1')] and r.proven_optimal"
    )
    assert _loaded_after(code) == ["numpy", "scipy"]


def test_issue_15_match_people_on_a_csv_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,role,capacity,department\ns1,mentee,,law\nt1,mentor,2,law\n", encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("[matching]\nstructure = 'pairs'\n", encoding="utf-8")
    code = _run_cli("--config", str(config), "match", "--people", str(people), "--format", "csv")
    env = {"XDG_STATE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    # The probe can fail: numpy and scipy must be there (the match was solved), the rest must not.
    assert _loaded_after(code, (*HEAVY, *NOT_FOR_A_CSV), env) == ["numpy", "scipy"]
    modules, out = _command_modules_after(code, env)
    assert modules == ["lmsync.cli.match"]  # no other command's module
    assert "s1,t1,mentor," in out


def test_issue_15_lmsync_help_imports_no_command_module_and_lists_every_command() -> None:
    modules, out = _command_modules_after(_run_cli("--help"))
    assert modules == []
    listed = out.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert f"\n  {name} " in listed, name


def test_issue_15_lazy_help_is_the_help_the_commands_themselves_give() -> None:
    # The same `lmsync --help` before any command is imported and after all are, at two widths.
    code = (
        "from lmsync.cli import main, walk\nimport click\n"
        "def helps():\n"
        "    out = []\n"
        "    for width in (80, 200):\n"
        "        ctx = click.Context(main, info_name='lmsync', terminal_width=width, max_content_width=width)\n"
        "        out.append(main.get_help(ctx))\n"
        "    return out\n"
        "lazy = helps()\nall(True for _ in walk(main))\neager = helps()\n"
        "print('same' if lazy == eager else '\\n=====\\n'.join(lazy + eager))"
    )
    modules, out = _command_modules_after(code)
    assert out == "same"
    assert "lmsync.cli.match" in modules  # walk(main) did import the commands: the comparison meant something


def test_issue_15_every_command_is_in_the_lazy_table_with_its_own_short_help() -> None:
    by_module: dict[str, set[str]] = {}
    for name, (where, short_help) in COMMANDS.items():
        command = main.commands[name]
        assert command.name == name
        assert command.get_short_help_str(10**6) == short_help, f"COMMANDS[{name!r}]: update its short help"
        by_module.setdefault(where, set()).add(name)
    for where, names in by_module.items():
        module, _, attr = where.partition(":")
        found = getattr(__import__(module, fromlist=["_"]), attr or "command")
        exposed = {c.name for c in (found if isinstance(found, list) else [found])}
        assert exposed == names, f"{where} exposes {sorted(exposed)}: register each in lmsync.cli.COMMANDS"


def test_issue_15_commands_imported_on_demand_keep_global_options_and_examples() -> None:
    command = main.commands["match"]
    opts = {opt for p in command.params for opt in getattr(p, "opts", [])}
    assert {"--config", "--log-format", "--log-level", "--people"} <= opts
    assert "lmsync match --people people.csv" in (command.epilog or "")
    assert isinstance(main.commands["queue"], click.Group) and main.commands["queue"].no_args_is_help


@pytest.mark.parametrize(("words", "expected", "imported"), [
    ("lmsync m", {"match", "meetings", "moodle"}, []),
    ("lmsync match --peo", {"--people", "--people-template"}, ["lmsync.cli.match"]),
])
def test_issue_15_shell_completion_imports_only_the_command_being_completed(
    words: str, expected: set[str], imported: list[str]
) -> None:
    env = {"_LMSYNC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    code = ("import sys\nfrom lmsync.cli import main\n"
            "try:\n    main(prog_name='lmsync')\nexcept SystemExit:\n    pass")
    modules, out = _command_modules_after(code, env)
    assert {line.split(",", 1)[1] for line in out.splitlines()} == expected
    assert modules == imported


def test_issue_15_reading_the_configuration_loads_no_sync_planning_code() -> None:
    # The configuration validates instruments and meeting items; through meeting_log it once pulled
    # in the sync planner and every plan operation (pydantic models): about 80 ms of every command.
    probe = ("import lmsync.config, json, sys\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('lmsync.domain.'))))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    assert "lmsync.domain.instruments" in loaded  # the probe can fail: the configuration did load the domain
    assert not loaded & {"lmsync.domain.plan", "lmsync.domain.operations", "lmsync.domain.forum_mode"}
