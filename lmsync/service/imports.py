"""Strict CSV import of meetings and survey answers: all of a file, or nothing.

A coordinator's spreadsheet is the least reliable input lmsync has, so a file is read
completely and every problem is collected (file, line, field, what is wrong) before
anything is stored; one bad row stores nothing from the file. Accepted: UTF-8 with or
without a byte-order mark, comma or semicolon separators (Excel in many European locales
writes semicolons), ``YYYY-MM-DD`` or ``DD/MM/YYYY`` dates but one style per file.
Refused: unknown or missing columns, a row repeating an earlier one's key, unknown
people, dates in the future. Importing the same file twice stores nothing twice: rows
are upserted on their natural key and the content hash decides whether anything changed.

People are resolved through a callable (username, idnumber or email -> Moodle user id)
that the caller builds from Moodle, so this module never talks to Moodle itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from lmsync.domain.instruments import Instrument, InstrumentValueError, SurveyAnswer
from lmsync.domain.meetings import (
    MEETING_COLUMNS,
    MEETING_OPTIONAL_COLUMNS,
    DateStyle,
    FieldProblem,
    Meeting,
    RecordProblems,
    Resolver,
    meeting_from_fields,
    parse_date,
    resolve_person,
)
from lmsync.errors import InputError
from lmsync.log import get_logger
from lmsync.store.db import Store
from lmsync.store.meetings import ImportLog, MeetingRepository, SaveCounts
from lmsync.store.surveys import SurveyRepository

log = get_logger(__name__)

SURVEY_COLUMNS = ("respondent", "date", "instrument", "item", "value")
MAX_LISTED = 25
T = TypeVar("T")


@dataclass(frozen=True)
class ImportIssue:
    line: int
    field: str
    message: str

    def render(self, file_name: str) -> str:
        where = f"{file_name}, line {self.line}"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file_name: str
    rows: int
    counts: SaveCounts
    seen_before: bool  # a file with the same bytes was imported earlier


def _fail(file_name: str, issues: list[ImportIssue]) -> InputError:
    lines = [i.render(file_name) for i in sorted(issues, key=lambda i: i.line)[:MAX_LISTED]]
    if len(issues) > MAX_LISTED:
        lines.append(f"... and {len(issues) - MAX_LISTED} more")
    noun = "problem" if len(issues) == 1 else "problems"
    return InputError(
        f"{file_name}: {len(issues)} {noun}, nothing was imported\n  " + "\n  ".join(lines),
        hint="fix the file and import it again (rows already imported are not stored twice)",
    )


# --- reading ----------------------------------------------------------------------------------


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8, a leading byte-order mark dropped; anything else is refused with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{file_name}, line {line}: not UTF-8 text (byte {exc.start})",
            hint="save the file as 'CSV UTF-8' in your spreadsheet program",
        ) from None


def read_table(
    text: str, file_name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line number, {column: text})``; the header decides the separator.

    Column names are matched case-insensitively; blank lines are skipped. Line numbers
    are physical lines (a quoted note spanning lines counts them all), so an editor's
    "go to line" finds the row.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"{file_name}, line 1: {exc}") from None
    if header is None:
        raise InputError(
            f"{file_name}: the file is empty", hint=f"the first line names the columns: {','.join(required)}"
        )
    names = [h.strip().lower() for h in header]
    issues: list[ImportIssue] = []
    duplicates = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if n not in required and n not in optional]
    missing = [c for c in required if c not in names]
    if duplicates:
        issues.append(ImportIssue(1, "", f"column {', '.join(duplicates)} appears twice"))
    if unknown:
        allowed = ", ".join(required + optional)
        issues.append(
            ImportIssue(1, "", f"unknown column {', '.join(repr(u) for u in unknown)} (allowed: {allowed})")
        )
    if missing:
        issues.append(ImportIssue(1, "", f"missing column {', '.join(missing)}"))
    if issues:
        raise _fail(file_name, issues)
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(names):
                issues.append(ImportIssue(start, "", f"{len(record)} fields, the header has {len(names)}"))
                continue
            rows.append((start, dict(zip(names, record, strict=True))))
    except csv.Error as exc:
        issues.append(ImportIssue(line, "", str(exc)))
    if issues:
        raise _fail(file_name, issues)
    return rows


def read_file(path: Path) -> tuple[str, str]:
    """(text, sha256 of the bytes) of a CSV file, or an ``InputError`` a person can act on."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_csv(data, path.name), hashlib.sha256(data).hexdigest()


class _DateStyleGuard:
    """Refuses a file mixing date styles: ``03/04/2026`` beside ISO dates is a swap waiting to happen."""

    def __init__(self) -> None:
        self.style: DateStyle | None = None
        self.line = 0

    def check(self, style: DateStyle, line: int, text: str) -> None:
        if self.style is None:
            self.style, self.line = style, line
        elif style is not self.style:
            raise FieldProblem(
                "date",
                f"{text.strip()!r} is written {style.value} but line {self.line} uses {self.style.value}: "
                "use one date format per file",
            )


# --- meetings -----------------------------------------------------------------------------------


def parse_meetings_csv(
    text: str, file_name: str, resolve: Resolver, *, today: date | None = None
) -> list[tuple[Meeting, str]]:
    """Every meeting of the file with its origin (``file:line``), or an ``InputError`` listing all problems."""
    rows = read_table(text, file_name, MEETING_COLUMNS, MEETING_OPTIONAL_COLUMNS)
    issues: list[ImportIssue] = []
    guard = _DateStyleGuard()
    seen: dict[tuple[str, int, int, str], int] = {}
    out: list[tuple[Meeting, str]] = []
    for line, fields in rows:
        try:
            meeting, style = meeting_from_fields(fields, resolve, source="csv", today=today)
            guard.check(style, line, fields["date"])
        except RecordProblems as problems:
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems.problems)
            continue
        except FieldProblem as problem:
            issues.append(ImportIssue(line, problem.field, problem.message))
            continue
        first = seen.setdefault(meeting.natural_key, line)
        if first != line:
            issues.append(
                ImportIssue(line, "", f"repeats the meeting on line {first} (same date, mentor and mentee)")
            )
            continue
        out.append((meeting, f"{file_name}:{line}"))
    if issues:
        raise _fail(file_name, issues)
    return out


def import_meetings_file(
    store: Store, programme: str, path: Path, resolve: Resolver, *, today: date | None = None
) -> ImportResult:
    """Validate the whole file, then store it and the import record in one transaction."""
    text, sha = read_file(path)
    meetings = parse_meetings_csv(text, path.name, resolve, today=today)
    return _store(
        store,
        programme,
        "meetings",
        path.name,
        sha,
        len(meetings),
        lambda conn: MeetingRepository(store, programme).save_in(conn, meetings),
    )


# --- survey answers -------------------------------------------------------------------------------


def parse_surveys_csv(
    text: str,
    file_name: str,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    *,
    today: date | None = None,
) -> list[tuple[SurveyAnswer, str]]:
    """Answers ``respondent,date,instrument,item,value``; a blank value is a missing answer."""
    rows = read_table(text, file_name, SURVEY_COLUMNS)
    issues: list[ImportIssue] = []
    guard = _DateStyleGuard()
    seen: dict[tuple[int, str, date, str], int] = {}
    out: list[tuple[SurveyAnswer, str]] = []
    for line, fields in rows:
        answer, problems = _survey_answer(line, fields, resolve, instruments, guard, today)
        if answer is None:
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems)
            continue
        key = (answer.respondent_id, answer.instrument, answer.date, answer.item)
        first = seen.setdefault(key, line)
        if first != line:
            issues.append(
                ImportIssue(line, "", f"repeats line {first} (same respondent, date, instrument and item)")
            )
            continue
        out.append((answer, f"{file_name}:{line}"))
    if issues:
        raise _fail(file_name, issues)
    return out


def _survey_answer(
    line: int,
    fields: Mapping[str, str],
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    guard: _DateStyleGuard,
    today: date | None,
) -> tuple[SurveyAnswer | None, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    person = _try(problems, lambda: resolve_person(resolve, fields["respondent"], "respondent"))
    parsed = _try(problems, lambda: parse_date(fields["date"], today=today))
    if parsed is not None:
        _try(problems, lambda: guard.check(parsed[1], line, fields["date"]))
    name, item, value = fields["instrument"].strip(), fields["item"].strip(), fields["value"].strip()
    instrument = instruments.get(name)
    if instrument is None:
        known = ", ".join(sorted(instruments)) or "none declared"
        problems.append(FieldProblem("instrument", f"{name!r} is not a declared instrument ({known})"))
    elif item not in instrument.items:
        problems.append(
            FieldProblem("item", f"{item!r} is not an item of {name} ({', '.join(instrument.items)})")
        )
    else:
        try:
            instrument.parse_value(item, value)
        except InstrumentValueError as exc:
            problems.append(FieldProblem("value", str(exc)))
    if problems or person is None or parsed is None:
        return None, problems
    return SurveyAnswer(person.user_id, name, parsed[0], item, value, "csv"), []


def _try(problems: list[FieldProblem], fn: Callable[[], T]) -> T | None:
    try:
        return fn()
    except FieldProblem as problem:
        problems.append(problem)
        return None


def import_surveys_file(
    store: Store,
    programme: str,
    path: Path,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    *,
    today: date | None = None,
) -> ImportResult:
    text, sha = read_file(path)
    answers = parse_surveys_csv(text, path.name, resolve, instruments, today=today)
    return _store(
        store,
        programme,
        "surveys",
        path.name,
        sha,
        len(answers),
        lambda conn: SurveyRepository(store, programme).save_in(conn, answers),
    )


def _store(
    store: Store, programme: str, kind: str, file_name: str, sha: str, rows: int, save: Callable
) -> ImportResult:  # type: ignore[type-arg]
    imports = ImportLog(store, programme)
    seen_before = imports.previous(kind, sha) is not None
    with store.transaction() as conn:
        counts: SaveCounts = save(conn)
        imports.record_in(conn, kind, file_name, sha, rows, counts)
    log.info(
        "import.stored",
        kind=kind,
        rows=rows,
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        seen_before=seen_before,
    )
    return ImportResult(kind, file_name, rows, counts, seen_before)
