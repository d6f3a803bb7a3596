"""A stop request that arrives while lmsync is writing a log line (round 82 helper: a second SIGTERM as
``lmsync run --wait`` wrote its "waiting for the lock" line hung the process for good: the signal handler
logged, and structlog's ``PrintLogger`` lock, held by the interrupted write, is not reentrant)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import signal, sys, time
    import structlog
    from lmsync.log import configure, get_logger
    from lmsync.service.jobs import StopFlag
    from lmsync.errors import PartialFailure

    configure("console", "info", sys.stderr)
    get_logger("t").info("first")  # the logger and its stream lock exist
    flag = StopFlag.install()
    structlog.contextvars.bind_contextvars(run_id="r1")  # the run's id, as `lmsync run` binds it
    lock = structlog.get_logger().bind()._logger._lock  # the stream's lock, as a write holds it
    with lock:  # a SIGTERM arriving in the middle of a log line
        signal.raise_signal(signal.SIGTERM)
        try:
            signal.raise_signal(signal.SIGTERM)  # and a second one, which stops at once
        except PartialFailure:
            print("second raised", flush=True)
    print("stopping" if flag() else "not stopping", flush=True)
""")


def test_round_82_a_stop_request_during_a_log_line_neither_hangs_nor_loses_its_notice() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["second", "raised", "stopping"]
    assert "lmsync.stopping " in done.stderr and "lmsync.stopping_now" in done.stderr  # written once the line was
    notices = [line for line in done.stderr.splitlines() if "lmsync.stopping" in line]
    assert len(notices) == 2 and all("run_id=r1" in line for line in notices), done.stderr  # in the run's context
