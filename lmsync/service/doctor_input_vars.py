"""Doctor's check that a request as large as ``[moodle] batch_budget`` reaches Moodle whole.

A site whose PHP ``max_input_vars`` is below the budget silently drops the tail of every large
request (trap 23): account lookups come back short ("account state unknown"), group creates answer
fewer groups than were sent, member additions lose members without an error. One harmless read
(:func:`lmsync.moodle.input_vars.probe_full_batch`) proves it either way (tester round 92b, 1).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lmsync.config import Config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import INPUT_VARS_FIX, MoodleError
from lmsync.moodle.input_vars import FUNCTION, probe_full_batch

NAME = "request size"


def input_vars_check(api: MoodleApi, config: Config, report: Any, self_user_id: int, available: set[str]) -> bool:
    """Add the check's line; returns False when the site cut the probe."""
    budget = config.moodle.batch_budget
    if FUNCTION not in available:
        report.add(NAME, "skip", f"cannot probe: {FUNCTION} is not in the service")
        return True
    try:
        probe = probe_full_batch(api, self_user_id)
    except MoodleError as exc:
        from lmsync.service.doctor_reads import read_fix, refused

        if not refused(exc):  # not JSON, a timeout: a sync fails on it too (tester round 106b, 2)
            report.add(NAME, "fail", f"could not probe: {exc.message}", read_fix(exc))
            return True
        report.add(NAME, "warn", f"could not probe: {FUNCTION} failed: {exc.errorcode or type(exc).__name__}",
                   exc.hint)
        return True
    if probe.whole:
        report.add(NAME, "ok", f"a request of {probe.variables} form variables ([moodle] batch_budget) reaches "
                   "Moodle whole")
        return True
    report.add(
        NAME, "fail",
        f"Moodle saw only part of a request of {probe.variables} form variables: PHP's max_input_vars on the Moodle "
        f"server is below lmsync's batch budget ([moodle] batch_budget = {budget}), so every large request loses its "
        "tail without an error (accounts looked up, groups created, members added); `lmsync sync` refuses to write",
        INPUT_VARS_FIX,
    )
    return False


def blame_the_cut(report: Any) -> None:
    """After a failed probe, the accounts whose state came back unknown were cut from their lookup: their line
    says so instead of asking for a capability."""
    for index, check in enumerate(report.checks):
        if check.name == "people: account_state_unknown":
            report.checks[index] = replace(
                check, fix=f"their lookup was cut by PHP's max_input_vars (see {NAME!r} above): {INPUT_VARS_FIX}")
