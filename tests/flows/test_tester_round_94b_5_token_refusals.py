"""Tester round 94b, 5: Moodle answers HTTP 200 with ``invalidiptoken`` (the token's IP restriction leaves
out lmsync's machine) or ``servicerequireslogin`` (a login session's token whose session ended). lmsync
exited 1 ("the next run retries", so the daemon backed off) and `lmsync doctor` filed them under
"reachable" with a generic debuginfo hint. An admin must act: exit 2, a "token" check, and a hint saying
what to change in Moodle. Also ``core_grades_update_grades`` answering ``4`` (GRADE_UPDATE_ITEM_LOCKED)
was reported as ``refused (status [4])``: it is said in words now."""

from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle import errors as E
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token

URL = "https://moodle.example.edu"
TOKEN = "0123456789abcdef0123456789abcdef"

REFUSALS = {
    "invalidiptoken": ("Invalid token - your IP is not supported", "IP restriction"),
    "servicerequireslogin": ("Web service is not available. (The session has been logged out or has expired.)",
                             "permanent token"),
}


def _run(errorcode: str, *args: str):
    message, _fix = REFUSALS[errorcode]
    body = json.dumps({"exception": "moodle_exception", "errorcode": errorcode, "message": message})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        rs.add(responses.POST, URL + ENDPOINT, body=body, content_type="application/json")
        return CliRunner().invoke(main, ["--log-level", "warning", *args],
                                  env={"LMSYNC_MOODLE_URL": URL, "LMSYNC_TOKEN": TOKEN})


@pytest.mark.parametrize("errorcode", sorted(REFUSALS))
def test_tester_round_94b_5_doctor_names_the_token_refusal_and_its_fix(cli_home, errorcode):
    result = _run(errorcode, "doctor")
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("[FAIL]")]
    assert line.startswith("[FAIL] token: Moodle refused the token") and errorcode in line, result.output
    assert REFUSALS[errorcode][1] in result.output and "Manage tokens" in result.output
    assert "debuginfo" not in result.output and "Developer level" not in result.output
    assert TOKEN not in result.output


@pytest.mark.parametrize("errorcode", sorted(REFUSALS))
def test_tester_round_94b_5_sync_exits_2_with_the_fix(cli_home, errorcode):
    result = _run(errorcode, "sync", "--dry-run")
    assert result.exit_code == 2, result.output
    assert REFUSALS[errorcode][1] in result.output and "Manage tokens" in result.output, result.output


def test_tester_round_94b_5_an_older_moodles_ip_refusal_is_the_same_error():
    """Older Moodle (webservice/lib.php) throws webservice_access_exception: accessexception, the reason in
    debuginfo (shown when the site has debugging on)."""
    body = json.dumps({"exception": "webservice_access_exception", "errorcode": "accessexception",
                       "message": "Access control exception", "debuginfo": "Invalid token - your IP is not supported"})
    with responses.RequestsMock() as rs:
        rs.add(responses.POST, URL + ENDPOINT, body=body, content_type="application/json")
        with pytest.raises(E.TokenIPRestricted) as info:
            Transport(URL, Token(TOKEN)).call("core_webservice_get_site_info")
    assert info.value.exit_code == 2 and "IP restriction" in (info.value.hint or "")
