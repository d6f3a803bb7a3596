"""lmsync's own errors, each with the exit code the CLI and daemon report.

Exit codes (documented in the README): 0 ok, 1 partial failure, 2 configuration or
permission error. Errors carry a ``hint``: the admin step that fixes them.
"""

from __future__ import annotations


class LmsyncError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  fix: {self.hint}"


class ConfigError(LmsyncError):
    """The configuration or its secrets are wrong: nothing was done."""

    exit_code = 2


class InputError(LmsyncError):
    """A file the user gave us is malformed: nothing from it was applied."""

    exit_code = 2


class PlanError(LmsyncError):
    """A saved plan no longer fits what Moodle looks like, or cannot be applied safely."""

    exit_code = 2


class LockedError(LmsyncError):
    """Another lmsync run holds this programme's lock."""

    exit_code = 2


class PartialFailure(LmsyncError):
    exit_code = 1
