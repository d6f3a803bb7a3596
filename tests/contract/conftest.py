"""Fixtures shared by the contract tests (client and emulator)."""

from __future__ import annotations

import pytest

from tests.contract.recordings import Recording, load_recordings


@pytest.fixture(scope="session")
def recordings() -> list[Recording]:
    """Every recorded exchange in tests/contract/recordings, sorted by path."""
    return list(load_recordings())
