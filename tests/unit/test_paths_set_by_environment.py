"""Tester round 97b, 9: ``XDG_STATE_HOME=relstate`` put the store under ``./relstate/lmsync`` of whatever folder lmsync
ran in (a second, empty store for every folder). The XDG Base Directory specification: "All paths set in these
environment variables must be absolute. If an implementation encounters a relative path in any of these variables
it should consider the path invalid and ignore it." lmsync now ignores it, as an unset one."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config


def test_a_relative_state_home_is_ignored_and_an_absolute_one_is_taken(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={})
    monkeypatch.setenv("XDG_STATE_HOME", "relstate")
    assert config.state_dir() == tmp_path / "home" / ".local" / "state" / "lmsync"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "abs"))
    assert config.state_dir() == tmp_path / "abs" / "lmsync"


def test_a_store_path_set_by_environment_under_tilde_is_in_the_home_folder(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Tester round 98b, 4: ``LMSYNC_STORE_PATH="~/x.db"`` (quoted, or systemd's ``Environment=``: no shell expands
    it) made a folder named ``~`` in the current folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={"LMSYNC_STORE_PATH": "~/x.db", "LMSYNC_REPORT_PATH": "~/r.html"})
    assert config.store_path() == tmp_path / "home" / "x.db"
    assert config.report.path == tmp_path / "home" / "r.html"
