"""Transport: the wire format, retries, typed failures and keeping the token secret."""

from __future__ import annotations

import logging
import re
import traceback

import pytest
import requests
import responses
from structlog.testing import capture_logs
from urllib3.exceptions import MaxRetryError, NewConnectionError

from lmsync.moodle import errors as E
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from tests.unit.moodle.conftest import (
    ENDPOINT_URL,
    SECRET,
    URL,
    Sleeps,
    body_of,
    form_of,
    query_of,
    recording,
    reply,
    wire_form,
)


def connect_refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the message holds the URL and its query."""
    url = f"/webservice/rest/server.php?wstoken={SECRET}&wsfunction=core_group_create_groups"
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, url, reason))  # type: ignore[arg-type]


def connection_reset() -> requests.ConnectionError:
    """A connection dropped after the request went out (the answer is lost)."""
    return requests.ConnectionError(
        f"('Connection aborted.', RemoteDisconnected('closed')) for {URL}/webservice/rest/server.php?wstoken={SECRET}"
    )


# -- wire format -----------------------------------------------------------------------------


def test_trap_37_token_first_in_the_body_function_and_format_in_the_query(rsps, transport) -> None:
    reply(rsps, body_of("core_webservice_get_site_info/token-in-body"))
    info = transport.call("core_webservice_get_site_info", {"x": 1})
    assert info["userid"] == 2778
    call = rsps.calls[0]
    assert call.request.method == "POST"
    assert query_of(call) == {"wsfunction": "core_webservice_get_site_info", "moodlewsrestformat": "json"}
    assert SECRET not in call.request.url
    assert wire_form(call) == [("wstoken", SECRET), ("x", "1")]


def test_nested_arrays_and_booleans_are_php_form_encoded(rsps, transport) -> None:
    reply(rsps, None)
    transport.call(
        "core_test",
        {
            "courseid": 2,
            "options": [{"name": "onlyactive", "value": True}, {"name": "limitfrom", "value": 0}],
            "groups": [
                {"name": "A", "participation": False, "customfields": [{"shortname": "x", "value": "1"}]}
            ],
            "returngroups": True,
            "skipped": None,
        },
    )
    assert form_of(rsps.calls[0]) == [
        ("courseid", "2"),
        ("options[0][name]", "onlyactive"),
        ("options[0][value]", "1"),
        ("options[1][name]", "limitfrom"),
        ("options[1][value]", "0"),
        ("groups[0][name]", "A"),
        ("groups[0][participation]", "0"),
        ("groups[0][customfields][0][shortname]", "x"),
        ("groups[0][customfields][0][value]", "1"),
        ("returngroups", "1"),
    ]


def test_one_session_for_all_calls(rsps, token) -> None:
    session = requests.Session()
    transport = Transport(URL, token, session=session, sleep=Sleeps())
    reply(rsps, None)
    transport.call("a")
    transport.call("b")
    assert transport.session is session
    assert transport.stats == {"a": 1, "b": 1}


def test_null_and_bare_int_answers_trap_9(rsps, transport) -> None:
    reply(rsps, None)
    reply(rsps, 0)
    assert transport.call("core_group_add_group_members", {"members": [{"groupid": 1, "userid": 3}]}) is None
    assert transport.call("core_grades_update_grades", {"courseid": 2}) == 0


def test_refuses_requests_over_the_variable_budget_trap_23(rsps, token) -> None:
    transport = Transport(URL, token, budget=10, sleep=Sleeps())
    with pytest.raises(E.RequestTooLarge) as info:
        transport.call(
            "core_group_add_group_members", {"members": [{"groupid": 1, "userid": u} for u in range(6)]}
        )
    assert info.value.variables == 12
    assert len(rsps.calls) == 0


# -- typed failures --------------------------------------------------------------------------


def test_403_empty_body_is_web_services_disabled_trap_1(rsps, transport) -> None:
    rec = recording("core_webservice_get_site_info/rest-disabled-403")
    rsps.add(responses.POST, ENDPOINT_URL, body="", status=403, content_type=rec.response.content_type)
    with pytest.raises(E.WebServicesDisabled) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.exit_code == 2
    assert "REST" in (info.value.hint or "")
    assert len(rsps.calls) == 1


def test_xml_answer_is_not_json_with_its_errorcode_trap_6(rsps, transport) -> None:
    rec = recording("core_webservice_get_site_info/no-format-xml-invalid-token")
    rsps.add(responses.POST, ENDPOINT_URL, body=rec.response.body, content_type=rec.response.content_type)
    with pytest.raises(E.NotJSON) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.errorcode == "invalidtoken"
    assert "xml" in info.value.content_type


def test_html_page_is_not_json(rsps, transport) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body="<html><body>Log in</body></html>", content_type="text/html")
    with pytest.raises(E.NotJSON):
        transport.call("core_webservice_get_site_info")


def test_moodle_exception_is_typed_and_never_retried_trap_1(rsps, transport, sleeps) -> None:
    reply(rsps, body_of("core_group_create_groups/missing-capability"))
    with pytest.raises(E.MissingCapability) as info:
        transport.call("core_group_create_groups", {"groups": [{"courseid": 2, "name": "x"}]})
    assert info.value.capability == "Manage groups"
    assert info.value.exit_code == 2
    assert len(rsps.calls) == 1
    assert sleeps == []


# -- retries ----------------------------------------------------------------------------------


def test_503_then_200_gives_one_success_in_two_requests(rsps, transport, sleeps) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=503)
    reply(rsps, [{"groupid": 1, "userids": [3]}])
    assert transport.call("core_group_get_group_members", {"groupids": [1]}) == [
        {"groupid": 1, "userids": [3]}
    ]
    assert transport.stats["core_group_get_group_members"] == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 2


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_reads_retry_transient_statuses(rsps, transport, status) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=status)
    reply(rsps, [])
    assert transport.call("core_group_get_course_groups", {"courseid": 2}) == []
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("status", [400, 404, 500])
def test_other_statuses_are_not_retried(rsps, transport, status) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=status)
    with pytest.raises(E.HTTPStatusError) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.status == status
    assert len(rsps.calls) == 1


def test_retry_after_is_honoured(rsps, transport, sleeps) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=429, headers={"Retry-After": "7"})
    reply(rsps, None)
    transport.call("core_group_delete_groups", {"groupids": [5]})
    assert sleeps == [7.0]


def test_backoff_grows_and_stops_at_the_deadline(rsps, token) -> None:
    sleeps = Sleeps()
    transport = Transport(URL, token, sleep=sleeps, deadline=10, max_attempts=50)
    rsps.add(responses.POST, ENDPOINT_URL, status=503)
    with pytest.raises(E.HTTPStatusError):
        transport.call("core_webservice_get_site_info")
    assert sum(sleeps) <= 10
    assert sleeps[1] > sleeps[0] / 2  # exponential (with jitter), not shrinking
    assert len(rsps.calls) == len(sleeps) + 1


def test_retry_after_beyond_the_deadline_gives_up_at_once(rsps, token) -> None:
    sleeps = Sleeps()
    transport = Transport(URL, token, sleep=sleeps, deadline=30)
    rsps.add(responses.POST, ENDPOINT_URL, status=503, headers={"Retry-After": "3600"})
    with pytest.raises(E.HTTPStatusError) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.retry_after == 3600
    assert sleeps == []


def test_read_timeout_of_a_read_is_retried(rsps, transport) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ReadTimeout("read timed out"))
    reply(rsps, [])
    assert transport.call("core_group_get_course_groups", {"courseid": 2}) == []
    assert len(rsps.calls) == 2


# Every write the client sends, the "idempotent" ones (trap 16) included, and a function the
# transport does not know: none is re-sent once it may have reached Moodle (issue 10 point 10).
WRITES = [
    ("core_group_assign_grouping", {"assignments": [{"groupingid": 1, "groupid": 5}]}),
    ("core_group_add_group_members", {"members": [{"groupid": 1, "userid": 3}]}),
    ("core_group_create_groups", {"groups": [{"courseid": 2, "name": "A", "idnumber": "lmsync:x"}]}),
    ("core_group_create_groupings", {"groupings": [{"courseid": 2, "name": "G", "idnumber": "lmsync:g"}]}),
    ("core_grades_update_grades", {"source": "lmsync", "courseid": 2}),
    ("mod_forum_add_discussion", {"forumid": 3}),
    ("core_message_send_instant_messages", {"messages": [{"touserid": 3, "text": "hi"}]}),
    ("local_unknown_do_something", {"x": 1}),
]
LOST_ANSWERS = {
    "read timeout": lambda: requests.ReadTimeout("read timed out"),
    "dropped connection": connection_reset,
    "500": lambda: 500,
    "502": lambda: 502,
    "503": lambda: 503,
    "504": lambda: 504,
}


@pytest.mark.parametrize("lost", list(LOST_ANSWERS), ids=list(LOST_ANSWERS))
@pytest.mark.parametrize("function,params", WRITES, ids=[w[0] for w in WRITES])
def test_issue_10_point_10_a_write_is_never_resent_after_a_lost_answer(
    rsps, transport, sleeps, function, params, lost
) -> None:
    failure = LOST_ANSWERS[lost]()
    if isinstance(failure, int):
        rsps.add(responses.POST, ENDPOINT_URL, status=failure)
    else:
        rsps.add(responses.POST, ENDPOINT_URL, body=failure)
    reply(rsps, None)
    with pytest.raises(E.OutcomeUnknown) as info:
        transport.call(function, params)
    assert len(rsps.calls) == 1
    assert sleeps == []
    assert "re-read" in (info.value.hint or "")
    assert info.value.function == function


@pytest.mark.parametrize("function,params", WRITES, ids=[w[0] for w in WRITES])
def test_issue_10_point_10_a_write_is_resent_after_429(rsps, transport, function, params) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=429)
    reply(rsps, None)
    assert transport.call(function, params) is None
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("function,params", WRITES, ids=[w[0] for w in WRITES])
def test_issue_10_point_10_a_write_is_resent_after_a_refused_connection(rsps, transport, function, params) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    reply(rsps, None)
    assert transport.call(function, params) is None
    assert len(rsps.calls) == 2


def test_connect_timeout_is_safe_to_retry_for_a_create(rsps, transport) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ConnectTimeout("connect timed out"))
    reply(rsps, {"events": [], "warnings": []})
    transport.call("core_calendar_create_calendar_events", {"events": []})
    assert len(rsps.calls) == 2


def test_a_4xx_on_a_write_is_not_an_unknown_outcome(rsps, transport) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=400)
    with pytest.raises(E.HTTPStatusError) as info:
        transport.call("core_group_create_groups", {"groups": []})
    assert type(info.value) is E.HTTPStatusError
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("status", [404, 405, 501])
def test_finding_10_a_path_that_is_not_moodle_is_a_configuration_error(rsps, transport, status) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, status=status, body="<html>Not Found</html>", content_type="text/html")
    with pytest.raises(E.NotAnEndpoint) as info:
        transport.call("core_group_create_groups", {"groups": []})  # a write: not an unknown outcome
    assert info.value.exit_code == 2 and "[moodle] url" in (info.value.hint or "")
    assert len(rsps.calls) == 1  # never retried


def test_every_read_of_the_service_is_known_as_a_read() -> None:
    from lmsync.moodle.api import FUNCTIONS, OPTIONAL_FUNCTIONS
    from lmsync.moodle.transport import READ_FUNCTIONS, is_read

    reads = {f for f in {**FUNCTIONS, **OPTIONAL_FUNCTIONS} if "_get_" in f or "_search_" in f}
    assert reads == set(READ_FUNCTIONS)
    assert not is_read("core_group_assign_grouping")
    assert not is_read("local_unknown_get_rich_quick_but_unknown")


def test_persistent_connection_failure_ends_in_connection_failed(rsps, token) -> None:
    transport = Transport(URL, token, sleep=Sleeps(), max_attempts=3)
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    with pytest.raises(E.ConnectionFailed) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.surely_not_sent is True
    assert len(rsps.calls) == 3
    # The cause in a few words travels with the error (the CLI, the cycle and doctor show it).
    assert info.value.cause == "connection refused (nothing listens on that port)"
    assert info.value.said == f"core_webservice_get_site_info: cannot reach {URL}: connection refused (nothing listens on that port)"
    assert "Max retries" in info.value.message and "Max retries" not in info.value.said


# -- the token stays secret ------------------------------------------------------------------


def _everything_about(exc: BaseException) -> str:
    parts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    for attr in ("message", "hint", "function", "errorcode", "cause", "said"):
        parts.append(str(getattr(exc, attr, "")))
    chained = exc.__cause__ or exc.__context__
    if chained is not None:
        parts.append(_everything_about(chained))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "failure",
    [connect_refused, connection_reset, lambda: requests.ReadTimeout(f"read timeout {URL}?wstoken={SECRET}")],
)
@pytest.mark.parametrize("function", ["core_group_get_course_groups", "core_group_create_groups"])
def test_token_never_in_exception_text(rsps, token, failure, function) -> None:
    transport = Transport(URL, token, sleep=Sleeps(), max_attempts=2)
    rsps.add(responses.POST, ENDPOINT_URL, body=failure())
    with pytest.raises(E.TransportError) as info:
        transport.call(function, {"groups": []})
    text = _everything_about(info.value)
    assert SECRET not in text
    assert "<redacted>" in text or "wstoken" not in text


def test_token_never_in_moodle_exception_or_reprs(rsps, transport, api) -> None:
    reply(rsps, body_of("core_webservice_get_site_info/invalid-token"))
    with pytest.raises(E.InvalidToken) as info:
        transport.call("core_webservice_get_site_info")
    assert SECRET not in _everything_about(info.value)
    assert SECRET not in repr(transport) + str(transport.__dict__.get("_token")) + repr(api.transport)


def test_token_never_in_structlog_output(rsps, token) -> None:
    transport = Transport(URL, token, sleep=Sleeps(), max_attempts=3)
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    rsps.add(responses.POST, ENDPOINT_URL, status=503)
    reply(rsps, body_of("core_group_get_course_groups/missing-capability"))
    with capture_logs() as logs:
        with pytest.raises(E.MissingCapability):
            transport.call("core_group_get_course_groups", {"courseid": 2})
        rsps.add(responses.POST, ENDPOINT_URL, body=requests.ReadTimeout(f"?wstoken={SECRET}"))
        with pytest.raises(E.OutcomeUnknown):
            transport.call("core_group_create_groups", {"groups": []})
    assert logs, "the transport logs its requests and retries"
    assert any(entry["event"] == "moodle.retry" for entry in logs)
    assert SECRET not in repr(logs)


def test_urllib3_debug_lines_are_redacted(caplog) -> None:
    Token(SECRET)  # registers the value with the redactor
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logger.debug(
            '%s "%s %s HTTP/1.1" %s', URL, "POST", f"/webservice/rest/server.php?wstoken={SECRET}&x=1", 200
        )
    assert caplog.records
    assert SECRET not in caplog.text
    assert "wstoken=<redacted>" in caplog.text


def test_transport_requires_a_token_object() -> None:
    with pytest.raises(TypeError):
        Transport(URL, SECRET)  # type: ignore[arg-type]


def test_round_3_finding_6_a_password_in_the_site_url_never_reaches_an_error_or_a_log(token, sleeps) -> None:
    with_password = "https://admin:hunter2@moodle.example.test"
    transport = Transport(with_password, token, sleep=sleeps, timeout=5, deadline=1)
    with responses.RequestsMock() as mock, capture_logs() as logs:
        mock.add(responses.POST, re.compile(r".*/webservice/rest/server\.php.*"), body=connect_refused())
        with pytest.raises(E.ConnectionFailed) as info:
            transport.call("core_webservice_get_site_info", {})
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(logs)
    assert "https://admin:<redacted>@moodle.example.test" in str(info.value)  # the account is still named


class _StopAfter:
    """A stop request (as ``jobs.StopFlag``) that is asked for during the ``n``-th wait between retries."""

    def __init__(self, n: int) -> None:
        self.n, self.waits, self.stopped = n, [], False

    def __call__(self) -> bool:
        return self.stopped

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.stopped = self.stopped or len(self.waits) >= self.n
        return self.stopped


def test_round_31_1_a_stop_request_ends_the_retries_at_once_with_the_failure_being_retried(rsps, token) -> None:
    """SIGTERM during retries against a Moodle that is down: the run went on retrying for a minute, so
    Kubernetes (30 s grace) killed it. The wait between retries now wakes on the stop, and no attempt follows."""
    stop = _StopAfter(2)
    transport = Transport(URL, token, deadline=120, max_attempts=8, stop=stop)
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    with pytest.raises(E.ConnectionFailed):
        transport.call("core_webservice_get_site_info")
    assert len(stop.waits) == 2 and len(rsps.calls) == 2  # two attempts, then the stop: no third
    already = _StopAfter(1)
    already.stopped = True  # asked for before the call: one attempt, no wait
    transport = Transport(URL, token, deadline=120, max_attempts=8, stop=already)
    rsps.calls.reset()
    with pytest.raises(E.ConnectionFailed):
        transport.call("core_webservice_get_site_info")
    assert already.waits == [] and len(rsps.calls) == 1


def _site_config(tmp_path, url: str):
    """A configuration of a real site at ``url`` with a private token file and a store in ``tmp_path``."""
    from lmsync.config import load_config

    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    token.chmod(0o600)
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n[store]\npath = "{tmp_path / "s.db"}"\n')
    return load_config(path, environ={})


def test_round_31_1_a_runs_stop_flag_reaches_the_transport_of_a_real_site(tmp_path, monkeypatch) -> None:
    import threading

    from lmsync.service.jobs import StopFlag
    from lmsync.service.runtime import session

    flag = StopFlag(threading.Event())
    with session(_site_config(tmp_path, "https://moodle.example.edu"), read_only=True, should_stop=flag) as (
        conn, _store
    ):
        assert conn.transport.stop is flag
        flag.event.set()
        assert conn.transport.stop.wait(5)  # wakes at once


def test_round_31_1_a_sync_stopped_while_moodle_is_unreachable_says_it_was_stopped(tmp_path, monkeypatch) -> None:
    """`lmsync sync` under SIGTERM ended with lmsync.fatal ConnectionFailed, as if Moodle were the problem."""
    import threading
    import time as clock

    from lmsync.errors import PartialFailure
    from lmsync.service.jobs import StopFlag, sync_job

    config = _site_config(tmp_path, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    flag = StopFlag(threading.Event())
    threading.Timer(0.3, flag.event.set).start()  # SIGTERM during the retries
    started = clock.monotonic()
    with pytest.raises(PartialFailure, match="stopped on request"):
        sync_job(config, should_stop=flag)
    assert clock.monotonic() - started < 10  # not the minute of retries


def test_round_84_10_a_refused_first_contact_gives_up_after_the_first_contact_deadline(rsps, token) -> None:
    """Tester round 84, 10: ``lmsync plan`` at a wrong port retried for 65 s before it said "connection refused".
    Until the site has answered once, a refused connection (or an unknown host) is given 15 s, not the deadline;
    each retry's log line says the cause in words."""
    from lmsync.moodle.retry import FIRST_CONTACT_DEADLINE

    sleeps = Sleeps()
    transport = Transport(URL, token, sleep=sleeps, deadline=120, max_attempts=50)
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    with capture_logs() as logs, pytest.raises(E.ConnectionFailed):
        transport.call("core_webservice_get_site_info")
    assert 0 < sum(sleeps) <= FIRST_CONTACT_DEADLINE < 120
    assert len(rsps.calls) == len(sleeps) + 1 >= 3  # still retried: a blip heals
    retries = [e for e in logs if e["event"] == "moodle.retry"]
    assert retries and all(e["cause"] == "connection refused (nothing listens on that port)" for e in retries)


def test_round_84_10_once_the_site_answered_a_refusal_is_a_restart_given_the_whole_deadline(rsps, token) -> None:
    from lmsync.moodle.retry import FIRST_CONTACT_DEADLINE

    sleeps = Sleeps()
    transport = Transport(URL, token, sleep=sleeps, deadline=120, max_attempts=50, backoff_max=30)
    reply(rsps, body_of("core_webservice_get_site_info/token-in-body"))
    transport.call("core_webservice_get_site_info")
    rsps.replace(responses.POST, ENDPOINT_URL, body=connect_refused())
    with pytest.raises(E.ConnectionFailed):
        transport.call("core_webservice_get_site_info")
    assert FIRST_CONTACT_DEADLINE < sum(sleeps) <= 120


def test_round_84_10_a_first_contact_that_times_out_keeps_the_whole_deadline(rsps, token) -> None:
    """A slow site is not a wrong url: only a refusal or an unknown host is cut short."""
    from lmsync.moodle.retry import FIRST_CONTACT_DEADLINE

    sleeps = Sleeps()
    transport = Transport(URL, token, sleep=sleeps, deadline=120, max_attempts=50, backoff_max=30)
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(E.Timeout):
        transport.call("core_webservice_get_site_info")
    assert FIRST_CONTACT_DEADLINE < sum(sleeps) <= 120
