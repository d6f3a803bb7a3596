"""Meetings between a mentor and a mentee, from any source, validated one field at a time.

Three sources feed the same record: the Moodle Feedback activity used as a meeting log,
a CSV file, and ``lmsync meetings add``. Each field is parsed by one small function
that raises ``FieldProblem`` with a sentence a coordinator can act on, so an importer can
name the file, the line and the field. A meeting's *natural key* is
(date, mentor, mentee, source): storing the same meeting again changes nothing, and a
corrected re-import updates it in place. The content hash tells the two apart. Reading the
Feedback meeting log into meetings is :mod:`lmsync.domain.meeting_log`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Literal

Source = Literal["feedback", "csv", "cli"]
SOURCES: tuple[Source, ...] = ("feedback", "csv", "cli")
#: Which side of the pair logged (and so rated) a meeting; ``None`` when nobody knows.
RatedBy = Literal["mentor", "mentee"]
RATED_BY: tuple[RatedBy, ...] = ("mentor", "mentee")
# After attendance and minutes, which source's record of a pair's date counts (``counted_meeting``).
SOURCE_PRIORITY: dict[str, int] = {"feedback": 0, "cli": 1, "csv": 2}

MAX_MINUTES = 24 * 60
RATING_MIN, RATING_MAX = 1, 5


@dataclass(frozen=True)
class PersonRef:
    """A resolved person: the Moodle user id, and the key the user typed (for messages)."""

    user_id: int
    key: str


Resolver = Callable[[str], "PersonRef | None"]


class AmbiguousPerson(LookupError):
    """A resolver found several people for one key (two accounts sharing an idnumber or email)."""


class WrongKeyKind(LookupError):
    """Nobody found, and the text is another kind of key (an email; ``str()``: what to use)."""


class FieldProblem(ValueError):
    """One field of one record is wrong; ``field`` is the column name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RecordProblems(ValueError):
    """Every problem found in one record, so a file is fixed in one pass, not one error per run."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Meeting:
    """One meeting of a pair. ``rating`` is 1-5 from whoever logged it; ``rated_by`` says which
    side that was (``mentor`` | ``mentee``), ``None`` when the source does not say (a CLI entry,
    a file without the column, a row stored before revision 0004). A mentee's rating is their
    verdict on the mentor: never shown to the mentor."""

    date: date
    mentor_id: int
    mentee_id: int
    minutes: int
    attended: bool
    source: Source
    rating: int | None = None
    notes: str | None = None
    rated_by: RatedBy | None = None

    @property
    def coordinators_rating(self) -> int | None:
        """The rating a coordinator's views show one by one (``lmsync pair show``, ``lmsync meetings list``):
        the mentor's own only. A mentee's is their verdict on the mentor, which a coordinator sees only as a
        mean over enough of the mentor's mentees; one whose side is not known may be a mentee's (tester
        round 50, 11)."""
        return self.rating if self.rated_by == "mentor" else None

    @property
    def natural_key(self) -> tuple[str, int, int, str]:
        return (self.date.isoformat(), self.mentor_id, self.mentee_id, self.source)

    @property
    def content_hash(self) -> str:
        """What may change under the same natural key; equal hashes mean nothing to store.

        ``rated_by`` counts only when known, so a meeting without a side keeps the hash it had
        before revision 0004 (an old file re-imported is unchanged), and a re-read that learns
        the side updates the row."""
        fields: list[object] = [self.minutes, self.attended, self.rating, self.notes]
        if self.rated_by is not None:
            fields.append(self.rated_by)
        body = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


# --- field parsers -------------------------------------------------------------------------


class DateStyle(Enum):
    ISO = "YYYY-MM-DD"
    DAY_FIRST = "DD/MM/YYYY"
    MONTH_FIRST = "MM/DD/YYYY"
    DOTTED = "DD.MM.YYYY"  # day first wherever dots are written (tester round 32, 5)


DateOrder = Literal["dmy", "mdy"]
DATE_ORDER_STYLE: dict[str, DateStyle] = {"dmy": DateStyle.DAY_FIRST, "mdy": DateStyle.MONTH_FIRST}

_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOT_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(
    text: str,
    *,
    today: date | None = None,
    field: str = "date",
    order: DateOrder = "dmy",
    start: date | None = None,
) -> tuple[date, DateStyle]:
    """``2026-10-12``, ``12/10/2026`` read in ``order`` (day first by default, as in the UK), or
    ``12.10.2026``, always day first: no country writes month-first dates with dots, and reading one
    month-first under a file's US slash dates stored 11.10.2026 as November 10 (tester round 32, 5).

    Raises ``FieldProblem`` for text that is no date, a date that does not exist in that
    order, a date after ``today`` or before ``start`` (the programme's start: a meeting or
    an answer cannot predate it, issue 11).
    """
    raw = text.strip()
    match = _ISO_RE.match(raw)
    style = DateStyle.ISO
    dotted = _DOT_RE.match(raw)
    if match:
        y, m, d = (int(g) for g in match.groups())
    elif dotted:
        style = DateStyle.DOTTED
        d, m, y = (int(g) for g in dotted.groups())
    else:
        match = _SLASH_RE.match(raw)
        style = DATE_ORDER_STYLE[order]
        if not match:
            raise FieldProblem(field, f"{raw!r} is not a date (use YYYY-MM-DD, {style.value} or DD.MM.YYYY)")  # round 83, 10
        first, second, y = (int(g) for g in match.groups())
        d, m = (first, second) if order == "dmy" else (second, first)
    try:
        value = date(y, m, d)
    except ValueError:
        read = "" if style is DateStyle.ISO else f" read as {style.value}"
        raise FieldProblem(field, f"{raw!r} is not a real calendar date{read}") from None
    if today is not None and value > today:
        raise FieldProblem(field, f"{raw!r} is in the future (today is {today.isoformat()})")
    if start is not None and value < start:
        raise FieldProblem(field, f"{raw!r} is before the programme started ({start.isoformat()})")
    return value, style


@dataclass(frozen=True)
class DateOrderEvidence:
    """What a file's slash dates say about their order (``detect_date_order``).

    ``day_first`` is a date that can only be read day-first (``25/12/2026``), ``month_first``
    one that can only be read month-first (``12/25/2026``), ``ambiguous`` the count that
    read both ways (``03/04/2026``); each with the index of the first such value.
    """

    slash_dates: int = 0
    ambiguous: int = 0
    day_first: tuple[int, str] | None = None
    month_first: tuple[int, str] | None = None

    @property
    def order(self) -> DateOrder | None:
        """The only order the dates allow, or ``None`` (none, both, or every date ambiguous)."""
        if self.day_first and not self.month_first:
            return "dmy"
        if self.month_first and not self.day_first:
            return "mdy"
        return None


def detect_date_order(texts: Iterable[str]) -> DateOrderEvidence:
    """Look at every ``NN/NN/YYYY`` value: which of day-first and month-first can read them all."""
    slash = ambiguous = 0
    day_first: tuple[int, str] | None = None
    month_first: tuple[int, str] | None = None
    for index, text in enumerate(texts):
        match = _SLASH_RE.match(text.strip())
        if not match:
            continue
        slash += 1
        first, second, year = (int(g) for g in match.groups())
        as_dmy, as_mdy = _real(year, second, first), _real(year, first, second)
        if as_dmy and as_mdy:
            ambiguous += 1
        elif as_dmy and day_first is None:
            day_first = (index, text.strip())
        elif as_mdy and month_first is None:
            month_first = (index, text.strip())
    return DateOrderEvidence(slash, ambiguous, day_first, month_first)


def _real(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_minutes(text: str, field: str = "minutes") -> int:
    raw = text.strip()
    if re.fullmatch(r"-\d+", raw):  # whole, but a meeting cannot last less than nothing (tester round 4, 17)
        raise FieldProblem(field, f"{raw!r} must be 0 or more")
    if not re.fullmatch(r"\d+", raw):
        raise FieldProblem(field, f"{raw!r} is not a whole number of minutes")
    value = int(raw)
    if value > MAX_MINUTES:
        raise FieldProblem(field, f"{value} is more than a day ({MAX_MINUTES})")
    return value


_TRUE = {"1", "yes", "y", "true", "t", "attended", "x"}
_FALSE = {"0", "no", "n", "false", "f", "absent", "missed"}


def parse_attended(text: str, field: str = "attended") -> bool:
    raw = text.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldProblem(field, f"{text.strip()!r} is not yes/no (also 1/0, true/false)")


def parse_rating(text: str | None, field: str = "rating") -> int | None:
    """A meeting's rating: a whole number from ``RATING_MIN`` to ``RATING_MAX``; blank: None. Every reader of a
    meeting rating (the CSV import, ``meetings add --rating``, the meeting-log Feedback) parses it here.

    Raises ``FieldProblem`` (``field``): ``'3.5' is not a whole number: a rating is 1, 2, 3, 4 or 5`` (it said
    "not a rating from 1 to 5", where the surveys' import says "not a whole number": tester round 102a, 7), or
    ``'6' is not a rating from 1 to 5``."""
    raw = (text or "").strip()
    if raw == "":
        return None
    if not re.fullmatch(r"-?\d+", raw):
        ratings = ", ".join(str(r) for r in range(RATING_MIN, RATING_MAX))
        raise FieldProblem(field, f"{raw!r} is not a whole number: a rating is {ratings} or {RATING_MAX}")
    if not RATING_MIN <= int(raw) <= RATING_MAX:
        raise FieldProblem(field, f"{raw!r} is not a rating from {RATING_MIN} to {RATING_MAX}")
    return int(raw)


def parse_rated_by(text: str | None, field: str = "rated_by") -> RatedBy | None:
    """``mentor`` or ``mentee`` (any case); blank: not known."""
    raw = (text or "").strip().lower()
    if raw == "":
        return None
    if raw not in RATED_BY:
        raise FieldProblem(field, f"{(text or '').strip()!r} is not mentor or mentee (or blank: not known)")
    return raw


def side_of(person: PersonRef, mentor: PersonRef, mentee: PersonRef, field: str = "logged_by") -> RatedBy:
    """Which side of the pair ``person`` is (a ``logged_by`` column names who logged the meeting)."""
    if person.user_id == mentor.user_id:
        return "mentor"
    if person.user_id == mentee.user_id:
        return "mentee"
    raise FieldProblem(field, f"{person.key!r} is neither the mentor nor the mentee of this meeting")


def parse_notes(text: str | None) -> str | None:
    raw = (text or "").strip()
    return raw or None


def resolve_person(resolve: Resolver, text: str, field: str) -> PersonRef:
    raw = text.strip()
    if not raw:
        raise FieldProblem(field, "is empty")
    try:
        person = resolve(raw)
    except AmbiguousPerson:
        raise FieldProblem(field, f"{raw!r} matches more than one person in the course") from None
    except WrongKeyKind as wrong:
        raise FieldProblem(field, f"{raw!r} {wrong}") from None
    if person is None:
        raise FieldProblem(field, f"{raw!r} matches nobody in the course")
    return person


# --- records ---------------------------------------------------------------------------------

MEETING_COLUMNS = ("date", "mentor", "mentee", "minutes", "attended")
#: ``rated_by`` (mentor | mentee) says who logged and rated the meeting; ``logged_by`` names that
#: person instead (the side is derived). Both optional: a file without them is as valid as ever.
MEETING_OPTIONAL_COLUMNS = ("rating", "notes", "rated_by", "logged_by")


def meeting_from_fields(
    fields: Mapping[str, str | None],
    resolve: Resolver,
    *,
    source: Source,
    today: date | None = None,
    order: DateOrder = "dmy",
    start: date | None = None,
) -> tuple[Meeting, DateStyle]:
    """Build a meeting from text fields (a CSV row, CLI options), collecting every problem.

    ``order`` reads slash dates, ``start`` (the programme start) and ``today`` bound them.
    Returns the date style too, so a file importer can refuse a file that mixes styles
    (``03/04/2026`` next to ISO dates is how a day and a month get swapped unnoticed).
    """
    problems: list[FieldProblem] = []

    def attempt(fn: Callable[[], object]) -> object:
        try:
            return fn()
        except FieldProblem as problem:
            problems.append(problem)
            return None

    parsed_date = attempt(lambda: parse_date(fields.get("date") or "", today=today, order=order, start=start))
    mentor = attempt(lambda: resolve_person(resolve, fields.get("mentor") or "", "mentor"))
    mentee = attempt(lambda: resolve_person(resolve, fields.get("mentee") or "", "mentee"))
    minutes = attempt(lambda: parse_minutes(fields.get("minutes") or ""))
    attended = attempt(lambda: parse_attended(fields.get("attended") or ""))
    rating = attempt(lambda: parse_rating(fields.get("rating")))
    notes = parse_notes(fields.get("notes"))
    rated_by = attempt(lambda: parse_rated_by(fields.get("rated_by")))
    problems += _contradictions(minutes, attended)
    if isinstance(mentor, PersonRef) and isinstance(mentee, PersonRef) and mentor.user_id == mentee.user_id:
        problems.append(FieldProblem("mentee", "is the same person as the mentor"))
    elif isinstance(mentor, PersonRef) and isinstance(mentee, PersonRef) and (fields.get("logged_by") or "").strip():
        who = fields.get("logged_by") or ""
        pair = (mentor, mentee)
        logged = attempt(lambda: side_of(resolve_person(resolve, who, "logged_by"), *pair))
        if rated_by is not None and logged is not None and logged != rated_by:
            problems.append(FieldProblem("rated_by", f"says {rated_by}, but logged_by is the {logged}"))
        rated_by = rated_by or logged
    if problems:
        raise RecordProblems(problems)
    assert isinstance(parsed_date, tuple) and isinstance(mentor, PersonRef) and isinstance(mentee, PersonRef)
    assert isinstance(minutes, int) and isinstance(attended, bool)
    day, style = parsed_date
    meeting = Meeting(
        date=day,
        mentor_id=mentor.user_id,
        mentee_id=mentee.user_id,
        minutes=minutes,
        attended=attended,
        source=source,
        rating=rating if isinstance(rating, int) else None,
        notes=notes,
        rated_by=rated_by if rated_by in RATED_BY else None,
    )
    return meeting, style


def _contradictions(minutes: object, attended: object) -> list[FieldProblem]:
    """An attended meeting of 0 minutes says two things at once (tester round 8): health would read
    it as the shortest "hi-bye" meeting, so the row is refused and says what to give. A missed
    meeting with minutes is accepted: registers often keep the length booked, and a missed meeting's
    minutes count nowhere."""
    if isinstance(minutes, int) and attended is True and minutes == 0:
        return [FieldProblem("minutes", "is 0, but attended says the meeting took place: give how long it lasted")]
    return []


def counted_meeting(records: Iterable[Meeting]) -> Meeting:
    """The ONE record of a pair's date that counts when several sources hold one (health, grades,
    report; tester finding FIX-B: a file's "10 min, absent" next to the mentor's "45 min, attended"
    made health call the pair fading): attended wins, then the longer, then ``SOURCE_PRIORITY``.
    The report's SQL (``lmsync.store.report._deduped``) gives the same attendance and minutes."""
    return min(records, key=lambda m: (not m.attended, -m.minutes, SOURCE_PRIORITY[m.source]))


def dedupe_across_sources(meetings: Iterable[Meeting]) -> list[Meeting]:
    """One meeting per (date, mentor, mentee), chosen by ``counted_meeting``."""
    grouped: dict[tuple[date, int, int], list[Meeting]] = {}
    for m in meetings:
        grouped.setdefault((m.date, m.mentor_id, m.mentee_id), []).append(m)
    chosen = [counted_meeting(group) for group in grouped.values()]
    return sorted(chosen, key=lambda m: (m.date, m.mentor_id, m.mentee_id))
