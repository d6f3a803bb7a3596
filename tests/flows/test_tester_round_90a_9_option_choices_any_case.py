"""Tester round 90a, 9: configuration choices were read in any letter case (round 88a, 10), command-line choices were
not: ``--format JSON`` and ``LMSYNC_LOG_FORMAT=JSON`` were refused. Both are now read as ``json``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lmsync.cli import main


def test_format_and_log_format_are_read_in_any_case(cli_home):
    shown = CliRunner().invoke(main, ["doctor", "--format", "JSON"], env={"LMSYNC_LOG_FORMAT": "JSON"})
    assert "is not one of" not in shown.output, shown.output
    assert json.loads(shown.stdout)[0]["name"] == "reachable"  # --format json
    logged = CliRunner().invoke(main, ["--log-format", "Json", "doctor", "--format", "Text"])
    assert "is not one of" not in logged.output and "[ok  ] reachable" in logged.stdout, logged.output
    refused = CliRunner().invoke(main, ["doctor", "--format", "yaml"])
    assert refused.exit_code == 3 and "'yaml' is not one of" in refused.output
