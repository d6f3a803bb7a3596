"""Tester round 89b, 5: the token was redacted from error messages only as written. With a token such as
``Ab+C/d=e%f&gh`` and a server whose error message echoes the request body, the message showed
``wstoken=Ab%2BC%2Fd%3De%25f%26gh``: its form-encoded (URL-encoded) forms are redacted too."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

import pytest
import responses
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.errors import MoodleException
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token, redact

TOKEN = "Ab+C/d=e%f&gh"
URL = "https://moodle.example.edu"
#: every way the token reached the text: as written, form-encoded (quote_plus), URL-encoded with and
#: without "/" kept (quote), and with lower-case hex digits
FORMS = [TOKEN, quote_plus(TOKEN), quote(TOKEN, safe=""), quote(TOKEN),
         re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(TOKEN, safe=""))]


def _leaks(text: str) -> list[str]:
    return [form for form in FORMS if form in text] + (["Ab%2"] if "Ab%2" in text else [])


def _echoing(rs: responses.RequestsMock) -> None:
    """A server whose error message and debuginfo echo the request body (``wstoken=...`` first, trap 37)."""
    def echo(request):
        body = request.body if isinstance(request.body, str) else request.body.decode()
        return 200, {}, json.dumps({"exception": "moodle_exception", "errorcode": "y",
                                    "message": f"bad request: {body}",
                                    "debuginfo": f"token {FORMS[3]} / {FORMS[4]}"})

    rs.add_callback(responses.POST, URL + ENDPOINT, callback=echo)


@pytest.mark.parametrize("form", FORMS[1:])
def test_round_89b_5_redact_masks_the_encoded_token(form):
    Token(TOKEN)  # registers it, as reading the token does
    assert redact(f"wstoken={form}&wsfunction=x; said {form}.") == "wstoken=<redacted>&wsfunction=x; said <redacted>."


def test_round_89b_5_a_moodle_exception_echoing_the_request_body_holds_no_form_of_the_token():
    with responses.RequestsMock() as rs:
        _echoing(rs)
        transport = Transport(URL, Token(TOKEN), sleep=lambda _s: None)
        with pytest.raises(MoodleException) as caught:
            transport.call("core_webservice_get_site_info", [])
    exc = caught.value
    said = f"{exc.message} | {exc} | {exc.debuginfo}"
    assert _leaks(said) == [], said
    assert "bad request: wstoken=<redacted>" in exc.message and exc.errorcode == "y"


def test_round_89b_5_lmsync_doctor_prints_no_form_of_the_token(cli_home):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        _echoing(rs)
        result = CliRunner().invoke(main, ["--log-level", "debug", "doctor"],
                                    env={"LMSYNC_MOODLE_URL": URL, "LMSYNC_TOKEN": TOKEN})
    assert "<redacted>" in result.output, result.output
    assert _leaks(result.output) == [], result.output


def test_round_90a_3_doctor_masks_a_token_a_site_info_answer_echoes(cli_home):
    """A server whose site info answer copied the request into ``release`` and ``username``: doctor printed the token in
    its reachable and token lines (errors were redacted; answers were not)."""
    def echo(request):
        body = request.body if isinstance(request.body, str) else request.body.decode()
        if "core_webservice_get_site_info" not in body + request.url:
            return 200, {}, json.dumps({"exception": "moodle_exception", "errorcode": "y", "message": "no"})
        return 200, {}, json.dumps({"sitename": "S", "username": f"BODY {body}", "release": f"4.5 {body} {FORMS[4]}",
                                    "userid": 2, "siteurl": URL, "functions": []})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        rs.add_callback(responses.POST, URL + ENDPOINT, callback=echo)
        result = CliRunner().invoke(main, ["doctor"], env={"LMSYNC_MOODLE_URL": URL, "LMSYNC_TOKEN": TOKEN})
    assert "reachable" in result.output and "<redacted>" in result.output, result.output
    assert _leaks(result.output) == [], result.output
