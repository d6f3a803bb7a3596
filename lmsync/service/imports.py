"""Strict CSV import of meetings and survey answers: all of a file, or nothing.

A coordinator's spreadsheet is the least reliable input lmsync has, so a file is read
completely and every problem is collected (file, line, field, what is wrong) before
anything is stored; one bad row stores nothing from the file, and each problem is listed
as ``file:line: field: message``. Accepted: UTF-8 with or without a byte-order mark, comma
or semicolon separators (Excel in many European locales writes semicolons), Excel's
``sep=;`` first line, ``YYYY-MM-DD`` or slash dates (one style per file) read day-first or
month-first by ``[import] date_order``; with ``auto`` the file's unambiguous dates decide,
and a file whose dates all read both ways is refused until the order is set (issue 11).
Refused: unknown or missing columns, a row repeating an earlier one's key, unknown
people, dates in the future or before the programme start, a meeting between two people
who were never a mentoring pair, a survey answer ``about`` someone who is not in a pair
with the respondent. Importing the same file twice stores nothing twice: rows are
upserted on their natural key and the content hash decides whether anything changed.

People are resolved through a callable (username, idnumber or email -> Moodle user id)
that the caller builds from Moodle, so this module never talks to Moodle itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar

from lmsync.domain.instruments import Instrument, InstrumentValueError, SurveyAnswer
from lmsync.domain.meetings import (
    DATE_ORDER_STYLE,
    MEETING_COLUMNS,
    MEETING_OPTIONAL_COLUMNS,
    DateOrder,
    DateStyle,
    FieldProblem,
    Meeting,
    PersonRef,
    RecordProblems,
    Resolver,
    detect_date_order,
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
SURVEY_OPTIONAL_COLUMNS = ("about",)
MAX_LISTED = 25
T = TypeVar("T")
DateOrderSetting = Literal["auto", "dmy", "mdy"]


@dataclass(frozen=True)
class ImportRules:
    """What a file is checked against beyond its own rows.

    ``today`` and ``start`` (the programme start) bound every date; ``date_order`` reads
    slash dates (``[import] date_order``); ``pairs`` are the (mentor, mentee) pairs that
    ever existed (``None``: not checked); ``names`` (user id -> full name) make messages
    about people readable.
    """

    today: date | None = None
    start: date | None = None
    date_order: DateOrderSetting = "auto"
    pairs: Collection[tuple[int, int]] | None = None
    names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportIssue:
    line: int
    field: str
    message: str

    def render(self, file_name: str) -> str:
        where = f"{file_name}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file_name: str
    rows: int
    counts: SaveCounts
    seen_before: bool  # a file with the same bytes was imported earlier
    date_order: str | None = None  # how slash dates were read, said to the user ("day first ...")


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
            f"{file_name}:{line}: not UTF-8 text (byte {exc.start})",
            hint="save the file as 'CSV UTF-8' in your spreadsheet program",
        ) from None


def read_table(
    text: str, file_name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line number, {column: text})``; the header decides the separator.

    Column names are matched case-insensitively; blank lines are skipped. Line numbers
    are physical lines (a quoted note spanning lines counts them all), so an editor's
    "go to line" finds the row. Excel's ``sep=;`` (or ``sep=,``) first line names the
    separator and is skipped; without it the header's commonest of ``;`` and ``,`` wins.
    """
    first_line, _, rest = text.partition("\n")
    skipped = 0
    sep = _SEP_LINE.match(first_line.strip().strip('"'))
    if sep:
        delimiter = sep.group(1)
        text, skipped = rest, 1
        first_line = text.split("\n", 1)[0]
    else:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"{file_name}:{1 + skipped}: {exc}") from None
    if header is None:
        raise InputError(
            f"{file_name}: the file is empty", hint=f"the first line names the columns: {','.join(required)}"
        )
    names = [h.strip().lower() for h in header]
    issues: list[ImportIssue] = []
    duplicates = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if n not in required and n not in optional]
    missing = [c for c in required if c not in names]
    head = 1 + skipped
    if duplicates:
        issues.append(ImportIssue(head, "", f"column {', '.join(duplicates)} appears twice"))
    if unknown:
        allowed = ", ".join(required + optional)
        issues.append(
            ImportIssue(head, "", f"unknown column {', '.join(repr(u) for u in unknown)} (allowed: {allowed})")
        )
    if missing:
        issues.append(ImportIssue(head, "", f"missing column {', '.join(missing)}"))
    if issues:
        raise _fail(file_name, issues)
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1 + skipped
    try:
        for record in reader:
            start, line = line, reader.line_num + 1 + skipped
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


_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)


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


# --- dates -------------------------------------------------------------------------------------


def decide_date_order(
    rows: list[tuple[int, dict[str, str]]], file_name: str, setting: DateOrderSetting
) -> tuple[DateOrder, str | None]:
    """How the file's slash dates are read, and a sentence saying so (``None``: no slash dates).

    ``dmy``/``mdy`` are taken as set. ``auto`` lets the file decide: a date that exists only
    day-first (``25/12/2026``) means day-first; one that exists only month-first means
    month-first; a file holding both is refused (line of each), and so is a file whose
    slash dates all read both ways (``03/04/2026``), asking for ``[import] date_order``.
    """
    evidence = detect_date_order(fields.get("date", "") for _, fields in rows)
    if not evidence.slash_dates:
        return "dmy", None
    if setting != "auto":
        style = DATE_ORDER_STYLE[setting].value
        return setting, f"dates read as {style} ([import] date_order = \"{setting}\")"
    if evidence.day_first and evidence.month_first:
        (d_index, d_text), (m_index, m_text) = evidence.day_first, evidence.month_first
        raise _fail(
            file_name,
            [
                ImportIssue(
                    rows[m_index][0],
                    "date",
                    f"{m_text!r} can only be read month-first, but line {rows[d_index][0]} has {d_text!r}, "
                    "which can only be read day-first: use one date order per file",
                )
            ],
        )
    order = evidence.order
    if order is None:
        first = next(line for line, f in rows if detect_date_order([f.get("date", "")]).slash_dates)
        raise _fail(
            file_name,
            [
                ImportIssue(
                    first,
                    "date",
                    f"{evidence.ambiguous} date(s) like {rows_date(rows, first)!r} read both day-first and "
                    'month-first: set [import] date_order = "dmy" (DD/MM/YYYY) or "mdy" (MM/DD/YYYY) '
                    "in lmsync.toml, or write dates as YYYY-MM-DD",
                )
            ],
        )
    found = evidence.day_first or evidence.month_first
    assert found is not None  # evidence.order is set only when one of them is
    index, text = found
    style = DATE_ORDER_STYLE[order].value
    return order, f"dates read as {style}: line {rows[index][0]} has {text!r} ([import] date_order = \"auto\")"


def rows_date(rows: list[tuple[int, dict[str, str]]], line: int) -> str:
    return next(f.get("date", "") for n, f in rows if n == line).strip()


# --- meetings -----------------------------------------------------------------------------------


def _named(person: PersonRef, names: Mapping[int, str]) -> str:
    name = names.get(person.user_id)
    return f"{person.key!r} ({name})" if name else repr(person.key)


def parse_meetings_csv(
    text: str,
    file_name: str,
    resolve: Resolver,
    *,
    today: date | None = None,
    rules: ImportRules | None = None,
) -> list[tuple[Meeting, str]]:
    """Every meeting of the file with its origin (``file:line``), or an ``InputError`` listing all problems."""
    return parse_meetings_table(text, file_name, resolve, rules or ImportRules(today=today))[0]


def parse_meetings_table(
    text: str, file_name: str, resolve: Resolver, rules: ImportRules
) -> tuple[list[tuple[Meeting, str]], str | None]:
    """``parse_meetings_csv`` plus the sentence saying how slash dates were read."""
    rows = read_table(text, file_name, MEETING_COLUMNS, MEETING_OPTIONAL_COLUMNS)
    order, note = decide_date_order(rows, file_name, rules.date_order)
    issues: list[ImportIssue] = []
    guard = _DateStyleGuard()
    seen: dict[tuple[str, int, int, str], int] = {}
    out: list[tuple[Meeting, str]] = []
    for line, fields in rows:
        try:
            meeting, style = meeting_from_fields(
                fields, resolve, source="csv", today=rules.today, order=order, start=rules.start
            )
            guard.check(style, line, fields["date"])
        except RecordProblems as problems:
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems.problems)
            continue
        except FieldProblem as problem:
            issues.append(ImportIssue(line, problem.field, problem.message))
            continue
        pair_issue = _pair_issue(meeting, fields, resolve, rules)
        if pair_issue:
            issues.append(ImportIssue(line, "mentee", pair_issue))
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
    return out, note


def _pair_issue(meeting: Meeting, fields: Mapping[str, str], resolve: Resolver, rules: ImportRules) -> str | None:
    """Why a meeting's two people cannot have met as a pair, or ``None`` (issue 11)."""
    if rules.pairs is None or (meeting.mentor_id, meeting.mentee_id) in rules.pairs:
        return None
    mentor = PersonRef(meeting.mentor_id, fields["mentor"].strip())
    mentee = PersonRef(meeting.mentee_id, fields["mentee"].strip())
    message = (
        f"mentor {_named(mentor, rules.names)} and mentee {_named(mentee, rules.names)} were never a "
        "mentoring pair (not in a circle now, nor in lmsync's journal or stored meetings)"
    )
    if (meeting.mentee_id, meeting.mentor_id) in rules.pairs:
        message += ": the mentor and mentee columns look swapped"
    return message


def import_meetings_file(
    store: Store,
    programme: str,
    path: Path,
    resolve: Resolver,
    *,
    today: date | None = None,
    rules: ImportRules | None = None,
) -> ImportResult:
    """Validate the whole file, then store it and the import record in one transaction."""
    text, sha = read_file(path)
    meetings, note = parse_meetings_table(text, path.name, resolve, rules or ImportRules(today=today))
    result = _store(
        store,
        programme,
        "meetings",
        path.name,
        sha,
        len(meetings),
        lambda conn: MeetingRepository(store, programme).save_in(conn, meetings),
    )
    return _with_note(result, note)


def _with_note(result: ImportResult, note: str | None) -> ImportResult:
    return ImportResult(result.kind, result.file_name, result.rows, result.counts, result.seen_before, note)


def meetings_template() -> str:
    """``lmsync import meetings --template``: the header and one example row."""
    header = ",".join(MEETING_COLUMNS + MEETING_OPTIONAL_COLUMNS)
    return f"{header}\n2026-10-12,m0001,s0001,45,yes,4,Planned the elective\n"


# --- survey answers -------------------------------------------------------------------------------


def parse_surveys_csv(
    text: str,
    file_name: str,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    *,
    today: date | None = None,
    rules: ImportRules | None = None,
) -> list[tuple[SurveyAnswer, str]]:
    """Answers ``respondent,date,instrument,item,value[,about]``; a blank value is a missing answer."""
    return parse_surveys_table(text, file_name, resolve, instruments, rules or ImportRules(today=today))[0]


def parse_surveys_table(
    text: str,
    file_name: str,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    rules: ImportRules,
) -> tuple[list[tuple[SurveyAnswer, str]], str | None]:
    """``parse_surveys_csv`` plus the sentence saying how slash dates were read.

    ``about`` (optional) names the other person of the relationship the answer is about,
    e.g. each mentee on a mentor-side form, so a mentor with four mentees rates each one;
    the answers are stored and scored per relationship. It must be in a pair with the
    respondent when pairs are known.
    """
    rows = read_table(text, file_name, SURVEY_COLUMNS, SURVEY_OPTIONAL_COLUMNS)
    order, note = decide_date_order(rows, file_name, rules.date_order)
    issues: list[ImportIssue] = []
    guard = _DateStyleGuard()
    seen: dict[tuple[int, str, date, str, int | None], int] = {}
    out: list[tuple[SurveyAnswer, str]] = []
    for line, fields in rows:
        answer, problems = _survey_answer(line, fields, resolve, instruments, guard, rules, order)
        if answer is None:
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems)
            continue
        key = (answer.respondent_id, answer.instrument, answer.date, answer.item, answer.about_id)
        first = seen.setdefault(key, line)
        if first != line:
            issues.append(
                ImportIssue(
                    line, "", f"repeats line {first} (same respondent, date, instrument, item and about)"
                )
            )
            continue
        out.append((answer, f"{file_name}:{line}"))
    if issues:
        raise _fail(file_name, issues)
    return out, note


def _survey_answer(
    line: int,
    fields: Mapping[str, str],
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    guard: _DateStyleGuard,
    rules: ImportRules,
    order: DateOrder,
) -> tuple[SurveyAnswer | None, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    person = _try(problems, lambda: resolve_person(resolve, fields["respondent"], "respondent"))
    parsed = _try(
        problems, lambda: parse_date(fields["date"], today=rules.today, order=order, start=rules.start)
    )
    if parsed is not None:
        _try(problems, lambda: guard.check(parsed[1], line, fields["date"]))
    about = _about(problems, fields, resolve, person, rules)
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
    about_id = about.user_id if about is not None else None
    return SurveyAnswer(person.user_id, name, parsed[0], item, value, "csv", about_id), []


def _about(
    problems: list[FieldProblem],
    fields: Mapping[str, str],
    resolve: Resolver,
    respondent: PersonRef | None,
    rules: ImportRules,
) -> PersonRef | None:
    """The person an answer is about (``about`` column), checked against the respondent's pairs."""
    text = (fields.get("about") or "").strip()
    if not text:
        return None
    about = _try(problems, lambda: resolve_person(resolve, text, "about"))
    if about is None or respondent is None:
        return about
    if about.user_id == respondent.user_id:
        problems.append(FieldProblem("about", f"{text!r} is the respondent; name the other person of the pair"))
        return None
    pairs = rules.pairs
    if pairs is not None and not {
        (respondent.user_id, about.user_id),
        (about.user_id, respondent.user_id),
    } & set(pairs):
        problems.append(
            FieldProblem(
                "about",
                f"{_named(about, rules.names)} was never in a mentoring pair with respondent "
                f"{_named(respondent, rules.names)}",
            )
        )
        return None
    return about


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
    rules: ImportRules | None = None,
) -> ImportResult:
    text, sha = read_file(path)
    answers, note = parse_surveys_table(text, path.name, resolve, instruments, rules or ImportRules(today=today))
    result = _store(
        store,
        programme,
        "surveys",
        path.name,
        sha,
        len(answers),
        lambda conn: SurveyRepository(store, programme).save_in(conn, answers),
    )
    return _with_note(result, note)


def surveys_template(instruments: Mapping[str, Instrument]) -> str:
    """``lmsync import surveys --template``: the header and one example row (a declared instrument)."""
    ordered = sorted(instruments.items(), key=lambda kv: (kv[1].side != "mentor", kv[0]))  # a mentor-side form first
    name, instrument = next(iter(ordered), ("relationship_satisfaction_mentor", None))
    item = instrument.items[0] if instrument is not None else "rs1"
    value = instrument.scale_max if instrument is not None else 4
    header = ",".join(SURVEY_COLUMNS + SURVEY_OPTIONAL_COLUMNS)
    return f"{header}\nm0001,2026-10-12,{name},{item},{value},s0001\n"


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
