"""``pair show``'s line for a queue item (tester round 3, finding 12)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from lmsync.render.pair import _queue_state


def item(**kw: object) -> SimpleNamespace:
    base = {"acked_on": None, "outcome": None, "due_on": date(2026, 12, 15), "owner": "ann", "escalated_to": None,
            "note": None, "outcome_on": None}
    return SimpleNamespace(**(base | kw))


def test_round_3_finding_12_an_acknowledged_item_is_not_shown_as_closed_and_its_note_is_shown() -> None:
    acked = _queue_state(item(acked_on=date(2026, 12, 1), note="emailed"))
    assert acked == "acknowledged 2026-12-01, no outcome yet, owner ann, note: emailed"
    done = _queue_state(item(acked_on=date(2026, 12, 3), outcome="no_action"))
    assert done == "closed 2026-12-03, owner ann, outcome no_action"
    assert _queue_state(item()) == "open, due 2026-12-15, owner ann"
