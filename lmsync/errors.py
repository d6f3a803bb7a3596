"""lmsync's own errors, each with the exit code the CLI and daemon report.

Exit codes, one table for every command and the daemon (``EXIT_CODES``; the README shows
the same table and a test keeps the two equal):

====  ==========================================================================
code  meaning
====  ==========================================================================
0     success
1     partial failure: some writes refused or not converged; the next run retries
2     an admin must act: configuration, token, permission or site set-up
3     bad input: a file or a command-line argument is wrong; nothing was applied
4     another lmsync run holds this programme's lock (``--wait`` queues instead)
====  ==========================================================================

Errors carry a ``hint``: the step that fixes them, and may carry a ``summary``: the message
for logs when ``message`` names people (counts and ids only; README "logs carry ids, not
names", tester finding 13), and ``problems``: a refused file's problems, one per line and field,
as a log may show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_ADMIN = 2
EXIT_INPUT = 3
EXIT_LOCKED = 4

#: code -> meaning, in the order the README lists them.
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_PARTIAL: "partial failure: some writes were refused or did not converge, or (PostgreSQL store) the run lost the "
    "programme's lock mid-run and stopped writing; the next run retries",
    EXIT_ADMIN: "an admin must act: configuration, token, permission or site set-up, a grade or item lmsync cannot prove it wrote (not an assignment grade it saved for someone later erased while enrolled: `grades plan` names that one and leaves it, exit 0), a grade outside its item's range, or (`lmsync sync`, `lmsync run`) a group carrying a circle's ID number that the store does not record for it (one it never made, or one it made as another circle), or a grouping carrying lmsync's grouping ID number that the store cannot prove it made, or (`lmsync sync`, `lmsync run`, `lmsync apply`, nothing written) a store with no record of the programme's circles where the course holds some (`--store-takes-over`), or a clock earlier than the last day a run judged the programme (`lmsync run`, `health`, `nudge` and `grades push` stop before writing; the daemon goes on) or, for `lmsync run`, `health`, `nudge`, `grades push`, `sync`, `apply`, `queue done`, `queue ack`, `meetings add`, `meetings remove`, `import meetings`, `import surveys` and `person erase` (nothing written, sent or erased; `lmsync plan`, `sync --dry-run`, `nudge --dry-run`, `grades plan` and `report` warn; `queue list`, `meetings list`, `pair show` and `health --as-of` still show), earlier than the last day the store recorded the programme (its pairing history, its journal of Moodle writes, the days someone was found away, a coordinator's queue record such as an acknowledgement or an outcome, the day a meeting, survey answer or import was recorded (never a meeting's own date), a nudge, digest or grades sent, or an erasure), or (`lmsync sync`, `lmsync run`) PHP's `max_input_vars` below `[moodle] batch_budget`, the configured forum being the course's announcements forum (or a name two forums share), or an enrolment read that found every circle's mentor (or more than 1 - `[sync] min_source_fraction` of them), or more than 1 - `[sync] min_source_fraction` of the people placed in circles (mentors and mentees together), away at once, on the day it was first found",
    EXIT_INPUT: "bad input: a file or a command-line argument is wrong; nothing from it was applied",
    EXIT_LOCKED: "another lmsync run holds this programme's lock (`--wait` queues instead)",
}


class LmsyncError(Exception):
    exit_code = EXIT_PARTIAL

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        summary: str | None = None,
        problems: Sequence[Mapping[str, object]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: What a log line may say instead of ``message`` (which names people); None: ``message`` is safe.
        self.summary = summary
        #: A refused file's problems, each ``{"file", "line", "field", "reason"}`` with no cell's
        #: value in it (the JSON fatal line lists them; ``message`` has them for people).
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  fix: {self.hint}"


class ConfigError(LmsyncError):
    """The configuration or its secrets are wrong: nothing was done."""

    exit_code = EXIT_ADMIN


class InputError(LmsyncError):
    """A file or argument the user gave us is malformed: nothing from it was applied."""

    exit_code = EXIT_INPUT


class PinError(InputError):
    """A pin cannot be honoured (names no mentee, two mentors, a forbid, capacity): the caller
    knows where the pins came from and may report it as a configuration error instead."""


class PlanError(LmsyncError):
    """A saved plan no longer fits what Moodle looks like, or cannot be applied safely (in full:
    what is left waits for an admin, retrying changes nothing)."""

    exit_code = EXIT_ADMIN


class LockedError(LmsyncError):
    """Another lmsync run holds this programme's lock."""

    exit_code = EXIT_LOCKED


class PartialFailure(LmsyncError):
    exit_code = EXIT_PARTIAL


class StoppedAtOnce(PartialFailure):
    """A second stop request (SIGTERM, Ctrl-C), raised where the run is: the request pools leave their requests
    in flight unwaited for, and the process ends without joining them (``lmsync.service.jobs``, round 82a, 2)."""
