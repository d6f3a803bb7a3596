"""Typed failures of Moodle web-service calls, each with the admin step that fixes it.

Moodle answers almost every failure with HTTP 200 and ``{"exception", "errorcode",
"message"}``; the exception *class* names are inconsistent across 4.5 (namespaced or not),
so the type is chosen from ``errorcode`` alone (trap 2). Transport-level failures (no
connection, timeouts, non-200, bodies that are not JSON) form the other branch::

    MoodleError                      function, errorcode, hint, exit_code
    ├── TransportError               the exchange itself failed
    │   ├── ConnectionFailed         no TCP/TLS connection (DNS, refused, reset)
    │   ├── Timeout                  no answer within the timeout
    │   ├── HTTPStatusError          a status other than 200 (status, retry_after)
    │   │   └── NotAnEndpoint        404, 405 or 501: not a Moodle web-service endpoint  [2]
    │   ├── Redirected               a 30x: never followed (the token stays home)       [2]
    │   ├── WebServicesDisabled      HTTP 403 with an empty body: WS or REST is off    [2]
    │   ├── NotJSON                  XML/HTML/empty body where JSON was expected        [2]
    │   ├── OutcomeUnknown           a write whose answer was lost (never re-sent)
    │   └── RequestTooLarge          more form variables than the budget (never sent)
    ├── UnexpectedResponse           JSON that does not fit the function's answer model
    └── MoodleException              an HTTP 200 exception body (exception, message, debuginfo)
        ├── InvalidToken             invalidtoken (wrong or missing token)               [2]
        ├── UserSuspended            wsaccessusersuspended                               [2]
        ├── TokenIPRestricted        invalidiptoken: the token's IP restriction          [2]
        ├── ServiceNeedsLogin        servicerequireslogin: a session's token, ended      [2]
        ├── AccessDenied             accessexception: function not in the service        [2]
        ├── UnknownFunction          invalidrecord on table external_functions           [2]
        ├── MissingCapability        nopermissions; ``capability`` = "Manage groups"     [2]
        │                            (also cannotcreatediscussion: a forum's group refused)
        ├── InvalidParameter         invalidparameter (reason hidden, trap 4)
        │   └── InvalidUserField     invaliduserfield
        ├── InvalidRecord            invalidrecord (unknown course/group/... id)
        ├── IdnumberTaken            idnumbertaken
        ├── InvalidUser              invaliduser
        ├── InvalidResponse          invalidresponse (the write may have happened!)
        ├── InvalidCourseModule      invalidcoursemodule
        ├── FormatNotSupported       formatnotsupported (messages: some may be sent!)
        ├── CodingError              codingerror                                         [2]
        └── RequestCut               PHP's max_input_vars cut a request (a short answer) [2]

``[2]`` marks ``exit_code = 2`` (token, access, capability or configuration: an admin must
act); everything else is 1. Unknown errorcodes become a plain ``MoodleException``.
No exception ever holds the token: messages are built from Moodle's body, the function
name and counts, and transport messages are scrubbed before they are raised.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict, Unpack

from lmsync.errors import LmsyncError
from lmsync.moodle.causes import ERRORCODE_HINTS, short_cause
from lmsync.moodle.keywords import check_keywords


class ErrorFields(TypedDict, total=False):
    """The keyword fields every :class:`MoodleError` takes; each subclass adds its own before them.

    ``function``: the wsfunction called; ``errorcode``: Moodle's ``errorcode`` (or a local one);
    ``hint``: the admin step, ``None`` (or absent) for the class's ``default_hint``.
    """

    function: str | None
    errorcode: str | None
    hint: str | None


#: The advice after an answer lmsync could not read: Moodle may have acted before it failed.
_WRITE_MAY_HAVE_APPLIED = "if the call was a write it may have been applied: re-read before retrying"


class MoodleError(LmsyncError):
    """Any failure of a Moodle web-service call."""

    exit_code = 1
    default_hint: str | None = None

    def __init__(self, message: str, **fields: Unpack[ErrorFields]) -> None:
        check_keywords(type(self).__name__, fields, ErrorFields.__optional_keys__)
        hint = fields.get("hint")
        super().__init__(message, hint=hint if hint is not None else self.default_hint)
        self.function = fields.get("function")
        self.errorcode = fields.get("errorcode")
        #: For a chunked write: how many items earlier requests of the same call had
        #: applied before this failure (``None`` when the call was not chunked).
        self.applied: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(function={self.function!r}, errorcode={self.errorcode!r}, message={self.message!r})"


# --- transport ------------------------------------------------------------------------


class TransportError(MoodleError):
    """The HTTP exchange failed; Moodle may not have seen the request."""


class ConnectionFailed(TransportError):
    default_hint = "Check the Moodle URL, DNS, proxy and TLS settings, and that the site is up (`lmsync doctor` checks them)."

    def __init__(
        self, message: str, *, surely_not_sent: bool = False, tls: bool = False, **kw: Unpack[ErrorFields]
    ) -> None:
        super().__init__(message, **kw)
        #: True when the connection was never established, so Moodle cannot have acted.
        self.surely_not_sent = surely_not_sent
        #: True when the TLS handshake failed (certificate, or https:// to a plain-HTTP port).
        self.tls = tls
        #: What the network stack said, in a few words (``short_cause``): what the CLI, the
        #: cycle's step line and `lmsync doctor` show instead of urllib3's pool and retry text.
        self.cause = short_cause(message)

    @property
    def said(self) -> str:
        """The failure in a few words: ``core_webservice_get_site_info: cannot reach http://...:
        connection refused (nothing listens on that port)``."""
        return f"{self.message.split(' (', 1)[0]}: {self.cause}" if " (" in self.message else self.message


class Timeout(TransportError):
    default_hint = "Moodle did not answer in time; raise [moodle] timeout_seconds or check the site's load."

    def __init__(self, message: str, *, surely_not_sent: bool = False, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(message, **kw)
        #: True for a connect timeout (request never sent), False for a read timeout.
        self.surely_not_sent = surely_not_sent


class HTTPStatusError(TransportError):
    default_hint = "The web server answered with an error status; see its error log."

    def __init__(
        self, message: str, *, status: int, retry_after: float | None = None, **kw: Unpack[ErrorFields]
    ) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.retry_after = retry_after


class NotAnEndpoint(HTTPStatusError):
    """HTTP 404, 405 or 501 from ``/webservice/rest/server.php``: the configured ``[moodle] url``
    is not a Moodle site root (a wrong path, or another server), so no retry helps: an admin
    must act (exit 2, README "Exit codes"; tester finding 10: ``sync`` said 1, ``doctor`` 2).
    Timeouts and 5xx stay ``HTTPStatusError`` (exit 1: the next run retries)."""

    exit_code = 2
    default_hint = (
        "Check [moodle] url: it must be the Moodle site root (the address that serves "
        "/webservice/rest/server.php); `lmsync doctor` checks it"
    )


class Redirected(TransportError):
    """The site answered a 30x. Redirects are never followed: the POST body holds the token,
    and a followed redirect would carry it to whatever host ``Location`` names (issue 11).

    ``location`` is the ``Location`` header as sent; ``suggested_url`` the site root it points
    at (the ``/webservice/rest/server.php`` suffix and any query removed), ``None`` when the
    redirect goes somewhere else (a login page, an SSO portal).
    """

    exit_code = 2

    def __init__(
        self, message: str, *, status: int, location: str, suggested_url: str | None = None, **kw: Unpack[ErrorFields]
    ) -> None:
        if kw.get("hint") is None:
            if suggested_url:
                kw["hint"] = f"set [moodle] url to {suggested_url} (lmsync never follows redirects)"
            else:
                kw["hint"] = (
                    "the REST endpoint redirects away from Moodle (a login page or proxy?): set [moodle] url "
                    "to the address that serves /webservice/rest/server.php directly"
                )
        super().__init__(message, **kw)
        self.status = status
        self.location = location
        self.suggested_url = suggested_url


class WebServicesDisabled(TransportError):
    exit_code = 2
    default_hint = (
        "Enable web services (Site administration > Advanced features > Enable web services) "
        "and the REST protocol (Server > Web services > Manage protocols)."
    )

    def __init__(self, message: str, *, status: int = 403, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(message, **kw)
        self.status = status


class NotJSON(TransportError):
    exit_code = 2
    default_hint = (
        "The URL must be the Moodle site root (the page that serves /webservice/rest/server.php); "
        "a proxy or login page may be answering instead."
    )

    def __init__(
        self, message: str, *, content_type: str = "", php_output: str | None = None, **kw: Unpack[ErrorFields]
    ) -> None:
        if php_output and kw.get("hint") is None:
            kw["hint"] = (
                "PHP printed an error or warning into the answer (display_errors is on): set "
                "display_errors = Off on the Moodle server (Site administration > Development > Debugging: "
                f"Display debug messages off) and look at the PHP error log; {_WRITE_MAY_HAVE_APPLIED}"
            )
        super().__init__(message, **kw)
        self.content_type = content_type
        #: The first line PHP printed before (or instead of) the JSON, when there was such output.
        self.php_output = php_output


class OutcomeUnknown(TransportError):
    default_hint = (
        "The write may or may not have been applied: re-read Moodle and create only what is "
        "still missing (never re-send blindly)."
    )


class RequestTooLarge(TransportError):
    default_hint = (
        "Chunk the call (lmsync.moodle.batching.chunk_by_budget); PHP drops variables past max_input_vars."
    )

    def __init__(self, message: str, *, variables: int, budget: int, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(message, **kw)
        self.variables = variables
        self.budget = budget


class UnexpectedResponse(MoodleError):
    """The answer is JSON but not the shape this function returns (a plugin or version change)."""

    default_hint = f"Check the Moodle version and plugins against lmsync's supported list; {_WRITE_MAY_HAVE_APPLIED}."


# --- Moodle exception bodies ------------------------------------------------------------


class MoodleException(MoodleError):
    """Moodle answered with an exception body (HTTP 200)."""

    default_hint = "Moodle refused the call; site debugging (Developer level) adds the reason as debuginfo."

    def __init__(
        self, message: str, *, exception: str | None = None, debuginfo: str | None = None, **kw: Unpack[ErrorFields]
    ) -> None:
        """``kw``: what every :class:`MoodleError` takes (``function``, ``errorcode``, ``hint``)."""
        super().__init__(message, **kw)
        #: Moodle's exception class name, for information only (do not match on it: trap 2).
        self.exception = exception
        #: Only present when the *site* has debugging on; often the real reason (trap 1, 4).
        self.debuginfo = debuginfo


class InvalidToken(MoodleException):
    exit_code = 2
    default_hint = (
        "The token is wrong or missing: create one for the lmsync user in Site administration > "
        "Server > Web services > Manage tokens and put it where lmsync reads it: LMSYNC_TOKEN, or the file "
        "[moodle] token_file names (`lmsync doctor` says which one it read)."  # tester round 36
    )


class UserSuspended(MoodleException):
    exit_code = 2
    default_hint = "The token's user account is suspended: unsuspend it or issue a token for an active user."


_PUT_TOKEN = "put it where lmsync reads it: LMSYNC_TOKEN, or the file [moodle] token_file names"  # as InvalidToken


class TokenIPRestricted(MoodleException):
    """``invalidiptoken`` ("Invalid token - your IP is not supported", lang/en/webservice.php): the token's IP
    restriction leaves out lmsync's address; exit 2 (tester round 94b, 5: was exit 1, the daemon backed off).
    Older Moodle sends accessexception with that debuginfo (webservice/lib.php): mapped here too."""

    exit_code = 2
    default_hint = (
        "The token only works from the addresses in its IP restriction, and the machine lmsync runs on is not "
        "among them (as Moodle sees it: behind a proxy, the proxy's address): in Site administration > Server > "
        "Web services > Manage tokens, add this machine's address to the token's IP restriction, or create a "
        f"token without one and {_PUT_TOKEN}"
    )


class ServiceNeedsLogin(MoodleException):
    """``servicerequireslogin`` ("Web service is not available. (The session has been logged out or has
    expired.)", lang/en/webservice.php): a login session's token whose session ended; exit 2 (94b, 5)."""

    exit_code = 2
    default_hint = (
        "Moodle says the web service needs a logged-in session and the token's session was logged out or has "
        "expired: lmsync needs a permanent token, not one made by a browser or app login. Create one for the "
        f"lmsync user and its service in Site administration > Server > Web services > Manage tokens and {_PUT_TOKEN}"
    )


class AccessDenied(MoodleException):
    exit_code = 2
    default_hint = (
        "Add this function to the lmsync external service (Site administration > Server > "
        "Web services > External services > lmsync > Functions), and authorise the user."
    )


class UnknownFunction(MoodleException):
    exit_code = 2
    default_hint = "This Moodle does not have the function: check the Moodle version and installed plugins."


class MissingCapability(MoodleException):
    exit_code = 2

    def __init__(self, message: str, *, capability: str | None = None, **kw: Unpack[ErrorFields]) -> None:
        if kw.get("hint") is None:
            what = f'"{capability}"' if capability else "the missing capability"
            kw["hint"] = (
                f"Grant {what} to the lmsync web-service role (Site administration > Users > "
                "Permissions > Define roles); see plugin_config for the full list."
            )
        super().__init__(message, **kw)
        #: The capability's *title* as Moodle prints it, e.g. "Manage groups" (trap 5).
        self.capability = capability

    @classmethod
    def warned(cls, function: str, message: str, *, name: str, title: str) -> MissingCapability:
        """A missing capability Moodle answered as a warning, not an exception (``mod_assign_*``
        warning code ``1``, "No access rights in module context"): ``name`` is its id
        (``mod/assign:grade``), ``title`` its English title ("Grade assignment")."""
        return cls(
            message, capability=title, function=function, errorcode="nopermissions",
            hint=f'Grant "{name}" to the lmsync web-service role (Site administration > Users > Permissions > '
                 "Define roles), or re-import the role preset from `lmsync moodle role-preset`",
        )


class InvalidParameter(MoodleException):
    default_hint = (
        "Moodle hides the reason (trap 4): duplicate name, non-enrolled member, out-of-range value, "
        "a role not assignable there, or an unknown id. Turn on site debugging to see debuginfo."
    )

    def __init__(self, message: str, *, local: bool = False, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(message, **kw)
        #: True when lmsync found the problem itself and sent nothing to Moodle.
        self.local = local


class InvalidUserField(InvalidParameter):
    default_hint = "userfields takes core user fields only; custom profile fields come back in customfields."


class InvalidRecord(MoodleException):
    default_hint = "An id does not exist (or no longer exists): re-read Moodle before retrying."


class IdnumberTaken(MoodleException):
    default_hint = (
        "The idnumber is in use - possibly by a phantom left in Moodle's group cache after a "
        "rolled-back batch (trap 27): re-read with DB-backed reads before retrying."
    )


class InvalidUser(MoodleException):
    default_hint = "A user id does not exist: re-read the enrolments."


class InvalidResponse(MoodleException):
    default_hint = (
        "Moodle failed to build its answer AFTER acting (e.g. a grouping created without "
        "idnumber, trap 28): re-read before retrying."
    )


class InvalidCourseModule(MoodleException):
    default_hint = (
        "The component does not match the course module (e.g. mod_forum with an assignment's cmid)."
    )


class FormatNotSupported(MoodleException):
    default_hint = (
        "Moodle failed after delivering part of the batch (trap 29): re-check which messages "
        "arrived before sending again."
    )


class CodingError(MoodleException):
    exit_code = 2
    default_hint = "lmsync sent a request Moodle considers a programming error: please report it."


#: What an admin does about a site whose PHP cuts lmsync's requests (README "max_input_vars").
INPUT_VARS_FIX = (
    "raise max_input_vars in the Moodle server's php.ini (Moodle itself requires at least 5000) and restart PHP, "
    "or lower [moodle] batch_budget (LMSYNC_MOODLE_BATCH_BUDGET) below the site's max_input_vars"
)


class RequestCut(MoodleException):
    """Moodle answered a request PHP had cut: the site keeps fewer form variables than lmsync sends
    (PHP's ``max_input_vars`` below ``[moodle] batch_budget``, traps 23-25). Found by lmsync in Moodle's
    answer (``errorcode`` ``maxinputvars``, not Moodle's): a create that answered fewer items than it
    sent, or doctor's probe whose last value did not come back (tester round 92b, 1).

    ``sent``/``answered``: the items of the cut request, how many Moodle answered; ``rows``: every row
    the call's answers listed (what Moodle did create, earlier requests of the call included)."""

    exit_code = 2
    default_hint = f"{INPUT_VARS_FIX}; `lmsync doctor` checks it"

    def __init__(self, message: str, *, sent: int = 0, answered: int = 0, rows: list[Any] | None = None,
                 **kw: Unpack[ErrorFields]) -> None:
        kw.setdefault("errorcode", "maxinputvars")
        super().__init__(message, **kw)
        self.sent = sent
        self.answered = answered
        self.rows: list[Any] = list(rows or [])

    @classmethod
    def short_answer(cls, function: str, *, sent: int, answered: int, budget: int, rows: list[Any]) -> RequestCut:
        """A create that answered ``answered`` of the ``sent`` items of one request."""
        return cls(
            f"{function}: Moodle answered {answered} of the {sent} items lmsync sent in one request: PHP on the "
            f"Moodle server cut the request, its max_input_vars is probably below lmsync's batch budget "
            f"({budget} form variables a request); Moodle applied the {answered} it answered, not the other "
            f"{sent - answered}",
            function=function, sent=sent, answered=answered, rows=rows,
        )


# --- mapping ------------------------------------------------------------------------------

_BY_ERRORCODE: dict[str, type[MoodleException]] = {
    "invalidtoken": InvalidToken,
    "wsaccessusersuspended": UserSuspended,
    "invalidiptoken": TokenIPRestricted,
    "servicerequireslogin": ServiceNeedsLogin,
    "accessexception": AccessDenied,
    "nopermissions": MissingCapability,
    "invalidparameter": InvalidParameter,
    "invaliduserfield": InvalidUserField,
    "invalidrecord": InvalidRecord,
    "idnumbertaken": IdnumberTaken,
    "invaliduser": InvalidUser,
    "invalidresponse": InvalidResponse,
    "invalidcoursemodule": InvalidCourseModule,
    "formatnotsupported": FormatNotSupported,
    "codingerror": CodingError,
}

_CAPABILITY_RE = re.compile(r"\(([^()]+)\)\.?\s*$")
#: An older Moodle's invalidiptoken: accessexception, the reason in debuginfo (tester round 94b, 5).
_IP_REFUSED = re.compile(r"your IP is not supported", re.I)


def is_exception_body(data: Any) -> bool:
    """A decoded JSON body that is a Moodle exception rather than a result."""
    return isinstance(data, dict) and "exception" in data and "errorcode" in data


def capability_title(message: str) -> str | None:
    """ "...permissions to do that (Manage groups)." -> "Manage groups" (trap 5)."""
    match = _CAPABILITY_RE.search(message or "")
    return match.group(1) if match else None


def exception_from_body(function: str | None, body: dict[str, Any]) -> MoodleException:
    """Build the typed exception for a Moodle exception body (never raises)."""
    errorcode = str(body.get("errorcode") or "")
    message = str(body.get("message") or errorcode or "Moodle exception")
    exception = body.get("exception")
    debuginfo = body.get("debuginfo")
    kw: dict[str, Any] = {
        "function": function,
        "errorcode": errorcode,
        "exception": str(exception) if exception is not None else None,
        "debuginfo": str(debuginfo) if debuginfo is not None else None,
    }
    text = f"{function}: {message}" if function else message
    if debuginfo:
        text = f"{text} ({debuginfo})"
    if errorcode == "invalidrecord" and "external_functions" in message:
        return UnknownFunction(text, **kw)
    if errorcode == "accessexception" and _IP_REFUSED.search(f"{message} {debuginfo or ''}"):
        return TokenIPRestricted(text, **kw)
    if errorcode == "cannotcreatediscussion":  # mod_forum_add_discussion, forum_user_can_post_discussion() false
        return MissingCapability(text, capability="mod/forum:startdiscussion or moodle/site:accessallgroups", hint=(
            "Moodle refused a welcome discussion in a circle's group: the lmsync web-service role needs "
            "\"mod/forum:startdiscussion\" in the forum and \"moodle/site:accessallgroups\" in the course (it is in "
            "none of the groups); grant them (Site administration > Users > Permissions > Define roles), or re-import "
            "the role preset from `lmsync moodle role-preset`"), **kw)  # tester round 69, 1: was a retry, exit 1
    cls = _BY_ERRORCODE.get(errorcode, MoodleException)
    if cls is MissingCapability:
        return MissingCapability(text, capability=capability_title(message), **kw)
    return cls(text, hint=ERRORCODE_HINTS.get(errorcode), **kw)  # None: the class's own
