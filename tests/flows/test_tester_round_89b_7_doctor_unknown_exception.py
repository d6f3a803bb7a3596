"""Tester round 89b, 7: a server whose core_webservice_get_site_info answered an unknown Moodle exception
(``{"exception":"x","errorcode":"y","message":"z"}``) made `lmsync doctor` print a fatal ``error:`` and exit 1.
It is a failed check naming the errorcode, and doctor exits 2: an admin must act."""

from __future__ import annotations

import json

import responses
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.transport import ENDPOINT

URL = "https://moodle.example.edu"
TOKEN = "0123456789abcdef0123456789abcdef"


def _doctor(*args: str):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        rs.add(responses.POST, URL + ENDPOINT, body=json.dumps({"exception": "x", "errorcode": "y", "message": "z"}))
        return CliRunner().invoke(main, ["--log-level", "warning", "doctor", *args],
                                  env={"LMSYNC_MOODLE_URL": URL, "LMSYNC_TOKEN": TOKEN})


def test_round_89b_7_an_unknown_exception_from_site_info_is_a_failed_check_exit_2(cli_home):
    result = _doctor()
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert "[FAIL] reachable: Moodle answered with an error (errorcode y): core_webservice_get_site_info: z" in lines
    assert not [line for line in lines if line.startswith("error:")], result.output
    assert "1 problem(s) found" in lines


def test_round_89b_7_json_shows_the_failed_check_too(cli_home):
    result = _doctor("--format", "json")
    assert result.exit_code == 2, result.output
    (row,) = [r for r in json.loads(result.stdout) if r["name"] == "reachable"]
    assert row["status"] == "fail"
    assert row["detail"] == "Moodle answered with an error (errorcode y): core_webservice_get_site_info: z"
