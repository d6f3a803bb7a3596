"""Tester round 77, 2 and 3: ``[report] path`` follows ``--out``'s rule (a missing folder is refused,
never made), and doctor fails a report path whose folder is missing or that lmsync's user cannot
write, suggesting a file in lmsync's state folder rather than a web root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.service import doctor_checks
from lmsync.service.doctor import DoctorReport
from tests.flows.conftest import run_in


def _report_path(config: Any) -> Any:
    """doctor's one ``report path`` check of ``config``."""
    report = DoctorReport()
    doctor_checks.report_path_check(config, report)
    (check,) = report.checks
    return check


def _config(tmp_path: Path, report_path: Path, moodle: str = "") -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'{moodle}[programme]\nname = "mentor-2026"\n[report]\npath = "{report_path}"\n')
    return load_config(path, environ={})


def _report_in_a_missing_folder(home: Path) -> Path:
    """A configuration made by `lmsync init` whose [report] path lies in a folder that does not exist: that folder."""
    missing = home / "nonexistent" / "dir"
    assert run_in(home, "init", "--no-input").exit_code == 0
    (home / "lmsync.toml").write_text((home / "lmsync.toml").read_text() + f'\n[report]\npath = "{missing / "r.html"}"\n')
    return missing


def test_round_77_3_a_report_path_in_a_missing_folder_fails_the_run_and_makes_no_folder(cli_home: Path) -> None:
    """`lmsync run` made /nonexistent/dir and wrote the report there, while `report --out` refused it (exit 3)."""
    missing = _report_in_a_missing_folder(cli_home)
    result = run_in(cli_home, "run")
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("report ")]
    assert "failed" in line and "[report] path" in line and str(missing / "r.html") in line, line
    assert f"the folder {missing} does not exist" in line and f"mkdir -p {missing}" in line, line
    assert not (cli_home / "nonexistent").exists()
    assert run_in(cli_home, "report", "--out", str(missing / "r.html")).exit_code == 3  # the same rule


def test_round_77_3_doctor_fails_a_report_path_whose_folder_is_missing(cli_home: Path) -> None:
    missing = _report_in_a_missing_folder(cli_home)
    result = run_in(cli_home, "doctor")
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "report path" in line]
    assert lines[at].startswith("[FAIL]") and f"the folder {missing} does not exist" in lines[at], lines[at]
    assert f"mkdir -p {missing}" in lines[at + 1], lines[at + 1]
    assert not (cli_home / "nonexistent").exists()  # doctor only reads


def test_round_77_2_doctor_fails_a_report_folder_or_file_lmsyncs_user_cannot_write(tmp_path: Path, monkeypatch) -> None:
    """Doctor said ``[ok] report path`` and every run failed: "cannot write the report to ...: Permission denied"."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "reports"
    folder.mkdir()
    page = folder / "r.html"
    config = _config(tmp_path, page)
    denied: set[Path] = set()
    real = os.access
    monkeypatch.setattr(doctor_checks.os, "access", lambda p, mode: Path(p) not in denied and real(p, mode))
    assert _report_path(config).status == "ok"
    denied.add(folder)  # root ignores a folder's mode: a read-only mount, or another owner's folder
    check = _report_path(config)
    assert check.status == "fail" and f"cannot write in the folder {folder}" in check.detail, check
    assert "ReadWritePaths=" in check.fix and "writable by lmsync's user" in check.fix
    assert not page.exists()  # doctor writes nothing, not even to try
    earlier = "<!DOCTYPE html><p>an earlier report</p><footer>Written by lmsync 0.1 on 2026-12-01.</footer>"  # lmsync's
    page.write_text(earlier)
    assert _report_path(config).status == "fail"  # a run writes a new file beside it: the folder, as before
    denied.discard(folder)
    assert _report_path(config).status == "ok"
    denied.add(page)
    check = _report_path(config)
    assert check.status == "fail" and f"cannot write the file {page}" in check.detail, check
    assert page.read_text() == earlier


@pytest.mark.sqlite_only("a SQLite store path")
def test_round_77_2_doctor_suggests_a_report_path_in_the_state_folder_not_a_web_root(tmp_path: Path, monkeypatch) -> None:
    """Under the shipped units (state in /var/lib/lmsync, ProtectSystem=strict) /var/www is not writable, and a
    web root is no place for a page of personal data."""
    monkeypatch.setenv("XDG_STATE_HOME", "/var/lib")  # the units' XDG_STATE_HOME=%S
    moodle = '[moodle]\nurl = "https://moodle.example.edu"\n'
    check = _report_path(_config(tmp_path, Path("/var/lib/lmsync/mentor-2026.db"), moodle))  # the store
    assert check.status == "fail" and "is this programme's store" in check.detail
    assert "e.g. /var/lib/lmsync/mentor-2026.report.html" in check.fix and "/var/www" not in check.fix, check.fix


def test_round_77_the_daemons_report_failure_is_logged_with_its_reason_and_fix(tmp_path: Path) -> None:
    """`write_configured_report` (after a daemon's custom job) logged `report.failed error=ConfigError` alone."""
    from structlog.testing import capture_logs

    from lmsync.service.report import write_configured_report

    config = _config(tmp_path, tmp_path / "missing" / "r.html")
    with capture_logs() as logs:
        assert write_configured_report(config, lambda *_a, **_k: "<html/>") is None
    (failed,) = [e for e in logs if e["event"] == "report.failed"]
    assert failed["error"] == "ConfigError" and f"the folder {tmp_path / 'missing'} does not exist" in failed["message"]
    assert not (tmp_path / "missing").exists()


@pytest.mark.sqlite_only("doctor looks for the SQLite file [store] path names before it reads the erasures")
def test_round_77b_4_doctor_fails_an_erased_coordinator_still_configured(tmp_path: Path) -> None:
    """An erased coordinator still listed gets no digest and no queue item; doctor said nothing of it."""
    from datetime import date
    from types import SimpleNamespace

    from lmsync.store.db import Store
    from lmsync.store.erasures import record_erasure

    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{tmp_path / "s.db"}"\n'
                    '[health]\ncoordinators = ["c1", "c2"]\n')
    config = load_config(path, environ={})
    users = [SimpleNamespace(username="c1", id=11), SimpleNamespace(username="c2", id=12)]
    api = SimpleNamespace(get_users_by_field=lambda _field, _names: users)
    report = DoctorReport()
    doctor_checks.coordinators_check(api, config, report)  # no store yet: nothing to say but found
    assert [c.status for c in report.checks] == ["ok"]
    store = Store(config.store_path())
    record_erasure(store, 12, date(2026, 12, 1))
    store.close()
    report = DoctorReport()
    doctor_checks.coordinators_check(api, config, report)
    (check,) = report.checks
    assert check.status == "fail" and "'c2' was erased" in check.detail, check
