"""Tester round 100b, 1 and 4: a pair a coordinator ended said so only in the text's counts.

1. ``lmsync health`` counted a pair closed (``queue done --outcome closed``) as "ended by a coordinator" in its head
   line, while its CSV row said ``watch`` and no column said it ended (CSV statuses added up to other counts than the
   text's), and in JSON the mark was only in the top-level ``ended_by_coordinator`` list. Each pair's row now carries
   ``ended_by_coordinator`` (the last CSV column), and the head line's counts are the rows'.
4. ``pair show`` of a pair closed, made again and closed again said "since" the day it was made again, JSON
   ``until`` null, while health the same day counted it ended; the second closure only in the queue items. Its header
   now says since when a coordinator ended it (``ended_as_of.ended_spans``, the rule health counts by), and JSON
   carries ``ended_by_coordinator_on``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import pytest

from tests.flows.test_a_closure_ends_the_pair_only_until_it_is_made_again import AFTER, AGAIN, BETWEEN, SECOND
from tests.flows.test_closed_pair_made_again_is_judged_as_new import MENTEE, MENTOR, _closed_and_apart, _on
from tests.flows.test_closed_pair_taken_out_by_hand import _mentor_of, _ok


def _closed_made_again_and_closed_again(home: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Closed and taken apart, moved back by hand, closed again (the tester's history); ``pair show`` (JSON and
    text) on the day between, while the new pair was live, keyed ``between_json`` and ``between_text``."""
    _closed_and_apart(home, monkeypatch)
    _on(monkeypatch, AGAIN)
    _ok(home, "emulator", "edit", "move", MENTEE, "--to", MENTOR)
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) == MENTOR
    _ok(home, "health")
    _on(monkeypatch, BETWEEN)
    _ok(home, "health")
    seen = {"between_json": json.loads(_ok(home, "pair", "show", MENTOR, MENTEE, "--format", "json")),
            "between_text": _ok(home, "pair", "show", MENTOR, MENTEE)}
    _on(monkeypatch, SECOND)
    _ok(home, "health")
    assert "closed recorded" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    _on(monkeypatch, AFTER)
    _ok(home, "health")
    return seen


def _derived_counts(rows: list[dict[str, Any]], ended: Any) -> dict[str, int]:
    """The head line's counts from the rows alone: ``ended`` the rows marked, each status the unmarked ones."""
    counts = Counter("ended" if row["ended_by_coordinator"] == ended else row["status"] for row in rows)
    return dict(counts)


def test_a_pair_ended_by_a_coordinator_says_so_in_its_own_health_row(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _closed_made_again_and_closed_again(demo_home, monkeypatch)
    for as_of in ([], ["--as-of", AFTER.isoformat()]):
        shown = json.loads(_ok(demo_home, "health", "--format", "json", *as_of))
        pair = next(p for p in shown["pairs"] if (p["mentor"], p["mentee"]) == (MENTOR, MENTEE))
        assert pair["ended_by_coordinator"] is True, pair
        assert [p["pair"] for p in shown["pairs"] if p["ended_by_coordinator"]] == shown["ended_by_coordinator"]
        assert _derived_counts(shown["pairs"], True) == {k: n for k, n in shown["counts"].items() if n}, shown["counts"]

        text = _ok(demo_home, "health", "--format", "csv", *as_of)
        header = text.splitlines()[0].split(",")
        assert header[-1] == "ended_by_coordinator" and header[:3] == ["pair", "mentor_id", "mentor"], header
        rows = list(csv.DictReader(io.StringIO(text)))
        (row,) = [r for r in rows if (r["mentor"], r["mentee"]) == (MENTOR, MENTEE)]
        assert row["ended_by_coordinator"] == "yes", row
        assert {r["ended_by_coordinator"] for r in rows if r is not row} == {"no"}
        assert _derived_counts(rows, "yes") == {k: n for k, n in shown["counts"].items() if n}


def test_pair_show_says_a_pair_made_again_and_closed_again_is_ended_by_a_coordinator(
        demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    between = _closed_made_again_and_closed_again(demo_home, monkeypatch)
    assert between["between_json"]["ended_by_coordinator_on"] is None  # the new pair, live that day
    assert "ended by a coordinator" not in between["between_text"], between["between_text"]

    shown = json.loads(_ok(demo_home, "pair", "show", MENTOR, MENTEE, "--format", "json"))
    assert shown["ended_by_coordinator_on"] == SECOND.isoformat(), shown
    assert shown["paired"][-1] == {"from": AGAIN.isoformat(), "until": None, "ended_with_hold": None}, shown["paired"]
    text = _ok(demo_home, "pair", "show", MENTOR, MENTEE)
    assert f"ended by a coordinator since {SECOND.isoformat()}" in text, text
    health = json.loads(_ok(demo_home, "health", "--format", "json"))
    assert f"{shown['pair']}" in health["ended_by_coordinator"]  # the same day, the same word
