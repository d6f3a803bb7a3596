"""Tester round 8, 9: `lmsync nudge --dry-run` said "26 message(s) about 17 pair(s)", its held text
"18 pair(s) would be nudged" and its log "planned=34": three figures, none saying what it counted."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import structlog

from lmsync.cli.health import nudge_text
from lmsync.config import Config
from lmsync.service.health import Assessment, PairView
from lmsync.service.nudges import send_nudges
from lmsync.store.queue import CoordinatorQueue
from tests.unit.health.test_nudge_messages import FakeApi, health
from tests.unit.health.test_nudge_messages import store as store  # noqa: F401  (fixture)

DAY = date(2026, 12, 16)
NOW = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)


def test_tester_round_8_9_the_dry_run_the_held_text_and_the_log_give_figures_that_agree(store):
    # mentor 66 with three pairs, 70 with one, and a fifth pair a coordinator closed as ended
    healths = (health(66, 3), health(66, 4), health(66, 5), health(70, 6), health(71, 7))
    queue = CoordinatorQueue(store, "mentoring")
    queue.offer(DAY - timedelta(days=3), health(71, 7))
    queue.done((71, 7), "closed", on=DAY - timedelta(days=1))
    views = [PairView(h, f"m{h.mentor_id:04d}", f"s{h.mentee_id:04d}") for h in healths]
    first = Assessment(DAY, views, {}, course_id=2, first_assessment=True)
    config = Config.model_validate({"programme": {"name": "mentoring"}})
    with structlog.testing.capture_logs() as logs:
        report = send_nudges(FakeApi([]), config, store, first, dry_run=True, now=NOW)  # type: ignore[arg-type]
    (done,) = [e for e in logs if e["event"] == "nudge.done"]
    text = nudge_text(report)

    assert report.first_run and report.held is not None
    assert "Would hold on 2026-12-16: 6 message(s) to 6 people about 4 pair(s)" in text  # held: round 19, 4
    assert "  5 pair(s) at risk or fading: 4 in these messages, 1 closed as ended by a coordinator (never nudged)" in text
    flagged_in_hold = re.search(r"finds (\d+) of 5 pair\(s\) at risk or fading", report.held)
    assert flagged_in_hold is not None and flagged_in_hold.group(1) == "5"  # the guard's figure is the flagged pairs
    assert "would be nudged" not in text and "would nudge" not in report.held
    assert (done["messages"], done["pairs"], done["pairs_flagged"], done["pairs_ended"]) == (6, 4, 5, 1)
    assert done["pair_nudges_planned"] == 8 == sum(len(g) for g in report.messages)  # one per pair and person
    assert "planned" not in done and "pairs_sent" not in done  # no field leaves its unit to guess


def test_round_59_9_messages_over_the_cap_while_held_are_not_said_left_for_tomorrow() -> None:
    """Tester round 59, 9: during an exam block (nothing sent today) the line said "left for tomorrow"."""
    from datetime import date

    from lmsync.service.nudges import NudgeReport

    held = NudgeReport(date(2027, 1, 11), False, "r", held="an exam block is in progress", capped=3)
    assert "3 more message(s) over [nudges] daily_cap" in nudge_text(held)
    assert "tomorrow" not in nudge_text(held)
    sending = NudgeReport(date(2027, 1, 11), False, "r", capped=3)
    assert "3 message(s) left for tomorrow by [nudges] daily_cap" in nudge_text(sending)
