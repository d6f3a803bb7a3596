"""Tester round 114b, 6: ranked-preference scores printed as odd decimals.

Three mentees each ranking a;b;c, each mentor with capacity 1: ``lmsync match --people`` showed ``1.33301`` and
``0.666992`` in text, ``1.3330078125`` and ``0.6669921875`` in CSV (scores are kept exact as multiples of 1/1024).
Text and CSV now show scores to two decimals, a pair's terms adding up to its score as shown, and say the figures
are rounded; JSON keeps them exact.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main

ROWS = "id,role,capacity,preferences,fullname\na,mentor,1,,Ann A\nb,mentor,1,,Bob B\nc,mentor,1,,Cat C\n" + "".join(
    f"{m},mentee,,a;b;c,{m.upper()} {m.upper()}\n" for m in ("x", "y", "z"))


def _match(tmp_path: Path, *args: str, rows: str = ROWS, toml: str = "") -> str:
    (tmp_path / "p.csv").write_text(rows, encoding="utf-8")
    (tmp_path / "lmsync.toml").write_text(toml, encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "match", "--people",
                                    str(tmp_path / "p.csv"), *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_round_114b_6_ranked_choices_score_plainly_in_text_and_csv(tmp_path: Path) -> None:
    text = _match(tmp_path)
    assert "1.33301" not in text and "0.666992" not in text, text
    scores = sorted(line.split()[-6] for line in text.splitlines() if "choice of 3" in line)
    assert scores == ["0.67", "1.33", "2"], text
    assert "total score 4 maximised (scores rounded to 2 decimals; --format json has them unrounded)" in text
    rows = list(csv.DictReader(io.StringIO(_match(tmp_path, "--format", "csv"))))
    assert sorted((r["score"], r["terms"]) for r in rows) == [
        ("0.67", "preference=0.67"), ("1.33", "preference=1.33"), ("2", "preference=2")], rows
    data = json.loads(_match(tmp_path, "--format", "json"))  # JSON keeps every figure exact
    assert sorted(a["score"] for a in data["assignments"]) == [0.6669921875, 1.3330078125, 2.0]


def test_round_114b_6_a_pairs_terms_add_up_to_its_score_as_shown(tmp_path: Path) -> None:
    """Each term rounded on its own could miss the score shown by a hundredth; the largest remainder takes it."""
    from lmsync.domain.score_figures import apportioned, figure, shown  # new with the fix

    tiny = 5 / 1024  # 0.0048828125: each rounds to 0, the two together to 0.01
    assert apportioned({"a": tiny, "b": tiny}, 2 * tiny) == {"a": 0.01, "b": 0.0}
    assert apportioned({"preference": 1.3330078125, "shared_interests": 0.900390625}, 2.2333984375) == {
        "preference": 1.33, "shared_interests": 0.9}
    assert (shown(0.6669921875), figure(0.6669921875), figure(2.0), figure(1_250_000.5), figure(0.125)) == (
        0.67, "0.67", "2", "1250000.5", "0.13")
    rows = ("id,role,capacity,interests,preferences,fullname\na,mentor,1,chess,,Ann A\nb,mentor,1,,,Bob B\n"
            "x,mentee,,chess,b;a,X X\ny,mentee,,,b;a,Y Y\n")
    toml = "[matching.weights]\nshared_interests = 0.3\nsame_department = 0\n"
    for row in csv.DictReader(io.StringIO(_match(tmp_path, "--format", "csv", rows=rows, toml=toml))):
        terms = dict(term.split("=") for term in row["terms"].split(";"))
        assert all(len(v.partition(".")[2]) <= 2 for v in [row["score"], *terms.values()]), row
        assert round(sum(float(v) for v in terms.values()), 2) == float(row["score"]), row
