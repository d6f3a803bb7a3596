"""What one run of the cycle (``lmsync run``) gives back: each step's outcome, and the run's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from lmsync.errors import EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.errors import (
    AccessDenied,
    ConnectionFailed,
    InvalidToken,
    MissingCapability,
    Timeout,
    UnknownFunction,
)
from lmsync.store.problems import admin_problem

# "admin": the step did its part, and an admin must act on the rest (exit 2); "partial" said it with exit 2
# where the README's exit codes say 1 is partial (tester round 75, 6)
State = Literal["ok", "partial", "admin", "failed", "skipped", "held"]


@dataclass
class StepResult:
    """One step's outcome: a state, its exit code, one line for people and counts for logs."""

    step: str
    state: State
    exit_code: int = EXIT_OK
    summary: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the error's message (never a token: LmsyncError/MoodleError text)
    run_id: str = ""  # the run's id, as its cycle.step log line has it (tester round 3, 17)
    logged: str | None = None  # the summary as a log may carry it, when ``summary`` names people (round 87a, 5)

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "step": self.step,
            "state": self.state,
            "exit_code": self.exit_code,
            "summary": self.summary,
            "counts": self.counts,
            "error": self.error,
        }


@dataclass
class CycleResult:
    """Every step of one run, in order; ``exit_code`` is the worst."""

    run_id: str
    as_of: date
    steps: list[StepResult] = field(default_factory=list)
    stopped: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)  # each step's own report (tests, the CLI)
    #: The programme's lock was lost (its PostgreSQL connection closed) during the run or as it was let go: the
    #: run stopped writing there, and exits 1 (``lock_watch``; tester round 120b, 1).
    lock_lost: bool = False

    @property
    def exit_code(self) -> int:
        return max((s.exit_code for s in self.steps), default=EXIT_OK)

    @property
    def run_exit_code(self) -> int:
        """What ``lmsync run`` exits with and ``cycle.done`` logs: a stopped run left steps undone, a
        partial run for cron and systemd (tester round 3, 4; round 7, 3). The daemon reads
        ``exit_code``: its own stop is not a failure. A run that lost its lock is partial too (round 120b, 1)."""
        return max(self.exit_code, EXIT_PARTIAL) if self.stopped or self.lock_lost else self.exit_code

    @property
    def converged(self) -> bool:
        """For the daemon loop: the whole run succeeded."""
        return self.exit_code == EXIT_OK

    @property
    def reported(self) -> bool:
        return any(s.step == "report" and s.state == "ok" for s in self.steps)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.step == name)


def capability_named(title: str) -> str:
    """``mod/forum:startdiscussion (Start new discussions)`` for the title Moodle's refusal names (trap 5);
    the title as given when lmsync needs no capability of that title (tester pass 71, 5)."""
    from lmsync.moodle_side import requirements

    name = next((c.name for c in requirements.required_capabilities() if c.title == title), None)
    return f"{name} ({title})" if name else title


def step_failure(step: str, exc: Exception) -> StepResult:
    """A step's failure in one line. Moodle out of reach says why in a few words (not urllib3's pool
    text), and a site or token problem points at ``lmsync doctor`` (tester round 3, 22)."""
    exc = admin_problem(exc) or exc  # a read-only or damaged store: exit 2 (tester round 20, 2)
    code = int(getattr(exc, "exit_code", EXIT_PARTIAL))
    message = str(getattr(exc, "message", "") or exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, ConnectionFailed) and not exc.tls:
        message = f"cannot reach Moodle: {exc.cause}"
    if isinstance(exc, MissingCapability) and exc.capability:  # which one, on the line cron reads (round 69, 1)
        message += f"; the lmsync role lacks {capability_named(exc.capability)}"
    if isinstance(exc, ConnectionFailed | Timeout | InvalidToken | AccessDenied | MissingCapability | UnknownFunction):
        message += " (`lmsync doctor` checks the site, the token and the service, and says how to fix them)"
    elif hint := getattr(exc, "hint", None):  # the fix, on the line cron mails (round 77: "Permission denied" alone)
        message += f" (fix: {str(hint).splitlines()[0]})"
    return StepResult(step, "failed", code, f"failed: {message}", {}, error=type(exc).__name__)
