"""Names from Moodle profiles and CSV files cannot act on the coordinator's terminal (tester round 43).

A student can put an escape sequence or a right-to-left override in their own name. Printed
raw, ``ESC ] 0;...BEL`` retitles the terminal and U+202E shows a name reversed; click strips
colour codes only when the output is not a terminal, never these. The text renderer and every
message print them as escapes, and so do people's labels and CSV cells; JSON escapes them itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.render.formats import render
from lmsync.render.views import ALL, Column, Document, Field, Note, Table
from lmsync.visible import visible

TITLE = "Ann \x1b]0;pwned\x07"  # sets the terminal's title
REVERSED = "Dr \u202eliveD"  # shows as "Dr Devil"


def test_control_and_bidi_characters_print_as_escapes_and_other_text_is_unchanged() -> None:
    assert visible(TITLE) == "Ann \\x1b]0;pwned\\x07"
    assert visible(REVERSED) == "Dr \\u202eliveD"
    assert visible("a\x85b\x7fc") == "a\\x85b\\x7fc"  # C1 and DEL are controls too
    assert visible("one\ntwo", keep="\n") == "one\ntwo"
    assert visible("one\ntwo") == "one\\ntwo"  # a cell keeps to its line
    # right-to-left letters and marks (a Hebrew name may hold RLM: tester round 45, 9), joiners, wide text
    for kept in ("Zahra زهرا", "\u05e9\u05e8\u05d4\u200f", "👩\u200d⚕️ Dr", "Ｔ1 北京", "plain"):
        assert visible(kept) == kept


def test_the_text_renderer_escapes_every_place_a_name_can_stand() -> None:
    table = Table("pairs", (Column("mentee"),), rows=({"mentee": TITLE},), title=f"circle of {REVERSED}",
                  footer=f"1 pair with {TITLE}")
    view = Document((Note(f"about {TITLE}\nsecond line"), Field("mentor", REVERSED, label="mentor", formats=ALL), table))
    out = render(view, "text")
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "Ann \\x1b]0;pwned\\x07" in out and "Dr \\u202eliveD" in out
    assert "\nsecond line" in out  # a note's own line breaks stay
    # JSON means the same characters (its own escapes); CSV printed to a terminal ran them (tester round 44, 2)
    assert json.loads(render(table, "json"))[0]["mentee"] == TITLE
    assert "Ann \\x1b]0;pwned\\x07" in render(table, "csv") and "\x1b" not in render(table, "csv")


def test_match_on_a_csv_prints_a_hostile_name_as_escapes_in_the_table_and_in_an_error(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(f'id,role,capacity,department,fullname\nm1,mentor,2,law,"{REVERSED}"\ns1,mentee,,law,"{TITLE}"\n',
                      encoding="utf-8")
    env = {"XDG_STATE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    result = CliRunner().invoke(main, ["match", "--people", str(people)], env=env)
    assert result.exit_code == 0, result.output
    assert "Ann \\x1b]0;pwned\\x07 (s1)" in result.output and "Dr \\u202eliveD (m1)" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    people.write_text(f"id,role\nx{TITLE},mentee\nx{TITLE},mentee\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["match", "--people", str(people)], env=env)
    assert refused.exit_code != 0
    # the title's ";" is a list separator: the id is refused for it (tester round 82, 4), still as escapes
    assert "holds a comma or semicolon" in refused.output and "\\x1b]0;pwned\\x07" in refused.output
    assert "\x1b" not in refused.output


def test_a_line_break_in_a_name_cannot_forge_a_line_of_a_printed_plan() -> None:
    """Tester round 44, 1: a student named "Zed\\n  ! remove member: Everyone from every circle" printed
    that second line on its own inside the plan an admin approves."""
    from dataclasses import dataclass

    from lmsync.service.labels import People

    @dataclass
    class User:
        username: str
        fullname: str

    forged = "Zed\n  ! remove member: Everyone from every circle\nPlan for"
    people = People({7: User("s0204", forged)})
    assert "\n" not in people.label(7) and people.label(7).startswith("Zed\\n  ! remove member")
    assert "\n" not in people.pair(7, 7)
