"""How lmsync reaches the site: ``[moodle] verify_tls = false`` and a plain http address (tester round 106b, 1 and 7).

1. ``verify_tls = false`` was ignored when the environment named a CA bundle (``REQUESTS_CA_BUNDLE``,
   ``CURL_CA_BUNDLE``): requests puts it over ``Session.verify = False`` unless ``verify`` is given per request
   (psf/requests issue 3829), and doctor failed "the site's certificate is not trusted". With verification off,
   urllib3 printed one raw ``InsecureRequestWarning`` per request on stderr, breaking ``--log-format json``;
   doctor had no line saying verification was off.
7. ``lmsync init --url http://...`` said nothing of plain http; a sync logged ``moodle.unencrypted`` twice.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import certifi
import pytest
import requests
import requests.adapters
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.server import EmulatorAdapter, make_server
from lmsync.service.moodle import open_moodle

PROGRAMME = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def _config(home: Path, url: str, verify_tls: bool | None = None) -> Path:
    token = home / "token"
    token.write_text(DEMO_TOKEN)
    token.chmod(0o600)
    verify = "" if verify_tls is None else f"verify_tls = {str(verify_tls).lower()}\n"
    path = home / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "token"\n{verify}{PROGRAMME}')
    return path


@pytest.fixture
def emulator_everywhere(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every request any ``requests`` session sends goes to one demo emulator site, whatever its host; the list
    receives each request's ``send`` keywords (``verify`` among them)."""
    adapter = EmulatorAdapter(build_demo_site())
    sent: list[dict[str, Any]] = []

    def send(self: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        sent.append(kwargs)
        return adapter.send(request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def test_round_106b_1_verify_tls_false_wins_over_a_ca_bundle_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator_everywhere: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    for verify_tls, expected in ((False, False), (True, certifi.where())):  # on: the environment's bundle stands
        emulator_everywhere.clear()
        config = load_config(_config(tmp_path, "https://moodle.school.example", verify_tls), environ={})
        with open_moodle(config) as conn:
            assert conn.api.transport.call("core_webservice_get_site_info")["username"]
        assert [sent["verify"] for sent in emulator_everywhere] == [expected]


def test_round_106b_7_a_sync_says_plain_http_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   emulator_everywhere: list[dict[str, Any]]) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_MOODLE_URL", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    config = _config(tmp_path, "http://moodle.school.example")
    for _ in range(2):  # the first sync writes (its plan names people from a second read), the second has nothing to do
        result = CliRunner().invoke(main, ["--log-format", "json", "--config", str(config), "sync"])
        assert result.exit_code == 0, result.output
        events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
        said = [e for e in events if e["event"] == "moodle.unencrypted"]
        assert len(said) == 1, said
        assert said[0]["host"] == "moodle.school.example"
    assert len(emulator_everywhere) > 20  # the syncs went to the site


def test_round_106b_7_init_warns_of_a_plain_http_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("LMSYNC_TOKEN", "LMSYNC_MOODLE_URL", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for url, warned in (("http://moodle.school.example", True), ("https://moodle.school.example", False),
                        ("http://127.0.0.1:8765", False)):
        result = CliRunner().invoke(main, ["init", "--no-input", "--force", "--url", url])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stderr.splitlines() if "plain http" in line]
        assert len(lines) == int(warned), result.stderr
        if warned:
            assert lines[0].startswith(f"warning: {url} is plain http to another host")
            assert "unencrypted" in lines[0] and "https://" in lines[0]


# -- a real TLS site with a self-signed certificate ---------------------------------------------------------------


@pytest.fixture
def self_signed_site(tmp_path: Path) -> Any:
    """The demo emulator served over https with a self-signed certificate: its base URL."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
    server = make_server(build_demo_site(), port=0)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _lmsync(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"XDG_STATE_HOME": str(home / "state"), "PATH": "/usr/bin:/bin", "HOME": str(home), **env}
    environ.update({k: v for k, v in os.environ.items() if k.startswith(("LMSYNC_TEST_", "VIRTUAL_ENV", "PYTHON"))})
    return subprocess.run([sys.executable, "-m", "lmsync", "--log-format", "json", "--config",
                           str(home / "lmsync.toml"), *args], capture_output=True, text=True, env=environ, cwd=home,
                          timeout=300)


@pytest.mark.parametrize("bundle", [True, False], ids=["ca-bundle-in-environment", "no-ca-bundle"])
def test_round_106b_1_doctor_and_plan_on_a_self_signed_site_with_verify_tls_off(
    tmp_path: Path, self_signed_site: str, bundle: bool
) -> None:
    _config(tmp_path, self_signed_site, verify_tls=False)
    env = {"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()} if bundle else {}
    for command in (["doctor", "--format", "json"], ["plan"]):
        done = _lmsync(tmp_path, *command, **env)
        assert "InsecureRequestWarning" not in done.stderr and "Unverified HTTPS" not in done.stderr
        events = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # JSON lines only
        said = [e for e in events if e["event"] == "moodle.tls_unverified"]
        assert len(said) == 1 and said[0]["host"] == "127.0.0.1", events
        assert "verify_tls" in said[0]["hint"]
        if command[0] == "doctor":
            checks = json.loads(done.stdout)
            assert [c for c in checks if c["name"] == "reachable"][0]["status"] == "ok", checks
            tls = [c for c in checks if c["name"] == "encryption"]
            assert len(tls) == 1 and tls[0]["status"] == "warn" and "TLS verification is off" in tls[0]["detail"]
            assert "verify_tls" in tls[0]["fix"]
        else:
            assert done.returncode == 0, done.stderr


def test_round_106b_1_a_tls_failure_with_verify_tls_off_does_not_blame_the_certificate() -> None:
    from lmsync.moodle.emulator.server import serve_in_background
    from lmsync.moodle.errors import ConnectionFailed
    from lmsync.moodle.transport import Transport
    from lmsync.secrets import Token

    base, stop = serve_in_background(build_demo_site())
    try:
        for verify_tls, words in ((False, "verify_tls is already false"), (True, "Check the site's TLS certificate")):
            transport = Transport(base.replace("http://", "https://"), Token(DEMO_TOKEN), verify_tls=verify_tls,
                                  sleep=lambda _s: None)
            with pytest.raises(ConnectionFailed) as failed:
                transport.call("core_webservice_get_site_info", fail_fast=True)
            assert failed.value.tls and words in (failed.value.hint or "")
    finally:
        stop()
