"""``lmsync doctor``'s check of the clock against the last day the store recorded (tester round 108a, 8).

Under a clock earlier than the last day the store recorded the programme, ``lmsync sync``, ``apply``, ``run``,
``health``, ``nudge``, ``grades push`` and the commands that record a day (``queue done``, ``queue ack``, ``meetings
add|remove``, ``import meetings|surveys``, ``person erase``) refuse to write, exit 2 (``clock_check``); doctor said "no problems" all the same. It now fails a ``clock`` check (as
it fails what stops every run, a store it cannot use say) in ``clock_check``'s words and with its fix
(``sync_clock_problem``), and says nothing when the clock is right. Read-only: the store is opened read-only, never
made; a store that does not exist yet records no day, and one that cannot be opened is the store check's to say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.service.clock_check import sync_clock_problem
from lmsync.service.stores import open_store, store_target
from lmsync.store.db import is_postgres

#: What a clock behind the store stops, after ``clock_check``'s words of why: every command that refuses it (tester
#: round 109b, 3: the list lacked ``health``, ``nudge`` and ``grades push``, which refuse since 109b, 1; ``person
#: erase`` refuses since tester round 111b, 1, and ``grades plan`` and ``report`` warn since 111b, 5).
STOPPED = ("`lmsync sync`, `apply`, `run`, `health`, `nudge`, `grades push` and the commands that record a day (`queue "
           "done`, `queue ack`, `meetings add`, `meetings remove`, `import meetings`, `import surveys`, `person erase`) "
           "refuse to write, send or erase (exit 2) until the clock reaches that day; `lmsync plan`, `sync --dry-run`, "
           "`nudge --dry-run`, `grades plan` and the views (`report`, `health --as-of`, `queue list`, `meetings list`, "
           "`pair show`) still run")


def clock_store_check(config: Config, report: Any) -> None:
    """Fail ``clock`` (``report.add``) when the programme's day by the clock is before the last day the store the
    commands open recorded ``config``'s programme (``clock_check.sync_clock_problem``: a health judgement, a sync's
    records, a coordinator's, a meeting or an import's recording day, a message sent, an erasure): its words up to
    why (``the clock says DAY, but this store last recorded ... on DAY: the system clock went back ...``), what it
    stops (:data:`STOPPED`), and its fix. ``skip`` when the store opens but its records cannot be read; nothing when
    the clock is not behind, the store is not made yet, or it cannot be opened (the store check says why)."""
    try:
        target = store_target(config)
    except LmsyncError:  # a [store] url that is no database URL: the store check says so
        return
    if not is_postgres(target) and not Path(target).exists():
        return
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return
    try:
        problem = sync_clock_problem(store, config)
    except Exception as exc:  # noqa: BLE001 - a read that failed: not known, never "the clock is right"
        report.add("clock", "skip", f"not checked against the store: its records could not be read ({exc})")
        return
    finally:
        store.close()
    if problem is not None:
        why = problem.message.rpartition("; ")[0] or problem.message  # without what a refused sync kept
        report.add("clock", "fail", f"{why}; {STOPPED}", problem.hint)
