"""A closure (``queue done --outcome closed``) counts only from the day it was recorded: ``lmsync health --as-of``
and ``lmsync nudge --dry-run --as-of`` of an earlier day show that day, as ``lmsync pair show`` and
``lmsync report --as-of`` do (tester finding, fix E2: a pair closed today was counted "ended by a coordinator",
left out of those needing attention and of the nudges, on a day it was fading)."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.service import health, moodle
from lmsync.service.demo_term import term_dates
from lmsync.service.programme_settings import programme_today

pytestmark = pytest.mark.sqlite_only("the demo's SQLite stores")


def _run(config: Path | None, *args: str) -> Result:
    result = CliRunner().invoke(main, [*(["--config", str(config)] if config else []), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def played(tmp_path: Path, monkeypatch: Any) -> tuple[Path, date, dict[str, Any]]:
    """The demo's played term: its configuration, its last day (before today) and a pair fading that day."""
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    _run(None, "demo")
    config = tmp_path / "state" / "lmsync" / "emulator" / "mentoring-2026.demo.toml"
    today = programme_today(load_config(config, environ={}))
    day = term_dates(today)[1]
    if day >= today:
        pytest.skip("the clock is inside the demo's term: no earlier day to look back on")
    pairs = _health(config, day)["pairs"]
    fading = next(p for p in pairs if p["status"] == "fading")
    return config, day, fading


def _health(config: Path, day: date) -> dict[str, Any]:
    return dict(json.loads(_run(config, "health", "--as-of", day.isoformat(), "--format", "json").stdout))


def test_health_as_of_an_earlier_day_does_not_count_a_closure_recorded_later(played) -> None:
    config, day, pair = played
    _run(config, "queue", "done", pair["mentor"], pair["mentee"], "--outcome", "closed")  # today
    then = _health(config, day)
    assert then["ended_by_coordinator"] == [] and "ended" not in then["counts"]
    assert {"pair": pair["pair"], "status": "fading"}.items() <= next(
        p for p in then["pairs"] if p["pair"] == pair["pair"]).items()
    text = _run(config, "health", "--as-of", day.isoformat()).output
    assert "ended by a coordinator" not in text
    assert f"fading   {pair['mentor_name']} ({pair['mentor']}) / {pair['mentee_name']} ({pair['mentee']})" in text
    # today the closure counts, and the report of that day lists the pair at risk, open, as health now does
    now = json.loads(_run(config, "health", "--as-of", programme_today(load_config(config, environ={})).isoformat(),
                          "--format", "json").stdout)
    assert now["counts"]["ended"] == 1
    out = config.parent / "report-then"
    _run(config, "report", "--as-of", day.isoformat(), "--format", "csv", "--out", str(out))
    with (out / "at_risk_today.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if (r["mentor"], r["mentee"]) == (pair["mentor"], pair["mentee"])]
    assert [r["status"] for r in rows] == ["fading"]


def test_nudge_dry_run_as_of_an_earlier_day_nudges_a_pair_closed_later(played) -> None:
    config, day, pair = played
    _run(config, "queue", "done", pair["mentor"], pair["mentee"], "--outcome", "closed")  # today
    text = _run(config, "nudge", "--dry-run", "--as-of", day.isoformat()).output
    assert "closed as ended by a coordinator" not in text
    assert f"mentee of {pair['mentor_name']} ({pair['mentor']})" in text  # the mentee is nudged that day
    assert f"({pair['mentee']}), mentee of" in text


def test_a_closure_recorded_on_a_past_day_counts_from_that_day_on(played) -> None:
    config, day, pair = played
    loaded = load_config(config, environ={})
    closed_on = day - timedelta(days=3)
    assert health.queue_done(loaded, (pair["mentor_id"], pair["mentee_id"]), "closed", on=closed_on) is not None
    assert _health(config, closed_on - timedelta(days=1))["ended_by_coordinator"] == []
    for seen in (closed_on, day):
        assert _health(config, seen)["ended_by_coordinator"] == [f"{pair['mentor_id']}-{pair['mentee_id']}"], seen
