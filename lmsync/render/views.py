"""View models: what a command shows, without saying how (issue 12, "Views once").

A command's result becomes one of these, and :mod:`lmsync.render.formats` renders it as text
for people, JSON for programs or CSV for spreadsheets (the shared ``--format`` option of
:mod:`lmsync.cli`). The vocabulary is small:

* :class:`Table`: columns and rows (a row maps a column's ``key`` to a cell);
* :class:`Field`: one labelled value (a JSON key; ``label: value`` in text);
* :class:`Note`: a sentence or paragraph for people (text only);
* :class:`Document`: titled blocks of the three above, in order.

A cell is a scalar (``str``, ``int``, ``float``, ``bool``, ``date``, ``None``), nested JSON-like
data (lists and dicts of cells, e.g. a pair's reasons), or :class:`Shown`: a machine value
with the words people read (a person as ``{"id", "username", "name"}`` in JSON and
``Ada Lovelace (s0006)`` in text and CSV).

Every block and column says which renderings show it (``formats``: tables and columns all
three by default, fields JSON, notes text), so one view carries the text layout and the JSON
keys each command has always had: a table the text shows only in part (pairs needing
attention) is a text-only block beside the full one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Format = Literal["text", "json", "csv"]
FORMATS: tuple[Format, ...] = ("text", "json", "csv")
ALL: frozenset[str] = frozenset(FORMATS)
TEXT: frozenset[str] = frozenset({"text"})
JSON: frozenset[str] = frozenset({"json"})
CSV_ONLY: frozenset[str] = frozenset({"csv"})
TEXT_CSV: frozenset[str] = frozenset({"text", "csv"})
JSON_CSV: frozenset[str] = frozenset({"json", "csv"})


@dataclass(frozen=True)
class Shown:
    """A cell whose machine value (``data``: JSON, and CSV when it is a scalar) differs from its ``text``."""

    data: Any
    text: str


Cell = str | int | float | bool | date | Shown | None | Sequence[Any] | Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names it in JSON and in the CSV header, ``title`` in the text table (default ``key``).

    ``align`` is ``"<"`` or ``">"`` (text only); ``formats`` the renderings that show it.
    """

    key: str
    title: str | None = None
    align: Literal["<", ">"] = "<"
    formats: frozenset[str] = ALL

    @property
    def heading(self) -> str:
        return self.key if self.title is None else self.title


@dataclass(frozen=True)
class Table:
    """Rows under columns; JSON: a list of objects, CSV: a header and one line per row, text: aligned columns.

    Text only: ``title`` is a line above the rows; ``line`` a ``str.format`` template each row is
    written with (``{key}`` is a cell's text, any key of the row) instead of aligned columns under a
    header of titles; ``details`` the key of a list cell whose items go under their row, each
    through ``detail_line``; ``empty`` what is said instead of a table without rows, after its
    title (``""``: the title alone; ``None``: nothing at all); ``footer`` a line after the rows.
    """

    key: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    title: str | None = None
    line: str | None = None
    details: str | None = None
    detail_line: str = "    - {}"
    empty: str | None = None
    footer: str | None = None
    formats: frozenset[str] = ALL

    def shown(self, fmt: str) -> list[Column]:
        """The columns ``fmt`` shows, in order."""
        return [c for c in self.columns if fmt in c.formats]


@dataclass(frozen=True)
class Field:
    """One value under ``key`` (JSON), or ``label: value`` in text when ``label`` is set and text shows it."""

    key: str
    value: Any
    label: str | None = None
    formats: frozenset[str] = JSON


@dataclass(frozen=True)
class Note:
    """Words for people: one line or several (text only unless ``formats`` says otherwise; never JSON)."""

    text: str
    formats: frozenset[str] = TEXT


Block = Table | Field | Note


@dataclass(frozen=True)
class Document:
    """Blocks in order. JSON: an object of its fields and tables by key; CSV: its tables (see
    :func:`lmsync.render.formats.csv_text`); text: each block, separated by a blank line
    (``spaced=False``: one after the other)."""

    blocks: Sequence[Block] = field(default_factory=tuple)
    spaced: bool = True


View = Document | Table
