"""The Moodle Feedback activity used as a meeting log: its responses as meetings of the
respondent's pairs, each field parsed as :mod:`lmsync.domain.meetings` parses a CSV row's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from lmsync.domain.meeting_log_merge import LoggedRow, one_row_per_meeting
from lmsync.domain.meetings import (
    DateOrder,
    FieldProblem,
    Meeting,
    RatedBy,
    Resolver,
    detect_date_order,
    parse_attended,
    parse_date,
    parse_minutes,
    parse_notes,
    parse_rating,
    resolve_person,
)
from lmsync.domain.pair_dates import PairsByDate
from lmsync.domain.pair_key import pair_maps

#: How a response is said whose meeting the other side logged first (``one_row_per_meeting``): not unreadable.
BOTH_SIDES = "logged by both sides"
#: A response about a pair whose other side was since erased (``FeedbackProblem.erased``): withheld, not said.
ERASED_PAIR = "was in a pair whose other side was since erased"
#: A response dated on or before its own respondent's erasure, of someone in no pair that day: withheld, not said.
ERASED_RESPONDENT = "was sent by someone since erased, about a day before that"
#: A mentor's response naming someone erased since, who was not among the day's mentees any more: their row, withheld.
ERASED_NAMED = "names someone since erased"


@dataclass(frozen=True)
class FeedbackAttempt:
    """One completed Feedback response, values keyed by the item's *label*.

    The Moodle layer builds it from mod_feedback_get_responses_analysis (responses keyed by
    item id; ``rawval`` strings) joined with mod_feedback_get_items (id -> label), because
    labels are what the admin sets and the question names come back truncated.
    """

    attempt_id: int
    user_id: int
    submitted: datetime
    values: Mapping[str, str]


@dataclass(frozen=True)
class MeetingLogItems:
    """Which Feedback item label holds which meeting field (``date`` optional: submission day)."""

    minutes: str = "minutes"
    attended: str = "attended"
    rating: str | None = "rating"
    notes: str | None = "notes"
    date: str | None = "date"


@dataclass(frozen=True)
class FeedbackProblem:
    attempt_id: int
    field: str
    message: str
    user_id: int | None = None  # who submitted the response: a view names them (tester round 12, 8)
    both_sides: bool = False  # a meeting the other side logged first (``BOTH_SIDES``): read, not unreadable
    erased: bool = False  # about a pair whose other side was since erased (``ERASED_PAIR``): withheld, never said


def meetings_by_attempt(
    attempts: Iterable[FeedbackAttempt],
    items: MeetingLogItems,
    mentees_of: Mapping[int, Iterable[int]],
    mentors_of: Mapping[int, Iterable[int]],
    resolve: Resolver,
    *,
    tz: tzinfo,
    today: date | None = None,
    dated: PairsByDate | None = None,
    erased: Mapping[int, date] | None = None,
    erased_in_circle: Callable[[int, date], bool] | None = None,
    erased_partner: Callable[[int, date], bool] | None = None,
    date_order: Literal["auto", "dmy", "mdy"] = "auto",
    one_to_one: bool = False,
) -> tuple[list[tuple[Meeting, int]], list[FeedbackProblem]]:
    """Turn meeting-log responses into meetings of the respondent's pairs, each with its response's attempt id
    (stored as the row's origin, so a read knows which stored rows an unreadable response wrote before:
    tester round 88a, 2).

    * A **mentee** responding logs one meeting with each of their mentors; ``attended``
      is read as yes/no.
    * A **mentor** responding logs one meeting per mentee of theirs; ``attended`` lists who
      came (usernames/idnumbers/emails separated by commas, semicolons or new lines, or
      ``all``), a mentee not listed is recorded as absent, without the response's notes (they were
      not there: a note for one mentee was on every absent one's pair; tester pass 70, 1); a list naming none of the mentor's mentees that
      day (someone who had left the circle, say) is a problem, not a meeting the whole circle missed,
      unless everyone it names was ``erased`` (Moodle id -> day) on or after that day: then, when
      ``erased_in_circle`` says a mentee since erased was in the circle that day, it is the circle's meeting and
      the other mentees missed it, as the response said before the erasure (leaving it out removed their
      records for good: tester round 112b, 1); else it is left out, as every row about an erasure is.
    * Each person the attendance names who was ``erased`` on or after that day and is not among the day's
      mentees (their pair went with the erasure) gives a problem marked ``erased`` (``ERASED_NAMED``): the row
      the caller counts as withheld, never says (tester round 112b, 3).
    * ``erased_in_circle(mentor, day)``: whether a mentee since erased was in that mentor's circle that
      day; a response for the whole circle of such a day keeps no note (it may name them).
    * ``erased_partner(person, day)``: whether someone since erased was in a pair with ``person`` that day (their
      mentor, or a mentee of their circle). A response of someone in no pair that day who was in such a pair is
      about the erased person, so it is a problem marked ``erased`` (the caller withholds it, as every row about an
      erasure), not "is in no mentoring pair": erasing a mentor flagged their mentees' own answers about meetings
      with them as broken, and every run listed them again (tester round 111b, 2). So is the response of someone
      in no pair that day who was themselves ``erased`` on or after it (``ERASED_RESPONDENT``): back in a circle
      since, their earlier response was flagged on every run (tester round 112b, 2).
    * Each meeting's ``rated_by`` is the respondent's side: the attempt's ``user_id`` is the
      mentor (they have mentees that day) or the mentee, whoever submitted the response.
    * A respondent in no pair, or an answer that does not parse, is reported as a problem
      for that attempt only; the other attempts still count (this source is read again on
      every run, unlike a file that is imported once). So is a meeting of 0 minutes that
      someone attended: the imports refuse it, and it gave attendance credit and read as the
      shortest "hi-bye" meeting (tester round 12, 2).
    * ``date_order`` (``[import] date_order``) reads a slash date as the meetings import does; under
      ``auto`` a date that can only be read one way decides itself, and one that reads both ways is a
      problem of that response, never a guess (``response_date_order``; tester round 87a, 4).
    * With ``dated``, the respondent's pairs are those ON THE MEETING'S DATE (so a re-match
      never re-attributes an earlier meeting to the new mentor); ``mentees_of`` and
      ``mentors_of`` are then unused.
    * ``one_to_one`` (``[meetings] one_to_one``): a mentor's response is a meeting with the mentees ``attended``
      names only, nobody counted absent; blank or ``all`` is a problem (tester round 89a, 2: a one-to-one log
      counted every other mentee of the circle as having missed a meeting).
    * Several responses about one meeting (date, mentor, mentee) give one row (``one_row_per_meeting``: a row
      stated beats one inferred, a side's last response beats its earlier ones, the side that logged it first
      keeps it, and the other side's response is a problem; tester round 89a, 1, 3, 4).
    """
    logged: list[LoggedRow] = []
    problems: list[FeedbackProblem] = []
    by_day: dict[date, tuple[dict[int, set[int]], dict[int, set[int]]]] = {}
    attempts = list(attempts)
    for attempt in attempts:
        values = attempt.values
        try:
            day = _feedback_date(attempt, items, tz, today, date_order)
            minutes = parse_minutes(values.get(items.minutes, ""), field=items.minutes)
            rating = parse_rating(
                values.get(items.rating) if items.rating else None, field=items.rating or "rating"
            )
            notes = parse_notes(values.get(items.notes) if items.notes else None)
            raw_attended = values.get(items.attended, "")
            if dated is not None:
                if day not in by_day:
                    by_day[day] = pair_maps(dated.on(day))
                mentees_of, mentors_of = by_day[day]
            mentees = sorted(set(mentees_of.get(attempt.user_id, ())))
            mentors = sorted(set(mentors_of.get(attempt.user_id, ())))
            pairs: list[tuple[int, int, bool, bool]] = []  # mentor, mentee, attended, stated (not inferred)
            side: RatedBy = "mentor"
            gone: list[int] = []  # people the attendance names, since erased, not among the day's mentees
            if mentees:
                named = _attendees(raw_attended, resolve, items.attended)
                present = None if named is None else set(named)
                gone = sorted(p for p in present or () if p not in mentees and day <= (erased or {}).get(p, date.min))
                if present is not None and not present & set(mentees):  # else all of them "missed" it (round 59, 4)
                    if present != set(gone):
                        raise FieldProblem(items.attended, "names nobody who was one of the respondent's mentees on "
                                                           "that day")
                    if erased_in_circle is None or not erased_in_circle(attempt.user_id, day):
                        problems += _withheld(attempt, gone)
                        continue  # about people erased since, not of this circle: withheld, as every row about one
                    # the circle's meeting, the one named since erased (tester round 112b, 1): the others missed it
                elif present is not None:  # one name of someone else: a mentee it meant was counted absent (131b, 1)
                    _strangers(named or [], items.attended, set(mentees) | set(gone) | set(mentors) | {attempt.user_id})
                if one_to_one and present is None:
                    raise FieldProblem(items.attended, "names no mentee: with [meetings] one_to_one a mentor's response "
                                                       "names the mentee (or mentees) met")
                pairs = [(attempt.user_id, m, present is None or m in present, present is None or m in present)
                         for m in mentees if not one_to_one or (present is not None and m in present)]
                if present and any(day <= (erased or {}).get(person, date.min) for person in present):
                    notes = None  # the attendance names someone since erased: the note may too (pass 72, 1)
                if present is None and erased_in_circle is not None and erased_in_circle(attempt.user_id, day):
                    notes = None  # a whole-circle note of a day a mentee since erased was there (pass 70, 2)
            elif mentors:
                came = parse_attended(raw_attended, field=items.attended) if raw_attended.strip() else True
                pairs = [(m, attempt.user_id, came, True) for m in mentors]
                side = "mentee"
            elif erased_partner is not None and erased_partner(attempt.user_id, day):
                problems.append(FeedbackProblem(attempt.attempt_id, "respondent", ERASED_PAIR, attempt.user_id, erased=True))
                continue  # withheld: the pair of that day is gone with the erasure (tester round 111b, 2)
            elif day <= (erased or {}).get(attempt.user_id, date.min):
                problems.append(FeedbackProblem(attempt.attempt_id, "respondent", ERASED_RESPONDENT, attempt.user_id,
                                                erased=True))
                continue  # their own pairs of that day went with their erasure (tester round 112b, 2)
            else:
                raise FieldProblem("respondent", "is in no mentoring pair")
            if minutes == 0 and any(came for _, _, came, _ in pairs):  # as the imports refuse it (tester round 12, 2)
                raise FieldProblem(items.minutes, "is 0, but the response says the meeting took place: "
                                                  "the respondent should give how long it lasted")
        except FieldProblem as problem:
            problems.append(FeedbackProblem(attempt.attempt_id, problem.field, problem.message, attempt.user_id))
            continue
        problems += _withheld(attempt, gone)  # their rows, counted (tester round 112b, 3)
        for mentor_id, mentee_id, attended, stated in pairs:
            logged.append(LoggedRow(
                Meeting(
                    date=day,
                    mentor_id=mentor_id,
                    mentee_id=mentee_id,
                    minutes=minutes,
                    attended=attended,
                    source="feedback",
                    rating=rating,
                    # a mentor's note is not put on the record of a mentee who was not there (tester pass 70, 1)
                    notes=notes if attended or side == "mentee" else None,
                    rated_by=side,
                ),
                attempt.attempt_id, attempt.submitted, stated,
            ))
    meetings, clashes = one_row_per_meeting(logged)
    who = {a.attempt_id: a.user_id for a in attempts}
    problems += [FeedbackProblem(c.attempt_id, "meeting", (
        f"{BOTH_SIDES}: the other side of the pair logged the meeting of {c.day.isoformat()} first (response attempt "
        f"{c.kept}), and lmsync keeps one side's rating and notes per meeting, the first response's: this response's "
        "row for it is not stored; to keep this one instead, delete the other response in Moodle"),
        who.get(c.attempt_id), both_sides=True) for c in clashes]
    return meetings, problems


def _withheld(attempt: FeedbackAttempt, named: Iterable[int]) -> list[FeedbackProblem]:
    """One problem marked ``erased`` per person ``named`` (Moodle ids, since erased) in ``attempt``'s attendance whose
    row the read does not give: the caller counts each as a row withheld, and never says it."""
    return [FeedbackProblem(attempt.attempt_id, "attended", ERASED_NAMED, attempt.user_id, erased=True) for _ in named]


def _feedback_date(
    attempt: FeedbackAttempt, items: MeetingLogItems, tz: tzinfo, today: date | None, setting: Literal["auto", "dmy", "mdy"]
) -> date:
    raw = attempt.values.get(items.date, "").strip() if items.date else ""
    field = items.date or "date"
    if raw:
        return parse_date(raw, today=today, field=field, order=response_date_order(raw, setting, field))[0]
    return attempt.submitted.astimezone(tz).date()


def response_date_order(raw: str, setting: Literal["auto", "dmy", "mdy"], field: str) -> DateOrder:
    """How one response's slash date is read: as ``[import] date_order`` says, or under ``auto`` as the
    date itself allows (``25/02/2027`` only day-first). A date that reads both ways (``03/04/2027``) is
    refused, not read day-first: the meetings import refuses a file of only such dates, and each response
    is its respondent's own (tester round 87a, 4: ``03/02/2027`` was stored as 3 February even under
    ``mdy``). No double quotes in the message: the run's line masks quoted text as an answer."""
    if setting != "auto":
        return setting
    evidence = detect_date_order([raw])
    if evidence.ambiguous:
        raise FieldProblem(field, f"{raw!r} reads both day-first and month-first, so its day is not known: the "
                                  "respondent writes it as YYYY-MM-DD, or set [import] date_order to dmy or mdy")
    return evidence.order or "dmy"


def _attendees(raw: str, resolve: Resolver, field: str) -> list[int] | None:
    """The Moodle id of each name, in the list's order; ``None`` means everyone (blank or ``all``)."""
    text = raw.strip()
    if not text or text.lower() == "all":
        return None
    present: list[int] = []
    names = [token for token in re.split(r"[,;\n]+", text) if token.strip()]
    for place, token in enumerate(names, start=1):
        try:
            present.append(resolve_person(resolve, token, field).user_id)
        except FieldProblem as problem:  # which of the names (tester round 60, 3: the value is masked in logs)
            where = f"name {place} of {len(names)}: " if len(names) > 1 else ""
            raise FieldProblem(field, where + problem.message) from None
    return present


def _strangers(named: list[int], field: str, known: set[int]) -> None:
    """Raise ``FieldProblem`` when the attendance (``named``: ``_attendees``) names someone who is none of ``known``
    (the respondent's mentees of that day, those erased since, their own mentors, themselves): another circle's
    student, or a mistyped name that is somebody's. Stored, the response counted the mentee it meant absent and said
    nothing, while a name that is nobody's was a problem (tester round 131b, 1). Says which name by place; the value
    stays masked in logs."""
    places = [place for place, person in enumerate(named, start=1) if person not in known]
    if places:
        which = ", ".join(str(p) for p in places)
        raise FieldProblem(field, f"name{'s' if len(places) > 1 else ''} {which} of {len(named)}: "
                           f"{'are' if len(places) > 1 else 'is'} not one of the respondent's mentees on that day (a "
                           "mistyped name, or a student of another circle): the response is not stored, so no mentee "
                           "it meant is counted absent")
