"""Tester round 129, 3: the deploy/ variants set the token file and the report path only by environment
(``LMSYNC_MOODLE_TOKEN_FILE``, ``LMSYNC_REPORT_PATH``), yet doctor said "the token from [moodle] token_file ...",
"[report] path ...: the folder ... does not exist" and told the admin to edit those keys, which the file lacks.
Doctor now names a value by the variable that set it, as configuration errors do
(``LMSYNC_MOODLE_TOKEN_FILE (moodle.token_file)``), and by the file's key otherwise."""

from __future__ import annotations

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.emulator import serve_in_background
from lmsync.moodle.emulator.demo import build_demo_site

WRONG = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _doctor(tmp_path, monkeypatch, *, by_environment: bool):
    token = tmp_path / "token"
    token.write_text(WRONG)
    token.chmod(0o600)
    report = tmp_path / "reports" / "report.html"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    url, stop = serve_in_background(build_demo_site())
    try:
        cfg = tmp_path / "lmsync.toml"
        text = f'[moodle]\nurl = "{url}"\n[programme]\nname = "mentor-2026"\n'
        if by_environment:
            monkeypatch.setenv("LMSYNC_MOODLE_TOKEN_FILE", str(token))
            monkeypatch.setenv("LMSYNC_REPORT_PATH", str(report))
        else:
            text = text.replace("[programme]", f'token_file = "{token}"\n[programme]')
            text += f'[report]\npath = "{report}"\n'
        cfg.write_text(text)
        result = CliRunner().invoke(main, ["--config", str(cfg), "doctor"])
    finally:
        stop()
    assert result.exit_code == 2, result.output
    return result.output, token, report


def test_doctor_names_the_variable_that_set_a_value_tester_round_129_3(tmp_path, monkeypatch):
    out, token, report = _doctor(tmp_path, monkeypatch, by_environment=True)
    assert f"the token from LMSYNC_MOODLE_TOKEN_FILE (moodle.token_file) {token} (invalidtoken" in out
    assert "then put it in the file LMSYNC_MOODLE_TOKEN_FILE (moodle.token_file) names (chmod 600), or LMSYNC_TOKEN" in out
    assert f"[FAIL] report path: LMSYNC_REPORT_PATH (report.path) {report}: the folder" in out
    assert "give LMSYNC_REPORT_PATH (report.path) a path in an existing folder" in out
    assert "[moodle] token_file" not in out and "[report] path" not in out


def test_doctor_names_the_file_key_when_the_file_set_it_tester_round_129_3(tmp_path, monkeypatch):
    out, token, report = _doctor(tmp_path, monkeypatch, by_environment=False)
    assert f"the token from [moodle] token_file {token} (invalidtoken" in out
    assert "then put it in [moodle] token_file (chmod 600) or LMSYNC_TOKEN" in out
    assert f"[FAIL] report path: [report] path {report}: the folder" in out
    assert "LMSYNC_MOODLE_TOKEN_FILE" not in out and "LMSYNC_REPORT_PATH (report.path)" not in out
