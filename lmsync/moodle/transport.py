"""One HTTP exchange with Moodle's REST server, made safe to repeat.

Every call is ``POST <url>/webservice/rest/server.php?wsfunction=...&moodlewsrestformat=json``
with ``wstoken`` as the FIRST field of the form body, followed by the parameters
form-encoded in PHP array syntax (:mod:`lmsync.moodle.encoding`). Moodle merges ``$_GET`` and
``$_POST``, so it answers the same (trap 37), while web-server access logs and proxies, which
keep URLs, never see the token; ``wsfunction`` stays in the query so an admin still sees in
the log which function ran. Redirects are never followed (a 30x raises
:class:`~lmsync.moodle.errors.Redirected` naming the ``Location``): a followed redirect
would carry the token to another host.

The transport turns every failure into a typed :mod:`lmsync.moodle.errors` exception and
retries only what is safe to retry (the rules live in :mod:`lmsync.moodle.retry`):

* a **read** (:data:`READ_FUNCTIONS`) is retried after connection errors, timeouts and HTTP
  429/502/503/504, with exponential backoff and jitter, within a total ``deadline`` (shorter before the
  site first answers: ``retry.deadline_for``); ``Retry-After`` is honoured;
* a **write** (every other function, unknown ones included) is re-sent only when the request
  provably never reached Moodle: the connection was never established (refused, DNS, connect
  timeout) or the server answered 429. After a read timeout, a dropped connection or any 5xx
  it raises :class:`OutcomeUnknown` and is NOT re-sent, even an "idempotent" one such as
  ``core_group_assign_grouping``: Moodle checks names, idnumbers and links before inserting,
  with no unique index behind them, so a copy re-sent while the first may still commit can
  commit twice (issue 10 point 10; traps 28, 29). The caller re-reads Moodle instead;
* a Moodle exception body (HTTP 200) is never retried: it is an answer, not a glitch;
* a TLS failure is not retried: it does not heal within a deadline.

``fail_fast=True`` makes one attempt with a short connect timeout, for the first call of
``lmsync doctor``: an unreachable site is reported in seconds, not after the retry deadline.

An answer whose body starts with PHP output (a site with ``display_errors`` on) is parsed
(:mod:`lmsync.moodle.answers`) after that output when a complete JSON value follows it, so a write that happened counts;
the first line PHP printed is logged, and named in the error when no JSON follows.

The token only ever leaves :class:`~lmsync.secrets.Token` here, to build the form body.
``requests`` can put URLs into its exception messages, so those messages are scrubbed and
re-raised without their cause; urllib3's debug log lines get the same treatment through a
logging filter.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import requests.adapters
from tenacity import RetryCallState, Retrying, retry_if_exception

from lmsync import __version__
from lmsync.log import get_logger
from lmsync.moodle.answers import first_line, not_json, split_php_output
from lmsync.moodle.encoding import FormPairs, encode
from lmsync.moodle.errors import (
    ConnectionFailed,
    HTTPStatusError,
    NotAnEndpoint,
    OutcomeUnknown,
    Redirected,
    RequestTooLarge,
    Timeout,
    TransportError,
    WebServicesDisabled,
    exception_from_body,
    is_exception_body,
)
from lmsync.moodle.retry import (
    NOT_PROCESSED_STATUSES,
    READ_FUNCTIONS,
    RETRY_STATUSES,
    StopSignal,
    deadline_for,
    is_read,
    never_connected,
    parse_retry_after,
    retryable,
)
from lmsync.moodle.tls import unverified, unverified_tls_failure_hint
from lmsync.secrets import Token, redact, token_forms

__all__ = [
    "ENDPOINT",
    "FAIL_FAST_CONNECT_TIMEOUT",
    "FAIL_FAST_READ_TIMEOUT",
    "NOT_PROCESSED_STATUSES",
    "READ_FUNCTIONS",
    "RETRY_STATUSES",
    "Transport",
    "first_line",
    "is_read",
    "site_root",
    "split_php_output",
]

ENDPOINT = "/webservice/rest/server.php"
#: Statuses Moodle's REST endpoint never answers: the URL is not a Moodle site (NotAnEndpoint, exit 2).
NOT_AN_ENDPOINT_STATUSES = frozenset({404, 405, 501})

#: Connect timeout of a ``fail_fast`` call (doctor's first call), in seconds.
FAIL_FAST_CONNECT_TIMEOUT = 4.0
#: Read timeout of a ``fail_fast`` call: a site that accepts the connection but never answers
#: is reported in seconds, not after ``[moodle] timeout_seconds``.
FAIL_FAST_READ_TIMEOUT = 5.0

_log = get_logger("lmsync.moodle.transport")
#: The keys of Moodle's exception body (HTTP 200), kept by :meth:`Transport.only_keys`.
_EXCEPTION_KEYS = frozenset({"exception", "errorcode", "message", "debuginfo"})
_TOKEN_IN_QUERY = re.compile(r"(wstoken=)[^&\s'\"<>]+")  # +: never a second <redacted> after one


class _RedactingFilter(logging.Filter):
    """Masks tokens in stdlib log records (urllib3 logs request lines)."""

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


def site_root(endpoint_url: str, location: str) -> str | None:
    """The Moodle URL a redirect of the REST endpoint points at, or ``None`` if it leaves the endpoint.

    ``https://moodle.example.edu/webservice/rest/server.php?x`` -> ``https://moodle.example.edu``.
    """
    target = urlsplit(urljoin(endpoint_url, location))
    if not target.scheme or not target.netloc or not target.path.endswith(ENDPOINT):
        return None
    root = target.path[: -len(ENDPOINT)].rstrip("/")
    return urlunsplit((target.scheme, target.netloc, root, "", ""))


class Transport:
    """POSTs web-service calls to one Moodle site through one ``requests.Session``.

    ``budget`` is the most parameter variables one request may carry (the token is one more
    on the wire); callers chunk below it (PHP silently drops variables past
    ``max_input_vars``, traps 23-25) and the transport refuses to send more. ``stats``
    counts the HTTP requests made per function, retries included. ``timeout`` and
    ``deadline`` are seconds: per attempt, and for all attempts of one call with the waits.

    ``verify_tls=False`` (``[moodle] verify_tls``) makes every request without checking the certificate,
    even when the environment names a CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``), which requests
    puts over ``Session.verify = False`` unless ``verify`` is given per request (psf/requests issue 3829;
    tester round 106b, 1); :func:`lmsync.moodle.tls.unverified` says so once instead of urllib3's warning per request.
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
        pool_size: int = 1,
        stop: StopSignal | None = None,
        verify_tls: bool = True,
    ) -> None:
        if not isinstance(token, Token):
            raise TypeError("token must be a lmsync.secrets.Token")
        self.url = url.rstrip("/")
        self.endpoint = self.url + ENDPOINT
        self._token = token
        self.session = session if session is not None else requests.Session()
        if session is None and pool_size > 1:  # one connection per request sent side by side
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
            self.session.mount("https://", adapter)
            self.session.mount("http://", adapter)
        self.session.headers.setdefault("User-Agent", f"lmsync/{__version__}")
        #: whether the site's TLS certificate is checked; each request passes ``session.verify`` (tester round 106b, 1)
        self.verify_tls = verify_tls
        if not verify_tls:
            self.session.verify = False
            unverified(self.url)
        self.timeout = timeout
        self.deadline = deadline
        self.budget = budget
        self.sleep = sleep
        #: asked before each retry, and woken from the wait between retries: a stop request (SIGTERM)
        #: ends a call's retries at once, with the failure that was being retried (tester round 31, 1)
        self.stop = stop
        self.max_attempts = max_attempts
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        #: HTTP requests made per wsfunction (retries included).
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()  # requests may go out side by side ([moodle] max_parallel)
        #: wsfunction -> the first line of PHP output seen before its JSON (display_errors on).
        self.php_output: dict[str, str] = {}
        self._only = threading.local()  # per thread: the keys :meth:`only_keys` keeps, or None
        self._answered = False  # whether the site has answered any request yet (``retry.deadline_for``)

    def __repr__(self) -> str:
        return f"Transport(url={self.url!r}, token=<redacted>)"

    # -- public ------------------------------------------------------------------------

    @property
    def requests_made(self) -> int:
        with self._stats_lock:
            return sum(self.stats.values())

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def only_keys(self, keys: Collection[str]) -> Iterator[None]:
        """Meanwhile, on this thread, every JSON object of an answer keeps only ``keys``.

        The others (nested objects' too) are dropped while the body is parsed, so a big answer
        of which the caller needs two fields never exists as full dicts (issue 15, memory:
        2,000 users from core_user_get_users_by_field are ~16 MB parsed in full, ~0.3 MB so).
        Moodle's exception bodies keep their keys and raise as always.
        """
        previous = getattr(self._only, "keys", None)
        self._only.keys = frozenset(keys) | _EXCEPTION_KEYS
        try:
            yield
        finally:
            self._only.keys = previous

    def call(self, function: str, params: Mapping[str, Any] | None = None, *, fail_fast: bool = False) -> Any:
        """Call ``function`` and return the decoded JSON (``None`` for Moodle's ``null``).

        Raises a :class:`~lmsync.moodle.errors.MoodleException` subclass for an exception
        body and a :class:`~lmsync.moodle.errors.TransportError` subclass otherwise
        (:class:`OutcomeUnknown` for a write whose answer was lost). ``fail_fast``: one
        attempt, connect timeout at most :data:`FAIL_FAST_CONNECT_TIMEOUT` seconds, read timeout at
        most :data:`FAIL_FAST_READ_TIMEOUT`.
        """
        form = encode(params or {})
        if len(form) > self.budget:
            raise RequestTooLarge(
                f"{function}: {len(form)} form variables, budget is {self.budget}; chunk the call",
                function=function,
                variables=len(form),
                budget=self.budget,
            )
        read = is_read(function)
        if fail_fast:
            timeout: float | tuple[float, float] = (
                min(self.timeout, FAIL_FAST_CONNECT_TIMEOUT), min(self.timeout, FAIL_FAST_READ_TIMEOUT)
            )
            return self._once(function, form, read, timeout)
        clock_start = time.monotonic()
        slept = [0.0]

        failure: list[BaseException | None] = [None]

        def tracked_sleep(seconds: float) -> None:
            slept[0] += seconds
            if self.stop is None:
                self.sleep(seconds)
            elif self.stop.wait(seconds) and failure[0] is not None:  # stopped while waiting: no further attempt
                raise failure[0]

        def before_sleep(state: RetryCallState) -> None:
            failure[0] = state.outcome.exception() if state.outcome is not None else None
            self._log_retry(function, state)

        def out_of_time(state: RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts or (self.stop is not None and self.stop()):
                return True
            spent = max(time.monotonic() - clock_start, slept[0])
            failed = state.outcome.exception() if state.outcome is not None else None
            return spent + (state.upcoming_sleep or 0.0) > deadline_for(failed, answered=self._answered,
                                                                         deadline=self.deadline)

        retrying = Retrying(
            retry=retry_if_exception(lambda exc: retryable(exc, read)),
            stop=out_of_time,
            wait=self._wait,
            sleep=tracked_sleep,
            reraise=True,
            before_sleep=before_sleep,
        )
        return retrying(self._once, function, form, read, self.timeout)

    # -- one attempt ---------------------------------------------------------------------

    def _query(self, function: str) -> dict[str, str]:
        return {"wsfunction": function, "moodlewsrestformat": "json"}

    def _body(self, form: FormPairs) -> FormPairs:
        """The form with the token first (trap 37): never in the URL, so never in access logs."""
        return [("wstoken", self._token.reveal()), *form]

    def _scrub(self, text: str) -> str:
        secret = self._token.reveal()
        if secret:
            for variant in token_forms(secret):  # encoded too (tester round 89b, 5)
                text = text.replace(variant, "<redacted>")
        return _TOKEN_IN_QUERY.sub(r"\1<redacted>", redact(text))

    def _once(self, function: str, form: FormPairs, read: bool, timeout: float | tuple[float, float]) -> Any:
        with self._stats_lock:
            self.stats[function] += 1
        started = time.monotonic()
        error: TransportError | None = None
        response: requests.Response | None = None
        try:
            response = self.session.post(
                self.endpoint,
                params=self._query(function),
                data=self._body(form),
                timeout=timeout,
                allow_redirects=False,
                verify=self.session.verify,  # given per request, or the environment's CA bundle wins over False
            )
        except requests.exceptions.Timeout as exc:  # ConnectTimeout or ReadTimeout
            sent = not never_connected(exc)
            kind = "read timeout" if sent else "connect timeout"
            seconds = (timeout[1] if sent else timeout[0]) if isinstance(timeout, tuple) else self.timeout
            error = Timeout(
                self._scrub(f"{function}: {kind} after {seconds:g} s ({type(exc).__name__}: {exc})"),
                function=function,
                surely_not_sent=not sent,
            )
        except requests.exceptions.SSLError as exc:
            error = ConnectionFailed(
                self._scrub(f"{function}: TLS failed with {self.url} ({type(exc).__name__}: {exc})"),
                function=function,
                surely_not_sent=True,
                tls=True,
                hint=unverified_tls_failure_hint() if self.session.verify is False else
                "Check the site's TLS certificate (and [moodle] verify_tls, for a test site only) "
                "and that [moodle] url uses the scheme the site serves (https:// or http://).",
            )
        except requests.exceptions.RequestException as exc:
            error = ConnectionFailed(
                self._scrub(f"{function}: cannot reach {self.url} ({type(exc).__name__}: {exc})"),
                function=function,
                surely_not_sent=never_connected(exc),
            )
        if error is not None:
            # Raised here, outside the except block, so the scrubbed error has no
            # __context__ holding requests' message.
            _log.debug("moodle.request.failed", function=function, error=type(error).__name__)
            raise self._unknown_if_unsafe(error, read)
        assert response is not None
        self._answered = True  # the site is there: a later refusal is a restart, not a wrong url (retry.deadline_for)
        elapsed_ms = round((time.monotonic() - started) * 1000)
        _log.debug(
            "moodle.request",
            function=function,
            variables=len(form),
            status=response.status_code,
            ms=elapsed_ms,
        )
        return self._decode(function, response, read)

    def _unknown_if_unsafe(self, error: TransportError, read: bool) -> TransportError:
        """For a write, an answer lost after sending means nobody knows what happened."""
        if read:
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

    def _decode(self, function: str, response: requests.Response, read: bool) -> Any:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        body = response.content or b""
        if 300 <= status < 400:
            location = self._scrub(response.headers.get("Location", ""))
            suggested = site_root(self.endpoint, location) if location else None
            where = f" to {location}" if location else " without a Location"
            raise Redirected(
                f"{function}: Moodle answered HTTP {status}{where}; lmsync does not follow redirects",
                function=function,
                status=status,
                location=location,
                suggested_url=suggested,
            )
        if status != 200:
            if status == 403 and not body.strip():
                raise WebServicesDisabled(
                    f"{function}: HTTP 403 with an empty body: web services or the REST protocol are disabled",
                    function=function,
                    status=status,
                )
            if status in NOT_AN_ENDPOINT_STATUSES:  # a wrong [moodle] url: exit 2 (tester finding 10)
                raise NotAnEndpoint(
                    f"{function}: HTTP {status} {response.reason or ''}".rstrip()
                    + f" from {self._scrub(self.endpoint)}: this is not a Moodle web-service endpoint",
                    function=function,
                    status=status,
                )
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            hint = None
            raise self._unknown_if_unsafe(
                HTTPStatusError(
                    f"{function}: HTTP {status} {response.reason or ''}".rstrip(),
                    function=function,
                    status=status,
                    retry_after=retry_after,
                    hint=hint,
                ),
                read,
            )
        try:
            data = self._loads(body) if body.strip() else _NO_BODY
        except ValueError:
            data = self._after_php_output(function, body)
        if data is _NO_BODY:
            raise not_json(function, body, content_type, self._scrub)  # never quotes JSON (tester round 94b, 3a)
        if is_exception_body(data):
            assert isinstance(data, dict)  # a message may echo the request body, token and all (tester round 89b, 5)
            data = {k: self._scrub(v) if k in ("message", "debuginfo") and isinstance(v, str) else v
                    for k, v in data.items()}
            exc = exception_from_body(function, data)
            _log.info("moodle.exception", function=function, errorcode=exc.errorcode)
            raise exc
        return data

    def _loads(self, body: bytes) -> Any:
        keys: frozenset[str] | None = getattr(self._only, "keys", None)
        if keys is None:
            return json.loads(body)
        return json.loads(body, object_hook=lambda obj: {k: v for k, v in obj.items() if k in keys})

    def _after_php_output(self, function: str, body: bytes) -> Any:
        """The JSON after PHP's display_errors output, or ``_NO_BODY``; logs PHP's first line."""
        text = body.decode("utf-8", "replace")
        split = split_php_output(text)
        if split is None:
            return _NO_BODY
        noise, value = split
        line = self._scrub(first_line(noise))
        self.php_output.setdefault(function, line)
        _log.warning("moodle.php_output", function=function, first_line=line, bytes=len(noise.encode()))
        return value

    # -- retry policy ---------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        exp = self.backoff_initial * (2.0 ** (state.attempt_number - 1))
        return min(self.backoff_max, exp) + random.uniform(0, self.backoff_initial)

    def _log_retry(self, function: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        _log.warning("moodle.retry", function=function, attempt=state.attempt_number,
                     error=type(exc).__name__ if exc else None,
                     cause=getattr(exc, "cause", None),  # "connection refused (nothing listens...)": words, no URL
                     status=getattr(exc, "status", None), wait_s=round(state.upcoming_sleep or 0.0, 2))


_NO_BODY = object()
