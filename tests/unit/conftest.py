"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """``responses`` for one test: every request must be one the test registered (unfired ones are fine)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
