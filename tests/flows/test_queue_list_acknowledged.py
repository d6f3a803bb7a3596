"""`queue list` shows the items acknowledged and still without an outcome (`queue done` takes
them), marked as such, after the open ones: a coordinator's `queue ack` no longer makes the item
vanish from the list while it still waits for what was done."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason
from lmsync.render.health import queue_view
from lmsync.service.directory import read_roster_of
from lmsync.service.labels import People
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from tests.flows.test_cli_language import home as home  # noqa: F401  (fixture)
from tests.flows.test_cli_language import programme as programme  # noqa: F401  (fixture)
from tests.flows.test_cli_language import run

OPENED = date(2026, 11, 1)


def _queue(config: Config, mentor_id: int, mentee_id: int) -> None:
    store = Store(config.store_path())
    try:
        health = PairHealth(mentor_id, mentee_id, "fading", (Reason("no_meeting", "fading", "No meeting."),),
                            date(2026, 9, 1), None, 60)
        CoordinatorQueue(store, config.programme.name).offer(OPENED, health)
    finally:
        store.close()


def test_an_acknowledged_item_without_an_outcome_stays_listed_marked_as_such(programme: Any) -> None:  # noqa: F811
    config, mentor, mentee = programme
    other = next(u for u in read_roster_of(config).values()
                 if "student" in u.roles and u.id != mentee.id and u.username)
    _queue(config, mentor.id, mentee.id)
    _queue(config, mentor.id, other.id)
    acked = run("queue", "ack", mentor.username, mentee.username, "--note", "Called them")
    assert acked.exit_code == 0, acked.output

    data = json.loads(run("queue", "list", "--format", "json").stdout)
    by_mentee = {row["mentee"]["id"]: row for row in data}
    assert set(by_mentee) == {mentee.id, other.id}
    waiting, still_open = by_mentee[mentee.id], by_mentee[other.id]
    assert waiting["state"] == "awaiting_outcome" and waiting["acknowledged_on"] is not None
    assert waiting["due"] is None  # acknowledged: not chased
    assert still_open["state"] == "open" and still_open["acknowledged_on"] is None and still_open["due"]
    assert data[0] is still_open or data[0]["mentee"]["id"] == other.id  # the open items first

    text = run("queue", "list").stdout
    line = next(line for line in text.splitlines() if f"{mentee.fullname} ({mentee.username})" in line)
    assert f"acknowledged {waiting['acknowledged_on']}, awaiting outcome" in line
    open_line = next(line for line in text.splitlines() if f"({other.username})" in line)
    assert "acknowledged" not in open_line and "due " in open_line
    assert "1 open item(s), 1 acknowledged awaiting an outcome" in text
    # the coordinator's own note, and a met, read in the list (tester round 86b, 12: only pair show had them)
    assert line.endswith("  note: Called them") and waiting["note"] == "Called them" and still_open["note"] is None
    assert run("queue", "done", mentor.username, other.username, "--outcome", "met").exit_code == 0
    met_line = next(line for line in run("queue", "list").stdout.splitlines() if f"({other.username})" in line)
    assert "  outcome met recorded " in met_line

    done = run("queue", "done", mentor.username, mentee.username, "--outcome", "no_action")
    assert done.exit_code == 0, done.output
    after = json.loads(run("queue", "list", "--format", "json").stdout)
    assert [row["mentee"]["id"] for row in after] == [other.id]  # an outcome takes it off the list

    # the older MENTOR_ID-MENTEE_ID key, as `queue ack` and README take it (tester round 8, 3)
    by_key = run("queue", "done", f"{mentor.id}-{other.id}", "--outcome", "no_action")
    assert by_key.exit_code == 0, by_key.output
    assert json.loads(run("queue", "list", "--format", "json").stdout) == []


def test_an_item_acknowledged_and_queued_again_is_listed_once_as_open() -> None:
    """A pair queued again after its ack has one open item; its older acknowledged one is not
    listed beside it (``queue done`` records the outcome on the open one)."""
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", requeue_after_days=0)
    health = PairHealth(66, 3, "fading", (Reason("no_meeting", "fading", "No meeting."),), date(2026, 9, 1), None, 60)
    queue.offer(OPENED, health)
    queue.ack((66, 3), on=date(2026, 11, 2))
    assert [i.acked_on for i in queue.awaiting_outcome()] == [date(2026, 11, 2)]
    assert queue.offer(date(2026, 11, 3), health) == "added"
    assert queue.awaiting_outcome() == [] and [i.pair for i in queue.open_items()] == [(66, 3)]
    store.close()


def test_the_footer_counts_only_open_items_when_none_waits_for_an_outcome() -> None:
    assert queue_view([], People()).footer == (
        "0 open item(s); `lmsync queue done MENTOR MENTEE --outcome ...` closes one"
    )
