"""Tester round 85a, 9: ``lmsync sync`` given a stop request when nothing was left to apply logged
``lmsync.stopping`` and then said only "in sync", exit 0: the request looked ignored."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import jobs


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and its SQLite store")
def test_round_85a_9_a_stop_with_nothing_left_to_do_is_said(cli_home, monkeypatch):
    first = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert first.exit_code == 0 and "a stop was requested" not in first.output, first.output
    stopped = threading.Event()
    stopped.set()
    monkeypatch.setattr(jobs.StopFlag, "install", classmethod(lambda cls: cls(stopped)))
    again = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert again.exit_code == 0, again.output
    assert "in sync after 1 round(s)" in again.output and "(a stop was requested when nothing was left to do)" in again.output


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and its SQLite store")
def test_round_86a_the_runs_sync_line_says_which_way_members_move(cli_home):
    """"8 membership change(s) planned" were 8 removals, and the line did not say so."""
    ran = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    line = next(line for line in ran.output.splitlines() if line.startswith("sync "))
    assert "membership change(s) planned (" in line and " added, 0 removed)" in line, line
