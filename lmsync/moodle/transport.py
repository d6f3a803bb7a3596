"""One HTTP exchange with Moodle's REST server, made safe to repeat.

Every call is ``POST <url>/webservice/rest/server.php`` with ``wstoken``, ``wsfunction`` and
``moodlewsrestformat=json`` in the query string and the parameters form-encoded in PHP array
syntax (:mod:`lmsync.moodle.encoding`). The transport turns every failure into a typed
:mod:`lmsync.moodle.errors` exception and retries only what is safe to retry:

* connection errors, timeouts and HTTP 429/502/503/504 are retried with exponential backoff
  and jitter, within a total ``deadline``; ``Retry-After`` is honoured;
* a Moodle exception body (HTTP 200) is never retried: it is an answer, not a glitch;
* a non-idempotent call (a create) is retried only when the request surely never reached
  Moodle (connect failure, 429). Any 5xx, a read timeout or a dropped connection raises
  :class:`OutcomeUnknown` so the caller re-reads Moodle instead of creating a duplicate
  (traps 28, 29). A 503 is usually "not processed" (maintenance mode, no backend), but a
  proxy can also answer 503 after PHP ran; a duplicate welcome post costs more than one
  extra observation, so a create never bets on it.

The token only ever leaves :class:`~lmsync.secrets.Token` here, to build the query string.
``requests`` puts the full URL, query string included, into its exception messages, so
those messages are scrubbed and re-raised without their cause; urllib3's debug log lines
get the same treatment through a logging filter.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception

from lmsync import __version__
from lmsync.log import get_logger
from lmsync.moodle.encoding import FormPairs, encode
from lmsync.moodle.errors import (
    ConnectionFailed,
    HTTPStatusError,
    NotJSON,
    OutcomeUnknown,
    RequestTooLarge,
    Timeout,
    TransportError,
    WebServicesDisabled,
    exception_from_body,
    is_exception_body,
)
from lmsync.secrets import Token, redact

ENDPOINT = "/webservice/rest/server.php"

#: Statuses worth another try for an idempotent call.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Statuses that prove the server did not process the request (safe to resend a create).
NOT_PROCESSED_STATUSES = frozenset({429})

_log = get_logger("lmsync.moodle.transport")
_TOKEN_IN_QUERY = re.compile(r"(wstoken=)[^&\s'\"<>]*")
_XML_ERRORCODE = re.compile(r"<ERRORCODE>(.*?)</ERRORCODE>", re.S)


class _RedactingFilter(logging.Filter):
    """Masks tokens in stdlib log records (urllib3 logs request lines with the query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        record.msg = _TOKEN_IN_QUERY.sub(r"\1<redacted>", redact(text))
        record.args = ()
        return True


for _name in ("urllib3.connectionpool", "urllib3", "requests"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactingFilter) for f in _logger.filters):
        _logger.addFilter(_RedactingFilter())


def _parse_retry_after(value: str | None, now: float | None = None) -> float | None:
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


def _never_connected(exc: BaseException) -> bool:
    """True when requests failed before a connection existed, so nothing was sent.

    requests wraps urllib3's ``MaxRetryError(reason=NewConnectionError|ConnectTimeoutError)``
    for DNS failures, refused connections and connect timeouts. Anything else (a connection
    reset or closed mid-answer) may have happened after Moodle received the request.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
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


class Transport:
    """POSTs web-service calls to one Moodle site through one ``requests.Session``.

    ``budget`` is the most form variables one request may carry; callers chunk below it
    (PHP silently drops variables past ``max_input_vars``, trap 23-25) and the transport
    refuses to send more. ``stats`` counts the HTTP requests made per function, retries
    included.
    """

    def __init__(
        self,
        url: str,
        token: Token,
        *,
        session: requests.Session | None = None,
        timeout: float = 30,
        deadline: float = 120,
        budget: int = 2000,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 8,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if not isinstance(token, Token):
            raise TypeError("token must be a lmsync.secrets.Token")
        self.url = url.rstrip("/")
        self.endpoint = self.url + ENDPOINT
        self._token = token
        self.session = session if session is not None else requests.Session()
        self.session.headers.setdefault("User-Agent", f"lmsync/{__version__}")
        self.timeout = timeout
        self.deadline = deadline
        self.budget = budget
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        #: HTTP requests made per wsfunction (retries included).
        self.stats: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"Transport(url={self.url!r}, token=<redacted>)"

    # -- public ------------------------------------------------------------------------

    @property
    def requests_made(self) -> int:
        return sum(self.stats.values())

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, function: str, params: Mapping[str, Any] | None = None, *, idempotent: bool = True) -> Any:
        """Call ``function`` and return the decoded JSON (``None`` for Moodle's ``null``).

        Raises a :class:`~lmsync.moodle.errors.MoodleException` subclass for an exception
        body and a :class:`~lmsync.moodle.errors.TransportError` subclass otherwise.
        """
        form = encode(params or {})
        if len(form) > self.budget:
            raise RequestTooLarge(
                f"{function}: {len(form)} form variables, budget is {self.budget}; chunk the call",
                function=function,
                variables=len(form),
                budget=self.budget,
            )
        clock_start = time.monotonic()
        slept = [0.0]

        def tracked_sleep(seconds: float) -> None:
            slept[0] += seconds
            self.sleep(seconds)

        def out_of_time(state: RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            spent = max(time.monotonic() - clock_start, slept[0])
            return spent + (state.upcoming_sleep or 0.0) > self.deadline

        retrying = Retrying(
            retry=retry_if_exception(lambda exc: self._retryable(exc, idempotent)),
            stop=out_of_time,
            wait=self._wait,
            sleep=tracked_sleep,
            reraise=True,
            before_sleep=lambda state: self._log_retry(function, state),
        )
        return retrying(self._once, function, form, idempotent)

    # -- one attempt ---------------------------------------------------------------------

    def _query(self, function: str) -> dict[str, str]:
        return {"wstoken": self._token.reveal(), "wsfunction": function, "moodlewsrestformat": "json"}

    def _scrub(self, text: str) -> str:
        secret = self._token.reveal()
        if secret:
            for variant in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(variant, "<redacted>")
        return _TOKEN_IN_QUERY.sub(r"\1<redacted>", redact(text))

    def _once(self, function: str, form: FormPairs, idempotent: bool) -> Any:
        self.stats[function] += 1
        started = time.monotonic()
        error: TransportError | None = None
        response: requests.Response | None = None
        try:
            response = self.session.post(
                self.endpoint, params=self._query(function), data=form, timeout=self.timeout
            )
        except requests.exceptions.Timeout as exc:  # ConnectTimeout or ReadTimeout
            sent = not _never_connected(exc)
            kind = "read timeout" if sent else "connect timeout"
            error = Timeout(
                self._scrub(f"{function}: {kind} after {self.timeout:g} s ({type(exc).__name__}: {exc})"),
                function=function,
                surely_not_sent=not sent,
            )
        except requests.exceptions.RequestException as exc:
            error = ConnectionFailed(
                self._scrub(f"{function}: cannot reach {self.url} ({type(exc).__name__}: {exc})"),
                function=function,
                surely_not_sent=_never_connected(exc),
            )
        if error is not None:
            # Raised here, outside the except block, so the scrubbed error has no
            # __context__ holding requests' message (which contains the token).
            _log.debug("moodle.request.failed", function=function, error=type(error).__name__)
            raise self._unknown_if_unsafe(error, idempotent)
        assert response is not None
        elapsed_ms = round((time.monotonic() - started) * 1000)
        _log.debug(
            "moodle.request",
            function=function,
            variables=len(form),
            status=response.status_code,
            ms=elapsed_ms,
        )
        return self._decode(function, response, idempotent)

    def _unknown_if_unsafe(self, error: TransportError, idempotent: bool) -> TransportError:
        """For a create, an answer lost after sending means nobody knows what happened."""
        if idempotent:
            return error
        if isinstance(error, (ConnectionFailed, Timeout)) and error.surely_not_sent:
            return error
        if isinstance(error, HTTPStatusError) and error.status in NOT_PROCESSED_STATUSES:
            return error
        if isinstance(error, HTTPStatusError) and error.status < 500:
            return error  # 4xx other than 429: the server refused it before PHP ran
        return OutcomeUnknown(
            f"{error.message}; the write may or may not have been applied",
            function=error.function,
            errorcode=error.errorcode,
        )

    def _decode(self, function: str, response: requests.Response, idempotent: bool) -> Any:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        body = response.content or b""
        if status != 200:
            if status == 403 and not body.strip():
                raise WebServicesDisabled(
                    f"{function}: HTTP 403 with an empty body: web services or the REST protocol are disabled",
                    function=function,
                    status=status,
                )
            retry_after = _parse_retry_after(response.headers.get("Retry-After"))
            hint = "Check moodle.url: it must be the site root." if status == 404 else None
            raise self._unknown_if_unsafe(
                HTTPStatusError(
                    f"{function}: HTTP {status} {response.reason or ''}".rstrip(),
                    function=function,
                    status=status,
                    retry_after=retry_after,
                    hint=hint,
                ),
                idempotent,
            )
        try:
            data = json.loads(body) if body.strip() else _NO_BODY
        except ValueError:
            data = _NO_BODY
        if data is _NO_BODY:
            text = body.decode("utf-8", "replace")
            match = _XML_ERRORCODE.search(text)
            errorcode = match.group(1).strip() if match else None
            detail = f", errorcode {errorcode}" if errorcode else ""
            raise NotJSON(
                f"{function}: expected JSON, got {content_type or 'no content type'} ({len(body)} bytes{detail})",
                function=function,
                errorcode=errorcode,
                content_type=content_type,
            )
        if is_exception_body(data):
            assert isinstance(data, dict)
            exc = exception_from_body(function, data)
            _log.info("moodle.exception", function=function, errorcode=exc.errorcode)
            raise exc
        return data

    # -- retry policy ---------------------------------------------------------------------

    @staticmethod
    def _retryable(exc: BaseException, idempotent: bool) -> bool:
        if isinstance(exc, (ConnectionFailed, Timeout)):
            return idempotent or exc.surely_not_sent
        if isinstance(exc, HTTPStatusError):
            return exc.status in (RETRY_STATUSES if idempotent else NOT_PROCESSED_STATUSES)
        return False

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        exp = self.backoff_initial * (2 ** (state.attempt_number - 1))
        return min(self.backoff_max, exp) + random.uniform(0, self.backoff_initial)

    def _log_retry(self, function: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        _log.warning(
            "moodle.retry",
            function=function,
            attempt=state.attempt_number,
            error=type(exc).__name__ if exc else None,
            status=getattr(exc, "status", None),
            wait_s=round(state.upcoming_sleep or 0.0, 2),
        )


_NO_BODY = object()
