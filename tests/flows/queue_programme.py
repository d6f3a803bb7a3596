"""A programme on the emulator's demo site with ``[health] coordinators`` and ``escalate_to`` as a test
gives them (names Moodle may not have), synced and judged today: for the coordinator queue's flows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner, Result

from lmsync.cli import main
from lmsync.service.cycle import cycle_job
from tests.flows.test_cycle import TODAY, circle_pairs, make_config


def programme(tmp_path: Any, site: Any) -> Any:
    """The configuration, after a first ``lmsync run`` today (pairs everyone; every pair judged today)."""
    config = make_config(tmp_path)
    cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
              as_of=TODAY)
    return config


def with_health(tmp_path: Any, coordinators: list[str], escalate_to: str = "") -> Any:
    """The configuration file written again with these ``[health] coordinators`` and ``escalate_to``."""
    lines = f"[health]\ncoordinators = {json.dumps(coordinators)}\n"
    if escalate_to:
        lines += f'escalate_to = "{escalate_to}"\n'
    return make_config(tmp_path, lines)


def username(site: Any, user_id: int) -> str:
    return str(site.users[user_id].username)


def coordinating_mentor(site: Any) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """A mentor's username (to list as a coordinator), their pairs, and the other pairs."""
    pairs = circle_pairs(site)
    mentor = pairs[0][0]
    return username(site, mentor), [p for p in pairs if p[0] == mentor], [p for p in pairs if p[0] != mentor]


def lmsync(config: Any, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config.source), *args])
