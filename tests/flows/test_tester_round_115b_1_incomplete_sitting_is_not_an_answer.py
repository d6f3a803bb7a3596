"""Tester round 115b, 1: ``lmsync health`` and the report disagreed on an incomplete survey sitting.

s0020 answered only rs1-rs3 of the five relationship satisfaction items in the T0 window: the import counted the
sitting as not complete and the report's response rate (complete answers only) as not answered, but health
judged the pair ``ok`` with no ``survey_unanswered_mentee``, while mentees who did not answer at all were flagged.
An incomplete (unscored) sitting is not an answer: the pair is flagged, its reason saying it was answered in part.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_mentees_without_mentor_named import _on
from tests.flows.test_tester_round_77b_erasure import run

HEAD = """[programme]
name = "mentor-2026"
course = "MENTOR-2026"
peer_mentor_cohort = "peer-mentors-2026"
[store]
path = "t.db"
[waves]
programme_start = 2026-09-01
[waves.windows]
T0 = { offset_months = 0 }
"""
INSTRUMENT = "relationship_satisfaction_mentee"


def _reasons(home: Path) -> dict[str, list[tuple[str, str]]]:
    """Each pair's mentee username -> its reasons (code, text), from ``health --format json``."""
    shown = json.loads(run(home, "health", "--as-of", "2026-10-04", "--format", "json").output)
    pairs = shown["pairs"] if isinstance(shown, dict) else shown
    return {p["mentee"]["username"] if isinstance(p["mentee"], dict) else p["mentee"]:
            [(r["code"], r["text"]) for r in p["reasons"]] for p in pairs}


def test_a_sitting_answered_in_part_is_flagged_as_unanswered(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (cli_home / "lmsync.toml").write_text(HEAD)
    _on(monkeypatch, date(2026, 9, 1))
    run(cli_home, "sync")
    _on(monkeypatch, date(2026, 9, 28))
    items = {"s0008": 5, "s0020": 3, "s0027": 5}
    path = cli_home / "rs.csv"
    path.write_text("respondent,date,instrument,item,value,about\n" + "".join(
        f"{who},2026-09-20,{INSTRUMENT},rs{i},4,\n" for who, n in items.items() for i in range(1, n + 1)))
    said = run(cli_home, "import", "surveys", str(path)).output
    assert "3 wave score(s), 2 complete" in said, said

    _on(monkeypatch, date(2026, 10, 4))
    reasons = _reasons(cli_home)
    codes = {who: [code for code, _ in r] for who, r in reasons.items()}
    assert "survey_unanswered_mentee" not in codes["s0008"], reasons["s0008"]
    assert "survey_unanswered_mentee" not in codes["s0027"], reasons["s0027"]
    assert "survey_unanswered_mentee" in codes["s0020"], reasons["s0020"]  # was ok []
    part = dict(reasons["s0020"])["survey_unanswered_mentee"]
    assert "answered in part" in part and "T0" in part, part
    # a mentee who did not answer at all is told apart from one who answered in part
    silent = next(r for who, r in reasons.items() if who not in items)
    assert "answered in part" not in dict(silent)["survey_unanswered_mentee"], silent
