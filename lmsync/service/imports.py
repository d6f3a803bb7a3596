"""Strict CSV import of meetings and survey answers: all of a file, or nothing.

A coordinator's spreadsheet is the least reliable input lmsync has, so a file is read completely and every
problem is collected (file, line, field, what is wrong) before anything is stored; one bad row stores nothing
from the file, and each problem is listed as ``file:line: field: message``. Accepted: UTF-8 with or without a
byte-order mark, comma or semicolon separators (Excel in many European locales writes semicolons), Excel's
``sep=;`` first line, ``YYYY-MM-DD`` or slash dates (one style per file) read day-first or month-first by
``[import] date_order``; with ``auto`` the file's unambiguous dates decide, and a file whose dates all read both
ways is refused until the order is set (issue 11). Refused: unknown or missing columns, a row repeating an
earlier one's key, unknown people, dates in the future or before the programme start (with no start configured:
more than 365 days before today), a meeting between two people who were never a mentoring pair, a survey answer
``about`` someone who is not in a pair with the respondent, a mentor's relationship answer with no ``about``
while they mentor several mentees (:mod:`lmsync.service.survey_rows`). Importing the same file twice stores
nothing twice: rows are upserted on their natural key and the content hash decides whether anything changed.
A meetings file without an optional column keeps that field of a row it re-imports as stored; an empty cell
clears it in a row of the mentor's side only (:mod:`lmsync.domain.meeting_columns`, :mod:`lmsync.domain.hidden_words`).
An import never removes a row.

People are resolved through a callable (username, idnumber or email -> Moodle user id) that the caller builds
from Moodle, so this module never talks to Moodle itself. Reading the file into rows (encoding, separators,
date order) is :mod:`lmsync.service.csv_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar

from lmsync.domain.hidden_words import guard_hidden_words, keep_hidden_words, kept_quietly, own_file
from lmsync.domain.instruments import Instrument, InstrumentValueError, SurveyAnswer
from lmsync.domain.meeting_clash import against_held
from lmsync.domain.meeting_columns import fields_not_given, keep_absent_fields, keep_sided_words, words_kept
from lmsync.domain.meetings import (
    MEETING_COLUMNS,
    MEETING_OPTIONAL_COLUMNS,
    DateOrder,
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
from lmsync.domain.pair_dates import DatedPair
from lmsync.errors import InputError
from lmsync.log import get_logger
from lmsync.service.csv_tables import (
    DateOrderSetting,
    DateStyleGuard,
    ImportIssue,
    decide_date_order,
    failed_import,
    order_left_open,
    read_file,
    read_table,
)
from lmsync.service.import_replaced import replaced_rows
from lmsync.service.import_result import ImportResult as ImportResult
from lmsync.service.import_rules import MAX_AGE_WITHOUT_START as MAX_AGE_WITHOUT_START
from lmsync.service.import_rules import ImportRules as ImportRules
from lmsync.service.import_rules import named as _named
from lmsync.service.import_said import first_places, meeting_warnings
from lmsync.service.survey_rows import about_missing, about_person, side_problem
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on, withheld
from lmsync.store.meetings import ImportLog, MeetingRepository, SaveCounts, StoredMeeting
from lmsync.store.surveys import SurveyRepository

log = get_logger(__name__)

SURVEY_COLUMNS = ("respondent", "date", "instrument", "item", "value")
SURVEY_OPTIONAL_COLUMNS = ("about",)
T = TypeVar("T")
_Row = TypeVar("_Row")
_Row_contra = TypeVar("_Row_contra", contravariant=True)
HeldLookup = Callable[[Iterable[tuple[date, int, int]]], Mapping[tuple[date, int, int], Sequence[StoredMeeting]]]


# --- meetings -----------------------------------------------------------------------------------


def parse_meetings_csv(
    text: str, file_name: str, resolve: Resolver, *, rules: ImportRules | None = None
) -> list[tuple[Meeting, str]]:
    """Every meeting of the file with its origin (``file:line``), or an ``InputError`` listing all problems."""
    return parse_meetings_table(text, file_name, resolve, rules or ImportRules())[0]


def parse_meetings_table(
    text: str, file_name: str, resolve: Resolver, rules: ImportRules, held: HeldLookup | None = None,
    own: Callable[[str | None], bool] | None = None, shown: str | None = None,
) -> tuple[list[tuple[Meeting, str]], str | None, int, tuple[str, ...], dict[tuple[str, int, int, str], str | None]]:
    """``parse_meetings_csv``, how slash dates were read, how many rows repeat another source's record (left out), the
    places (FILE:LINE) of the rows that keep a withheld record's rating and notes, less blank ones over a record they
    equal (``kept_quietly``: tester round 111b, 7), and the ``StoredMeeting.words_origin`` of each row (by natural
    key) that keeps its record's words (``words_kept``: tester round 97a, 3); with ``held``, a row contradicting
    another source's record of its pair and date is a problem (FIX-B), a column the file lacks keeps that field of the
    row stored before (``keep_absent_fields``), and with ``own`` too, a row giving a rating or notes over a withheld
    record's is refused, or keeps the record's when ``own`` says their origin is the file's (``hidden_words``).
    Problems name the file ``shown`` (the path as given, tester round 122c, 2), else ``file_name``, the origins' name."""
    issues: list[ImportIssue] = []  # a row with too few fields too, with every other row's (round 26, 7)
    where = shown or file_name
    rows = read_table(text, where, MEETING_COLUMNS, MEETING_OPTIONAL_COLUMNS, issues=issues)
    absent = fields_not_given(rows[0][1] if rows else ())  # every row has the header's columns
    order, note = decide_date_order(rows, where, rules.date_order, issues)
    guard = DateStyleGuard(order_open=order is None)
    seen: dict[tuple[str, int, int, str], int] = {}
    out: list[tuple[Meeting, str]] = []
    typed: list[tuple[Meeting, int, str, str]] = []
    for line, fields in rows:
        try:
            meeting, style = meeting_from_fields(
                fields, resolve, source="csv", today=rules.today, order=order or "dmy", start=rules.start
            )
            guard.check(style, line, fields["date"])
            old = rules.too_old(meeting.date, fields["date"])
            if old is not None:
                raise old
        except (RecordProblems, FieldProblem) as exc:
            problems = exc.problems if isinstance(exc, RecordProblems) else [exc]
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems
                          if not order_left_open(order, p, fields))
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
        typed.append((meeting, line, fields["mentor"].strip(), fields["mentee"].strip()))
    repeats: set[int] = set()
    shielded: set[int] = set()  # lines keeping a withheld record's rating and notes (``hidden_words``)
    own_rows: dict[tuple[str, int, int, str], StoredMeeting] = {}  # stored rows by natural key: a re-import's own
    if held is not None and typed and order is not None:  # a date read in an open order meets no stored row
        stored = held({(m.date, m.mentor_id, m.mentee_id) for m, _ in out})
        records = {k: [(s.meeting, s.words_origin) for s in v] for k, v in stored.items()}  # 97a, 3: words' origins
        side = next((c for c in ("rated_by", "logged_by") if c in rows[0][1]), None)  # round 97a, 7
        found, repeats = against_held(typed, records, side_column=side)
        if own is not None:  # tester round 95a, 1 (HARM): another file's guess at a withheld rating
            hidden, shielded = guard_hidden_words(typed, records, own, refused=[line for line, _f, _m in found],
                                                  words_column=not {"rating", "notes"} <= absent)
            found += hidden
        issues.extend(ImportIssue(*problem) for problem in sorted(found))  # the people quoted: masked in logs
        own_rows = {s.meeting.natural_key: s for v in stored.values() for s in v}
    if issues:
        raise failed_import(where, issues)
    kept: list[tuple[Meeting, str]] = []
    said: list[str] = []
    words_from: dict[tuple[str, int, int, str], str | None] = {}
    for (m, o), (_, line, _, _) in zip(out, typed, strict=True):
        if line not in repeats:  # a withheld record's words kept (``shielded``), or what the file lacks or cannot clear
            was = row.meeting if (row := own_rows.get(m.natural_key)) is not None else None
            kept.append((keep_absent_fields(keep_sided_words(keep_hidden_words(m, was, line in shielded), was), was, absent), o))
            if row is not None and words_kept(m, was, absent, line in shielded):
                words_from[m.natural_key] = row.words_origin
            said += [o] if line in shielded and not kept_quietly(m, was) else []
    return kept, note, len(repeats), tuple(said), words_from


def _pair_issue(
    meeting: Meeting,
    fields: Mapping[str, str],
    resolve: Resolver,
    rules: ImportRules,
    swapped: str = "the mentor and mentee columns look swapped",
) -> str | None:
    """Why a meeting's two people cannot have met as a pair, or ``None`` (issue 11); ``swapped``
    is said when the reverse pair exists (``meetings add`` names its options: tester round 4, 17)."""
    if rules.pairs is None or (meeting.mentor_id, meeting.mentee_id) in rules.pairs:
        return None
    if withheld(rules.erased, meeting.date, (meeting.mentor_id, meeting.mentee_id)):
        return None  # someone erased: their pairs are gone; the row is withheld when saved (tester round 14, 5)
    mentor = PersonRef(meeting.mentor_id, fields["mentor"].strip())
    mentee = PersonRef(meeting.mentee_id, fields["mentee"].strip())
    both = f"mentor {_named(mentor, rules.names)} and mentee {_named(mentee, rules.names)}"
    if any(person in rules.erased for person in (meeting.mentor_id, meeting.mentee_id)):  # not "never" (round 81, 6)
        message = (f"{both} are not a mentoring pair lmsync knows of: one of them was erased from this store, their "
                   "pairs with it; a pair formed again since counts once `lmsync sync` has seen it in Moodle")
    else:
        message = f"{both} were never a mentoring pair (not in a circle now, nor in lmsync's journal or stored meetings)"
    if (meeting.mentee_id, meeting.mentor_id) in rules.pairs:
        message += f": {swapped}"
    return message


def meeting_from_options(fields: Mapping[str, str | None], resolve: Resolver, rules: ImportRules) -> Meeting:
    """One meeting typed as options (``lmsync meetings add``), checked by the rules of a CSV row.

    ``fields`` as a row's columns (``date``, ``mentor``, ``mentee``, ...). Raises ``InputError``
    naming the ``--option`` of every problem, or the two people when they were never a pair.
    """
    when = fields["date"] or ""
    try:
        order = _single_date_order(rules, when)
        meeting, _style = meeting_from_fields(
            fields, resolve, source="cli", today=rules.today, order=order, start=rules.start
        )
        old = rules.too_old(meeting.date, when)
        if old is not None:
            raise old
    except (RecordProblems, FieldProblem) as exc:
        found = exc.problems if isinstance(exc, RecordProblems) else [exc]
        raise InputError("; ".join(f"--{p.field}: {p.message}" for p in found)) from None
    typed = {"mentor": fields["mentor"] or "", "mentee": fields["mentee"] or ""}
    swapped = "--mentor and --mentee look swapped (the mentor goes in --mentor)"
    pair_issue = _pair_issue(meeting, typed, resolve, rules, swapped)  # the import's rule (tester finding FIX-C 1)
    if pair_issue:  # JSON logs carry the ids, not the names (tester round 22, 5)
        raise InputError(f"--mentee: {pair_issue}", summary=f"--mentee: Moodle ids {meeting.mentor_id} and "
                         f"{meeting.mentee_id} were never a mentoring pair")
    return meeting


def typed_date(text: str, date_order: DateOrderSetting) -> date:
    """One date typed as an option, read as ``meetings add`` reads it: ``YYYY-MM-DD``, or a slash
    date in ``[import] date_order`` (``auto``: as the date itself says; an ambiguous one is
    refused). Raises ``InputError`` naming ``--date`` (tester round 7, 7: ``meetings remove``
    refused the slash dates ``meetings add`` takes)."""
    try:
        order = _single_date_order(ImportRules(date_order=date_order), text)
        day, _style = parse_date(text, order=order)
    except FieldProblem as exc:
        raise InputError(f"--date: {exc.message}") from None
    return day


def _single_date_order(rules: ImportRules, text: str) -> DateOrder:
    """How one typed date is read: as ``[import] date_order`` says, or by the date itself
    under ``auto`` (``25/12/2026`` can only be day-first); an ambiguous one is refused."""
    if rules.date_order != "auto":
        return rules.date_order
    evidence = detect_date_order([text])
    if evidence.ambiguous:
        raise FieldProblem(
            "date",
            f"{text.strip()!r} reads both day-first and month-first: write YYYY-MM-DD or set "
            '[import] date_order = "dmy" or "mdy"',
        )
    return evidence.order or "dmy"


def import_meetings_file(
    store: Store,
    programme: str,
    path: Path,
    resolve: Resolver,
    *,
    rules: ImportRules | None = None,
    max_minutes: int | None = None,
    history: Sequence[DatedPair] = (),
    start: date | None = None,
    away: Mapping[int, tuple[date, date]] | None = None,
) -> ImportResult:
    """Validate the whole file, then store it and the import record in one transaction.

    With the pairing ``history``, the result counts the rows dated when their pair did not exist (before it
    began, after it ended, while apart; ``start``: the day meetings count from, ``not_a_pair_on``): kept, but
    said, as no grade counts them (tester rounds 21, 12; 58, 5; 74, 7; ``away``: each mentor away's hold, said as such,
    round 86b, 8); a row withheld as about someone erased is counted (``counts.withheld``) and named only in
    ``withheld_rows``, neither there nor in ``longer_than`` (tester rounds 80, 3; 112b, 5).

    With ``max_minutes`` (``[meetings] max_minutes``, the mean-minutes item's maximum), the result
    counts the rows longer than it, naming them (``longer_rows``; tester round 112b, 5): accepted, yet a pair's
    mean above it is refused by every grades push until an admin acts (tester round 16, 3: an all-day retreat of
    1,440 minutes). The warnings' rows: ``import_said.meeting_warnings``."""
    text, sha = read_file(path)
    repository = MeetingRepository(store, programme)
    seen = ImportLog(store, programme).previous("meetings", sha) is not None
    meetings, note, repeats, shielded, words_from = parse_meetings_table(
        text, path.name, resolve, rules or ImportRules(), held=repository.held, own=own_file(path.name, seen),
        shown=str(path),  # problems name the path as given; the store keeps the name (tester round 122c, 2)
    )
    before = repository.held({(m.date, m.mentor_id, m.mentee_id) for m, _ in meetings})  # what a row replaces (105b, 2)
    saving = MeetingRepository(store, programme, words_from=words_from)  # kept words keep their origin (97a, 3)
    result = _store(saving, "meetings", path.name, sha, meetings, note, unchanged=repeats)
    result = replace(result, words_kept=len(shielded), words_kept_at=shielded, replaced=replaced_rows(before, meetings, result.counts.replaced_keys),
                     not_in_file=tuple(repository.not_in_file(path.name, [m.natural_key for m, _ in meetings])))
    # rows about someone erased were withheld, not kept: counted, and named as withheld only (tester rounds 80, 3;
    # 112b, 5); the erasures as the rules read them for this import (``meetings.import_rules``), else read here
    erased = rules.erased if rules is not None else erased_on(store)
    said = meeting_warnings(meetings, erased, max_minutes=max_minutes, history=history, start=start, away=away)
    return replace(result, longer_than=said.longer_than, longer_rows=said.longer_rows, outside_pair=said.outside_pair,
                   outside_rows=said.outside_rows, withheld_rows=said.withheld_rows, shown=str(path))


def meetings_template() -> str:
    """``lmsync import meetings --template``: the header and one example row (``rated_by`` and
    ``logged_by`` both say who logged and rated it; either may be left out or blank)."""
    header = ",".join(MEETING_COLUMNS + MEETING_OPTIONAL_COLUMNS)
    return f"{header}\n2026-10-12,m0001,s0001,45,yes,4,Planned the elective,mentee,s0001\n"


# --- survey answers -------------------------------------------------------------------------------


def parse_surveys_csv(
    text: str,
    file_name: str,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    *,
    rules: ImportRules | None = None,
) -> list[tuple[SurveyAnswer, str]]:
    """Answers ``respondent,date,instrument,item,value[,about]``; a blank value is a missing answer."""
    return parse_surveys_table(text, file_name, resolve, instruments, rules or ImportRules())[0]


def parse_surveys_table(
    text: str,
    file_name: str,
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    rules: ImportRules,
    shown: str | None = None,
) -> tuple[list[tuple[SurveyAnswer, str]], str | None]:
    """``parse_surveys_csv`` plus the sentence saying how slash dates were read.

    ``about`` (optional) names the other person of the relationship the answer is about,
    e.g. each mentee on a mentor-side form, so a mentor with four mentees rates each one;
    the answers are stored and scored per relationship. It must be in a pair with the
    respondent when pairs are known, and given on a relationship instrument answered by a
    mentor of several current mentees (``survey_rows.about_missing``, tester round 4, 9). Problems name the file
    ``shown`` (the path as given, tester round 122c, 2), else ``file_name``, the name the origins keep.
    """
    issues: list[ImportIssue] = []  # a row with too few fields too, with every other row's (round 26, 7)
    where = shown or file_name
    rows = read_table(text, where, SURVEY_COLUMNS, SURVEY_OPTIONAL_COLUMNS, issues=issues)
    order, note = decide_date_order(rows, where, rules.date_order, issues)
    guard = DateStyleGuard(order_open=order is None)
    seen: dict[tuple[int, str, date, str, int | None], tuple[int, str]] = {}  # the first line, and its value
    out: list[tuple[SurveyAnswer, str]] = []
    for line, fields in rows:
        answer, problems = _survey_answer(line, fields, resolve, instruments, guard, rules, order or "dmy")
        if answer is None:
            issues.extend(ImportIssue(line, p.field, p.message) for p in problems
                          if not order_left_open(order, p, fields))
            continue
        key = (answer.respondent_id, answer.instrument, answer.date, answer.item, answer.about_id)
        first, value = seen.setdefault(key, (line, answer.value))
        if first != line:
            other = value != answer.value
            clash = "with another value: which is meant?" if other else "(remove one)"
            issues.append(  # round 26, 7: two values for one answer were only "repeats line 7"
                ImportIssue(
                    line, "value" if other else "",
                    f"repeats line {first} (same respondent, date, instrument, item and about) {clash}",
                    log_reason=f"repeats line {first} {clash}",
                )
            )
            continue
        out.append((answer, f"{file_name}:{line}"))
    if issues:
        raise failed_import(where, issues)
    return out, note


def _survey_answer(
    line: int,
    fields: Mapping[str, str],
    resolve: Resolver,
    instruments: Mapping[str, Instrument],
    guard: DateStyleGuard,
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
        old = rules.too_old(parsed[0], fields["date"])
        if old is not None:
            problems.append(old)
    about = about_person(problems, fields, resolve, person, rules, parsed[0] if parsed else None)
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
    if instrument is not None and person is not None:
        wrong_side = side_problem(instrument, person, rules)
        unnamed = None if (fields.get("about") or "").strip() else about_missing(instrument, person, rules)
        problems.extend(p for p in (wrong_side, unnamed) if p is not None)
    if problems or person is None or parsed is None:
        return None, problems
    about_id = about.user_id if about is not None else None
    return SurveyAnswer(person.user_id, name, parsed[0], item, value, "csv", about_id), []


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
    rules: ImportRules | None = None,
) -> ImportResult:
    text, sha = read_file(path)
    answers, note = parse_surveys_table(text, path.name, resolve, instruments, rules or ImportRules(), str(path))
    result = _store(SurveyRepository(store, programme), "surveys", path.name, sha, answers, note)
    erased = erased_on(store)  # the rows ``counts.withheld`` counts, named (tester round 112b, 5)
    dropped = first_places(o for a, o in answers if withheld(erased, a.date, (a.respondent_id, a.about_id)))
    return replace(result, days=tuple(a.date for a, _ in answers), withheld_rows=dropped, shown=str(path))


def surveys_template(instruments: Mapping[str, Instrument]) -> str:
    """``lmsync import surveys --template``: the header and one example row (a declared instrument)."""
    ordered = sorted(instruments.items(), key=lambda kv: (kv[1].side != "mentor", kv[0]))  # a mentor-side form first
    name, instrument = next(iter(ordered), ("relationship_satisfaction_mentor", None))
    item = instrument.items[0] if instrument is not None else "rs1"
    value = instrument.scale_max if instrument is not None else 4
    header = ",".join(SURVEY_COLUMNS + SURVEY_OPTIONAL_COLUMNS)
    return f"{header}\nm0001,2026-10-12,{name},{item},{value},s0001\n"


class _RowRepository(Protocol[_Row_contra]):
    """A programme's repository of imported rows (``MeetingRepository``, ``SurveyRepository``)."""

    store: Store
    programme: str

    def save_in(
        self, conn: Store, rows: Iterable[tuple[_Row_contra, str | None]], *, keep_changed_since: str | None = None
    ) -> SaveCounts: ...


def _store(
    repository: _RowRepository[_Row],
    kind: str,
    file_name: str,
    sha: str,
    rows: Sequence[tuple[_Row, str]],
    date_order: str | None,
    *,
    unchanged: int = 0,
) -> ImportResult:
    """Store a validated file's ``rows`` and its import record in one transaction (``unchanged``: FIX-B repeats).

    A file with the same bytes imported before does not undo what changed since its first import (a later file's
    correction, a row cleared): those rows are kept as stored and counted (tester round 83, 1)."""
    imports = ImportLog(repository.store, repository.programme)
    first = imports.previous(kind, sha)
    seen_before = first is not None
    since = first.imported_at if first is not None else None
    with repository.store.transaction() as conn:
        counts: SaveCounts = repository.save_in(conn, rows, keep_changed_since=since) + SaveCounts(unchanged=unchanged)
        imports.record_in(conn, kind, file_name, sha, len(rows) + unchanged, counts)
    log.info("import.stored", kind=kind, rows=len(rows) + unchanged, added=counts.added, updated=counts.updated,
             unchanged=counts.unchanged, withheld=counts.withheld, kept=counts.kept, replaced=counts.replaced,
             seen_before=seen_before)
    return ImportResult(kind, file_name, len(rows) + unchanged, counts, seen_before, date_order, first_imported=since)
