"""The wire, issue 11 "The token and the wire": no redirects followed, PHP output before the
JSON, TLS failures, fail-fast first calls, token files; over real loopback HTTP where it matters."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner
from structlog.testing import capture_logs

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import ConfigError
from lmsync.moodle import errors as E
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.transport import ENDPOINT, Transport, first_line, site_root, split_php_output
from lmsync.secrets import Token, clean_token_text
from tests.unit.moodle.conftest import ENDPOINT_URL, SECRET, URL, Sleeps, body_of

# -- a tiny loopback HTTP server that records what it receives --------------------------------


class Recorder:
    """Request lines and bodies one loopback server received."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.bodies: list[bytes] = []


def _server(answer: Any) -> tuple[ThreadingHTTPServer, Recorder]:
    """A server on 127.0.0.1 (free port) answering every request with ``answer(handler)``."""
    seen = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass

        def _any(self) -> None:
            seen.lines.append(self.requestline)
            length = int(self.headers.get("Content-Length") or 0)
            seen.bodies.append(self.rfile.read(length) if length else b"")
            status, headers, body = answer(self)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any  # noqa: N815 - http.server naming

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def servers() -> Iterator[list[ThreadingHTTPServer]]:
    started: list[ThreadingHTTPServer] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def _start(servers: list[ThreadingHTTPServer], answer: Any) -> tuple[str, Recorder]:
    server, seen = _server(answer)
    servers.append(server)
    return _url(server), seen


def _closed_port() -> int:
    server, _ = _server(lambda h: (200, {}, b""))
    port = int(server.server_address[1])
    server.shutdown()
    server.server_close()
    return port


# -- redirects are never followed ---------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_issue_11_a_redirect_is_an_error_naming_the_location(rsps, status) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    moved = "https://moodle.example.edu/lms/webservice/rest/server.php?wsfunction=core_webservice_get_site_info"
    rsps.add(responses.POST, ENDPOINT_URL, status=status, headers={"Location": moved})
    with pytest.raises(E.Redirected) as info:
        transport.call("core_webservice_get_site_info")
    assert len(rsps.calls) == 1  # not followed, not retried
    assert info.value.location == moved
    assert info.value.suggested_url == "https://moodle.example.edu/lms"
    assert moved in info.value.message
    assert "[moodle] url" in (info.value.hint or "") and "https://moodle.example.edu/lms" in (info.value.hint or "")
    assert info.value.exit_code == 2


def test_issue_11_a_redirect_to_a_login_page_says_so() -> None:
    assert site_root(URL + ENDPOINT, "/login/index.php") is None
    assert site_root(URL + ENDPOINT, "https://sso.example.edu/") is None
    assert site_root(URL + ENDPOINT, "https://m.example.edu" + ENDPOINT) == "https://m.example.edu"


def test_issue_11_a_redirect_to_another_loopback_port_receives_no_token(servers) -> None:
    elsewhere, other = _start(servers, lambda h: (200, {"Content-Type": "application/json"}, b"{}"))
    target = elsewhere + ENDPOINT

    site, seen = _start(servers, lambda h: (307, {"Location": target}, b""))
    transport = Transport(site, Token(SECRET), sleep=Sleeps(), timeout=5)
    with pytest.raises(E.Redirected) as info:
        transport.call("core_webservice_get_site_info")
    assert info.value.suggested_url == elsewhere
    assert other.lines == [] and other.bodies == []  # the other port never saw a request
    assert len(seen.lines) == 1
    assert SECRET not in seen.lines[0]  # the configured site got it in the body only
    assert seen.bodies[0].startswith(f"wstoken={SECRET}".encode())


# -- PHP output before the JSON (display_errors on) -------------------------------------------

HTML_NOTICE = (
    "<br />\n<b>Deprecated</b>:  Creation of dynamic property core_renderer::$x is deprecated in "
    "<b>/var/www/moodle/lib/outputrenderers.php</b> on line <b>12</b><br />\n"
)
TEXT_WARNING = "\nWarning: Undefined array key \"lang\" in /var/www/moodle/lib/setup.php on line 845\n"


@pytest.mark.parametrize("noise", [HTML_NOTICE, TEXT_WARNING, HTML_NOTICE + TEXT_WARNING], ids=["html", "text", "both"])
@pytest.mark.parametrize(
    "answer",
    ["null", "0", '[{"id":1,"courseid":2,"name":"A","idnumber":"lmsync:x"}]', '{"discussionid":7,"warnings":[]}'],
)
def test_issue_11_php_output_before_complete_json_is_read_and_named(rsps, noise, answer) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    rsps.add(responses.POST, ENDPOINT_URL, body=noise + answer, content_type="application/json")
    with capture_logs() as logs:
        result = transport.call("core_group_create_groups", {"groups": []})  # a write that happened counts
    import json

    assert result == json.loads(answer)
    assert len(rsps.calls) == 1
    (entry,) = [e for e in logs if e["event"] == "moodle.php_output"]
    assert entry["function"] == "core_group_create_groups"
    expected = "Deprecated: Creation of dynamic" if noise.startswith("<br") else 'Warning: Undefined array key "lang"'
    assert entry["first_line"].startswith(expected)
    assert transport.php_output["core_group_create_groups"] == entry["first_line"]


def test_issue_11_php_output_before_a_moodle_exception_raises_the_typed_exception(rsps) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    body = HTML_NOTICE + '{"exception":"moodle_exception","errorcode":"invalidtoken","message":"Invalid token"}'
    rsps.add(responses.POST, ENDPOINT_URL, body=body, content_type="application/json")
    with pytest.raises(E.InvalidToken):
        transport.call("core_webservice_get_site_info")


def test_issue_11_php_output_without_complete_json_names_the_php_line(rsps) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    body = "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted in <b>/x.php</b>"
    rsps.add(responses.POST, ENDPOINT_URL, body=body + '<br />\n[{"id":1,', content_type="text/html")
    with pytest.raises(E.NotJSON) as info:
        transport.call("core_group_get_course_groups", {"courseid": 2})
    assert info.value.php_output == "Fatal error: Allowed memory size of 134217728 bytes exhausted in /x.php"
    assert "PHP" in info.value.message and "Allowed memory size" in info.value.message
    assert "display_errors" in (info.value.hint or "")


def test_issue_11_an_unparseable_body_says_what_it_starts_with(rsps) -> None:
    transport = Transport(URL, Token(SECRET), sleep=Sleeps())
    rsps.add(responses.POST, ENDPOINT_URL, body="<html><title>Sign in - SSO</title>", content_type="text/html")
    with pytest.raises(E.NotJSON) as info:
        transport.call("core_webservice_get_site_info")
    assert "cannot be parsed" in info.value.message and "Sign in - SSO" in info.value.message
    assert info.value.php_output is None


def test_php_output_search_is_bounded_and_exact() -> None:
    assert split_php_output("Notice: x\n{}") == ("Notice: x\n", {})
    assert split_php_output('{"a": 1}') is None  # no noise: plain JSON is not this path
    assert split_php_output("Notice: x\n[1, 2") is None  # incomplete JSON
    assert split_php_output("Notice: x\n{} trailing") is None
    assert split_php_output("<p>" + "<br />\n{" * 1000 + "</p>") is None
    assert first_line("<br />\n<b>Warning</b>:  a   b<br />") == "Warning: a b"


# -- unreachable sites: TLS, fail fast -------------------------------------------------------


def test_issue_11_a_tls_failure_is_named_and_not_retried(servers) -> None:
    plain, seen = _start(servers, lambda h: (400, {}, b"plain HTTP here"))
    transport = Transport(plain.replace("http://", "https://"), Token(SECRET), sleep=Sleeps(), timeout=5)
    with pytest.raises(E.ConnectionFailed) as info:
        transport.call("core_group_get_course_groups", {"courseid": 2})  # a read, retried otherwise
    assert info.value.tls is True
    assert transport.requests_made == 1
    assert "TLS" in info.value.message and "https://" in (info.value.hint or "")
    assert SECRET not in str(info.value)


def test_issue_11_fail_fast_makes_one_attempt(rsps) -> None:
    from tests.unit.moodle.test_transport import connect_refused

    sleeps = Sleeps()
    transport = Transport(URL, Token(SECRET), sleep=sleeps, deadline=120)
    rsps.add(responses.POST, ENDPOINT_URL, body=connect_refused())
    with pytest.raises(E.ConnectionFailed):
        MoodleApi(transport).get_site_info(fail_fast=True)
    assert len(rsps.calls) == 1 and sleeps == []


def _doctor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[Any, float]:
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    token.chmod(0o600)
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n[programme]\nname = "mentor-2026"\n')
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--config", str(cfg), "--log-level", "debug", "doctor"])
    return result, time.monotonic() - started


@pytest.mark.parametrize("where", ["refused", "unknown host", "tls"])
def test_issue_11_doctor_stops_within_5_s_when_moodle_is_unreachable(tmp_path, monkeypatch, servers, where) -> None:
    if where == "refused":
        url = f"http://127.0.0.1:{_closed_port()}"
    elif where == "unknown host":
        url = "http://lmsync-doctor-test.invalid"
    else:
        plain, _seen = _start(servers, lambda h: (400, {}, b"plain HTTP"))
        url = plain.replace("http://", "https://")
    result, seconds = _doctor(tmp_path, monkeypatch, url)
    assert seconds < 5, result.output
    assert "[FAIL] reachable" in result.output
    assert result.exit_code == 2
    assert SECRET not in result.output


@pytest.mark.parametrize("status", [404, 501])
def test_issue_11_doctor_gives_its_checklist_for_an_html_error_page(tmp_path, monkeypatch, servers, status) -> None:
    page = b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>"
    url, _seen = _start(servers, lambda h: (status, {"Content-Type": "text/html"}, page))
    result, seconds = _doctor(tmp_path, monkeypatch, url)
    assert result.exit_code == 2, result.output
    assert "[FAIL] reachable" in result.output and f"HTTP {status}" in result.output
    assert "site's root" in result.output and "REST" in result.output and "POST requests to PHP" in result.output
    assert seconds < 5


def test_issue_11_doctor_names_a_redirect(tmp_path, monkeypatch, servers) -> None:
    url, _seen = _start(servers, lambda h: (301, {"Location": "https://moodle.example.edu" + ENDPOINT}, b""))
    result, _ = _doctor(tmp_path, monkeypatch, url)
    assert result.exit_code == 2
    assert "[FAIL] reachable" in result.output and "set [moodle] url to https://moodle.example.edu" in result.output


def test_issue_11_doctor_warns_about_php_output_but_reads_the_answer(tmp_path, monkeypatch, servers) -> None:
    info = body_of("core_webservice_get_site_info/token-in-body")
    import json

    refused = {"exception": "webservice_access_exception", "errorcode": "accessexception", "message": "Access"}

    def answer(handler: Any) -> tuple[int, dict[str, str], bytes]:
        body = info if "core_webservice_get_site_info" in handler.path else refused
        return 200, {"Content-Type": "application/json"}, (HTML_NOTICE + json.dumps(body)).encode()

    url, _seen = _start(servers, answer)
    result, _ = _doctor(tmp_path, monkeypatch, url)
    assert "[ok  ] reachable" in result.output
    assert "[warn] php output" in result.output and "Creation of dynamic property" in result.output


# -- token files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [SECRET + "\n", "\ufeff" + SECRET, "  " + SECRET + " \r\n", "\ufeff" + SECRET + "\n\n", "\t" + SECRET],
    ids=["newline", "bom", "spaces-crlf", "bom-newlines", "tab"],
)
def test_issue_11_token_file_edges_are_stripped(tmp_path, monkeypatch, content) -> None:
    path = tmp_path / "token"
    path.write_bytes(content.encode("utf-8"))
    path.chmod(0o600)
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text(f'[moodle]\nurl = "https://moodle.example.test"\ntoken_file = "{path}"\n')
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    assert load_config(cfg, environ={}).load_token().reveal() == SECRET


@pytest.mark.parametrize(
    "bad,named",
    [
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u00a0", "U+00A0 NO-BREAK SPACE"),
        ("\x07", "U+0007 a control character"),
        ("\u2060", "U+2060 WORD JOINER"),
    ],
)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_issue_11_invisible_characters_in_a_token_are_named_never_the_token(tmp_path, monkeypatch, bad, named, where) -> None:
    value = {"start": bad + SECRET, "middle": SECRET[:10] + bad + SECRET[10:], "end": SECRET + bad}[where]
    path = tmp_path / "token"
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text(f'[moodle]\nurl = "https://moodle.example.test"\ntoken_file = "{path}"\n')
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        load_config(cfg, environ={}).load_token()
    text = str(info.value)
    assert named in text and str(path) in text
    assert SECRET not in text and SECRET[:10] not in text and SECRET[10:] not in text


def test_issue_11_lmsync_token_variable_is_cleaned_the_same_way(monkeypatch, tmp_path) -> None:
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text('[moodle]\nurl = "https://moodle.example.test"\n')
    monkeypatch.setenv("LMSYNC_TOKEN", "\ufeff" + SECRET + "\n")
    assert load_config(cfg, environ={}).load_token().reveal() == SECRET
    monkeypatch.setenv("LMSYNC_TOKEN", SECRET + "\u200b")
    with pytest.raises(ConfigError, match="LMSYNC_TOKEN.*U\\+200B"):
        load_config(cfg, environ={}).load_token()


def test_a_utf16_token_file_is_named(tmp_path, monkeypatch) -> None:
    path = tmp_path / "token"
    path.write_bytes(SECRET.encode("utf-16"))
    path.chmod(0o600)
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text(f'[moodle]\nurl = "https://moodle.example.test"\ntoken_file = "{path}"\n')
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="UTF-16"):
        load_config(cfg, environ={}).load_token()


def test_clean_token_text_keeps_a_plain_token() -> None:
    assert clean_token_text(SECRET, "x") == SECRET


@pytest.mark.parametrize("short", ["Max", "x", "1234567"])
def test_retest_finding_3_a_token_too_short_to_be_moodles_is_refused_without_showing_it(monkeypatch, tmp_path, short) -> None:
    """LMSYNC_TOKEN=Max was sent, and redacting it from errors printed "<redacted> retries exceeded"."""
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text('[moodle]\nurl = "https://moodle.example.test"\n')
    monkeypatch.setenv("LMSYNC_TOKEN", short)
    with pytest.raises(ConfigError, match=f"LMSYNC_TOKEN: the token has {len(short)} characters") as info:
        load_config(cfg, environ={}).load_token()
    assert short not in str(info.value).replace("LMSYNC_TOKEN", "")
