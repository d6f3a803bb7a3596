"""Fixtures shared by the contract tests (client and emulator)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.recordings import Recording, load_recordings


@pytest.fixture(scope="session")
def recordings() -> list[Recording]:
    """Every recorded exchange in tests/contract/recordings, sorted by path."""
    return list(load_recordings())


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Print how many recorded exchanges the client replayed (see test_client_contract)."""
    import sys

    module = sys.modules.get("tests.contract.test_client_contract")
    replayed = getattr(module, "REPLAYED", None)
    if replayed and any(replayed.values()):
        write = terminalreporter.write_line
        write(
            f"moodle client contract: replayed {replayed['transport']} recorded exchanges through the "
            f"transport and {replayed['api']} through the typed api"
        )
