"""Why a sync ended without converging, in an admin's words, and what to do (tester round 73, 3).

A re-run after a sync killed mid-batch ended "Moodle did not converge after 2 rounds / fix: see the
log for refused operations": nothing had been refused. Its writes whose answer was lost were waiting
out ``[sync] write_settle_seconds`` (``lmsync.service.sync.uncertain_writes``), and only the next run
after that could send them. ``lmsync sync`` (its error's fix line) and ``lmsync run`` (the sync
step's line) say that here, with how long is left; refused operations only when there were some.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from lmsync.service.held_writes import held_said
from lmsync.service.labels import People
from lmsync.service.sync import SyncResult


def refused_count(result: SyncResult) -> int:
    """The operations Moodle refused over the run's rounds, each once: one refused in every one of 4 rounds was
    counted 4 times ("refused 32 operation(s)" of 8; tester round 94b, 10)."""
    return len({key for report in result.reports for key, *_ in report.failed})


def held_count(result: SyncResult) -> int:
    """The writes the run's last plan held back: sent earlier, their answer lost, maybe still committing."""
    return len((result.final_plan or result.first_plan).pending)


def about(seconds: float) -> str:
    """``about 40 s``, ``about 9 min``, ``about 2.5 h``."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def settle_wait(result: SyncResult, settle_seconds: float, now: float | None = None) -> str:
    """How long the held writes wait: ``not sent again until ... (about 9 min from now, after
    2026-12-04 14:01:05 UTC)``, or that the wait is over; empty when nothing is held."""
    held = held_count(result)
    if not held:
        return ""
    rule = (f"not sent again until Moodle shows them or [sync] write_settle_seconds ({settle_seconds:g} s) "
            "have passed since they were sent")
    if result.settle_at is None:
        return rule
    left = result.settle_at - (time.time() if now is None else now)
    if left <= 0:
        return rule + " (that time is over now)"
    at = datetime.fromtimestamp(result.settle_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{rule} ({about(left)} from now, after {at})"


def unconverged_hint(result: SyncResult, settle_seconds: float, now: float | None = None,
                     people: People | None = None) -> str:
    """The fix line of an unconverged sync: the settle wait when writes are held, naming them (``held_said``,
    people and circles by ``people`` when given; tester round 102b, 4: nothing said which write waited), the
    refused operations when there were some, else that the course changed while lmsync wrote."""
    parts = []
    held = held_count(result)
    if held:
        plan = result.final_plan or result.first_plan
        parts.append(f"{held} write(s) sent earlier, whose answer was lost, may still commit in Moodle "
                     f"({held_said(plan.pending, plan.programme, people)}): "
                     f"{settle_wait(result, settle_seconds, now)}; the first run after that converges (it sends "
                     "them if Moodle still does not show them)")
    if refused := refused_count(result):
        parts.append(f"Moodle refused {refused} operation(s) (listed above as `refused by Moodle`, and in the log); "
                     "the next run retries them")
    lost = [report.lost for report in result.reports if report.lost]
    if lost and not parts:  # "it turned down no write" beside four rounds of invalidparameter (tester round 95b, 10)
        parts.append(f"{len(lost)} round(s) stopped at a write whose outcome Moodle's answer left unknown (the last: "
                     f"{lost[-1]}), then re-read the course: when it is the same write each time, Moodle will not take "
                     "it; `lmsync plan` shows what still differs, the log names the function, and the next run retries")
    if not parts:
        # not only another writer: a Moodle that answered writes it did not keep read the same (tester round 92b, 8)
        parts.append("Moodle still differed from lmsync's plan after its last round, though it turned down no write: "
                     "something else may be changing the course's groups while lmsync writes, or Moodle answered "
                     "writes it did not keep (an event observer or plugin undoing them); `lmsync plan` shows what "
                     "still differs, and the next run retries")
    return "; ".join(parts)
