"""Tester round 98a, 3: a closed pair made again by a pin could not be closed again.

README: "A closure ends the pairing it closed: made again on a later day (a pin, or the mentee moved back by hand),
the pair is a new one, judged, nudged and queued like any other", and ``queue done ... --outcome closed`` works "for a
current pair with no item that the latest `lmsync health` judged".

The new pair, judged at risk and never queued, took ``queue done --outcome closed`` as "closed was already recorded on
<the old closure's day>, so it is not recorded again": nothing was recorded, and the pair, fading later, was queued and
nudged. ``queue ack`` said the old pairing's item "was closed". A pair NOT made again still says "already recorded".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.flows.conftest import run_in
from tests.flows.test_closed_pair_made_again_is_judged_as_new import (
    AGAIN,
    CLOSED,
    MENTEE,
    MENTOR,
    _closed_and_apart,
    _on,
    _pinned_again,
)
from tests.flows.test_closed_pair_taken_out_by_hand import _ok

JUDGED = AGAIN + timedelta(days=28)  # the new pair, never met: at risk or fading, judged by health


def test_a_pair_pinned_again_after_its_closure_is_closed_again_and_then_ended(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _pinned_again(demo_home, monkeypatch)
    _on(monkeypatch, JUDGED)
    _ok(demo_home, "health")
    said = _ok(demo_home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    assert "closed recorded" in said and "already recorded" not in said, said
    again = _ok(demo_home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    assert f"closed was already recorded on {JUDGED.isoformat()}" in again, again  # the new closure, once
    later = JUDGED + timedelta(days=30)
    _on(monkeypatch, later)
    health = _ok(demo_home, "health")
    assert "1 ended by a coordinator" in health, health
    listed = _ok(demo_home, "queue", "list")
    assert f"({MENTEE})" not in listed, listed  # ended: never queued
    nudges = _ok(demo_home, "nudge", "--dry-run")
    assert f"({MENTEE})" not in nudges and MENTEE not in nudges, nudges  # nor nudged


def test_queue_ack_on_a_pair_pinned_again_does_not_name_the_old_pairings_closed_item(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _pinned_again(demo_home, monkeypatch)
    _on(monkeypatch, JUDGED)
    _ok(demo_home, "health")
    result = run_in(demo_home, "queue", "ack", MENTOR, MENTEE)
    assert result.exit_code != 0
    assert "no open item in the coordinator queue" in result.output, result.output
    assert "was closed on" not in result.output, result.output


def test_a_closed_pair_not_made_again_still_says_already_recorded(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _closed_and_apart(demo_home, monkeypatch)
    _on(monkeypatch, AGAIN)
    _ok(demo_home, "health")
    said = _ok(demo_home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    assert f"closed was already recorded on {CLOSED.isoformat()}, so it is not recorded again" in said, said
