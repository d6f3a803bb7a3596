"""Tester round 97a, 8: after a coordinator closed a pair, ``lmsync health`` said "1 at risk ... 1 ended by a
coordinator" while its log line said ``at_risk=2``: the log counted the ended pair under its old status. The
``health.done`` and ``health.viewed`` lines now count as the view does (``HealthReport.shown_counts``)."""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.service.programme_settings import programme_today
from tests.flows.test_closed_pair_taken_out_by_hand import MENTEE, MENTOR, _mentor_of, _ok


def _today(home: Any) -> str:
    """Today in the programme's zone: a view of a day to come is refused (tester round 108b, 2)."""
    return programme_today(load_config(home / "lmsync.toml", environ={})).isoformat()


def _counts(logs: list[dict[str, Any]], event: str) -> dict[str, int]:
    (line,) = [e for e in logs if e["event"] == event]
    return {k: line[k] for k in ("ok", "watch", "at_risk", "fading", "closed", "ended") if k in line}


def test_the_health_log_counts_an_ended_pair_once_as_ended(demo_home: Any) -> None:
    _ok(demo_home, "sync")
    assert _mentor_of(demo_home, MENTEE) == MENTOR
    _ok(demo_home, "health")
    _ok(demo_home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    for args, event in ((("health",), "health.done"), (("health", "--as-of", _today(demo_home)), "health.viewed")):
        said = _ok(demo_home, "--log-format", "json", "--log-level", "info", *args)
        logs = [json.loads(line) for line in said.splitlines() if line.startswith("{")]
        counts = _counts(logs, event)
        assert counts.get("ended") == 1, counts
        assert sum(counts.values()) == next(e["pairs"] for e in logs if e["event"] == event), counts
