"""Tester round 94b, 7: a database password in a configuration file others may read was accepted silently.

`[store] url = "postgresql+psycopg://lms:pgsecret@host/db"` in a 0644 `pg.toml`: `lmsync doctor` said "no
problems", while a 0644 token file is refused. Now doctor fails its `store url` check with the fix, and every
command warns once on stderr (and still runs); the password is never printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main

PASSWORD = "pgsecret9Q"
URL = f"postgresql+psycopg://lms:{PASSWORD}@127.0.0.1:1/lmsync?connect_timeout=1"


def _config(tmp_path: Path, url: str, mode: int) -> Path:
    path = tmp_path / "pg.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{url}"\n')
    os.chmod(path, mode)
    return path


def _doctor(path: Path, *more: str) -> object:
    return CliRunner().invoke(main, ["--log-level", "error", "--config", str(path), *more, "doctor", "--format", "json"])


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_STORE_URL", "LMSYNC_STORE_PATH", "LMSYNC_CONFIG", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_tester_round_94b_7_doctor_fails_a_store_password_others_may_read_and_every_command_warns(tmp_path: Path) -> None:
    path = _config(tmp_path, URL, 0o644)
    result = _doctor(path)
    report = json.loads(result.stdout)  # type: ignore[attr-defined]
    (check,) = [c for c in report if c["name"] == "store url"]
    assert check["status"] == "fail" and result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert f"{path} holds the store's database password and is open to its group and every user (mode 644)" in check["detail"]
    assert f"chmod 600 {path}" in check["fix"] and "LMSYNC_STORE_URL" in check["fix"] and ".pgpass" in check["fix"]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert stderr.count(f"warning: store.url: {path} holds the store's database password") == 1, stderr
    assert PASSWORD not in result.output  # type: ignore[attr-defined]

    logged = _doctor(path, "--log-format", "json", "--log-level", "warning")  # under JSON logs: one JSON line, the path and the fix
    lines = [json.loads(line) for line in logged.stderr.splitlines() if "config.password_readable" in line]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0]["path"] == str(path) and lines[0]["mode"] == "644", logged.stderr  # type: ignore[attr-defined]
    assert PASSWORD not in logged.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(("url", "mode"), [(URL, 0o600), ("postgresql+psycopg://lms@127.0.0.1:1/lmsync", 0o644)])
def test_tester_round_94b_7_a_private_file_or_a_url_without_a_password_says_nothing(
    tmp_path: Path, url: str, mode: int
) -> None:
    result = _doctor(_config(tmp_path, url, mode))
    assert not [c for c in json.loads(result.stdout) if c["name"] == "store url"]  # type: ignore[attr-defined]
    assert "store.url:" not in result.stderr, result.stderr  # type: ignore[attr-defined]


def test_tester_round_94b_7_which_urls_carry_a_password() -> None:
    from lmsync.config_password import url_has_password

    assert url_has_password("postgresql+psycopg://lms:pg@secret@host/db")
    assert url_has_password("postgresql://lms@host/db?sslmode=require&password=x")
    assert not url_has_password("postgresql://lms:@host/db")
    assert not url_has_password("postgresql://lms@host/db?sslmode=require")
