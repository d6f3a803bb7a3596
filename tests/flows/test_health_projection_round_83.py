"""Tester round 83, 4: `lmsync health --as-of` a day to come printed "50 fading" as if it were a view of a day
that had passed (a report of such a day is refused). It then said it was a projection; tester round 108b, 2 found
it still judged every pair fading, even those meeting on schedule: it is refused now, as the report refuses it
(exit 3), and a past day or today is a view as before."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT
from lmsync.service.programme_settings import programme_today


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args])


def test_round_83_4_health_of_a_day_to_come_is_refused(cli_home: Path) -> None:
    assert invoke("sync").exit_code == 0
    today = programme_today(load_config(None, environ={}))
    later = (today + timedelta(days=40)).isoformat()
    ahead = invoke("health", "--as-of", later)
    assert ahead.exit_code == EXIT_INPUT, ahead.output
    said = " ".join(ahead.output.split())
    assert f"--as-of {later} is after today ({today.isoformat()} in the programme's timezone)" in said, said
    past = invoke("health", "--as-of", (today - timedelta(days=1)).isoformat())
    assert past.exit_code == 0 and "a day to come" not in past.output, past.output
    assert json.loads(invoke("health", "--as-of", today.isoformat(), "--format", "json").stdout)["projected"] is False
