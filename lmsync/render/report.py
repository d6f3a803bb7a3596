"""The programme report as one self-contained HTML page, or as CSV files (issue 14).

Input is ``lmsync.service.report.ReportData``; the renderers compute nothing beyond layout.
The page is ``lmsync.render.report_html`` (charts: ``report_charts``, drawn by matplotlib
through ``report_figures``); here are the CSV files, one per table (escaped against CSV
injection like every CSV lmsync writes), and ``renderer``, the pair the services take (issue
12: a service never imports a renderer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lmsync.render.formats import csv_rows
from lmsync.render.report_charts import shared_count_words
from lmsync.render.report_html import html_page

if TYPE_CHECKING:
    from lmsync.service.report_model import ReportData, ReportRenderer, Table

__all__ = ["csv_files", "html_page", "renderer", "table_csv"]


def table_csv(t: Table) -> str:
    """One table as CSV text: a header row of column names, then the rows, written by lmsync's one
    CSV writer (``lmsync.render.formats.csv_rows``): None as an empty cell, numbers in full, and
    a text cell starting ``=``, ``+``, ``-``, ``@`` (a formula to a spreadsheet) behind a ``'``."""
    return csv_rows(t.columns, t.rows)


def csv_files(data: ReportData) -> dict[str, str]:
    """``{file name: CSV text}``, one file per table of the report (header row even when empty), and
    ``notes.csv``: the page's notes (what is as of which day), which the CSV files left out (tester
    round 50, 4), and, when pair health over time has rows, why it can count fewer pairs at risk or
    fading than the summary, as the page's chart caption says (``shared_count_words``; tester round
    102a, 3: summary.csv said 45, the over-time table 44, and no file said why)."""
    files = {f"{t.name}.csv": table_csv(t) for t in data.tables()}
    notes = list(data.notes)
    if data.health.rows:
        notes.append(shared_count_words(f"In {data.health.name}.csv each pair", "that table",
                                        f"{data.summary.name}.csv"))
    files["notes.csv"] = csv_rows(("note",), [(note,) for note in notes])
    return files


def renderer() -> ReportRenderer:
    """The report's ``html_page`` and ``csv_files``, as the services take them (issue 12)."""
    from lmsync.service.report_model import ReportRenderer

    return ReportRenderer(html_page=html_page, csv_files=csv_files)
