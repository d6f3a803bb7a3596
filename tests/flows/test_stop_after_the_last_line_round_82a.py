"""Tester rounds 81, 3 and 82a, 5: a SIGTERM (or Ctrl-C) sent just after a run's last line, while Python was
shutting down, killed lmsync with exit 143 (130): Python had reset its handlers, and the signal reached a BLAS
worker thread that did not block it. The run's own exit code stands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_request_after_the_last_line_leaves_the_exit_code_alone(tmp_path: Path, stop: signal.Signals) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_MOODLE_URL"):
        env.pop(name, None)
    codes = []
    for _ in range(3):  # the window is short: three runs, each stopped as soon as its last line is out
        out = tmp_path / "out.txt"
        with out.open("w") as handle:
            process = subprocess.Popen([sys.executable, "-m", "lmsync", "sync"], stdout=handle, stderr=subprocess.STDOUT,
                                       cwd=tmp_path, env=env)
        deadline = time.monotonic() + 60
        while "in sync after" not in out.read_text() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if process.poll() is None:
            process.send_signal(stop)
        codes.append(process.wait(timeout=60))
        assert "in sync after" in out.read_text(), out.read_text()
    assert codes == [0, 0, 0], codes
