"""Tester round 103a, 7: one long name broke the whole text table.

A ``lmsync match --people`` file with a 5,000-character ``fullname`` padded every line of the text output to
5,000-10,000 characters. A padded text cell is now cut to ``CELL_WIDTH`` columns with ``…`` (an ID, and a
label's ``(username)``, kept whole); JSON and CSV keep every value whole.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.render.formats import display_width, render
from lmsync.render.views import Column, Table

HEADER = "id,role,capacity,department,fullname\n"
LONG = "Bartholomew " + "x" * 5000


def _match(tmp_path: Path, *args: str) -> str:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + f"m1,mentor,2,Surgery,{LONG}\nm2,mentor,2,Surgery,Mentor Two\n"
                      "e1,mentee,,Surgery,Ella One\ne2,mentee,,Surgery,Eli Two\ne3,mentee,,Surgery,Eve Three\n",
                      encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_a_5000_character_name_leaves_the_text_table_narrow_and_csv_whole(tmp_path: Path) -> None:
    text = _match(tmp_path)
    lines = text.splitlines()
    assert max(len(line) for line in lines) < 300
    cut = [line for line in lines if "Bartholomew xxx" in line]
    assert cut and all("… (m1)" in line for line in cut)  # the username stays whole
    rows = list(csv.DictReader(io.StringIO(_match(tmp_path, "--format", "csv"))))
    assert any(row["mentor"] == f"{LONG} (m1)" for row in rows)


def test_only_padded_cells_are_cut_and_ids_stay_whole() -> None:
    from lmsync.render.formats import CELL_WIDTH

    username = "u" * 90  # an ID without spaces, longer than CELL_WIDTH: whole
    table = Table("t", (Column("who"), Column("id"), Column("why")), [
        {"who": "N" * 200 + " (s1)", "id": username, "why": "because " * 20},
        {"who": "名" * 100, "id": 7, "why": "short"},
    ])
    lines = render(table, "text").splitlines()
    assert lines[1].startswith("N" * (CELL_WIDTH - 6) + "… (s1)  ")
    assert username in lines[1]
    assert lines[1].endswith(("because " * 20).rstrip())  # the last column is never padded: kept whole
    assert CELL_WIDTH - 2 <= display_width(lines[2].split("  ")[0]) <= CELL_WIDTH and "…" in lines[2]
    data = json.loads(render(table, "json"))
    assert data[0]["who"] == "N" * 200 + " (s1)" and data[1]["who"] == "名" * 100
    assert next(csv.DictReader(io.StringIO(render(table, "csv"))))["who"] == "N" * 200 + " (s1)"
