"""``lmsync emulator reset`` writes a loadable demo site; ``serve`` reports bad ports and state files."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lmsync.cli import main
from lmsync.cli.emulator import command
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, InputError
from lmsync.moodle.emulator import DEMO_TOKEN, Site
from lmsync.moodle.emulator.demo import build_demo_site


def test_reset_writes_a_fresh_demo_site(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    result = CliRunner().invoke(command, ["reset", "--state", str(state), "--seed", "3"])
    assert result.exit_code == 0, result.output
    site = Site.load(state)
    assert DEMO_TOKEN in site.tokens and site.groups == {} and len(site.courses[2].enrolments) == 75


# --- tester findings: `lmsync emulator serve` ends in one line and an exit code, never a traceback ----


def _serve(*args: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_LOG_FORMAT", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["emulator", "serve", *args], catch_exceptions=False)


def test_tester_finding_emulator_port_in_use_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = _serve("--port", str(port), tmp_path=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.output


def test_tester_finding_emulator_port_out_of_range_is_a_usage_error(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    result = _serve("--port", "70000", tmp_path=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Invalid value for '--port'" in result.stderr and "70000" in result.stderr


def test_tester_finding_emulator_state_not_json_is_a_clean_error(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"users": {\n  oops\n}', encoding="utf-8")
    result = _serve("--state", str(broken), tmp_path=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == EXIT_INPUT, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {broken}: not an emulator state file") and "line 2, column 3" in first
    # not reset's fix: reset refuses a file that is not an emulator state (tester round 104b, 1)
    assert "point --state at the emulator's site file" in result.stderr and "emulator reset" not in result.stderr
    assert broken.read_text(encoding="utf-8") == '{"users": {\n  oops\n}'  # left as it was


def test_tester_finding_emulator_state_not_an_object_is_a_clean_error(tmp_path: Path) -> None:
    state = tmp_path / "list.json"
    state.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="list.json: not an emulator state file"):
        Site.load(state)


@pytest.mark.parametrize("text", ["{}", '{"users": {}, "tokens": {}}'])
def test_round_3_finding_21_an_empty_state_is_refused_not_served_without_its_token(tmp_path: Path, text: str) -> None:
    state = tmp_path / "empty.json"
    state.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="empty.json: not an emulator state file .*no users or no web service tokens"):
        Site.load(state)
    saved = tmp_path / "saved.json"
    build_demo_site().save(saved)
    assert Site.load(saved).tokens  # a real state still loads
