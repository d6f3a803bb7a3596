"""The one set of renderers: a view (:mod:`lmsync.render.views`) as text, JSON or CSV (issue 12).

``render(view, fmt, command)`` is what every command prints through (``lmsync.cli.echo_view``).

* **text**: notes as written, fields as ``label: value``, tables as columns aligned on the widest
  cell (or a row template); dates ISO, numbers ``:g``, ``True``/``False`` as yes/no. A padded cell
  (any column but the last) is cut to ``CELL_WIDTH`` columns with ``…``, IDs and a label's
  ``(username)`` kept whole (:func:`clipped`).
* **json**: an object of the view's fields and tables by key (a table alone: a list of objects),
  keys in the view's order, dates as ISO strings, numbers as numbers; two-space indent, UTF-8.
* **csv**: a table's header (column keys) and rows; a document with several tables writes each as
  a section, ``# <key>`` alone on a line, the header, the rows, then a blank line (``csv.reader``
  reads it as a one-cell row, the table, and an empty row). Cells are escaped against CSV
  injection (:func:`csv_cell`).

A format a view has nothing for (CSV of a view without a table, JSON of notes only) is an
:class:`lmsync.errors.InputError` naming the command.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from numbers import Real
from typing import Any

from lmsync.errors import InputError
from lmsync.render.views import Field, Note, Shown, Table, View
from lmsync.visible import visible

#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(view: View, fmt: str, command: str = "lmsync") -> str:
    """``view`` as ``fmt`` (``text``, ``json`` or ``csv``; ``table`` is ``text``), without a final newline
    for text and JSON. Raises ``InputError`` naming ``command`` when the view has nothing in that format."""
    if fmt in ("text", "table"):
        return text(view)
    if fmt == "json":
        return json_text(view, command)
    if fmt == "csv":
        return csv_text(view, command)
    raise InputError(f"{command}: unknown format {fmt!r}", hint="--format text, json or csv")


# --- cells ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as people read it: ISO dates, ``:g`` numbers, yes/no, ``""`` for none, items joined by ``; ``."""
    if type(value) is str:  # most cells, answered first (issue 15: 250,000 cells for 50,000 pairs)
        return value
    if isinstance(value, Shown):
        return value.text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={cell_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value)
    return str(value)


def cell_data(value: Any) -> Any:
    """A cell as JSON data: ``Shown`` gives its data, dates ISO strings, containers converted item by item."""
    if isinstance(value, Shown):
        return cell_data(value.data)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): cell_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [cell_data(v) for v in value]
    return value


def csv_cell(value: Any) -> str:
    """A cell for a spreadsheet: its scalar machine value (``Shown.data``), else its text; escaped.

    Numbers are written to 15 significant digits (all a float holds, without
    binary noise: ``0.1 + 0.2`` is ``0.3``), booleans yes/no, nested data as compact JSON. A text
    cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``:
    spreadsheets run such a cell as a formula (CSV injection: ``=HYPERLINK(...)`` in a name
    would run on the coordinator's machine), and the quote makes them show it as text
    (OWASP, "CSV Injection"). Numbers are never escaped, so ``-1`` stays a number. Line breaks
    inside a cell become ``\\n`` (the writer quotes those; a bare ``\\r`` it would not). Other
    control and bidirectional formatting characters are written as escapes (``lmsync.visible``):
    CSV printed to a terminal ran ``ESC ] 0;`` from a name (tester round 44, 2).
    """
    data = value.data if isinstance(value, Shown) else value
    if not _scalar(data):
        data = value.text if isinstance(value, Shown) else json.dumps(cell_data(data), ensure_ascii=False)
    if data is None:
        return ""
    if isinstance(data, bool):
        return "yes" if data else "no"
    if isinstance(data, float):
        return format(data, ".15g")
    if isinstance(data, Real):
        return str(data)
    text_value = data.isoformat() if isinstance(data, date) else str(data)
    escaped = "'" + text_value if text_value.startswith(FORMULA_STARTS) else text_value
    # a bare CR would not be quoted: one line break
    return visible(escaped.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | Real | bool | date)


# --- text -------------------------------------------------------------------------------------


def text(view: View) -> str:
    """``view`` for a person to read (see the module's docstring). Control and bidirectional
    formatting characters from the data print as escapes (:mod:`lmsync.visible`)."""
    if isinstance(view, Table):
        return "\n".join(table_lines(view))
    parts = ["\n".join(lines) for lines in (_block_lines(b) for b in view.blocks) if lines]
    return ("\n\n" if view.spaced else "\n").join(parts)


def _block_lines(block: Table | Field | Note) -> list[str]:
    if "text" not in block.formats:
        return []
    if isinstance(block, Note):
        return [visible(block.text, keep="\n")]
    if isinstance(block, Field):
        return [f"{block.label or block.key}: {_shown(block.value)}"]
    return table_lines(block)


def table_lines(table: Table) -> list[str]:
    """A table's text lines: title, rows (aligned or by template) with their details, footer."""
    lines = [visible(table.title, keep="\n")] if table.title else []
    if not table.rows:
        return [] if table.empty is None else [*lines, visible(table.empty, keep="\n")] if table.empty else lines
    rows = table.rows
    if table.line is not None:
        for row in rows:
            lines.append(table.line.format(**{k: _shown(v) for k, v in row.items()}).rstrip())
            lines.extend(_details(table, row))
    else:
        columns = table.shown("text")
        head = [c.heading for c in columns]
        by_column = [[_shown(row.get(c.key)) for row in rows] for c in columns]
        by_column[:-1] = [[clipped(v) for v in cells] for cells in by_column[:-1]]  # padded: tester round 103a, 7
        ascii_only = all("".join([h, *cells]).isascii() for h, cells in zip(head, by_column, strict=True))
        if ascii_only:  # a column's width is its longest cell's length (issue 15: 50,000 rows, 0.6 s -> 0.2 s)
            widths = [max(len(h), *map(len, cells)) for h, cells in zip(head, by_column, strict=True)]
            template = "  ".join(f"{{:{c.align or '<'}{w}}}" for c, w in zip(columns, widths, strict=True))
            lines.append(template.format(*head).rstrip())
            body = [template.format(*values).rstrip() for values in zip(*by_column, strict=True)]
        else:
            widths = [max(display_width(v) for v in [h, *cells]) for h, cells in zip(head, by_column, strict=True)]

            def joined(values: Sequence[str]) -> str:
                padded = (_pad(v, w, c.align == ">") for v, w, c in zip(values, widths, columns, strict=True))
                return "  ".join(padded).rstrip()

            lines.append(joined(head))
            body = [joined(values) for values in zip(*by_column, strict=True)]
        body = body if columns else [""] * len(rows)
        if table.details is None:
            lines.extend(body)
        else:
            for row, line in zip(rows, body, strict=True):
                lines.append(line)
                lines.extend(_details(table, row))
    if table.footer:
        lines.append(visible(table.footer, keep="\n"))
    return lines


def _shown(value: Any) -> str:
    """A cell of the text renderer: ``cell_text`` with control characters as escapes."""
    return visible(cell_text(value))


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: East Asian wide and full-width characters two
    (a Chinese or Japanese name), combining and other zero-width marks none (a Thai vowel sign, a
    zero-width joiner), an emoji sequence (a family, a skin tone) as one emoji: ``wcwidth``'s
    reading of Unicode (tester round 82, 2: ``unicodedata``'s combining class left a Thai name and
    emoji sequences one to six columns out). ASCII text is its length. A character ``wcwidth``
    cannot place (none reach here: cells are ``visible`` first) counts by East Asian Width."""
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth  # only for a table with a cell beyond ASCII

    width: int = wcswidth(text)
    if width >= 0:
        return width
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: The widest a padded text cell is shown (display columns): one long value padded every line to it.
CELL_WIDTH = 60
#: An ID a user copies is kept whole up to this many columns (Moodle's longest username and ID number).
ID_WIDTH = 100
#: A cell ending in a parenthesised part: a person's label, ``Ada Lovelace (s0006)``, whose username is kept.
_LABEL = re.compile(r"(?s)(.*\S) (\([^()]*\))")


def clipped(text: str) -> str:
    """A padded cell of a text table at most ``CELL_WIDTH`` columns wide, cut with ``…``: a 5,000-character name
    padded every line of ``lmsync match`` to its width (tester round 103a, 7). JSON and CSV keep every value
    whole; so does the text the last column (never padded) and an ID: a cell without spaces up to ``ID_WIDTH``
    columns (a username, an ID number), a label's ``(username)`` up to ``ID_WIDTH``, its name cut instead."""
    if len(text) <= CELL_WIDTH // 2 or display_width(text) <= CELL_WIDTH:
        return text
    if display_width(text) <= ID_WIDTH and not any(ch.isspace() for ch in text):
        return text
    label = _LABEL.fullmatch(text)
    if label is not None and len(label.group(2)) <= ID_WIDTH:
        tail = label.group(2)
        return _cut(label.group(1), max(CELL_WIDTH - display_width(tail) - 1, 12)) + " " + tail
    return _cut(text, CELL_WIDTH)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns: as it is when it fits, else its start and ``…``."""
    if display_width(text) <= width:
        return text
    if text.isascii():
        return text[: width - 1] + "…"
    from wcwidth import wcwidth

    used, end = 0, 0
    for end, ch in enumerate(text):  # noqa: B007 - ``end`` is where the cut falls
        used += max(wcwidth(ch), 0)
        if used > width - 1:
            break
    return text[:end] + "…"


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def _details(table: Table, row: Mapping[str, Any]) -> list[str]:
    if table.details is None:
        return []
    return [table.detail_line.format(_shown(item)) for item in row.get(table.details) or ()]


# --- JSON -------------------------------------------------------------------------------------


def json_data(view: View, command: str = "lmsync") -> Any:
    """``view`` as JSON data: a table a list of objects, a document an object of its fields and tables."""
    if isinstance(view, Table):
        return _rows_data(view)
    data: dict[str, Any] = {}
    for block in view.blocks:
        if "json" not in block.formats or isinstance(block, Note):
            continue
        data[block.key] = cell_data(block.value) if isinstance(block, Field) else _rows_data(block)
    if not data:
        raise InputError(f"{command}: nothing to show as JSON", hint="use --format text")
    return data


def _rows_data(table: Table) -> list[dict[str, Any]]:
    columns = table.shown("json")
    return [{c.key: cell_data(row.get(c.key)) for c in columns} for row in table.rows]


def json_text(view: View, command: str = "lmsync") -> str:
    return json.dumps(json_data(view, command), indent=2, ensure_ascii=False)


# --- CSV --------------------------------------------------------------------------------------


def csv_text(view: View, command: str = "lmsync") -> str:
    """``view``'s tables as CSV (``\\n`` line ends; sections when there are several, see the module)."""
    tables = [view] if isinstance(view, Table) else [
        b for b in view.blocks if isinstance(b, Table) and "csv" in b.formats
    ]
    if not tables:
        raise InputError(f"{command}: this view has no table to write as CSV", hint="use --format text or json")
    if len(tables) == 1:
        return csv_table(tables[0])
    return "\n".join(f"# {t.key}\n{csv_table(t)}" for t in tables)


def csv_table(table: Table) -> str:
    """One table as CSV: the header (column keys), then a line per row."""
    columns = table.shown("csv")
    return csv_rows([c.key for c in columns], ([row.get(c.key) for c in columns] for row in table.rows))


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header and rows as CSV text, every cell through :func:`csv_cell`; the one CSV writer of lmsync."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
