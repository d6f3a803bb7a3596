"""The programme report as one self-contained HTML page, or as CSV files (issue 14).

Charts are drawn by matplotlib's SVG backend and inlined in the page (never SVG written by
hand); text stays text (``svg.fonttype = none``), so nothing loads a font, a stylesheet or a
script. Each chart has a title, axis labels, and a text alternative: ``<title>``/``<desc>``
inside the SVG (``role="img"``) and a ``<figcaption>`` saying what it shows. Every artist
that draws data carries an SVG id starting ``mark-`` so a test can check each chart drew
its data. The page has print CSS (A4, charts kept whole).

Input is ``lmsync.service.report.ReportData``; this module computes nothing beyond layout.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lmsync.service.report import ReportData, ReportRenderer, Table

#: Colours per health status (colour-blind-safe order of hues, with distinct lightness).
STATUS_COLOURS = {
    "new": "#9fb7c9",
    "ok": "#3a923a",
    "watch": "#e6c229",
    "at_risk": "#e67e22",
    "fading": "#c0392b",
    "closed": "#7f7f7f",
}
SIDE_COLOURS = {"mentee": "#1f6f8b", "mentor": "#e67e22", "both": "#6a51a3"}
ACCENT = "#1f6f8b"
MARK = "mark-"  # SVG id prefix of every artist that draws data


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str
    caption: str


# --- matplotlib -------------------------------------------------------------------------------

#: The one matplotlib setup every chart of a page shares (applied by ``charts_context``);
#: ``Any``: matplotlib types the keys as a Literal of every rcParams name.
STYLE: Any = {
    "svg.fonttype": "none",  # text as <text>: readable, searchable, no embedded glyphs
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.color": "#e3e7ec",
    "axes.axisbelow": True,
}


_charts_depth = 0


@contextmanager
def charts_context() -> Iterator[None]:
    """Apply ``STYLE`` once for a run of charts (restored afterwards; the global rcParams are not changed).

    Figures are made without pyplot (no GUI backend, no figure registry to clean up), under
    ``steady_gc`` (drawing allocates many short-lived objects). Re-entrant: an inner call
    only yields.
    """
    from lmsync.service.report import steady_gc

    global _charts_depth
    if _charts_depth:
        yield
        return
    _charts_depth += 1
    try:
        with steady_gc():
            import matplotlib

            with matplotlib.rc_context(STYLE):  # restores every setting on the way out
                yield
    finally:
        _charts_depth -= 1


@contextmanager
def _figure(name: str, title: str, xlabel: str, ylabel: str, *, size: tuple[float, float] = (6.4, 3.4)) -> Iterator[tuple[Figure, Axes]]:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with charts_context(), matplotlib.rc_context({"svg.hashsalt": name}):  # stable, distinct ids per chart
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        yield fig, ax


def _mark(artists: Any, name: str) -> None:
    """Give each data artist an SVG id ``mark-<chart>-<n>`` (bars, lines, error bars, areas)."""
    from matplotlib.container import BarContainer, ErrorbarContainer

    items = [artists] if isinstance(artists, (BarContainer, ErrorbarContainer)) else list(artists) if isinstance(artists, (list, tuple)) else [artists]
    flat: list[Any] = []
    for item in items:
        if isinstance(item, BarContainer):
            flat.extend(item.patches)
        elif isinstance(item, ErrorbarContainer):
            line, caps, bars = item.lines
            flat.extend(x for x in (line, *caps, *bars) if x is not None)
        elif item is not None:
            flat.append(item)
    for i, artist in enumerate(flat):
        artist.set_gid(f"{MARK}{name}-{i}")


def _svg(fig: Figure, name: str, title: str, description: str) -> str:
    # Lay the figure out once, then save it without a layout engine: savefig would otherwise
    # draw the whole figure twice (a dry run for the layout, then the real one).
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine(None)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)  # RDF boilerplate only
    opening = re.match(r"<svg\b[^>]*>", text)
    assert opening is not None
    tag = opening.group(0)
    tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    tag = tag[:-1] + f' role="img" aria-labelledby="{name}-title {name}-desc">'
    accessible = f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(description)}</desc>'
    return tag + accessible + text[opening.end() :]


def _chart(name: str, title: str, caption: str, draw: Callable[[Figure, Axes], None], **kwargs: Any) -> Chart:
    xlabel, ylabel = kwargs.pop("xlabel"), kwargs.pop("ylabel")
    with _figure(name, title, xlabel, ylabel, **kwargs) as (fig, ax):
        draw(fig, ax)
        svg = _svg(fig, name, title, caption)
    return Chart(name, title, svg, caption)


# --- charts -----------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def meetings_charts(data: ReportData) -> list[Chart]:
    t = data.meetings
    if not t.rows:
        return []
    months, held, minutes = t.column("month"), t.column("meetings_held"), t.column("mean_minutes")
    busiest = max(t.rows, key=lambda r: r[1])
    held_caption = (
        f"Bar chart of meetings held per month, {months[0]} to {months[-1]}: {sum(held)} in all, "
        f"most in {busiest[0]} ({busiest[1]})."
    )

    def draw_held(_fig: Figure, ax: Axes) -> None:
        _mark(ax.bar(months, held, color=ACCENT), "meetings")
        ax.tick_params(axis="x", labelrotation=45 if len(months) > 6 else 0)

    charts = [_chart("meetings", "Meetings held per month", held_caption, draw_held, xlabel="Month", ylabel="Meetings held")]
    points = [(m, v) for m, v in zip(months, minutes, strict=True) if v is not None]
    if points:
        minutes_caption = "Line chart of mean meeting length per month: " + ", ".join(
            f"{m} {v:.0f} min" for m, v in points[-6:]
        ) + ("" if len(points) <= 6 else " (last six months)") + "."

        def draw_minutes(_fig: Figure, ax: Axes) -> None:
            xs, ys = zip(*points, strict=True)
            _mark(ax.plot(xs, ys, marker="o", color="#e67e22", linewidth=2), "minutes")
            ax.set_ylim(bottom=0)
            ax.tick_params(axis="x", labelrotation=45 if len(xs) > 6 else 0)

        charts.append(
            _chart("minutes", "Mean minutes per meeting, by month", minutes_caption, draw_minutes, xlabel="Month", ylabel="Minutes (mean)")
        )
    return charts


def health_chart(data: ReportData) -> list[Chart]:
    t = data.health
    if not t.rows:
        return []
    import datetime as _dt

    days = [_dt.date.fromisoformat(d) for d in t.column("day")]
    statuses = list(t.columns[1:])
    series = [t.column(s) for s in statuses]
    last = {s: v[-1] for s, v in zip(statuses, series, strict=True)}
    caption = (
        f"Stacked chart of pairs by health status, {days[0].isoformat()} to {days[-1].isoformat()} "
        + (
            f"(one snapshot day per week, {len(days)} weeks: a chart this wide cannot show daily detail "
            "over so long a span; the CSV tables keep every day). "
            if data.health_weekly
            else f"({len(days)} snapshot days). "
        )
        + "On the last day: "
        + ", ".join(f"{s.replace('_', ' ')} {n}" for s, n in last.items())
        + "."
    )

    def draw(_fig: Figure, ax: Axes) -> None:
        colours = [STATUS_COLOURS.get(s, "#bbbbbb") for s in statuses]
        labels = [s.replace("_", " ") for s in statuses]
        if len(days) >= 2:
            _mark(ax.stackplot(days, *series,  # type: ignore[arg-type]
                                  labels=labels, colors=colours, alpha=0.9), "health")
        else:
            bottom = 0
            for i, (label, colour, values) in enumerate(zip(labels, colours, series, strict=True)):
                _mark(ax.bar([days[0].isoformat()], values, bottom=bottom, color=colour, label=label), f"health{i}")
                bottom += values[0]
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
        ax.margins(x=0)
        _fig.autofmt_xdate()

    return [_chart("health", "Pair health over time", caption, draw, xlabel="Snapshot day", ylabel="Pairs", size=(9.6, 3.6))]


def _wave_lines(t: Table, name: str, title: str, ylabel: str) -> list[Chart]:
    if not t.rows:
        return []
    waves: list[str] = []
    for w in t.column("wave"):
        if w not in waves:
            waves.append(w)
    instruments: list[str] = []
    for i in t.column("instrument"):
        if i not in instruments:
            instruments.append(i)
    parts = []
    for inst in instruments:
        rows = [r for r in t.rows if r[0] == inst]
        parts.append(f"{instrument_label(inst)}: " + ", ".join(f"{r[2]} mean {_fmt(r[4])} (n {r[3]})" for r in rows))
    caption = "Chart of mean scores per wave with 95% confidence intervals. " + "; ".join(parts) + "."

    def draw(_fig: Figure, ax: Axes) -> None:
        width = 0.8 / max(1, len(instruments))
        for k, inst in enumerate(instruments):
            rows = {r[2]: r for r in t.rows if r[0] == inst}
            xs = [waves.index(w) + (k - (len(instruments) - 1) / 2) * width for w in waves if w in rows]
            ys = [rows[w][4] for w in waves if w in rows]
            low = [rows[w][4] - rows[w][6] if rows[w][6] is not None else 0 for w in waves if w in rows]
            high = [rows[w][7] - rows[w][4] if rows[w][7] is not None else 0 for w in waves if w in rows]
            side = rows[next(iter(rows))][1]
            colour = SIDE_COLOURS.get(side, ACCENT) if len(instruments) > 1 else ACCENT
            label = instrument_label(inst)
            _mark(ax.bar(xs, ys, width=width * 0.9, color=colour, alpha=0.85, label=label), f"{name}{k}")
            _mark(ax.errorbar(xs, ys, yerr=[low, high], fmt="none", ecolor="#1d2733", capsize=4), f"{name}{k}err")
        ax.set_xticks(range(len(waves)), waves)
        if len(instruments) > 1:  # below the axes (constrained layout makes room), never on the bars
            _fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncols=min(2, len(instruments)))

    return [_chart(name, title, caption, draw, xlabel="Survey wave", ylabel=ylabel)]


def load_chart(data: ReportData) -> list[Chart]:
    t = data.mentor_load
    if not t.rows:
        return []
    loads, mentors = t.column("mentees_per_mentor"), t.column("mentors")
    caption = "Bar chart of mentors by number of mentees: " + ", ".join(
        f"{m} mentor{'s' if m != 1 else ''} with {k}" for k, m in zip(loads, mentors, strict=True)
    ) + "."

    def draw(_fig: Figure, ax: Axes) -> None:
        from matplotlib.ticker import MaxNLocator

        _mark(ax.bar([str(k) for k in loads], mentors, color=ACCENT), "load")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    return [_chart("load", "Mentor load", caption, draw, xlabel="Mentees per mentor", ylabel="Mentors", size=(4.8, 3.4))]


def match_charts(data: ReportData) -> list[Chart]:
    charts = []
    scores = [s for s in data.match_scores.column("score") if s is not None]
    if scores:
        caption = (
            f"Histogram of the match scores of {len(scores)} current pairs: lowest {min(scores):.1f}, "
            f"median {sorted(scores)[len(scores) // 2]:.1f}, highest {max(scores):.1f}."
        )

        def draw_scores(_fig: Figure, ax: Axes) -> None:
            from matplotlib.ticker import MaxNLocator

            _, _, patches = ax.hist(scores, bins=min(20, max(5, len(set(scores)))), color=ACCENT, edgecolor="white")
            _mark(list(patches), "scores")  # type: ignore[arg-type]
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # pairs are counted: no 2.5 ticks

        charts.append(_chart("scores", "Match score distribution", caption, draw_scores, xlabel="Match score", ylabel="Pairs", size=(4.8, 3.4)))
    t = data.match_terms
    if t.rows:
        terms, shares = t.column("term"), t.column("share")
        caption = "Bar chart of the share of pairs matched for each reason: " + ", ".join(
            f"{term.replace('_', ' ')} {share:.0%}" for term, share in zip(terms, shares, strict=True)
        ) + "."

        def draw_terms(_fig: Figure, ax: Axes) -> None:
            labels = [term.replace("_", " ") for term in terms][::-1]
            _mark(ax.barh(labels, [100 * s for s in shares][::-1], color="#6a51a3"), "terms")
            ax.set_xlim(0, 100)

        charts.append(_chart("terms", "Why pairs were matched", caption, draw_terms, xlabel="Share of pairs (%)", ylabel="Reason", size=(4.8, 3.4)))
    return charts


def evaluation_chart(data: ReportData) -> list[Chart]:
    t = data.evaluation
    rows = [r for r in t.rows if r[3] == "all" and r[7] is not None]
    if not rows:
        return []
    labels = [f"{instrument_label(r[0])} {r[1]}→{r[2]}" for r in rows]
    caption = "Forest plot of the mean paired change with 95% confidence intervals: " + "; ".join(
        f"{label}: {_fmt(r[7])} [{_fmt(r[8])}, {_fmt(r[9])}], d_z {_fmt(r[10])}, n {r[4]}"
        for label, r in zip(labels, rows, strict=True)
    ) + "."

    def draw(_fig: Figure, ax: Axes) -> None:
        ys = list(range(len(rows)))[::-1]
        means = [r[7] for r in rows]
        low = [r[7] - r[8] if r[8] is not None else 0 for r in rows]
        high = [r[9] - r[7] if r[9] is not None else 0 for r in rows]
        ax.axvline(0, color="#5b6776", linewidth=1)
        _mark(ax.errorbar(means, ys, xerr=[low, high], fmt="o", color=ACCENT, ecolor=ACCENT, capsize=4, markersize=7), "evaluation")
        ax.set_yticks(ys, labels)
        ax.grid(axis="y", visible=False)

    height = max(2.4, 0.55 * len(rows) + 1.4)
    return [_chart("evaluation", "Change between waves (all respondents)", caption, draw, xlabel="Mean change (score units)", ylabel="Instrument and waves", size=(8.0, height))]


def qualities_chart(data: ReportData) -> list[Chart]:
    t = data.qualities
    if not t.rows:
        return []
    items, means = t.column("quality"), t.column("mean")
    caption = "Bar chart of the programme's mean rating of each mentor quality (1 to 5): " + ", ".join(
        f"{q.replace('_', ' ')} {_fmt(m)}" for q, m in zip(items, means, strict=True)
    ) + "."

    def draw(_fig: Figure, ax: Axes) -> None:
        labels = [q.replace("_", " ") for q in items][::-1]
        _mark(ax.barh(labels, [m or 0 for m in means][::-1], color="#3a923a"), "qualities")
        ax.set_xlim(1, 5)

    return [_chart("qualities", "Mentor qualities, programme mean", caption, draw, xlabel="Mean rating (1-5)", ylabel="Quality", size=(6.4, 3.6))]


# --- HTML -------------------------------------------------------------------------------------


def _cell(value: Any, column: str) -> str:
    if value is None:
        return '<td class="num">–</td>'
    if column == "status":
        return f'<td><span class="status status-{escape(str(value))}">{escape(str(value).replace("_", " "))}</span></td>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return f'<td class="num">{escape(text)}</td>'
    return f"<td>{escape(str(value))}</td>"


def table_html(t: Table, *, empty: str = "Nothing to show yet.") -> str:
    if not t.rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f'<th scope="col">{escape(c.replace("_", " "))}</th>' for c in t.columns)
    body = "".join("<tr>" + "".join(_cell(v, c) for v, c in zip(row, t.columns, strict=True)) + "</tr>" for row in t.rows)
    return f"<div class=\"wide\"><table><caption hidden>{escape(t.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


#: How the page names the built-in instruments (others: their name with spaces).
INSTRUMENT_LABELS = {
    "general_self_efficacy": "Self-efficacy (GSE)",
    "relationship_satisfaction_mentee": "Relationship satisfaction (mentees)",
    "relationship_satisfaction_mentor": "Relationship satisfaction (mentors)",
    "mentor_qualities": "Mentor qualities",
}


def instrument_label(name: str) -> str:
    return INSTRUMENT_LABELS.get(name, name.replace("_", " ").capitalize())


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
        return '<p class="empty">Not enough survey waves answered by the same people yet.</p>'
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label, _text in EVALUATION_COLUMNS)
    body = ""
    for row in t.rows:
        named = dict(zip(t.columns, row, strict=True))
        cells = "".join(
            ("<td>" if k < 3 else '<td class="num">') + escape(text(named)) + "</td>"
            for k, (_label, text) in enumerate(EVALUATION_COLUMNS)
        )
        body += f"<tr>{cells}</tr>"
    return (
        f'<div class="wide"><table class="evaluation"><caption hidden>{escape(t.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
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
            + (f"; below, the pairs at risk or fading on {escape(day)}, why, and where they are in the coordinator's queue." if day else "."),
            (_figures(health) if health else '<p class="empty">No health snapshots yet.</p>')
            + _data(data.health)
            + "<h3>At risk today</h3>"
            + table_html(data.at_risk, empty="No pair is at risk or fading."),
        )
    )
    satisfaction = _wave_lines(data.satisfaction, "satisfaction", "Relationship satisfaction per wave", "Mean score (1-5)")
    efficacy = _wave_lines(data.self_efficacy, "efficacy", "Self-efficacy across waves", "Mean total score")
    sections.append(
        (
            "surveys",
            "Relationship satisfaction and self-efficacy",
            "Mean scores per survey wave with 95% confidence intervals, among people currently in a pair; "
            "relationship satisfaction from both sides.",
            (_figures([*satisfaction, *efficacy]) if satisfaction or efficacy else '<p class="empty">No survey scores yet.</p>')
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
            f"A mentor appears only with ratings from at least {data.min_mentees} mentees, and only as the mean; "
            "no single mentee's rating is shown.",
            _figures(qualities)
            + table_html(
                data.mentor_qualities,
                empty=f"No mentor has ratings from {data.min_mentees} or more mentees yet.",
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


# --- CSV --------------------------------------------------------------------------------------


def table_csv(t: Table) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(t.columns)
    out.writerows(["" if v is None else v for v in row] for row in t.rows)
    return buffer.getvalue()


def csv_files(data: ReportData) -> dict[str, str]:
    """``{file name: CSV text}``, one file per table of the report (header row even when empty)."""
    return {f"{t.name}.csv": table_csv(t) for t in data.tables()}


def renderer() -> ReportRenderer:
    """This module's ``html_page`` and ``csv_files``, as the services take them (issue 12)."""
    from lmsync.service.report import ReportRenderer

    return ReportRenderer(html_page=html_page, csv_files=csv_files)
