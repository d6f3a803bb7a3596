"""Tester round 129, 4: a mistyped ``LMSYNC_LOG_LEVEL`` / ``LMSYNC_LOG_FORMAT`` exited 3 ("bad input") with click's
usage text, where every other ``LMSYNC_*`` variable with a bad value is a configuration error, exit 2. Now it is one
too, naming the variable and the values it takes, in the log format asked for when that is known; a bad
``--log-level`` on the command line is still a usage error, exit 3."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT

LEVELS = "debug, info, warning, error, critical"


def test_a_bad_log_level_from_the_environment_is_a_configuration_error_tester_round_129_4() -> None:
    said = CliRunner().invoke(main, ["--log-format", "json", "queue", "list"], env={"LMSYNC_LOG_LEVEL": "warn"})
    assert said.exit_code == EXIT_ADMIN, said.output
    line = json.loads(said.stderr.strip().splitlines()[-1])
    assert (line["event"], line["error"], line["exit_code"]) == ("lmsync.fatal", "ConfigError", EXIT_ADMIN), line
    assert "LMSYNC_LOG_LEVEL='warn'" in line["message"] and LEVELS in line["message"], line
    assert "Usage:" not in said.output
    upper = CliRunner().invoke(main, ["queue", "list"], env={"LMSYNC_LOG_LEVEL": "loud", "LMSYNC_LOG_FORMAT": "JSON"})
    assert upper.exit_code == EXIT_ADMIN and json.loads(upper.stderr.strip().splitlines()[-1])["exit_code"] == 2


def test_a_bad_log_format_from_the_environment_is_a_configuration_error_tester_round_129_4() -> None:
    said = CliRunner().invoke(main, ["queue", "list"], env={"LMSYNC_LOG_FORMAT": "journal"})
    assert said.exit_code == EXIT_ADMIN, said.output
    assert said.stderr.startswith("error: environment: LMSYNC_LOG_FORMAT='journal' is not a value it takes "
                                  "(one of console, json)"), said.stderr
    assert "fix: set LMSYNC_LOG_FORMAT to one of console, json" in said.stderr and "Usage:" not in said.output
    given = CliRunner().invoke(main, ["--log-format", "json", "queue", "list"], env={"LMSYNC_LOG_FORMAT": "journal"})
    assert given.exit_code != EXIT_ADMIN  # the command line wins over the variable, as before


def test_a_bad_log_level_on_the_command_line_stays_bad_input_tester_round_129_4() -> None:
    for args in (["--log-level", "warn", "queue", "list"], ["queue", "list", "--log-level", "warn"]):
        said = CliRunner().invoke(main, args)
        assert said.exit_code == EXIT_INPUT and "Invalid value for '--log-level': 'warn'" in said.output, said.output
