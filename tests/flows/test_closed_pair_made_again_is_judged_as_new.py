"""Tester round 97a, 1, 2 and 4: a pair's start, as health, ``pair show`` and the coordinator queue decide it.

README: "A closure ends the pairing it closed: made again on a later day (a pin, or the mentee moved back by hand),
the pair is a new one, judged, nudged and queued like any other", and a pair's start is "the programme's start, the
pairing lmsync made, or ... the day it first saw it".

1. A pair closed (``queue done --outcome closed``), taken apart and made again a week later was judged as the closed
   pairing: "no meeting since pairing 45 days ago, 7 of them apart", ``paired_since`` the closed pairing's first day.
2. Made again and fading within ``[health] requeue_after_days`` of the closure, it was "snoozed" by the closed item
   of the old pairing: not queued while health listed it fading and ``nudge`` nudged it as a new pair.
4. A missed meeting logged two months before lmsync's first sync paired them (``[waves] programme_start`` set) was
   taken as the pair's start: "fading, no meeting since pairing 61 days ago" on the day lmsync made the pair, while
   the pairs with no record were ok and ``pair show`` said "paired since" that day.

The clock, and the instants the pairing history and the queue write, are moved day by day (``_on``).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.service import programme_settings
from lmsync.store import pairings, queue
from tests.flows.test_closed_pair_taken_out_by_hand import _mentor_of, _ok

MENTOR, MENTEE = "m0011", "s0001"  # the demo pairs them (the probe in ``_closed_and_apart`` says so)
CLOSED = date(2026, 12, 6)
AGAIN = CLOSED + timedelta(days=7)


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Noon UTC on ``day`` for the clock, and for the instants the pairing history and the queue record."""
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(programme_settings, "clock", lambda: noon)
    for module in (pairings, queue):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": noon.isoformat(timespec=timespec))


def _closed_and_apart(home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Synced and judged on ``CLOSED``, the pair closed by a coordinator and its mentee taken out by hand: the
    sync matches them with another mentor."""
    _on(monkeypatch, CLOSED)
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) == MENTOR
    _ok(home, "health")
    assert "closed recorded" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    _ok(home, "emulator", "edit", "move", MENTEE, "--out")
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) not in (None, MENTOR)


def _pinned_again(home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_closed_and_apart``, then a ``[matching] pins`` entry makes the pair again on ``AGAIN``."""
    _closed_and_apart(home, monkeypatch)
    with (home / "lmsync.toml").open("a") as config:
        config.write(f'\n[matching]\npins = [["{MENTEE}", "{MENTOR}"]]\n')
    _on(monkeypatch, AGAIN)
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) == MENTOR


def _row(home: Any, day: date) -> dict[str, str]:
    """The pair's row of ``lmsync health --format csv`` run on ``day``."""
    rows = list(csv.DictReader(io.StringIO(_ok(home, "health", "--format", "csv", "--as-of", day.isoformat()))))
    (row,) = [r for r in rows if (r["mentor"], r["mentee"]) == (MENTOR, MENTEE)]
    return row


def test_a_closed_pair_moved_back_by_hand_is_judged_from_the_day_it_was_made_again(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _closed_and_apart(demo_home, monkeypatch)
    _on(monkeypatch, AGAIN)
    _ok(demo_home, "emulator", "edit", "move", MENTEE, "--to", MENTOR)
    _ok(demo_home, "sync")
    assert _mentor_of(demo_home, MENTEE) == MENTOR
    later = AGAIN + timedelta(days=38)
    _on(monkeypatch, later)
    row = _row(demo_home, later)
    assert row["paired_since"] == AGAIN.isoformat(), row
    assert "no meeting since pairing 38 days ago (expected every 14)" in row["reasons"], row
    assert "apart" not in row["reasons"], row
    shown = _ok(demo_home, "pair", "show", MENTOR, MENTEE)
    assert (f"since {AGAIN.isoformat()} (made again after a coordinator closed the pair on {CLOSED.isoformat()}: "
            "a new pair)") in shown, shown


def test_a_closed_pair_pinned_again_is_judged_from_the_day_the_pin_made_it(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _pinned_again(demo_home, monkeypatch)
    later = AGAIN + timedelta(days=28)
    _on(monkeypatch, later)
    row = _row(demo_home, later)
    assert row["paired_since"] == AGAIN.isoformat(), row
    assert "no meeting since pairing 28 days ago (expected every 14)" in row["reasons"], row
    assert "apart" not in row["reasons"], row


def test_a_closed_pair_made_again_and_fading_is_queued_at_once(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _pinned_again(demo_home, monkeypatch)
    judged = AGAIN + timedelta(days=7)  # 14 days after the closure: inside requeue_after_days (28)
    _on(monkeypatch, judged)
    for days in (1, 2, 3):  # the new pair's first three meetings were all missed: fading
        _ok(demo_home, "meetings", "add", "--date", (AGAIN + timedelta(days=days)).isoformat(), "--mentor", MENTOR,
            "--mentee", MENTEE, "--minutes", "30", "--absent")
    _ok(demo_home, "health")
    assert _row(demo_home, judged)["status"] == "fading"
    listed = _ok(demo_home, "queue", "list")
    assert f"({MENTOR}) / " in listed and f"({MENTEE})  fading  item open since {judged.isoformat()}" in listed, listed


def test_a_missed_meeting_dated_before_lmsync_paired_them_does_not_move_the_pair_start(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with (demo_home / "lmsync.toml").open("a") as config:
        config.write("\n[waves]\nprogramme_start = 2026-09-01\n")
    _on(monkeypatch, CLOSED)
    _ok(demo_home, "sync")  # lmsync's first sync pairs them today
    assert _mentor_of(demo_home, MENTEE) == MENTOR
    _ok(demo_home, "meetings", "add", "--date", "2026-10-06", "--mentor", MENTOR, "--mentee", MENTEE,
        "--minutes", "30", "--absent")
    row = _row(demo_home, CLOSED)
    assert (row["status"], row["paired_since"], row["reasons"]) == ("ok", CLOSED.isoformat(), ""), row
    assert f"paired since {CLOSED.isoformat()}" in _ok(demo_home, "pair", "show", MENTOR, MENTEE)
