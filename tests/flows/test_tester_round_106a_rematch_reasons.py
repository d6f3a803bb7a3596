"""Tester round 106a, 2 and 3, on the emulator's demo site after one sync, with every pair open to re-matching,
stickiness 0 (moves are free) and load_balance 2.

2: two mentees who swapped mentors were each told the loads made their move ("their former mentor would have
8 mentees had they stayed, against 7 ..."), computed pair by pair: the final loads were equal and the swap
saved no load-balance cost; another was told a place went to a mentee "which the total score favours" at an
equal total. A reason must be true of the whole match.
3: ``lmsync plan`` said only "(re-matched)" of most re-match moves; every one now says the same why as
``lmsync match``, people named as the plan names them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lmsync.domain.rematch_moves import BY_TOTAL, EVEN_LOADS
from tests.flows.conftest import run_in

FREE = "at no change to the total score ([matching.weights] stickiness 0 lets pairs open to re-matching move freely)"


def _rematch_all(home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_in(home, "sync").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_REMATCH", '["*"]')
    monkeypatch.setenv("LMSYNC_MATCHING_WEIGHTS_STICKINESS", "0")
    monkeypatch.setenv("LMSYNC_MATCHING_LOAD_BALANCE", "2")


def _load_cost(loads: dict[str, int], load_balance: float) -> float:
    return sum(load_balance * n * (n - 1) / 2 for n in loads.values())


def test_round_106a_2_a_swap_is_said_at_no_change_and_a_load_reason_is_true_of_the_whole_match(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rematch_all(demo_home, monkeypatch)
    shown = run_in(demo_home, "match", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    moved = [a for a in data["assignments"] if a["origin"] == "moved" and a["cause"] == "re-matching"]
    why = {a["mentee"]: a["reasons"][-1] for a in moved}
    new_to = {a["mentor"] for a in data["assignments"] if a["origin"] in ("matched", "moved", "pinned", "returned")}
    swaps = [(x, y) for x in moved for y in moved
             if x["mentee"] < y["mentee"] and (x["previous"], x["mentor"]) == (y["mentor"], y["previous"])]
    assert swaps, "the demo's re-match at stickiness 0 swaps two mentees (the finding's case)"
    for x, y in swaps:  # loads unchanged by a swap; at stickiness 0 and the same scores, the total too: each says so
        for mentee in (x["mentee"], y["mentee"]):
            assert EVEN_LOADS not in why[mentee] and BY_TOTAL not in why[mentee], why[mentee]
            assert why[mentee].endswith(f", {FREE})"), why[mentee]
    for a in moved:
        if EVEN_LOADS in why[a["mentee"]]:
            # the former mentor took nobody new, and the mover back with them (all else equal) costs more
            assert a["previous"] not in new_to, why[a["mentee"]]
            back = {**data["loads"], a["previous"]: data["loads"][a["previous"]] + 1, a["mentor"]: data["loads"][a["mentor"]] - 1}
            assert _load_cost(back, 2) > _load_cost(data["loads"], 2), why[a["mentee"]]
    text = run_in(demo_home, "match")
    assert text.exit_code == 0, text.output
    x = swaps[0][0]
    line = " ".join(next(row for row in text.stdout.splitlines() if f"({x['mentee']})" in row.split("  ")[0]).split())
    assert "'s place went to " in line and line.endswith(f", {FREE})"), line


def test_round_106a_3_every_rematch_removal_in_the_plan_says_why(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _rematch_all(demo_home, monkeypatch)
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    removals = [" ".join(line.split()) for line in plan.output.splitlines() if line.strip().startswith("! ")]
    rematched = [line for line in removals if "(re-matched" in line]
    assert len(rematched) >= 4, plan.output
    assert not any(line.endswith("(re-matched)") for line in rematched), rematched
    data = json.loads(run_in(demo_home, "match", "--format", "json").stdout)
    swapped = next(a for a in data["assignments"] if a["origin"] == "moved" and a["reasons"][-1].endswith(f", {FREE})"))
    taker = next(a["mentee"] for a in data["assignments"] if a["mentor"] == swapped["previous"] and a["origin"] == "moved"
                 and f"went to {a['mentee']}," in swapped["reasons"][-1])
    line = next(line for line in rematched if f"({swapped['mentee']}) from " in line)
    # the taker as the plan names people: "Name (username)"
    assert "(re-matched: the circle's place went to " in line and f"({taker}), {FREE})" in line, line
    assert not line.split("went to ")[1].startswith(f"{taker},"), line
    # with [privacy] show_names = false, the username only
    config = demo_home / "lmsync.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[privacy]\nshow_names = false\n", encoding="utf-8")
    hidden = run_in(demo_home, "plan")
    assert hidden.exit_code == 0, hidden.output
    line = next(" ".join(row.split()) for row in hidden.output.splitlines() if f"! {swapped['mentee']} from " in row)
    assert line.endswith(f"(re-matched: the circle's place went to {taker}, {FREE})"), line
