"""Tester round 85a, 10: a bad LMSYNC_LOG_FORMAT was reported as "Invalid value for '--log-format'"."""

from __future__ import annotations

from click.testing import CliRunner

from lmsync.cli import main


def test_round_85a_10_a_bad_value_from_the_environment_names_the_variable() -> None:
    runner = CliRunner()
    from_env = runner.invoke(main, ["queue", "list"], env={"LMSYNC_LOG_FORMAT": "jsn"})
    assert from_env.exit_code == 3 and "Invalid value for LMSYNC_LOG_FORMAT: 'jsn'" in from_env.output, from_env.output
    level = runner.invoke(main, ["queue", "list"], env={"LMSYNC_LOG_LEVEL": "loud"})
    assert "Invalid value for LMSYNC_LOG_LEVEL: 'loud'" in level.output, level.output
    given = runner.invoke(main, ["--log-format", "jsn", "queue", "list"])
    assert "Invalid value for '--log-format': 'jsn'" in given.output, given.output
