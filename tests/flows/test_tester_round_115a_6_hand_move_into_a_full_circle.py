"""Tester round 115a, 6, on the built-in emulator: a mentee moved by hand into a full circle (capacity 4) is a pair
matching keeps like any other, and a member lmsync had placed there the day before moved out. The plan said only
"their mentor's circle holds more mentees than their capacity", and the run's sync line only "2 membership
change(s) planned (0 added, 2 removed)". Now `lmsync plan`, `lmsync sync --dry-run` and the run's sync line say
why: the circle is over its capacity (4) after the member placed by hand, and which pairs stay. The matching
itself is as it was (``removal_words``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.flows.test_mentees_without_mentor_named import _flat, _ok, _on

CONFIG = ('[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[matching]\ndefault_capacity = 4\n'
          '[health]\ncoordinators = ["m0012"]\n')
#: which pairs stay (``removal_words.KEPT_RULE``)
KEPT_RULE = "the pairs that meet most, then the best fits, then the oldest, stay"
#: the mentors with room in the demo course, and their capacity cut to the mentees they hold: no room anywhere
FULL = {"m0001": "7", "m0002": "6", "m0007": "6", "m0008": "5"}
NEWCOMER = ("--field", "department=Psychiatry", "--field", "interests=Public health, Neurology, Medical education",
            "--field", "languages=English, Swahili, Spanish")


def _full_circle_of_m0005(home: Any, monkeypatch: Any) -> None:
    """Every mentor full; s0047 taken out of its circle by hand and put back by lmsync, then, a day later, Nia
    Newcomer (s9001), a good fit, moved by hand into Camille Okafor (m0005)'s full circle (capacity 4)."""
    (home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 3, 10))
    _ok(home, "run")
    for mentor, capacity in FULL.items():
        _ok(home, "emulator", "edit", "field", mentor, "mentorcapacity", capacity)
    _ok(home, "emulator", "edit", "move", "s0047", "--out")
    _ok(home, "run")
    _on(monkeypatch, date(2026, 3, 11))
    _ok(home, "emulator", "edit", "join", "s9001", "--name", "Nia Newcomer", *NEWCOMER)
    _ok(home, "emulator", "edit", "move", "s9001", "--to", "m0005")


def test_plan_dry_run_and_run_say_why_a_hand_move_into_a_full_circle_takes_a_member_out(cli_home: Any,
                                                                                           monkeypatch: Any) -> None:
    home = cli_home
    _full_circle_of_m0005(home, monkeypatch)
    listed = json.loads(_ok(home, "match", "--format", "json"))  # the matching is as it was: s9001 kept
    assert {"mentee": "s9001", "mentor": "m0005", "origin": "kept"}.items() <= next(
        a for a in listed["assignments"] if a["mentee"] == "s9001").items()
    (out,) = listed["unmatched"]  # a member of m0005's circle, with no mentor: no room anywhere
    assert (out["previous"], out["cause"]) == ("m0005", "over capacity"), out
    who = f"({out['mentee']}) from Camille Okafor (m0005)'s circle"
    why = f"the circle is over its capacity (4) after Nia Newcomer (s9001) was placed there by hand ({KEPT_RULE})"
    said = f"{who} (left with no mentor: {why}; no capacity left"
    plan = _flat(_ok(home, "plan"))
    assert said in plan, plan
    assert "holds more mentees than their capacity; no capacity" not in plan, plan
    assert said in _flat(_ok(home, "sync", "--dry-run"))
    run = _ok(home, "run")
    line = _flat(next(line for line in run.splitlines() if line.startswith("sync")))
    assert "1 membership change(s) planned (0 added, 1 removed: " in line, line
    assert (f"{who}, left with no mentor: the circle is over its capacity (4) after Nia Newcomer (s9001) was placed "
            "there by hand); 1 mentee(s) without a mentor") in line, line

def test_a_mentee_moved_by_hand_and_moved_back_is_told_they_were_placed_there_by_hand(cli_home: Any,
                                                                                      monkeypatch: Any) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 3, 10))
    _ok(home, "run")
    _on(monkeypatch, date(2026, 3, 11))
    _ok(home, "emulator", "edit", "move", "s0001", "--to", "m0005")  # a weaker fit there than its members
    plan = _flat(_ok(home, "plan"))
    assert ("! Dmitri Kim (s0001) from Camille Okafor (m0005)'s circle (re-matched: the circle is over its capacity "
            f"(4) after they were placed there by hand ({KEPT_RULE}))") in plan, plan
    line = _flat(next(line for line in _ok(home, "run").splitlines() if line.startswith("sync")))
    assert ("(1 added, 1 removed: Dmitri Kim (s0001) from Camille Okafor (m0005)'s circle, re-matched: the circle is "
            "over its capacity (4) after they were placed there by hand)") in line, line
