"""Issue 12, "Views once": the one set of renderers (text, JSON, CSV) on the view vocabulary."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from lmsync.errors import InputError
from lmsync.render.formats import csv_cell, render
from lmsync.render.views import JSON_CSV, TEXT, Column, Document, Field, Note, Shown, Table

ADA = Shown({"id": 6, "username": "s0006", "name": "Ada Lovelace"}, "Ada Lovelace (s0006)")
BOB = Shown({"id": 70, "username": "t1", "name": "Bob"}, "Bob (t1)")
COLUMNS = (Column("day"), Column("who"), Column("minutes", "min", align=">"), Column("note", formats=JSON_CSV))


def _table(**kwargs: object) -> Table:
    rows = [
        {"day": date(2026, 10, 5), "who": ADA, "minutes": 40, "note": None},
        {"day": date(2026, 10, 12), "who": BOB, "minutes": 5, "note": "short"},
    ]
    return Table("meetings", COLUMNS, rows, **kwargs)  # type: ignore[arg-type]


def test_text_aligns_columns_on_the_widest_cell_and_right_aligns_numbers() -> None:
    out = render(_table(footer="2 meeting(s)"), "text")
    assert out.splitlines() == [
        "day         who                   min",
        "2026-10-05  Ada Lovelace (s0006)   40",
        "2026-10-12  Bob (t1)                5",
        "2 meeting(s)",
    ]
    assert "short" not in out  # a JSON/CSV-only column stays out of the text
    assert render(_table(), "table") == render(_table(), "text")  # the old name of text


def test_text_aligns_wide_characters_by_the_columns_they_take_in_a_terminal() -> None:
    # A Chinese name takes two terminal columns per character, an accent on a combining mark none
    # (Unicode East Asian Width): padded by length, every column after it slid out of line.
    columns = (Column("who"), Column("minutes", "min", align=">"))
    rows = [{"who": "王小明 (s1)", "minutes": 40}, {"who": "Zoe\u0301 (s2)", "minutes": 5}, {"who": "Bob (t1)", "minutes": 12}]
    lines = render(Table("meetings", columns, rows), "text").splitlines()  # type: ignore[arg-type]
    assert lines == [
        "who          min",
        "王小明 (s1)   40",
        "Zoe\u0301 (s2)       5",
        "Bob (t1)      12",
    ]


@pytest.mark.parametrize(("name", "columns"), [
    ("\u0e2a\u0e21\u0e0a\u0e32\u0e22 \u0e28\u0e23\u0e35\u0e2a\u0e38\u0e02", 10),  # Thai: its vowel signs take none
    ("Zero\u200bwidth", 9),  # a zero-width space
    ("\U0001F468\u200d\U0001F469\u200d\U0001F467 Family", 9),  # three emoji joined: one emoji, two columns
    ("\U0001F44D\U0001F3FD Tone", 7),  # an emoji with a skin tone
])
def test_round_82_2_zero_width_marks_and_emoji_sequences_keep_the_columns_in_line(name: str, columns: int) -> None:
    """Widths came from ``unicodedata``'s combining class: a Thai name, a zero-width space and emoji sequences were
    counted one to six columns too wide, and every column after them slid out of line."""
    rows = [{"who": name, "minutes": 40}, {"who": "Bob (t1)", "minutes": 5}]
    lines = render(Table("meetings", (Column("who"), Column("minutes", "min", align=">")), rows), "text").splitlines()
    width = max(columns, len("Bob (t1)"))
    assert lines[1] == name + " " * (width - columns) + "   40"
    assert lines[2] == "Bob (t1)" + " " * (width - 8) + "    5"


def test_text_of_an_empty_table_says_so_or_nothing() -> None:
    assert render(Table("t", COLUMNS, [], empty="no meetings stored", footer="0"), "text") == "no meetings stored"
    document = Document([Note("head"), Table("t", COLUMNS, [], title="Needing attention:"), Note("tail")])
    assert render(document, "text") == "head\n\ntail"


def test_text_by_row_template_with_details_under_each_row() -> None:
    table = Table("checks", (), [{"mark": "FAIL", "name": "token", "fixes": ["make a token"]},
                                 {"mark": "ok  ", "name": "course", "fixes": []}],
                  line="[{mark}] {name}", details="fixes", detail_line="       fix: {}")
    assert render(table, "text") == "[FAIL] token\n       fix: make a token\n[ok  ] course"


def test_json_round_trips_with_stable_keys_iso_dates_and_machine_values() -> None:
    document = Document([
        Note("for people only"),
        Field("as_of", date(2026, 11, 30)),
        Field("counts", {"ok": 2}),
        _table(),
        Table("attention", (Column("who"),), [{"who": ADA}], formats=TEXT),
    ])
    data = json.loads(render(document, "json"))
    assert list(data) == ["as_of", "counts", "meetings"]  # the view's order; text-only blocks left out
    assert data["as_of"] == "2026-11-30"
    assert data["meetings"][0] == {"day": "2026-10-05", "who": ADA.data, "minutes": 40, "note": None}
    assert json.loads(render(_table(), "json"))[1]["who"] == BOB.data  # a table alone: a list
    assert render(document, "json") == render(document, "json")


def test_csv_quotes_commas_and_newlines_and_reads_back() -> None:
    rows = [{"a": "x, y", "b": "line one\nline two", "c": 1.5, "d": True, "e": None, "f": ["p", "q"]}]
    table = Table("t", tuple(Column(k) for k in "abcdef"), rows)
    parsed = list(csv.reader(io.StringIO(render(table, "csv"))))
    assert parsed == [list("abcdef"), ["x, y", "line one\nline two", "1.5", "yes", "", '["p", "q"]']]


@pytest.mark.parametrize("cell", ["=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'])
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text(cell: str) -> None:
    """CSV injection: Excel, LibreOffice and Sheets run a cell starting = + - @ (or tab, CR) as a
    formula; a leading ' makes them show it as text. Numbers stay numbers, negative ones too."""
    escaped = "'" + cell.replace("\r", "\n")  # a line break in a cell is \n (quoted by the writer)
    assert csv_cell(cell) == escaped
    assert csv_cell(Shown({"id": 1}, cell)) == escaped  # a person's label is text too
    table = Table("t", (Column("name"), Column("score")), [{"name": cell, "score": -1.5}])
    assert list(csv.reader(io.StringIO(render(table, "csv"))))[1] == [escaped, "-1.5"]
    assert csv_cell(-3) == "-3" and csv_cell(0.1 + 0.2) == "0.3" and csv_cell("a=b") == "a=b"


def test_csv_of_a_document_with_several_tables_writes_sections() -> None:
    document = Document([Field("pair", "6-4"), _table(), Table("nudges", (Column("day"),), [])])
    parsed = list(csv.reader(io.StringIO(render(document, "csv"))))
    assert parsed == [
        ["# meetings"], ["day", "who", "minutes", "note"],
        ["2026-10-05", "Ada Lovelace (s0006)", "40", ""], ["2026-10-12", "Bob (t1)", "5", "short"],
        [], ["# nudges"], ["day"],
    ]


def test_a_format_the_view_cannot_take_is_bad_input_naming_the_command() -> None:
    with pytest.raises(InputError, match="lmsync doctor: this view has no table"):
        render(Document([Note("x"), Field("a", 1)]), "csv", "lmsync doctor")
    with pytest.raises(InputError, match="lmsync x: nothing to show as JSON"):
        render(Document([Note("only words")]), "json", "lmsync x")


def test_round_58_6_meetings_list_withholds_alike_whether_the_mentee_rated_or_not() -> None:
    """``withheld`` only where a rating existed told whether the mentee had rated the meeting."""
    from datetime import date

    from lmsync.domain.meetings import Meeting
    from lmsync.render.meetings import meetings_view
    from lmsync.service.labels import People

    rated = Meeting(date(2026, 10, 1), 66, 3, 30, True, "cli", rating=2, rated_by="mentee")
    unrated = Meeting(date(2026, 10, 2), 66, 3, 30, True, "cli", rated_by="mentee")
    rows = [type("Row", (), {"meeting": m})() for m in (rated, unrated)]
    table = meetings_view(rows, People({}))
    assert [(r["rating"].text, r["rating_withheld"]) for r in table.rows] == [("withheld", True), ("withheld", True)]
