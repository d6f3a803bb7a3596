"""Charts for the programme report, drawn by matplotlib's SVG backend (issue 14).

Never SVG written by hand: matplotlib draws each chart; text stays text (``svg.fonttype =
none``), so nothing loads a font. ``chart`` lays a figure out once and returns its SVG with
a text alternative (``<title>``/``<desc>``, ``role="img"``) and its caption; ``mark`` gives
every artist that draws data an SVG id starting ``mark-`` so a test can check each chart
drew its data.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MARK = "mark-"  # SVG id prefix of every artist that draws data


@dataclass(frozen=True)
class Chart:
    """One drawn chart: ``svg`` is the ``<svg>`` element (no XML prologue), ``caption`` its text alternative."""

    name: str
    title: str
    svg: str
    caption: str


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
    from lmsync.service.steady_gc import steady_gc

    global _charts_depth
    if _charts_depth:
        yield
        return
    _charts_depth += 1
    try:
        with steady_gc():
            _quiet_matplotlib()
            import matplotlib

            with matplotlib.rc_context(STYLE):  # restores every setting on the way out
                yield
    finally:
        _charts_depth -= 1


def _quiet_matplotlib() -> None:
    """Where matplotlib cannot write its config folder (``$MPLCONFIGDIR``, default ~/.config/matplotlib:
    a DynamicUser service, a read-only container root) it printed two plain-text warnings to stderr
    on every run, breaking ``--log-format json`` (tester round 12, 11). Its logger shows errors only,
    unless something already set its level; the deploy units give it a writable ``MPLCONFIGDIR``."""
    logger = logging.getLogger("matplotlib")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


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


def mark(artists: Any, name: str) -> None:
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


#: how far in from the figure's edges (pixels at its dpi) a title must end: room for a browser's font a little wider than
#: matplotlib's own measure of it
TITLE_MARGIN = 6.0


def fit_titles(fig: Figure) -> None:
    """Move each axes' title left until it ends ``TITLE_MARGIN`` inside the figure's right edge, never further left
    than that margin from its left one (a title wider than the figure, which none of the report's is, starts there).
    The constrained layout makes room above a title but not beside it, and a title starts where its plot does: a long
    bar label ("a peer mentor the right years senior") pushed the plot right, and the SVG cut "Why pairs were matched"
    to "Why pairs were matc" (tester round 120a, 4). Call it on a figure laid out; it changes no layout."""
    from matplotlib.text import Text

    # an axes' Text children, less its ``ax.text`` notes, are its three titles (left, centre, right)
    titles = [(ax, t) for ax in fig.axes for t in ax.get_children() if isinstance(t, Text) and t not in ax.texts]
    for ax, title in titles:
        if not title.get_text() or not title.get_visible() or ax.bbox.width <= 0:
            continue
        box = title.get_window_extent()
        shift = min(box.x1 - (fig.bbox.width - TITLE_MARGIN), box.x0 - TITLE_MARGIN)
        if shift > 0:
            x, _y = title.get_position()
            title.set_x(x - shift / ax.bbox.width)


def _svg(fig: Figure, name: str, title: str, description: str) -> str:
    # Lay the figure out once, then save it without a layout engine: savefig would otherwise
    # draw the whole figure twice (a dry run for the layout, then the real one).
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fit_titles(fig)  # inside the figure, where the layout put the plot (tester round 120a, 4)
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


def chart(name: str, title: str, caption: str, draw: Callable[[Figure, Axes], None], **kwargs: Any) -> Chart:
    """Draw one chart: ``draw(fig, ax)`` plots on axes titled ``title``; ``kwargs``: ``xlabel``,
    ``ylabel`` (required) and ``size`` (inches). ``name`` makes the SVG ids stable and distinct."""
    xlabel, ylabel = kwargs.pop("xlabel"), kwargs.pop("ylabel")
    with _figure(name, title, xlabel, ylabel, **kwargs) as (fig, ax):
        draw(fig, ax)
        svg = _svg(fig, name, title, caption)
    return Chart(name, title, svg, caption)

