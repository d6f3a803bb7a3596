"""The programme report's charts, one function per section (issue 14).

Each takes ``ReportData`` and returns its charts (none when there is nothing to draw); each
caption says in words what the chart shows (the figures a reader would look for), as the
chart's text alternative.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lmsync.domain.health import status_label
from lmsync.render.report_cell_notes import split_reason
from lmsync.render.report_figures import Chart, chart, mark

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lmsync.service.report_model import ReportData, Table

#: Colours per health status (colour-blind-safe order of hues, with distinct lightness).
STATUS_COLOURS = {
    "new": "#9fb7c9",
    "ok": "#3a923a",
    "watch": "#e6c229",
    "at_risk": "#e67e22",
    "fading": "#c0392b",
    "ended": "#4d4d4d",
    "closed": "#7f7f7f",
}
SIDE_COLOURS = {"mentee": "#1f6f8b", "mentor": "#e67e22", "both": "#6a51a3"}
ACCENT = "#1f6f8b"

#: How the page names the built-in instruments (others: their name with spaces).
INSTRUMENT_LABELS = {
    "general_self_efficacy": "Self-efficacy (GSE)",
    "relationship_satisfaction_mentee": "Relationship satisfaction (mentees)",
    "relationship_satisfaction_mentor": "Relationship satisfaction (mentors)",
    "mentor_qualities": "Mentor qualities",
}


def instrument_label(name: str) -> str:
    """How the page names instrument ``name`` (``INSTRUMENT_LABELS``, else its name with spaces)."""
    return INSTRUMENT_LABELS.get(name, name.replace("_", " ").capitalize())


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _caption(lead: str, parts: Iterable[str], *, sep: str = ", ", tail: str = "") -> str:
    """A chart's caption: what it is (``lead``), then its figures one by one, as a sentence."""
    return lead + sep.join(parts) + tail + "."


def _ranked_bars(
    name: str,
    title: str,
    caption: str,
    labels: list[str],
    values: list[float],
    *,
    colour: str,
    xlim: tuple[float, float],
    **kwargs: Any,
) -> Chart:
    """Horizontal bars, the first label on top, over a fixed value range ``xlim``; ``kwargs`` as for ``chart``."""

    def draw(_fig: Figure, ax: Axes) -> None:
        mark(ax.barh(labels[::-1], values[::-1], color=colour), name)
        ax.set_xlim(*xlim)

    return chart(name, title, caption, draw, **kwargs)


def meetings_charts(data: ReportData) -> list[Chart]:
    """Meetings held per month (bars) and their mean length (a line, when any meeting has minutes)."""
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
        mark(ax.bar(months, held, color=ACCENT), "meetings")
        ax.tick_params(axis="x", labelrotation=45 if len(months) > 6 else 0)

    charts = [chart("meetings", "Meetings held per month", held_caption, draw_held, xlabel="Month", ylabel="Meetings held")]
    points = [(m, v) for m, v in zip(months, minutes, strict=True) if v is not None]
    if points:
        minutes_caption = _caption(
            "Line chart of mean meeting length per month: ",
            (f"{m} {v:.0f} min" for m, v in points[-6:]),
            tail="" if len(points) <= 6 else " (last six months)",
        )

        def draw_minutes(_fig: Figure, ax: Axes) -> None:
            xs, ys = zip(*points, strict=True)
            mark(ax.plot(xs, ys, marker="o", color="#e67e22", linewidth=2), "minutes")
            ax.set_ylim(bottom=0)
            ax.tick_params(axis="x", labelrotation=45 if len(xs) > 6 else 0)

        charts.append(
            chart("minutes", "Mean minutes per meeting, by month", minutes_caption, draw_minutes, xlabel="Month", ylabel="Minutes (mean)")
        )
    return charts


def shared_count_words(subject: str, counted: str, summary: str) -> str:
    """Why pair health over time can count fewer pairs at risk or fading than the summary: ``"<subject> is counted
    by what both its people may read: ..., so <counted> can count fewer ... than <summary>."`` The summary counts
    a pair flagged by one side's own answers alone, unnamed (tester round 89a, 6: the two disagreed unsaid); the
    chart's caption and the CSV export's ``notes.csv`` say it in these words (tester round 102a, 3)."""
    return (f"{subject} is counted by what both its people may read: a pair one side's own answers alone flagged "
            f"(a survey, meeting ratings) counts by its other signs, so {counted} can count fewer pairs at risk or "
            f"fading than {summary}.")


def health_chart(data: ReportData) -> list[Chart]:
    """Pairs by health status per snapshot day, stacked (bars for a single day)."""
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
        + ", ".join(f"{status_label(s)} {n}" for s, n in last.items())
        + ". " + shared_count_words("Each pair", "the chart", "the summary")
    )

    def draw(_fig: Figure, ax: Axes) -> None:
        colours = [STATUS_COLOURS.get(s, "#bbbbbb") for s in statuses]
        labels = [status_label(s) for s in statuses]
        if len(days) >= 2:
            mark(ax.stackplot(days, *series,  # type: ignore[arg-type]
                                  labels=labels, colors=colours, alpha=0.9), "health")
        else:
            bottom = 0
            for i, (label, colour, values) in enumerate(zip(labels, colours, series, strict=True)):
                mark(ax.bar([days[0].isoformat()], values, bottom=bottom, color=colour, label=label), f"health{i}")
                bottom += values[0]
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
        ax.margins(x=0)
        _fig.autofmt_xdate()

    return [chart("health", "Pair health over time", caption, draw, xlabel="Snapshot day", ylabel="Pairs", size=(9.6, 3.6))]


def _withheld_wave(wave: str, n: str) -> str:
    """A caption's words for a wave whose mean is withheld (``n``: its n cell): "T1: n 5, mean withheld (beside ...)";
    "T1 5, mean withheld" read as a mean of 5 (tester round 121a, 10)."""
    if not n[:1].isdigit():  # "open until ...", "withheld (who answered changed after an erasure)"
        return f"{wave} {n}"
    head, reason = split_reason(n)
    return f"{wave}: n {head}" + (f" ({reason})" if reason else "")


def wave_charts(t: Table, name: str, title: str, ylabel: str) -> list[Chart]:
    """Mean score per wave with its 95% confidence interval, one bar series per instrument of ``t``
    (a wave summary table: instrument, side, wave, n, mean, sd, ci_low, ci_high, ...)."""
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
        parts.append(f"{instrument_label(inst)}: " + ", ".join(
            f"{r[2]} mean {_fmt(r[4])} (n {r[3]})" if r[4] is not None
            else f"{r[2]} {r[3]} respondents" if str(r[3]).startswith("fewer") else _withheld_wave(r[2], str(r[3]))
            for r in rows))
    if all(r[4] is None for r in t.rows):  # every wave under [report] min_cell: nothing to draw
        return []
    caption = _caption("Chart of mean scores per wave with 95% confidence intervals. ", parts, sep="; ")

    def draw(_fig: Figure, ax: Axes) -> None:
        width = 0.8 / max(1, len(instruments))
        for k, inst in enumerate(instruments):
            rows = {r[2]: r for r in t.rows if r[0] == inst and r[4] is not None}  # not the suppressed cells
            if not rows:
                continue
            xs = [waves.index(w) + (k - (len(instruments) - 1) / 2) * width for w in waves if w in rows]
            ys = [rows[w][4] for w in waves if w in rows]
            low = [rows[w][4] - rows[w][6] if rows[w][6] is not None else 0 for w in waves if w in rows]
            high = [rows[w][7] - rows[w][4] if rows[w][7] is not None else 0 for w in waves if w in rows]
            side = rows[next(iter(rows))][1]
            colour = SIDE_COLOURS.get(side, ACCENT) if len(instruments) > 1 else ACCENT
            label = instrument_label(inst)
            mark(ax.bar(xs, ys, width=width * 0.9, color=colour, alpha=0.85, label=label), f"{name}{k}")
            mark(ax.errorbar(xs, ys, yerr=[low, high], fmt="none", ecolor="#1d2733", capsize=4), f"{name}{k}err")
        ax.set_xticks(range(len(waves)), waves)
        if len(instruments) > 1:  # below the axes (constrained layout makes room), never on the bars
            _fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncols=min(2, len(instruments)))

    return [chart(name, title, caption, draw, xlabel="Survey wave", ylabel=ylabel)]


def load_chart(data: ReportData) -> list[Chart]:
    """Mentors by number of mentees (bars)."""
    t = data.mentor_load
    if not t.rows:
        return []
    loads, mentors = t.column("mentees_per_mentor"), t.column("mentors")
    caption = _caption(
        "Bar chart of mentors by number of mentees: ",
        (f"{m} mentor{'s' if m != 1 else ''} with {k}" for k, m in zip(loads, mentors, strict=True)),
    )

    def draw(_fig: Figure, ax: Axes) -> None:
        from matplotlib.ticker import MaxNLocator

        mark(ax.bar([str(k) for k in loads], mentors, color=ACCENT), "load")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    return [chart("load", "Mentor load", caption, draw, xlabel="Mentees per mentor", ylabel="Mentors", size=(4.8, 3.4))]


def match_charts(data: ReportData) -> list[Chart]:
    """The current pairs' match scores (histogram) and the share of pairs each reason helped match."""
    charts = []
    scores = [s for s in data.match_scores.column("score") if s is not None]
    if scores:
        caption = (
            f"Histogram of the match scores of {len(scores)} current pairs (without the bonus `lmsync match` adds "
            f"for keeping an existing pair): lowest {min(scores):.1f}, "
            f"median {sorted(scores)[len(scores) // 2]:.1f}, highest {max(scores):.1f}."
        )

        def draw_scores(_fig: Figure, ax: Axes) -> None:
            from matplotlib.ticker import MaxNLocator

            _, _, patches = ax.hist(scores, bins=min(20, max(5, len(set(scores)))), color=ACCENT, edgecolor="white")
            mark(list(patches), "scores")  # type: ignore[arg-type]
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # pairs are counted: no 2.5 ticks

        charts.append(chart("scores", "Match score distribution", caption, draw_scores, xlabel="Match score", ylabel="Pairs", size=(4.8, 3.4)))
    t = data.match_terms
    if t.rows:
        labels, shares = [str(reason) for reason in t.column("reason")], t.column("share")
        caption = _caption(
            "Bar chart of the share of pairs matched for each reason: ",
            (f"{label} {share:.0%}" for label, share in zip(labels, shares, strict=True)),
        )
        charts.append(
            _ranked_bars(
                "terms",
                "Why pairs were matched",
                caption,
                labels,
                [100 * s for s in shares],
                colour="#6a51a3",
                xlim=(0, 100),
                xlabel="Share of pairs (%)",
                ylabel="Reason",
                size=(4.8, 3.4),
            )
        )
    return charts


def evaluation_chart(data: ReportData) -> list[Chart]:
    """Forest plot of the mean paired change (all respondents) with its 95% confidence interval."""
    t = data.evaluation
    rows = [r for r in t.rows if r[3] == "all" and r[7] is not None]
    if not rows:
        return []
    labels = [f"{instrument_label(r[0])} {r[1]}→{r[2]}" for r in rows]
    caption = _caption(
        "Forest plot of the mean paired change with 95% confidence intervals: ",
        (
            f"{label}: {_fmt(r[7])} [{_fmt(r[8])}, {_fmt(r[9])}], d_z {_fmt(r[10])}, n {r[4]}"
            for label, r in zip(labels, rows, strict=True)
        ),
        sep="; ",
    )

    def draw(_fig: Figure, ax: Axes) -> None:
        ys = list(range(len(rows)))[::-1]
        means = [r[7] for r in rows]
        low = [r[7] - r[8] if r[8] is not None else 0 for r in rows]
        high = [r[9] - r[7] if r[9] is not None else 0 for r in rows]
        ax.axvline(0, color="#5b6776", linewidth=1)
        mark(ax.errorbar(means, ys, xerr=[low, high], fmt="o", color=ACCENT, ecolor=ACCENT, capsize=4, markersize=7), "evaluation")
        ax.set_yticks(ys, labels)
        ax.grid(axis="y", visible=False)

    height = max(2.4, 0.55 * len(rows) + 1.4)
    return [chart("evaluation", "Change between waves (all respondents)", caption, draw, xlabel="Mean change (score units)", ylabel="Instrument and waves", size=(8.0, height))]


def qualities_chart(data: ReportData) -> list[Chart]:
    """The programme's mean rating of each mentor quality (1 to 5) in the latest closed wave the table has (its rows
    are per closed wave: tester round 122b, 2); the table below the chart has every wave's."""
    t = data.qualities
    if not t.rows:
        return []
    wave = t.rows[-1][0]
    rows = [row for row in t.rows if row[0] == wave]
    labels, means = [str(row[1]).replace("_", " ") for row in rows], [row[3] for row in rows]
    caption = _caption(
        f"Bar chart of the programme's mean rating of each mentor quality (1 to 5) in wave {wave}: ",
        (f"{label} {_fmt(m)}" for label, m in zip(labels, means, strict=True)),
    )
    return [
        _ranked_bars(
            "qualities",
            f"Mentor qualities, programme mean, {wave}",
            caption,
            labels,
            [m or 0 for m in means],
            colour="#3a923a",
            xlim=(1, 5),
            xlabel="Mean rating (1-5)",
            ylabel="Quality",
            size=(6.4, 3.6),
        )
    ]
