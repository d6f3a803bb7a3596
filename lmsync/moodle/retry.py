"""What is safe to send again: reads versus writes, and which failures a retry can heal.

A **read** (:data:`READ_FUNCTIONS`) is retried after connection errors, timeouts and HTTP
429/502/503/504. A **write** (every other function, unknown ones included) is re-sent only
when the request provably never reached Moodle: the connection was never established or the
server answered 429 (issue 10 point 10; traps 28, 29). A Moodle exception body is an answer,
never retried; a TLS failure does not heal within a deadline. Used by
:class:`lmsync.moodle.transport.Transport`.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, Protocol

import requests

from lmsync.moodle.errors import ConnectionFailed, HTTPStatusError, Timeout

#: The functions that only read. Everything else, including a function this list does not
#: know, is a write: never re-sent once it may have reached Moodle (issue 10 point 10).
READ_FUNCTIONS = frozenset(
    {
        "core_webservice_get_site_info", "core_course_get_courses_by_field", "core_enrol_get_enrolled_users",
        "core_user_get_users_by_field", "core_cohort_get_cohorts", "core_cohort_search_cohorts",
        "core_cohort_get_cohort_members", "core_group_get_course_groupings", "core_group_get_groupings",
        "core_group_get_course_groups", "core_group_get_groups", "core_group_get_group_members",
        "mod_forum_get_forums_by_courses", "mod_forum_get_forum_discussions", "mod_forum_get_discussion_posts",
        "mod_feedback_get_feedbacks_by_courses", "mod_feedback_get_items", "mod_feedback_get_responses_analysis",
        "mod_feedback_get_analysis", "mod_feedback_get_non_respondents", "gradereport_user_get_grade_items",
        "core_grades_get_gradeitems", "mod_assign_get_assignments", "mod_assign_get_grades",
        "core_calendar_get_calendar_events",
    }
)  # fmt: skip

class StopSignal(Protocol):
    """A stop request (SIGTERM), as ``lmsync.service.jobs.StopFlag`` is: asked, and waited on. It ends
    a call's retries at once (tester round 31, 1)."""

    def __call__(self) -> bool: ...

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on a stop; whether a stop was asked for."""
        ...


#: Statuses worth another try for a read.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Statuses that prove the server did not process the request (safe to resend a write).
NOT_PROCESSED_STATUSES = frozenset({429})
def is_read(function: str) -> bool:
    """True for a function that only reads, so resending it can never change Moodle."""
    return function in READ_FUNCTIONS


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def never_connected(exc: BaseException) -> bool:
    """True when requests failed before a connection existed, so nothing was sent.

    requests wraps urllib3's ``MaxRetryError(reason=NewConnectionError|ConnectTimeoutError)``
    for DNS failures, refused connections and connect timeouts; a TLS handshake that failed
    sent no request either. Anything else (a connection reset or closed mid-answer) may have
    happened after Moodle received the request.
    """
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        name = type(item).__name__
        if name in {"NewConnectionError", "ConnectTimeoutError", "NameResolutionError"}:
            return True
        if isinstance(item, BaseException):
            stack.extend(item.args)
            stack.append(getattr(item, "reason", None))
            stack.append(item.__cause__)
            stack.append(item.__context__)
    return False


def retryable(exc: BaseException, read: bool) -> bool:
    """True when another attempt is safe and may succeed (see the module docstring)."""
    if isinstance(exc, ConnectionFailed) and exc.tls:
        return False  # a certificate or protocol mismatch does not heal in seconds
    if isinstance(exc, (ConnectionFailed, Timeout)):
        return read or exc.surely_not_sent
    if isinstance(exc, HTTPStatusError):
        return exc.status in (RETRY_STATUSES if read else NOT_PROCESSED_STATUSES)
    return False


#: Seconds a call retries a refused connection or an unknown host while the site has not answered once
#: (``deadline_for``; tester round 84, 10), and those causes (``errors.short_cause``).
FIRST_CONTACT_DEADLINE = 15.0
_FIRST_CONTACT_CAUSES = frozenset({"connection refused (nothing listens on that port)", "unknown host (DNS)"})


def deadline_for(exc: BaseException | None, *, answered: bool, deadline: float) -> float:
    """Seconds a call may keep retrying after ``exc``: ``deadline``, but at most :data:`FIRST_CONTACT_DEADLINE`
    while the site has not ``answered`` once (through this transport) and the connection is refused or its
    host unknown. That is a wrong ``[moodle] url`` or port far more often than a blip: ``lmsync plan`` at a
    terminal said so after 65 s of retries (tester round 84, 10). Once the site has answered, a refusal is a
    restart, and is given the whole deadline."""
    if answered or not isinstance(exc, ConnectionFailed) or exc.cause not in _FIRST_CONTACT_CAUSES:
        return deadline
    return min(deadline, FIRST_CONTACT_DEADLINE)
