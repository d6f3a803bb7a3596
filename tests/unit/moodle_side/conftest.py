"""Shared helpers: the recorded Moodle 4.5 exchanges are the yardstick for plugin_config."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"


def _recording(relpath: str) -> dict[str, Any]:
    data = json.loads((RECORDINGS / relpath).read_text(encoding="utf-8"))
    data["decoded"] = json.loads(data["response"]["body"])
    return data


@pytest.fixture(scope="session")
def recording() -> Callable[[str], dict[str, Any]]:
    """Load one recorded exchange (``function/scenario.json``) with its body decoded."""
    return _recording


@pytest.fixture(scope="session")
def service_json() -> dict[str, Any]:
    """The function and capability lists that worked on the recording site."""
    return json.loads((RECORDINGS / "service.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site_json() -> dict[str, Any]:
    """MENTOR-2026 as the recordings leave it (users, activities, feedback items)."""
    return json.loads((RECORDINGS / "site.json").read_text(encoding="utf-8"))
