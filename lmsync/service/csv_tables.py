"""Reading a coordinator's CSV file into checked rows: all of a file, or nothing.

UTF-8 with or without a byte-order mark, comma or semicolon separators (Excel in many
European locales writes semicolons), Excel's ``sep=;`` first line; every problem is
collected as ``file:line: field: message`` (``ImportIssue``) and raised together
(``failed_import``). Slash dates are read day-first or month-first by ``[import] date_order``;
with ``auto`` the file's unambiguous dates decide (issue 11). What the rows mean is
:mod:`lmsync.service.imports`'s.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lmsync.domain.meetings import DATE_ORDER_STYLE, DateOrder, DateStyle, FieldProblem, detect_date_order
from lmsync.errors import InputError

MAX_LISTED = 25
DateOrderSetting = Literal["auto", "dmy", "mdy"]


#: A quoted cell value in a message (``'ada'``, ``"O'Brien"``), with the full name ``named``
#: puts after a person's key (``'ada' (Ada Lovelace)``). A quote after a letter is an apostrophe
#: of the prose ("the mentor's"), never a value's start (tester round 25, 7b).
_QUOTED = re.compile(r"""(?<!\w)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")(?: \((?:[^()]|\([^()]*\))*\))?""")


def masked(message: str) -> str:
    """``message`` with each quoted value (and the full name after it) as ``<value>``: what a log may
    carry of a problem with someone's answer (ids and reasons, never what was typed)."""
    return _QUOTED.sub("<value>", message)


@dataclass(frozen=True)
class ImportIssue:
    """One problem of a file; ``log_reason``: ``message`` as a log may show it (None: the
    message with every quoted value masked when the problem is a cell's, as is otherwise)."""

    line: int
    field: str
    message: str
    log_reason: str | None = None

    def render(self, file_name: str) -> str:
        where = f"{file_name}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def logged(self, file_name: str) -> dict[str, object]:
        """``{"file", "line", "field", "reason"}``: a cell's problem names no value of the row (a name,
        an answer: logs carry neither); a line's or the header's (field ``""``) says its reason whole."""
        reason = self.log_reason
        if reason is None:
            reason = masked(self.message) if self.field else self.message
        return {"file": file_name, "line": self.line, "field": self.field, "reason": reason}


def failed_import(file_name: str, issues: list[ImportIssue], *, outcome: str = "nothing was imported",
                  hint: str = "fix the file and import it again (rows already imported are not stored twice)") -> InputError:
    """The one error for a refused file: its first ``MAX_LISTED`` problems, one a line, by line
    number, then ``outcome`` (what was not done) and the ``hint``."""
    listed_issues = sorted(issues, key=lambda i: i.line)[:MAX_LISTED]
    lines = [i.render(file_name) for i in listed_issues]
    if len(issues) > MAX_LISTED:
        lines.append(f"... and {len(issues) - MAX_LISTED} more")
    noun = "problem" if len(issues) == 1 else "problems"
    at = sorted({i.line for i in issues})
    listed = ", ".join(map(str, at[:MAX_LISTED])) + (", ..." if len(at) > MAX_LISTED else "")
    return InputError(
        f"{file_name}: {len(issues)} {noun}, {outcome}\n  " + "\n  ".join(lines),
        hint=hint,
        summary=f"{file_name}: {len(issues)} {noun} on line(s) {listed}, {outcome}",  # no names: finding 13
        problems=[i.logged(file_name) for i in listed_issues],
    )


# --- reading ----------------------------------------------------------------------------------


WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (.xlsx, .ods); OLE2 (.xls)


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8, a leading byte-order mark dropped; anything else is refused with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith(WORKBOOK_MAGIC):  # an .xlsx saved for a .csv read as "byte 11 of the line" (tester round 95a, 11)
            raise InputError(
                f"{file_name}:1: a spreadsheet workbook (.xlsx, .ods or .xls), not CSV text",
                hint="in your spreadsheet program use Save As / Download as 'CSV UTF-8', then give that file",
                problems=[ImportIssue(1, "", "a spreadsheet workbook, not CSV text").logged(file_name)],
            ) from None
        line = data[: exc.start].count(b"\n") + 1
        # the byte of its line, not of the file (tester round 85a, 10: "line 2 ... (byte 75)"); counted from 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        where = f"byte {column} of the line, 0x{data[exc.start]:02x}"
        raise InputError(
            f"{file_name}:{line}: not UTF-8 text ({where})",
            hint="save the file as 'CSV UTF-8' in your spreadsheet program",
            problems=[ImportIssue(line, "", f"not UTF-8 text ({where})").logged(file_name)],
        ) from None


def read_table(
    text: str, file_name: str, required: tuple[str, ...], optional: tuple[str, ...] = (),
    *, issues: list[ImportIssue] | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line number, {column: text})``; the header decides the separator.

    A row with another number of fields than the header (or a broken quote) is a problem of the
    file: raised at once, or, given ``issues``, appended there and the row left out, so the
    caller checks every other row in the same pass and names all the problems at once (tester
    round 26, 7: the other 15 problems came only after the short row was fixed).

    Column names are matched case-insensitively; blank lines are skipped. Line numbers
    are physical lines (a quoted note spanning lines counts them all), so an editor's
    "go to line" finds the row. Excel's ``sep=;`` (or ``sep=,``) first line names the
    separator and is skipped; without it the header's commonest of ``;`` and ``,`` wins.
    """
    text, delimiter, skipped = separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"{file_name}:{1 + skipped}: {csv_problem(exc)}") from None
    if header is None:
        raise InputError(
            f"{file_name}: the file is empty", hint=f"the first line names the columns: {','.join(required)}"
        )
    names = [h.strip().lower() for h in header]
    while names and names[-1] == "":  # Excel's trailing empty columns (``...,notes,,``; tester finding FIX-B)
        names.pop()
    found: list[ImportIssue] = []
    duplicates = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if n not in required and n not in optional]
    missing = [c for c in required if c not in names]
    head = 1 + skipped
    if duplicates:
        found.append(ImportIssue(head, "", f"column {', '.join(duplicates)} appears twice"))
    if unknown:
        allowed = ", ".join(required + optional)
        found.append(
            ImportIssue(head, "", f"unknown column {', '.join(repr(u) for u in unknown)} (allowed: {allowed})")
        )
    if missing:
        found.append(ImportIssue(head, "", f"missing column {', '.join(missing)}"))
    if found:
        raise failed_import(file_name, found)
    rows: list[tuple[int, dict[str, str]]] = []
    problems = issues if issues is not None else []
    line = reader.line_num + 1 + skipped
    try:
        for record in reader:
            start, line = line, reader.line_num + 1 + skipped
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(names) and not any(cell.strip() for cell in record[len(names) :]):
                record = record[: len(names)]  # the empty cells under those unnamed columns
            if len(record) != len(names):
                problems.append(ImportIssue(start, "", f"{len(record)} field{'' if len(record) == 1 else 's'}, the header has {len(names)}"))
                continue
            rows.append((start, dict(zip(names, record, strict=True))))
    except csv.Error as exc:
        problems.append(ImportIssue(line, "", csv_problem(exc)))
    if problems and issues is None:
        raise failed_import(file_name, problems)
    return rows


_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)


def csv_problem(exc: Exception) -> str:
    """Python's ``csv.Error`` in words an admin can act on (tester round 11, 4): most come from a
    quote (") opened in a cell and not closed where the cell ends."""
    text = str(exc)
    if "unexpected end of data" in text:
        return 'a quote (") opened on this line is never closed: close it, or remove it'
    if "expected after" in text:
        return 'a quote (") opened on this line closes further on, inside the file: close it at the end of its cell'
    return text


def separator(text: str) -> tuple[str, str, int]:
    """``(text without a sep line, delimiter, lines skipped)`` of a CSV file's text.

    Excel's ``sep=;`` (or ``sep=,``) first line names the separator and is dropped (one line
    skipped, so callers keep physical line numbers); without it the header's commonest of
    ``,``, ``;`` and a tab wins, a comma on a tie (Excel in many European locales saves with
    semicolons; a spreadsheet's "tab-delimited text" and a copied range use tabs: tester round 8).
    """
    first_line, _, rest = text.partition("\n")
    sep = _SEP_LINE.match(first_line.strip().strip('"'))
    if sep:
        return rest, sep.group(1), 1
    return text, max((",", ";", "\t"), key=first_line.count), 0


def read_file(path: Path) -> tuple[str, str]:
    """(text, sha256 of the bytes) of a CSV file, or an ``InputError`` a person can act on."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_csv(data, str(path)), hashlib.sha256(data).hexdigest()  # as given (tester round 122c, 2)


class MixedDateFormats(FieldProblem):
    """A row's date is written in another format than an earlier row's (``DateStyleGuard``)."""


class DateStyleGuard:
    """Refuses a file mixing date styles: ``03/04/2026`` beside ISO dates is a swap waiting to happen.

    ``order_open``: the file's slash dates were read day-first only for want of an order
    (``decide_date_order`` gave ``None``), so a slash date that reads both ways is named as written
    "with slashes", not as DD/MM/YYYY; the mix is still listed with the file's date-order problem (tester round 34, 5).
    """

    def __init__(self, order_open: bool = False) -> None:
        self.style: DateStyle | None = None
        self.line = 0
        self.text = ""
        self.order_open = order_open

    def check(self, style: DateStyle, line: int, text: str) -> None:
        if self.style is None:
            self.style, self.line, self.text = style, line, text.strip()
        elif style is not self.style:
            # the first date quoted: "uses DD/MM/YYYY" of '21.11.2026' read as wrong (tester round 30, 7)
            raise MixedDateFormats(
                "date",
                f"{text.strip()!r} is written {self._label(style, text)} but line {self.line} has {self.text!r} "
                f"({self._label(self.style, self.text)}): use one date format per file",
            )

    def _label(self, style: DateStyle, text: str) -> str:
        if self.order_open and style is DateStyle.DAY_FIRST and detect_date_order([text]).ambiguous:
            return "with slashes"  # read day-first for want of an order, not known to be
        return style.value


# --- dates -------------------------------------------------------------------------------------


def decide_date_order(
    rows: list[tuple[int, dict[str, str]]],
    file_name: str,
    setting: DateOrderSetting,
    issues: list[ImportIssue] | None = None,
) -> tuple[DateOrder | None, str | None]:
    """How the file's slash dates are read, and a sentence saying so (``None``: no slash dates).

    ``dmy``/``mdy`` are taken as set. ``auto`` lets the file decide: a date that exists only
    day-first (``25/12/2026``) means day-first; one that exists only month-first means
    month-first; a file holding both is refused (line of each), and so is a file whose
    slash dates all read both ways (``03/04/2026``), asking for ``[import] date_order``. Given
    ``issues``, a problem of the order joins the file's others instead (order ``None``: the rows are read
    day-first and :func:`order_left_open` drops their problems that hang on the order; tester round
    28, 6: the file's other problems came only after date_order was set).
    """
    evidence = detect_date_order(fields.get("date", "") for _, fields in rows)
    if not evidence.slash_dates:
        return "dmy", None
    if setting != "auto":
        style = DATE_ORDER_STYLE[setting].value
        return setting, f"dates read as {style} ([import] date_order = \"{setting}\")"
    if evidence.day_first and evidence.month_first:
        (d_index, d_text), (m_index, m_text) = evidence.day_first, evidence.month_first
        mixed = ImportIssue(
            rows[m_index][0],
            "date",
            f"{m_text!r} can only be read month-first, but line {rows[d_index][0]} has {d_text!r}, "
            "which can only be read day-first: use one date order per file",
        )
        if issues is None:
            raise failed_import(file_name, [mixed])
        issues.append(mixed)  # with the file's other problems (tester round 30, 7)
        return None, None
    order = evidence.order
    if order is None and not evidence.ambiguous:
        # no slash date reads either way (31/31/2026): each is a problem of its row, listed with the
        # file's other problems, not a date-order question (tester round 7, 4)
        return "dmy", None
    if order is None:
        first = next(line for line, f in rows if detect_date_order([f.get("date", "")]).slash_dates)
        issue = ImportIssue(
            first,
            "date",
            f"{evidence.ambiguous} date(s) like {rows_date(rows, first)!r} read both day-first and "
            'month-first: set [import] date_order = "dmy" (DD/MM/YYYY) or "mdy" (MM/DD/YYYY) '
            "in lmsync.toml, or write dates as YYYY-MM-DD",
        )
        if issues is None:
            raise failed_import(file_name, [issue])
        issues.append(issue)
        return None, None
    found = evidence.day_first or evidence.month_first
    assert found is not None  # evidence.order is set only when one of them is
    index, text = found
    style = DATE_ORDER_STYLE[order].value
    return order, f"dates read as {style}: line {rows[index][0]} has {text!r} ([import] date_order = \"auto\")"


def order_left_open(order: DateOrder | None, problem: FieldProblem, fields: dict[str, str]) -> bool:
    """Whether a row's ``problem`` hangs on the date order the file left open (``order`` ``None``
    from :func:`decide_date_order`): a problem of a slash date, such as "before the programme
    started" read day-first, or a month-first date read day-first. The file's one date-order problem
    stands for them. A mix of date formats does not hang on the order: it is kept (round 34, 5)."""
    if order is not None or problem.field != "date" or isinstance(problem, MixedDateFormats):
        return False
    evidence = detect_date_order([fields.get("date", "")])
    return bool(evidence.ambiguous or evidence.day_first or evidence.month_first)


def rows_date(rows: list[tuple[int, dict[str, str]]], line: int) -> str:
    return next(f.get("date", "") for n, f in rows if n == line).strip()
