"""How the command line ends after a second stop request: without waiting for requests in flight.

A second SIGTERM or Ctrl-C ends a run at once (``lmsync.service.jobs.StopFlag``), but Python joins a request
pool's threads before the process exits, so a Moodle that did not answer held the stop for the whole read
timeout (``[moodle] timeout_seconds``, round 82a, 2). ``ExitsAtOnce.main`` hands the exit code to
``jobs.exit_at_once``, which ends the process there when such threads are left. Nothing changes for a command
that was not stopped twice, or when lmsync runs inside another program (a test) whose threads have all ended.
"""

from __future__ import annotations

import sys
from typing import Any

import click


class ExitsAtOnce(click.Group):
    """A click group whose ``main`` exits at once after a second stop request (see module doc)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except SystemExit as exc:
            jobs = sys.modules.get("lmsync.service.jobs")  # loaded by every command that takes stop requests
            if jobs is not None:
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
                jobs.exit_at_once(code)
            raise
