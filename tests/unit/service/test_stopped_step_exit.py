"""A step stopped on request is ``partial`` with exit 1, as the README's state list says (tester round 79, 8:
the nudges step read ``"state": "partial", "exit_code": 0`` in ``lmsync run --log-format json``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from lmsync.service import cycle
from lmsync.service.cycle_result import EXIT_PARTIAL


def _nudge_report(**changes: Any) -> SimpleNamespace:
    values: dict[str, Any] = dict(
        flagged_pairs=3, pairs=3, messages=[1, 2], planned=[1, 2], sent=[], failed=[], unknown=[], not_attempted=[SimpleNamespace(recipient_id=2)],
        capped=0, cap_unused=0, cap_over=0, already_today=0, hidden_events=0, first_run=False, held="", recently_nudged=0, stopped=True,
    )
    values.update(changes)
    return SimpleNamespace(**values)


def test_nudges_stopped_on_request_is_partial_with_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cycle, "_send_after_health", lambda run, step, send: _nudge_report())
    step = cycle._nudges(SimpleNamespace())  # type: ignore[arg-type]
    assert (step.state, step.exit_code) == ("partial", EXIT_PARTIAL)
    assert "stopped on request" in step.summary
