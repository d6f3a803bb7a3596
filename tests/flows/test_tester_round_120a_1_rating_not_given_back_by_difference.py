"""Tester round 120a, 1, as the tester ran it: six mentees rate their mentor at T0, five of them again at T2.
The report's wave table (T0: n 6, mean 3.667) and its programme evaluation (n 5, mean before 4.2) gave the sixth
mentee's T0 rating back: 6 x 3.667 - 5 x 4.2 = 1.0. The evaluation now shows its change without the means
before and after, and T2's mean is withheld (with T0's mean and the change it would give the T0 total of the
five back), in the CSV files, the HTML page and an ``--as-of`` report alike; T0's mean reads as it did before T2
closed."""

from __future__ import annotations

import csv
import html
from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import _at, run

CONFIG = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
forum = "Mentoring circles"
peer_mentor_cohort = "peer-mentors-2026"
[store]
path = "m.db"
[waves]
programme_start = 2026-09-07
[waves.windows]
T0 = { start = 2026-09-07, end = 2026-09-20 }
T2 = { start = 2026-11-02, end = 2026-11-15 }
[instruments.relationship_satisfaction_mentee]
"""
T0 = {"s0037": 5, "s0041": 4, "s0046": 3, "s0056": 5, "s0008": 4, "s0029": 1}
T2 = {"s0037": 5, "s0041": 4, "s0046": 2, "s0056": 5, "s0008": 4}


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _surveys(home: Path, day: str, answers: dict[str, int]) -> Path:
    path = home / f"{day}.csv"
    lines = ["respondent,date,instrument,item,value,about"]
    for who, value in answers.items():
        about = "m0001" if who == "s0008" else "m0003"
        lines += [f"{who},{day},relationship_satisfaction_mentee,rs{i},{value if i != 4 else 6 - value},{about}"
                  for i in range(1, 6)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _given_back(folder: Path) -> float | None:
    """The tester's arithmetic on a report's CSV files: the T0-only mentee's score, when both figures are there."""
    wave = next(r for r in _rows(folder, "relationship_satisfaction") if r["wave"] == "T0")
    paired = next(r for r in _rows(folder, "programme_evaluation") if r["group"] == "all")
    if not (wave["mean"] and paired["mean_before"]):
        return None
    return round(int(wave["n"]) * float(wave["mean"]) - int(paired["n"]) * float(paired["mean_before"]), 2)


def test_round_120a_1_the_t0_only_mentees_rating_is_not_in_the_report(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _at(monkeypatch, date(2026, 9, 7), hour=9)
    run(home, "run")
    _at(monkeypatch, date(2026, 10, 1), hour=9)
    assert "30 rows" in run(home, "import", "surveys", str(_surveys(home, "2026-09-12", T0))).output
    run(home, "report", "--format", "csv", "--out", "october")  # T0 closed, T2 not begun: T0's mean shown
    _at(monkeypatch, date(2026, 11, 20), hour=9)
    assert "25 rows" in run(home, "import", "surveys", str(_surveys(home, "2026-11-06", T2))).output
    run(home, "report", "--format", "csv", "--out", "out")
    run(home, "report", "--format", "csv", "--out", "asof", "--as-of", "2026-11-16")
    run(home, "report", "--out", "r.html")

    october = next(r for r in _rows(home / "october", "relationship_satisfaction") if r["wave"] == "T0")
    for folder in (home / "out", home / "asof"):
        assert _given_back(folder) is None
        waves = {r["wave"]: r for r in _rows(folder, "relationship_satisfaction")}
        assert (waves["T0"]["n"], waves["T0"]["mean"]) == ("6", "3.667") == (october["n"], october["mean"])
        assert waves["T2"]["n"].startswith("5, mean withheld") and waves["T2"]["mean"] == waves["T2"]["sd"] == ""
        paired = next(r for r in _rows(folder, "programme_evaluation") if r["group"] == "all")
        assert paired["n"].startswith("5, means before and after withheld")
        assert "fewer than 5 people's answers" in paired["n"]
        assert (paired["mean_before"], paired["mean_after"], paired["mean_change"]) == ("", "", "-0.2")
    page = html.unescape((home / "r.html").read_text(encoding="utf-8"))
    assert "T0 mean 3.67 (n 6), T2: n 5, mean withheld (beside the programme evaluation" in page
    evaluation = page[page.index('<table class="evaluation">'):]
    evaluation = evaluation[: evaluation.index("</table>")]
    assert ">4.20<" not in evaluation and ">4.00<" not in evaluation and "5, means before and after withheld" in evaluation
