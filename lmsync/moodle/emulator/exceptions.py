"""Moodle exceptions as the emulator raises and renders them.

Moodle answers almost every failure with HTTP 200 and ``{"exception", "errorcode", "message"}``
(``debuginfo`` only when the *site* has debugging on). The class names are inconsistent in 4.5
(some namespaced, some not); the emulator reproduces the recorded ones so a client's error
mapping is tested against the real strings. These are the emulator's own classes: the client
has its own typed errors and must not import these.
"""

from __future__ import annotations

from collections.abc import Callable

MOODLE_EXCEPTION = "core\\exception\\moodle_exception"
INVALID_PARAMETER = "core\\exception\\invalid_parameter_exception"
REQUIRED_CAPABILITY = "core\\exception\\required_capability_exception"
CODING_EXCEPTION = "core\\exception\\coding_exception"
INVALID_RESPONSE = "core\\exception\\invalid_response_exception"
REQUIRE_LOGIN = "require_login_exception"
MISSING_RECORD = "dml_missing_record_exception"
ACCESS_EXCEPTION = "webservice_access_exception"


class MoodleError(Exception):
    """A Moodle exception: rolls the call's transaction back, then is rendered as the body.

    ``after_rollback`` lets a handler leave something behind that outlives the rollback, the way
    Moodle's group cache keeps phantoms of a rolled-back batch (trap 27).
    """

    commit = False

    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str | None = None) -> None:
        super().__init__(f"{errorcode}: {message}")
        self.exception = exception
        self.errorcode = errorcode
        self.message = message
        self.debuginfo = debuginfo
        self.after_rollback: Callable[[], None] | None = None

    def body(self, debug: bool = False) -> dict[str, str]:
        out = {"exception": self.exception, "errorcode": self.errorcode, "message": self.message}
        if debug and self.debuginfo:
            out["debuginfo"] = self.debuginfo
        return out


class CommitThenFail(MoodleError):
    """An error raised *after* the work was committed (traps 28 and 29: applied, yet an error)."""

    commit = True


def invalid_parameter(debuginfo: str | None = None) -> MoodleError:
    return MoodleError(INVALID_PARAMETER, "invalidparameter", "Invalid parameter value detected", debuginfo)


def invalid_record(table: str) -> MoodleError:
    return MoodleError(MISSING_RECORD, "invalidrecord", f"Can't find data record in database table {table}.")


def idnumber_taken() -> MoodleError:
    return MoodleError(MOODLE_EXCEPTION, "idnumbertaken", "This ID number is already in use")


def no_permission(title: str) -> MoodleError:
    return MoodleError(
        REQUIRED_CAPABILITY,
        "nopermissions",
        f"Sorry, but you do not currently have permissions to do that ({title}).",
    )


def moodle_error(errorcode: str, message: str, debuginfo: str | None = None) -> MoodleError:
    return MoodleError(MOODLE_EXCEPTION, errorcode, message, debuginfo)


def db_write_error(table: str, column: str, length: int) -> MoodleError:
    """The database refused a value (a name longer than its column): Moodle checks no length first."""
    return MoodleError(
        "dml_write_exception", "dmlwriteexception", "Error writing to database",
        f"value too long for type character varying({length}) ({table}.{column})",
    )
