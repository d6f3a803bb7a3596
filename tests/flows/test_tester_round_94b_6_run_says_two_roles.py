"""Tester round 94b, 6: a person with a mentor role and a mentee role waits for an admin ([matching] dual_role), and
`lmsync sync` and `lmsync plan` said so, but `lmsync run` (cron, the daemon) printed only "sync ok ...": nobody
unattended ever learnt of it. The run's sync line now counts them (a number, never a name) and names the setting."""

from __future__ import annotations

from typing import Any

from tests.flows.conftest import run_in


def test_tester_round_94b_6_the_run_line_counts_people_with_two_roles(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    quiet = run_in(demo_home, "run")
    assert "mentor role and a mentee role" not in _sync_line(quiet.output), quiet.output
    assert run_in(demo_home, "emulator", "edit", "role", "s0002", "teacher").exit_code == 0
    ran = run_in(demo_home, "run")
    line = _sync_line(ran.output)
    assert line.split()[:2] == ["sync", "ok"], line  # an admin's to decide, not a failed sync
    assert "1 person has a mentor role and a mentee role" in line and "[matching] dual_role" in line, line
    assert "s0002" not in line
    as_json = run_in(demo_home, "--log-format", "json", "run")
    assert '"two_roles_waiting_for_an_admin": 1' in as_json.output, as_json.output


def _sync_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith("sync ")]
    return line
