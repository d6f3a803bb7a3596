"""A new admin's fourth round (tester round 4): configuration that silently meant something else."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, ConfigError

BASE = '[programme]\nname = "mentor-2026"\n\n[moodle]\n'


@pytest.fixture
def env(cli_home: Any) -> Any:
    tmp_path = cli_home
    token = tmp_path / "token"
    token.write_text("0123456789abcdef0123456789abcdef\n")
    token.chmod(0o600)
    return tmp_path


def run(env: Any) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "run"])


@pytest.mark.parametrize("url", ['""', '"  "'])
def test_finding_7_an_empty_url_in_the_file_is_a_configuration_error_naming_its_line(env: Any, url: str) -> None:
    """tester round 4, 7: `url = ""` beside a token_file ran the demo emulator and exited 0 ("sets no
    [moodle] url", untrue); now exit 2, naming the file's line and the two ways out."""
    (env / "lmsync.toml").write_text(f'{BASE}url = {url}\ntoken_file = "{env / "token"}"\n')
    result = run(env)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "lmsync.toml: moodle.url (line 5) is empty" in result.output
    assert "site's address" in result.output and "remove the url line" in result.output
    assert "emulator (demo data" not in result.output and not (env / "state").exists()


def test_finding_7_an_empty_lmsync_moodle_url_is_a_configuration_error_naming_the_variable(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tester round 4, 7: LMSYNC_MOODLE_URL= (set, empty) switched to the demo emulator; now exit 2."""
    (env / "lmsync.toml").write_text(f'{BASE}token_file = "{env / "token"}"\n')
    monkeypatch.setenv("LMSYNC_MOODLE_URL", "")
    result = run(env)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "environment: LMSYNC_MOODLE_URL is set but empty" in result.output
    assert "unset it" in result.output and "emulator (demo data" not in result.output
    with pytest.raises(ConfigError, match="LMSYNC_MOODLE_URL is set but empty") as caught:
        load_config(None, environ={"LMSYNC_MOODLE_URL": " "})
    assert caught.value.hint and "site's address" in caught.value.hint


def test_finding_7_no_url_at_all_still_means_the_built_in_emulator(env: Any) -> None:
    """tester round 4, 7: leaving the key out is how the emulator is chosen, and says so truly."""
    (env / "lmsync.toml").write_text(BASE)
    assert load_config(None, environ={}).uses_emulator


@pytest.mark.parametrize(("line", "there"), [('url = "http://127.0.0.1:8742"\n', "(there: http://127.0.0.1:8742)"),
                                             ("", "(none there: the built-in emulator)")])
def test_round_84_8_an_empty_lmsync_moodle_url_names_the_url_the_file_really_has(
    env: Any, monkeypatch: pytest.MonkeyPatch, line: str, there: str
) -> None:
    """tester round 84, 8: `LMSYNC_MOODLE_URL= lmsync --config b.toml plan`, b.toml setting a url, said "unset it
    to use [moodle] url of b.toml (none there: the built-in emulator)": the file's own url was looked for in the
    tables the empty variable had already been laid over. "none there" only when the file sets none."""
    config = env / "b.toml"
    config.write_text(f'{BASE}{line}token_file = "{env / "token"}"\n')
    monkeypatch.setenv("LMSYNC_MOODLE_URL", "")
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(config), "plan"])
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "environment: LMSYNC_MOODLE_URL is set but empty" in result.output
    assert f"unset it to use [moodle] url of {config} {there}" in " ".join(result.output.split())
    with pytest.raises(ConfigError, match="set but empty") as caught:
        load_config(config, environ={"LMSYNC_MOODLE_URL": ""})
    assert caught.value.hint and caught.value.hint.endswith(f"of {config} {there}")
    assert ("none there" in caught.value.hint) == (not line)


def test_round_84_8_an_empty_variable_over_an_empty_url_in_the_file_says_so(env: Any) -> None:
    """tester round 84, 8: unsetting the variable would leave the file's own empty url: the fix says it is empty too."""
    (env / "b.toml").write_text(f'{BASE}url = ""\n')
    with pytest.raises(ConfigError, match="LMSYNC_MOODLE_URL is set but empty") as caught:
        load_config(env / "b.toml", environ={"LMSYNC_MOODLE_URL": ""})
    assert caught.value.hint and caught.value.hint.endswith("(empty there too)")
