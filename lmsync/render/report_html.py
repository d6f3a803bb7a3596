"""The programme report as one self-contained HTML page (issue 14).

Inline CSS (``templates/report.html``) and inline SVG charts (``lmsync.render.report_charts``);
no script, no font, no stylesheet or other external reference. Each chart sits in a
``<figure>`` with its caption; the data behind the charts follows in tables. The page has
print CSS (A4, charts kept whole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

from lmsync.domain.health import status_label
from lmsync.render.report_cell_notes import CellNotes
from lmsync.render.report_charts import (
    evaluation_chart,
    health_chart,
    instrument_label,
    load_chart,
    match_charts,
    meetings_charts,
    qualities_chart,
    wave_charts,
)
from lmsync.render.report_figures import Chart, charts_context

if TYPE_CHECKING:
    from lmsync.service.report_model import ReportData, Table


#: the count columns whose cell may give why a figure is withheld: the reason goes below the table (tester round
#: 121a, 10: the sentence pushed the table's figures off the page)
NOTE_COLUMNS = frozenset({"n", "mentees"})


def _cell(value: Any, column: str, notes: CellNotes | None = None) -> str:
    if value is None:
        return '<td class="num">–</td>'
    if column == "status":
        return f'<td><span class="status status-{escape(str(value))}">{escape(status_label(str(value)))}</span></td>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return f'<td class="num">{escape(text)}</td>'
    if notes is not None and column in NOTE_COLUMNS:
        return _noted(notes, str(value))
    return f"<td>{escape(str(value))}</td>"


def _noted(notes: CellNotes, text: str, css: str = "") -> str:
    """A cell of ``text`` (class ``css``), its reason a note below the table, and class ``noted``, when it has one."""
    cell = notes.cell(text)
    classes = " ".join(c for c in (css, "noted" if cell != escape(text) else "") if c)
    return (f'<td class="{classes}">' if classes else "<td>") + cell + "</td>"


def table_html(t: Table, *, empty: str = "Nothing to show yet.") -> str:
    """``t`` as an HTML table (its title as a hidden caption), or the ``empty`` sentence when it has no rows; a count
    cell's reason for a withheld figure as a note below it (``report_cell_notes``)."""
    if not t.rows:
        return f'<p class="empty">{escape(empty)}</p>'
    notes = CellNotes(t.name)
    head = "".join(f'<th scope="col">{escape(c.replace("_", " "))}</th>' for c in t.columns)
    body = "".join("<tr>" + "".join(_cell(v, c, notes) for v, c in zip(row, t.columns, strict=True)) + "</tr>"
                   for row in t.rows)
    return (f"<div class=\"wide\"><table><caption hidden>{escape(t.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>{notes.html()}")


def _two(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def _p_value(value: Any) -> str:
    return "–" if value is None else ("< 0.01" if value < 0.01 else f"{value:.2f}")


def _rate(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


#: The evaluation table's columns as the page shows them: (heading, cell text from a row by column name).
EVALUATION_COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    ("Instrument", lambda r: instrument_label(r["instrument"])),
    ("Waves", lambda r: f"{r['from_wave']} → {r['to_wave']}"),
    ("Group", lambda r: str(r["group"])),
    ("n", lambda r: str(r["n"])),
    ("Mean before", lambda r: _two(r["mean_before"])),
    ("Mean after", lambda r: _two(r["mean_after"])),
    ("Mean change", lambda r: _two(r["mean_change"])),
    ("95% CI", lambda r: "–" if r["ci_low"] is None else f"{r['ci_low']:.2f} to {r['ci_high']:.2f}"),
    ("Effect size d_z", lambda r: _two(r["d_z"])),
    ("Wilcoxon W", lambda r: _two(r["wilcoxon_w"])),
    ("Wilcoxon p", lambda r: _p_value(r["wilcoxon_p"])),
    ("Response (from)", lambda r: _rate(r["response_rate_from"])),
    ("Response (to)", lambda r: _rate(r["response_rate_to"])),
)


def evaluation_table_html(t: Table) -> str:
    """The programme evaluation table for people: labelled columns, 2-decimal numbers, CI in one column."""
    if not t.rows:
        # "not enough waves" read wrong with two waves answered by 4 people each (tester round 85b, 5)
        return ('<p class="empty">No before-and-after comparison yet: it needs two survey waves of one instrument '
                'answered by the same people, at least [report] min_cell of them.</p>')
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label, _text in EVALUATION_COLUMNS)
    notes = CellNotes(t.name)  # a withheld row's reason, below the table (tester round 121a, 10)
    body = ""
    for row in t.rows:
        named = dict(zip(t.columns, row, strict=True))
        cells = "".join(
            "<td>" + escape(text(named)) + "</td>" if k < 3 else
            _noted(notes, text(named), "num") if label == "n" else
            '<td class="num">' + escape(text(named)) + "</td>"
            for k, (label, text) in enumerate(EVALUATION_COLUMNS)
        )
        body += f"<tr>{cells}</tr>"
    return (
        f'<div class="wide"><table class="evaluation"><caption hidden>{escape(t.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{notes.html()}"
    )


def _figures(charts: Sequence[Chart]) -> str:
    return '<div class="charts">' + "".join(
        f'<figure class="chart" id="chart-{c.name}" aria-labelledby="caption-{c.name}">{c.svg}'
        f'<figcaption id="caption-{c.name}">{escape(c.caption)}</figcaption></figure>'
        for c in charts
    ) + "</div>"


def _data(*tables: Table) -> str:
    parts = [t for t in tables if t.rows]
    if not parts:
        return ""
    return "<details><summary>Data behind the charts</summary>" + "".join(table_html(t) for t in parts) + "</details>"


def _section(anchor: str, title: str, lead: str, body: str) -> str:
    return f'<section id="{anchor}" aria-labelledby="h-{anchor}"><h2 id="h-{anchor}">{escape(title)}</h2>' + (
        f'<p class="lead">{lead}</p>' if lead else ""
    ) + body + "</section>"


def _summary_html(data: ReportData) -> str:
    cards = "".join(
        f'<div class="card"><div class="value">{escape(str(value))}</div><div class="label">{escape(str(label))}</div></div>'
        for label, value in data.summary.rows
    )
    return f'<div class="cards">{cards}</div>'


def html_page(data: ReportData) -> str:
    """The whole report as one HTML document: inline CSS and SVG, no script, no external reference."""
    with charts_context():
        return _html_page(data)


def _html_page(data: ReportData) -> str:
    from lmsync import __version__

    sections = []
    sections.append(("summary", "Summary", "", _summary_html(data)))
    meetings = meetings_charts(data)
    sections.append(
        (
            "meetings",
            "Meetings",
            "Meetings held each month (each pair and day counted once) and how long they lasted.",
            (_figures(meetings) if meetings else '<p class="empty">No meetings recorded yet.</p>') + _data(data.meetings),
        )
    )
    health = health_chart(data)
    day = data.health_day.isoformat() if data.health_day else None
    sections.append(
        (
            "health",
            "Pair health",
            "How many pairs were in each state on each day lmsync judged them"
            + (" (one day per week over this long a span)" if data.health_weekly else "")
            + (f"; below, the pairs at risk or fading on {escape(day)}, why, and, for a fading pair, where it stands in the coordinator's queue "
               # a pair at risk is not queued (tester round 110a, 3: "every other pair's item" sent readers to the queue)
               "(lmsync queues a pair once it is judged fading, none for being at risk; the dates, and any item a pair "
               "shown at risk has otherwise: `lmsync queue list`, for coordinators)." if day else "."),
            (_figures(health) if health else '<p class="empty">No pair to judge yet.</p>' if data.no_pair_to_judge
             else '<p class="empty">No health snapshots yet.</p>')
            + _data(data.health)
            + (f"<h3>At risk or fading on {escape(day)}</h3>" if day else "<h3>At risk or fading</h3>")  # round 51b, 8
            # no snapshot is no verdict: "No pair is at risk" stood beside `health --as-of` listing four
            # (tester round 37, 4)
            + table_html(data.at_risk, empty=("No pair is named here." if data.at_risk_unnamed or data.at_risk_withheld
                                              else "No pair is at risk or fading.") if day else
                         # no pair to judge: none at risk, however often health runs (tester round 120a, 5)
                         "No pair is at risk or fading: there was no pair to judge." if data.no_pair_to_judge else
                         "Not known: no health snapshot was recorded on or before this day, so no pair was judged.")
            # counted, not named: said where the table is, not in its hidden caption alone (tester round 87a, 6)
            + (f'<p class="empty">{data.at_risk_unnamed} more pair(s) at risk or fading are counted in the summary but '
               "not named here: one side's own answers (a survey, or meeting ratings) flagged them, and a mentor reading this report would learn "
               "their mentee's verdict (`lmsync health` and the coordinators' digest name them).</p>"
               if data.at_risk_unnamed and day else
               # the same words whether fewer than min_cell or none: withheld (tester round 120a, 2)
               '<p class="empty">Pairs that one side\'s own answers alone flagged (a survey, or meeting ratings) are not '
               f"named here, nor counted in the summary while fewer than {data.at_risk_withheld} of them are flagged so, "
               f"or fewer than {data.at_risk_withheld} of the pairs not named are not ([report] min_cell): see the "
               "notes.</p>" if data.at_risk_withheld and day else ""),  # tester round 121a, 3
        )
    )
    satisfaction = wave_charts(data.satisfaction, "satisfaction", "Relationship satisfaction per wave", "Mean score (1-5)")
    efficacy = wave_charts(data.self_efficacy, "efficacy", "Self-efficacy across waves", "Mean total score")
    sections.append(
        (
            "surveys",
            "Relationship satisfaction and self-efficacy",
            "Mean scores per survey wave with 95% confidence intervals, among the people in a pair on the report's "
            "day; "
            "relationship satisfaction from both sides. A wave's figures appear from the last day of its window "
            "(until then: \"open until\"), so that reports made day by day while answers come in never show one person's "
            "answer.",
            (_figures([*satisfaction, *efficacy]) if satisfaction or efficacy else '<p class="empty">No survey scores yet.</p>'
             if not (data.satisfaction.rows or data.self_efficacy.rows) else  # scores there, each wave too few to show
             '<p class="empty">No wave\'s mean is shown: an erasure changed who answered (a mean now would give '
             'the erased person\'s answers away by difference), or too few answered ([report] min_cell); the table '
             'below says which.</p>' if _erasure_withheld(data) else
             '<p class="empty">Too few answers in every wave to show a mean yet ([report] min_cell); the table below '
             'counts them.</p>')  # "No survey scores yet" said of stored scores (tester round 77, 7; round 78, 3)
            + _data(data.satisfaction, data.self_efficacy, data.response),
        )
    )
    match = [*load_chart(data), *match_charts(data)]
    sections.append(
        (
            "matching",
            "Mentor load and match quality",
            "How many mentees each mentor has, how well the current pairs scored in the matching, and which reasons made the matches.",
            (_figures(match) if match else '<p class="empty">No pairs yet.</p>') + _data(data.mentor_load, data.match_scores, data.match_terms),
        )
    )
    evaluation = evaluation_chart(data)
    sections.append(
        (
            "evaluation",
            "Programme evaluation",
            "For each instrument, the change between the baseline wave and each later wave among people who "
            "answered both: mean change with its 95% confidence interval (t distribution), Cohen's d<sub>z</sub> "
            "(mean change / SD of the changes), the Wilcoxon signed-rank test (two-sided), n, and the response "
            "rate of each wave; overall and per year of study.",
            _figures(evaluation) + evaluation_table_html(data.evaluation),
        )
    )
    qualities = qualities_chart(data)
    sections.append(
        (
            "qualities",
            "Mentor qualities",
            "Nine qualities of outstanding mentors (Cho, Ramanan &amp; Feldman, 2011) as mentees rate them. "
            f"A mentor appears only with ratings from at least {data.min_mentees} mentees, and only as the mean, "
            "per survey wave from the day after its window closes; no single mentee's rating is shown.",
            _figures(qualities)
            + table_html(
                data.mentor_qualities,
                empty=f"No closed survey wave has a mentor rated by {data.min_mentees} or more mentees yet.",
            ),
        )
    )
    nav = "".join(f'<a href="#{anchor}">{escape(title)}</a>' for anchor, title, _lead, _body in sections)
    subtitle = f"Course {data.course} · as of {data.as_of.isoformat()}" + (
        f" · term from {data.term_start.isoformat()}" if data.term_start else ""
    )
    template = Template(resources.files("lmsync.render").joinpath("templates/report.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(f"Mentoring programme report: {data.programme}"),
        subtitle=escape(subtitle),
        nav=nav,
        sections="\n".join(_section(*s) for s in sections),
        notes=escape(" ".join(data.notes)),
        version=escape(__version__),
        generated=escape(data.generated_at),
    )


def _erasure_withheld(data: ReportData) -> bool:
    """Whether a survey table withholds a wave's figures after an erasure (``report_withheld``), not for size."""
    return any("after an erasure" in str(cell) for t in (data.satisfaction, data.self_efficacy) for r in t.rows
               for cell in r)
