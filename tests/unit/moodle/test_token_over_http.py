"""Issue 11, trap 37: over real HTTP, the token reaches Moodle in the POST body and nowhere else.

lmsync runs doctor, plan and sync against the emulator served over loopback HTTP (as
``lmsync emulator serve`` does), at debug level, in console and JSON log formats. The web
server's access log (request lines, as Apache or nginx keep them), everything lmsync
printed, and every file lmsync left behind never hold the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.emulator import serve_in_background
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site

SECRET = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    site = build_demo_site()
    site.tokens[SECRET] = site.tokens.pop(DEMO_TOKEN)  # only the secret token opens this site
    access_log: list[str] = []
    url, stop = serve_in_background(site, access_log=access_log)
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    token.chmod(0o600)
    cfg = tmp_path / "lmsync.toml"
    cfg.write_text(
        f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n'
        '[programme]\npeer_mentor_cohort = "peer-mentors-2026"\n'
    )
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        yield {"config": cfg, "access_log": access_log, "state": state, "site": site, "token_file": token}
    finally:
        stop()


def _run(served: dict[str, Any], fmt: str, *args: str) -> Any:
    return CliRunner().invoke(
        main, ["--config", str(served["config"]), "--log-format", fmt, "--log-level", "debug", *args]
    )


def test_trap_37_the_token_never_reaches_an_access_log_an_output_or_a_file(served, tmp_path) -> None:
    outputs = []
    for fmt in ("console", "json"):
        for command in (["doctor"], ["plan"], ["sync"], ["plan"]):
            result = _run(served, fmt, *command)
            outputs.append(result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    printed = "\n".join(outputs)
    log = served["access_log"]

    # The calls really went over HTTP, with the token (the site refuses any other).
    assert any("core_group_create_groups" in line for line in log), printed[-3000:]
    assert "invalidtoken" not in printed
    assert all(line.startswith("POST /webservice/rest/server.php?wsfunction=") for line in log)
    assert all("moodlewsrestformat=json" in line for line in log)

    assert not [line for line in log if SECRET in line or "wstoken" in line]
    assert SECRET not in printed
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != served["token_file"]:
            assert SECRET.encode() not in path.read_bytes(), path
