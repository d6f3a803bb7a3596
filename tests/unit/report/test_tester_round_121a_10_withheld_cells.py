"""Tester round 121a, 10: the report page's withheld figures.

The reason a figure is withheld ("5, means before and after withheld: beside the per-wave means or another comparison
they would give fewer than 5 people's answers away by difference") sat in the evaluation table's number cell, which
does not wrap, and pushed the table's figures off a 1280-pixel page; the cell keeps its head and a note mark, the
sentence goes below the table. The satisfaction chart's caption "T1 5, mean withheld" read as a mean of 5: it says
"T1: n 5, mean withheld (...)". The CSV files keep the whole sentence in the cell.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from lmsync.render.report import csv_files
from lmsync.render.report_html import html_page
from lmsync.service.report import gather
from lmsync.service.report_model import Table
from lmsync.store.db import Store
from tests.unit.report.synthetic import AS_OF, config_for, programme

WAVE = "5, mean withheld: beside the programme evaluation it would give fewer than 5 people's answers away by difference"
LEVELS = ("5, means before and after withheld: beside the per-wave means or another comparison they would give fewer "
          "than 5 people's answers away by difference")
ERASED = "withheld (who answered changed after an erasure)"


def withheld_data() -> Any:
    """A synthetic report whose satisfaction and evaluation tables carry the withheld sentences."""
    store = Store.memory()
    try:
        config = config_for(":memory:", 80)
        p = programme(store, config, pairs=24, days=80)
        data = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    finally:
        store.close()
    satisfaction = Table(data.satisfaction.name, data.satisfaction.title, data.satisfaction.columns, (
        ("relationship_satisfaction_mentee", "mentee", "T0", 6, 3.833, 1.2, 2.5, 5.0, 0.2),
        ("relationship_satisfaction_mentee", "mentee", "T1", WAVE, None, None, None, None, 0.1),
    ))
    evaluation = Table(data.evaluation.name, data.evaluation.title, data.evaluation.columns, (
        ("relationship_satisfaction_mentee", "T0", "T1", "all", LEVELS, None, None, -0.2, -0.9, 0.5, -0.3, 2.0, 0.5,
         0.2, 0.1),
        ("relationship_satisfaction_mentee", "T0", "T1", "year 1", "fewer than 5", *([None] * 8), 0.2, 0.1),
        ("relationship_satisfaction_mentee", "T0", "T1", "year 2", ERASED, *([None] * 8), 0.2, 0.1),
    ))
    return replace(data, satisfaction=satisfaction, evaluation=evaluation)


def test_10_the_evaluation_tables_withheld_reason_is_a_note_below_it_not_in_the_number_cell():
    page = html_page(withheld_data())
    table = page[page.index('<table class="evaluation">'):]
    notes = table[table.index("</table>"):]
    table = table[: table.index("</table>")]
    assert LEVELS not in html.unescape(table) and "beside the per-wave means" not in html.unescape(table)
    assert '<td class="num noted">5, means before and after withheld<sup class="note-mark">' in table
    assert '<td class="num">fewer than 5</td>' in table  # short: as it was
    assert '<td class="num noted">withheld<sup class="note-mark">' in table
    notes = html.unescape(notes[: notes.index("</ol>")])
    assert notes.startswith('</table></div><ol class="cell-notes">')
    assert LEVELS in notes and "withheld: who answered changed after an erasure" in notes
    assert "table.evaluation td.noted { white-space: normal;" in page


def test_10_the_wave_tables_reason_is_a_note_and_the_caption_reads_n():
    data = withheld_data()
    page = html.unescape(html_page(data))
    assert "T0 mean 3.83 (n 6), T1: n 5, mean withheld (beside the programme evaluation it would give" in page
    assert "T1 5, mean withheld" not in page
    assert f"<td>{WAVE}</td>" not in page and f"<li id=\"relationship_satisfaction-note-1\">{WAVE}</li>" in page
    # the CSV keeps the sentence in its cell
    assert WAVE in csv_files(data)["relationship_satisfaction.csv"] and LEVELS in csv_files(data)[
        "programme_evaluation.csv"]


def test_10_split_reason_leaves_short_cells_and_sentences_without_a_reason_alone():
    from lmsync.render.report_cell_notes import split_reason

    assert split_reason("fewer than 5") == ("fewer than 5", None)
    assert split_reason("open until 2027-01-31") == ("open until 2027-01-31", None)
    assert split_reason(WAVE) == ("5, mean withheld", WAVE.split(": ", 1)[1])
    assert split_reason(ERASED) == ("withheld", "who answered changed after an erasure")
