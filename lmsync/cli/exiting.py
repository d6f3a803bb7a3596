"""How the command line ends: at once after a second stop request, and without freeing its objects one by one.

A second SIGTERM or Ctrl-C ends a run at once (``lmsync.service.jobs.StopFlag``), but Python joins a request
pool's threads before the process exits, so a Moodle that did not answer held the stop for the whole read
timeout (``[moodle] timeout_seconds``, round 82a, 2). ``ExitsAtOnce`` hands the exit code to
``jobs.exit_at_once``, which ends the process there when such threads are left. Nothing changes for a command
that was not stopped twice, or when lmsync is run through ``main.main()`` (click's test runner does).

Run as the console script or ``python -m lmsync`` (``lmsync.cli.console``), a command that ends with nothing left
to close (no store was opened: SQLAlchemy was never loaded; no thread but the main one) runs the exit handlers
(``atexit``: logging's flush, finalizers), flushes its output and ends the process there (``end_without_teardown``),
instead of letting Python free every object it built one by one: after ``lmsync match --people`` of 50,000 x 10,000
that teardown took 0.2-0.35 s of the run (issue 15, speed). A program calling ``main()`` keeps its process.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from contextlib import suppress
from typing import Any

import click


class ExitsAtOnce(click.Group):
    """A click group that, called as the console script calls it, exits at once after a second stop request (see
    module doc). It takes the place of click's own ``__call__`` (``return self.main(...)``), not of ``main``: a
    wrapper frame more under every command once slowed ``lmsync match`` by a third. CPython 3.11 keeps frames in
    16 KiB chunks, and one frame more put the matching's hot calls on a chunk's edge, mapping and unmapping one
    25,000 times (measured: 5,000 x 1,000 ties 1.13 -> 1.45 s, 2,700 -> 25,300 ``munmap``)."""

    ends_at_once = False  # the console entry's copy (``lmsync.cli.console``) only: see ``end_without_teardown``

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.main(*args, **kwargs)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            jobs = sys.modules.get("lmsync.service.jobs")  # loaded by every command that takes stop requests
            if jobs is not None:
                jobs.exit_at_once(code)
            if self.ends_at_once and (exc.code is None or isinstance(exc.code, int)):  # a text code: Python prints it
                end_without_teardown(code)
            raise


def end_without_teardown(code: int) -> None:
    """End the process now with ``code`` when nothing is left to close (see the module doc): the exit handlers run,
    stdout and stderr are flushed, and the objects the command built are left to the operating system. Returns
    (the usual exit follows) when a store may be open (SQLAlchemy loaded: its connections close as Python exits)
    or another thread still runs (Python joins it)."""
    if "sqlalchemy" in sys.modules or threading.active_count() > 1:
        return
    atexit._run_exitfuncs()  # what Python's own exit would run first: logging.shutdown, weakref finalizers
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):  # a closed pipe: as Python's exit, the code stays the command's
            stream.flush()
    os._exit(code)
