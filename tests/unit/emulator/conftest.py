"""Fixtures for the emulator's unit tests: a fresh demo site and a fresh recording-seeded site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmsync.moodle.emulator import Site, build_demo_site, site_from_recording

SITE_JSON = Path(__file__).resolve().parents[2] / "contract" / "recordings" / "site.json"


@pytest.fixture
def demo() -> Site:
    return build_demo_site()


@pytest.fixture
def recorded() -> Site:
    return site_from_recording(json.loads(SITE_JSON.read_text(encoding="utf-8")))
