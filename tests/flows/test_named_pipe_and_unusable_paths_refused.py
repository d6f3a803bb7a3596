"""Tester round 100a, 1, 10 and 15: files lmsync is told to read, and path settings no file can have.

1: ``lmsync apply f`` on a named pipe (``mkfifo f``) hung for good, deaf to Ctrl-C and SIGTERM; ``--config f``,
``LMSYNC_CONFIG=f`` and ``init --out f`` blocked too. Now each is refused at once, from ``os.stat`` alone: exit 3
for a command-line argument, exit 2 for ``LMSYNC_CONFIG``. The pipe is never opened here either: the commands run
in a process of their own, killed if they hang.

10: a NUL character in ``[store] path`` ended ``lmsync sync`` in a ``ValueError: embedded null byte`` traceback
(exit 1) while ``doctor`` said the store was fine: now a configuration error naming the setting and its line, for
every path setting.

15: ``LMSYNC_CONFIG=nothere.toml`` did not say the name came from ``LMSYNC_CONFIG``; ``LMSYNC_STORE_PATH=`` had no
fix.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError

TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def said(text: str) -> str:
    return " ".join(text.split())


def lmsync(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``lmsync ARGS`` in a process of its own in ``home``, killed (SIGKILL: it held SIGTERM) after 40 seconds: a
    hang on the pipe fails the test rather than blocking the suite."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMSYNC_") or k.startswith("LMSYNC_TEST_")}
    environ.update(XDG_STATE_HOME=str(home / "state"), **env)
    try:
        return subprocess.run([sys.executable, "-m", "lmsync", "--log-level", "warning", *args], cwd=home, env=environ,
                              capture_output=True, text=True, timeout=40)
    except subprocess.TimeoutExpired:
        pytest.fail(f"lmsync {' '.join(args)} hung on a named pipe")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe ``f`` beside an lmsync.toml in ``tmp_path``; never opened."""
    (tmp_path / "lmsync.toml").write_text(TOML)
    path = tmp_path / "f"
    os.mkfifo(path, 0o644)
    return path


@pytest.mark.parametrize("command", [("apply", "f"), ("grades", "push", "f")])
def test_a_saved_plan_that_is_a_named_pipe_is_refused_at_once_not_waited_on(fifo: Path, command: tuple[str, ...]) -> None:
    done = lmsync(fifo.parent, *command)
    text = said(done.stdout + done.stderr)
    assert done.returncode == EXIT_INPUT, text
    assert "f is a named pipe (FIFO), not a regular file; not read" in text, text
    assert "fix:" in text and "Traceback" not in text, text
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_config_option_naming_a_named_pipe_is_refused_at_once_exit_3(fifo: Path) -> None:
    done = lmsync(fifo.parent, "--config", "f", "queue", "list")
    text = said(done.stderr)
    assert done.returncode == EXIT_INPUT, text
    assert "--config f is a named pipe (FIFO), not a regular file; not read" in text, text


def test_lmsync_config_naming_a_named_pipe_is_refused_at_once_exit_2(fifo: Path) -> None:
    done = lmsync(fifo.parent, "queue", "list", LMSYNC_CONFIG="f")
    text = said(done.stderr)
    assert done.returncode == EXIT_ADMIN, text
    assert "LMSYNC_CONFIG names f, which is a named pipe (FIFO), not a regular file" in text, text
    assert "unset it" in text, text


@pytest.mark.parametrize("args", [("init", "--out", "f", "--force", "--no-input"),
                                  ("--config", "f", "init", "--force", "--no-input")])
def test_init_out_on_a_named_pipe_is_refused_at_once_as_every_out_is(fifo: Path, args: tuple[str, ...]) -> None:
    done = lmsync(fifo.parent, *args)
    text = said(done.stderr)
    assert done.returncode == EXIT_INPUT, text
    assert "--out f is not a regular file (a device, a pipe or a socket); not overwritten" in text, text
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize(("section", "line"), [
    ("[store]\npath = \"s.db\\u0000x\"", "store.path (line 6)"),
    ("[store]\nurl = \"sqlite:///s\\u0000.db\"", "store.url (line 6)"),
    ("[report]\npath = \"r\\u0000.html\"", "report.path (line 6)"),
    ("[moodle]\ntoken_file = \"t\\u0000ok\"", "moodle.token_file (line 6)"),
])
def test_a_nul_character_in_a_path_setting_is_a_configuration_error_naming_its_line(
        tmp_path: Path, section: str, line: str) -> None:
    file = tmp_path / "lmsync.toml"
    file.write_text(TOML + "\n" + section + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(file, environ={})
    assert f"{file}: {line}: holds a NUL character" in str(caught.value), str(caught.value)
    assert caught.value.hint


def test_sync_with_a_nul_character_in_the_store_path_exits_2_without_a_traceback(cli_home: Any) -> None:
    (cli_home / "lmsync.toml").write_text(TOML + '[store]\npath = "s.db\\u0000x"\n')
    for command in (("sync",), ("doctor",)):
        result = CliRunner().invoke(main, ["--log-level", "warning", "--config", "lmsync.toml", *command])
        assert result.exit_code == EXIT_ADMIN, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "store.path (line 5): holds a NUL character" in said(result.output), result.output


def test_a_missing_file_named_by_lmsync_config_names_the_variable_and_how_to_unset_it(
        cli_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_CONFIG", "nothere.toml")
    result = CliRunner().invoke(main, ["queue", "list"])
    text = said(result.output)
    assert result.exit_code == EXIT_ADMIN, text
    assert "LMSYNC_CONFIG names nothere.toml: no such configuration file" in text, text
    assert "fix: set LMSYNC_CONFIG to the configuration file's path, or unset it" in text, text


def test_lmsync_store_path_set_but_empty_says_how_to_fix_it(cli_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (cli_home / "lmsync.toml").write_text(TOML)
    monkeypatch.setenv("LMSYNC_STORE_PATH", "")
    result = CliRunner().invoke(main, ["--config", "lmsync.toml", "queue", "list"])
    text = said(result.output)
    assert result.exit_code == EXIT_ADMIN, text
    assert "environment: LMSYNC_STORE_PATH (store.path): is empty" in text, text
    assert "fix: set LMSYNC_STORE_PATH to the path of the store's SQLite file, or unset it" in text, text


@pytest.mark.parametrize("given", ["LMSYNC_CONFIG", "--config"])
def test_round_102b_3_a_leading_tilde_in_the_configuration_path_is_the_home_folder(
        cli_home: Any, monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    """Tester round 102b, 3: ``LMSYNC_CONFIG='~/c.toml'`` (and ``--config '~/c.toml'``, quoted) named a folder ``~``
    in the current folder: the file in the home folder was not found, and the fix offered ``init --out '~/c.toml'``,
    which asked for ``mkdir -p .../~``. ``~`` is the home folder now; a missing file is named by its expanded path,
    and an unknown ``~user`` is refused naming where it came from (exit 2 for the variable, 3 for the option)."""
    home = cli_home / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (home / "c.toml").write_text(TOML + '[store]\npath = "c.db"\n')

    def run(path: str) -> Any:
        if given == "LMSYNC_CONFIG":
            monkeypatch.setenv("LMSYNC_CONFIG", path)
            return CliRunner().invoke(main, ["emulator", "edit", "suspend", "s0058"])
        return CliRunner().invoke(main, ["--config", path, "emulator", "edit", "suspend", "s0058"])

    found = run("~/c.toml")
    assert found.exit_code == 0, found.output
    assert f"saved to {home / 'mentor-2026.emulator.json'}" in said(found.output), found.output
    missing = said(run("~/gone.toml").output)
    assert f"{home / 'gone.toml'}: no such configuration file" in missing, missing
    assert f"`lmsync init --out {home / 'gone.toml'}` writes one there" in missing and "~" not in missing, missing
    unknown = run("~nosuchuser-lmsync/c.toml")
    assert unknown.exit_code == (EXIT_ADMIN if given == "LMSYNC_CONFIG" else EXIT_INPUT), unknown.output
    assert f"{given}: '~nosuchuser-lmsync/c.toml' begins with '~nosuchuser-lmsync'" in said(unknown.output)
    assert not (cli_home / "~").exists() and not (cli_home / "~nosuchuser-lmsync").exists()
