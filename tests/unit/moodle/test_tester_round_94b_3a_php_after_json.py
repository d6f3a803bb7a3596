"""Tester round 94b, 3a: with PHP's display_errors on, Moodle's answer was valid JSON followed by
``<br />\\n<b>Warning</b>: ...``. The exit code (2) was right, but the error and the warning-level JSON
log line quoted the start of the answer (``starting '[{"id":3,"username":"s0001","fullname":"Dmitri
Kim",...'``: people's data in logs) and blamed "a proxy or login page". The error never quotes the
answer's JSON now: it quotes PHP's output (cut short), gives the lengths, and says display_errors is on."""

from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner
from structlog.testing import capture_logs

from lmsync.cli import main
from lmsync.moodle import errors as E
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token
from tests.unit.moodle.conftest import ENDPOINT_URL, SECRET, URL, Sleeps

PEOPLE = json.dumps([{"id": 3, "username": "s0001", "fullname": "Dmitri Kim", "email": "dkim@example.edu"}])
WARNING = ("<br />\n<b>Warning</b>:  Undefined array key \"x\" in <b>/var/www/moodle/lib/" + "a" * 300
           + ".php</b> on line <b>42</b><br />\n")


def _everything(exc: BaseException, logs: list[dict]) -> str:
    return f"{exc}\n{exc!r}\n{json.dumps(logs, default=str)}"


def test_tester_round_94b_3a_php_warning_after_json_never_quotes_the_answer(rsps) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    rsps.add(responses.POST, ENDPOINT_URL, body=PEOPLE + WARNING, content_type="application/json")
    with capture_logs() as logs, pytest.raises(E.NotJSON) as info:
        transport.call("core_user_get_users_by_field", {"field": "id", "values": [3]})
    said = _everything(info.value, logs)
    for private in ("Dmitri", "s0001", "dkim", '"id"'):
        assert private not in said
    assert info.value.exit_code == 2
    assert f"JSON ({len(PEOPLE)} bytes" in info.value.message and f"{len(WARNING)} bytes of PHP output" in info.value.message
    assert info.value.php_output and info.value.php_output.startswith('Warning: Undefined array key "x"')
    assert len(info.value.php_output) <= 160  # PHP's text, cut short
    assert "display_errors" in (info.value.hint or "") and "Display debug messages" in (info.value.hint or "")
    assert "proxy or login page" not in (info.value.hint or "")


def test_tester_round_94b_3a_a_cut_off_json_answer_is_not_quoted(rsps) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    rsps.add(responses.POST, ENDPOINT_URL, body=PEOPLE[:60], content_type="application/json")
    with capture_logs() as logs, pytest.raises(E.NotJSON) as info:
        transport.call("core_user_get_users_by_field", {"field": "id", "values": [3]})
    said = _everything(info.value, logs)
    assert "Dmitri" not in said and "s0001" not in said
    assert "cut off" in (info.value.hint or "") and "proxy or login page" not in (info.value.hint or "")


def test_tester_round_94b_3a_the_cli_and_its_json_log_hold_no_answer(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    site = "https://moodle.example.edu"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        rs.add(responses.POST, site + ENDPOINT, body=PEOPLE + WARNING, content_type="application/json")
        result = CliRunner().invoke(main, ["--log-level", "warning", "--log-format", "json", "sync", "--dry-run"],
                                    env={"LMSYNC_MOODLE_URL": site, "LMSYNC_TOKEN": SECRET})
    assert result.exit_code == 2, result.output
    assert "Dmitri" not in result.output and "s0001" not in result.output
    assert "display_errors" in result.output and "Warning: Undefined array key" in result.output
