"""Shared set-up of the command-line flow tests."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.service import moodle as moodle_service


@pytest.fixture
def cli_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``tmp_path`` as a new admin's working folder: the state under it, no token or Moodle URL from
    the environment, the emulator notice not yet shown, and the current directory there."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.delenv("LMSYNC_MOODLE_URL", raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    monkeypatch.chdir(tmp_path)
    return tmp_path
