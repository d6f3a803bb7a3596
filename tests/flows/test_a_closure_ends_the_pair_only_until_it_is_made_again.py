"""Tester round 99a, 2: a closure ended a pair made again after it, on the days asked later.

README: "A closure ends the pairing it closed: made again on a later day (a pin, or the mentee moved back by hand),
the pair is a new one". A pair closed (``queue done --outcome closed``), moved back by hand two weeks later and closed
again later still: ``health --as-of`` a day between counted it "ended by a coordinator" while its own row said ok,
paired since the day it was made again; and the report's pair health over time of the same past day changed with the
report's day (made today it dated the pair's only closure from the second; made ``--as-of`` a day between it counted
the pair ended through its new pairing). One rule now (``ended_as_of.ended_spans``): a closure counts from the day it
was recorded until the pair is made again after it.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.flows.test_closed_pair_made_again_is_judged_as_new import MENTEE, MENTOR, _closed_and_apart, _on
from tests.flows.test_closed_pair_taken_out_by_hand import _mentor_of, _ok

CLOSED = date(2026, 12, 6)  # _closed_and_apart's day: judged, then closed and taken apart
BEFORE = CLOSED - timedelta(days=7)
AGAIN = CLOSED + timedelta(days=14)  # moved back by hand: a new pair
BETWEEN = AGAIN + timedelta(days=21)
SECOND = date(2027, 1, 25)  # judged, then closed again
AFTER = SECOND + timedelta(days=7)
#: whether the pair was ended by a coordinator on each snapshot day
ENDED = {BEFORE: False, CLOSED: True, AGAIN: False, BETWEEN: False, SECOND: True, AFTER: True}


def _played(home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _on(monkeypatch, BEFORE)
    _ok(home, "sync")
    _ok(home, "health")
    _closed_and_apart(home, monkeypatch)
    _on(monkeypatch, AGAIN)
    _ok(home, "emulator", "edit", "move", MENTEE, "--to", MENTOR)
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) == MENTOR
    _ok(home, "health")
    _on(monkeypatch, BETWEEN)
    _ok(home, "health")
    _on(monkeypatch, SECOND)
    _ok(home, "health")
    assert "closed recorded" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    _on(monkeypatch, AFTER)
    _ok(home, "health")


def _ended_as_of(home: Any, day: date) -> tuple[bool, dict[str, Any]]:
    """Whether ``health --as-of day`` (JSON) names the pair ended by a coordinator, and the pair's row."""
    shown = json.loads(_ok(home, "health", "--as-of", day.isoformat(), "--format", "json"))
    (row,) = [p for p in shown["pairs"] if (p["mentor"], p["mentee"]) == (MENTOR, MENTEE)]
    return row["pair"] in shown["ended_by_coordinator"], row


def _over_time(home: Any, as_of: date | None) -> dict[str, dict[str, str]]:
    """The report's pair health over time (CSV), made today or ``--as-of``: day -> its row's non-zero counts."""
    out = Path(home) / f"report-{as_of or 'today'}"
    _ok(home, "report", "--out", str(out), "--format", "csv", *(["--as-of", as_of.isoformat()] if as_of else []))
    with (out / "pair_health_over_time.csv").open(encoding="utf-8") as f:
        return {row.pop("day"): {k: v for k, v in row.items() if v != "0"} for row in csv.DictReader(f)}


def test_a_closure_ends_the_pair_only_until_it_is_made_again_whatever_the_day_asked(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _played(demo_home, monkeypatch)
    for day in (BEFORE, AGAIN, BETWEEN, SECOND, AFTER):
        ended, row = _ended_as_of(demo_home, day)
        assert ended is ENDED[day], (day, row)
        if day in (AGAIN, BETWEEN):
            assert row["paired_since"] == AGAIN.isoformat(), row  # the new pair, live that day
    text = _ok(demo_home, "health", "--as-of", BETWEEN.isoformat())
    assert "ended by a coordinator" not in text, text

    today = _over_time(demo_home, None)
    # taken apart by hand on CLOSED after its closure: not one of that day's pairs, as `health --as-of` has it, so not
    # counted on that day at all (tester round 105b, 1)
    counted = {**ENDED, CLOSED: False}
    assert {day: int(today[day.isoformat()].get("ended", 0)) for day in ENDED} == {day: int(e) for day, e in counted.items()}
    for as_of in (AGAIN, BETWEEN, SECOND):
        then = _over_time(demo_home, as_of)
        assert set(then) == {day.isoformat() for day in ENDED if day <= as_of}, as_of
        assert then == {day: row for day, row in today.items() if day in then}, as_of  # a day's figures stay
        summary = (Path(demo_home) / f"report-{as_of}" / "summary.csv").read_text(encoding="utf-8")
        assert ("pairs a coordinator ended, still flagged" in summary) is ENDED[as_of], (as_of, summary)
        flagged = (Path(demo_home) / f"report-{as_of}" / "at_risk_today.csv").read_text(encoding="utf-8")
        if as_of != AGAIN:  # made that day, ok; live and at risk on BETWEEN, so listed
            assert (f"{MENTOR},{MENTEE},at_risk" in flagged) is not ENDED[as_of], (as_of, flagged)
