"""A failed step's one line (``cycle_result.step_failure``): what cron mails and the daemon logs."""

from __future__ import annotations

from lmsync.errors import ConfigError
from lmsync.service.cycle_result import step_failure


def test_round_77_a_failed_steps_line_carries_its_fix() -> None:
    """`report failed: cannot write the report to X: Permission denied` gave no fix: the hint was dropped."""
    step = step_failure("report", ConfigError("cannot write the report to /srv/r.html: Permission denied",
                                              hint="set [report] path (or --out) to a place lmsync's account can write"))
    assert step.exit_code == 2 and step.state == "failed"
    assert step.summary == ("failed: cannot write the report to /srv/r.html: Permission denied "
                            "(fix: set [report] path (or --out) to a place lmsync's account can write)")
    assert "fix:" not in step_failure("report", ConfigError("no hint here")).summary
