"""Tester round 85a, 10: a bad LMSYNC_LOG_FORMAT was reported as "Invalid value for '--log-format'"."""

from __future__ import annotations

from click.testing import CliRunner

from lmsync.cli import main


def test_round_85a_10_a_bad_value_from_the_environment_names_the_variable() -> None:
    runner = CliRunner()
    from_env = runner.invoke(main, ["queue", "list"], env={"LMSYNC_LOG_FORMAT": "jsn"})
    # a configuration error since tester round 129, 4 (exit 2, was 3), still naming the variable
    assert from_env.exit_code == 2 and "LMSYNC_LOG_FORMAT='jsn' is not a value" in from_env.output, from_env.output
    assert "--log-format" not in from_env.output
    level = runner.invoke(main, ["queue", "list"], env={"LMSYNC_LOG_LEVEL": "loud"})
    assert "LMSYNC_LOG_LEVEL='loud' is not a value" in level.output, level.output
    given = runner.invoke(main, ["--log-format", "jsn", "queue", "list"])
    assert "Invalid value for '--log-format': 'jsn'" in given.output, given.output
