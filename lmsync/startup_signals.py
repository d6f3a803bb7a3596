"""A stop asked for while lmsync starts: kept for the commands that stop cleanly, not lost to a kill.

``lmsync run``, ``daemon``, ``sync`` and ``apply`` stop between batches on SIGTERM or Ctrl-C
(``lmsync.service.jobs.StopFlag``), but their handler is installed only once the command runs,
after about a second of imports: a SIGTERM before that killed the process (exit 143), where the
README promises exit 1 for a stopped run and 0 for a stopped daemon (tester round 17, 7). Run
from the ``lmsync`` console script with one of those commands, this module catches SIGTERM and
SIGINT from the first import on and remembers them; ``StopFlag.install`` takes them over. Any
other command, and any other program importing lmsync (tests), keeps Python's own handlers.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

#: The commands whose stop is clean (a ``StopFlag``); the signals asked for before it was installed.
STOPPING_COMMANDS = frozenset({"run", "daemon", "sync", "apply"})
pending: list[int] = []


def _remember(signum: int, _frame: FrameType | None) -> None:
    pending.append(signum)


def hold_while_starting(argv: list[str] | None = None) -> bool:
    """Install the remembering handlers when ``argv`` (default ``sys.argv``) is the ``lmsync`` console
    script running one of ``STOPPING_COMMANDS``; returns whether it did."""
    args = sys.argv if argv is None else argv
    if not args or os.path.basename(args[0]) != "lmsync" or not STOPPING_COMMANDS & set(args[1:]):
        return False
    signal.signal(signal.SIGTERM, _remember)
    signal.signal(signal.SIGINT, _remember)
    return True
