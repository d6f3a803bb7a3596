"""Use cases for meetings, surveys and the grades they feed (issue #6).

Everything here works on plain values plus the store; the Moodle side is passed in:
people (for resolving usernames, idnumbers or emails), pairs (mentor, mentee), Feedback
attempts already read, and grade items read back. That keeps each use case testable
without a Moodle, and gives the Moodle wiring one obvious seam per read:

* ``people``: any objects with ``id``, ``username``, ``idnumber``, ``email``
  (``lmsync.service.observe.RosterUser`` fits); ``roster_people`` reads them;
* ``store_feedback_meetings`` / ``store_feedback_answers``: Feedback responses turned into
  ``FeedbackAttempt`` values by the Moodle layer;
* ``build_grade_plan``: observed grade items and the active-enrolment set in, a
  ``GradePlan`` (requests ready for core_grades_update_grades) out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Any, Protocol

from lmsync.config import Config
from lmsync.config_sections import (
    GradesConfig,
    InstrumentConfig,
    MeetingsConfig,
    WavesConfig,
    default_idnumber_prefix,
    resolve_instruments,
)
from lmsync.domain.grades import GradePlan, ObservedGradeItem, plan_grades
from lmsync.domain.instruments import (
    FeedbackAnswerProblem,
    Instrument,
    Wave,
    answers_from_feedback,
    score_waves,
)
from lmsync.domain.meetings import (
    AmbiguousPerson,
    FeedbackAttempt,
    FeedbackProblem,
    Meeting,
    PersonRef,
    RecordProblems,
    Resolver,
    meeting_from_fields,
    meetings_from_feedback,
    resolve_person,
)
from lmsync.domain.metrics import (
    AttendanceSummary,
    MetricSpec,
    MetricValue,
    meeting_metric_specs,
    meeting_metrics,
    summarise_attendance,
    survey_metric_specs,
    survey_metrics,
)
from lmsync.errors import ConfigError, InputError
from lmsync.log import get_logger
from lmsync.service.imports import ImportResult, import_meetings_file, import_surveys_file
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository, SaveCounts, StoredMeeting
from lmsync.store.surveys import SurveyRepository

log = get_logger(__name__)


class PersonRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def idnumber(self) -> str: ...
    @property
    def email(self) -> str: ...


PeopleLoader = Callable[[Config], Iterable[PersonRecord]]


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The issue-#6 sections, validated, whatever shape ``Config`` currently gives them."""

    programme: str
    meetings: MeetingsConfig
    grades: GradesConfig
    waves: tuple[Wave, ...]
    baseline: str | None
    programme_start: date | None
    instruments: dict[str, Instrument]
    instrument_sections: dict[str, InstrumentConfig]


def settings(config: Config) -> Settings:
    """Read the sections through ``lmsync.config_sections`` (works before and after they are plugged in)."""
    try:
        meetings = MeetingsConfig.model_validate(_plain(config.meetings))
        grades = GradesConfig.model_validate(_plain(config.grades))
        waves = WavesConfig.model_validate(_plain(getattr(config, "waves", None)) or {})
        sections = {
            name: InstrumentConfig.model_validate(_plain(value))
            for name, value in (config.instruments or {}).items()
        }
        instruments = resolve_instruments(sections)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"configuration: {exc}") from None
    return Settings(
        programme=config.programme.name,
        meetings=meetings,
        grades=grades,
        waves=waves.to_waves(),
        baseline=waves.baseline,
        programme_start=waves.programme_start,
        instruments=instruments,
        instrument_sections=sections,
    )


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_unset=True)
    return value


def open_store(config: Config) -> Store:
    return Store(config.store_path())


# --- people ----------------------------------------------------------------------------------


def make_resolver(people: Iterable[PersonRecord], key: str) -> Resolver:
    """A lookup by ``username``, ``idnumber`` or ``email``, case-insensitive.

    Case-insensitive on purpose although Moodle's own email lookup is not (trap 15): a
    spreadsheet's ``S0006@Example.org`` means s0006. Two people sharing a key make that
    key ambiguous rather than silently picking one. A plain number is *not* taken as a
    user id: files name people the way the school knows them.
    """
    if key not in ("username", "idnumber", "email"):
        raise ValueError(f"person key must be username, idnumber or email, not {key!r}")
    index: dict[str, PersonRef | None] = {}
    for person in people:
        value = (getattr(person, key, "") or "").strip().lower()
        if not value:
            continue
        index[value] = None if value in index else PersonRef(person.id, value)

    def resolve(text: str) -> PersonRef | None:
        wanted = text.strip().lower()
        if wanted in index and index[wanted] is None:
            raise AmbiguousPerson(wanted)
        return index.get(wanted)

    return resolve


def roster_people(config: Config) -> list[PersonRecord]:
    """People of the programme course with an active enrolment, read from Moodle (or the emulator)."""
    from lmsync.service.moodle import open_moodle
    from lmsync.service.observe import find_course_id, read_roster

    with open_moodle(config) as moodle:
        course_id = find_course_id(moodle.api, config.programme.course)
        return list(read_roster(moodle.api, course_id, config.moodle.page_size).values())


def _resolver(config: Config, people: Iterable[PersonRecord] | None, loader: PeopleLoader | None) -> Resolver:
    key = settings(config).meetings.person_key
    return make_resolver(people if people is not None else (loader or roster_people)(config), key)


# --- imports and single meetings --------------------------------------------------------------


def import_meetings(
    config: Config,
    path: Path,
    *,
    people: Iterable[PersonRecord] | None = None,
    loader: PeopleLoader | None = None,
    store: Store | None = None,
    today: date | None = None,
) -> ImportResult:
    """``lmsync import meetings FILE.csv``: all rows or nothing."""
    resolve = _resolver(config, people, loader)
    with _store_for(config, store) as db:
        return import_meetings_file(db, config.programme.name, path, resolve, today=today or date.today())


def import_surveys(
    config: Config,
    path: Path,
    *,
    people: Iterable[PersonRecord] | None = None,
    loader: PeopleLoader | None = None,
    store: Store | None = None,
    today: date | None = None,
) -> tuple[ImportResult, int]:
    """``lmsync import surveys FILE.csv``, then rescore; returns the import and the score count."""
    s = settings(config)
    resolve = _resolver(config, people, loader)
    with _store_for(config, store) as db:
        result = import_surveys_file(
            db, s.programme, path, resolve, s.instruments, today=today or date.today()
        )
        scored = rescore_surveys(db, s)
    return result, scored


def add_meeting(
    config: Config,
    *,
    when: str,
    mentor: str,
    mentee: str,
    minutes: str,
    attended: str,
    rating: str | None = None,
    notes: str | None = None,
    people: Iterable[PersonRecord] | None = None,
    loader: PeopleLoader | None = None,
    store: Store | None = None,
    today: date | None = None,
) -> tuple[Meeting, SaveCounts]:
    """``lmsync meetings add``: one meeting, validated by the same rules as a CSV row."""
    resolve = _resolver(config, people, loader)
    fields = {
        "date": when,
        "mentor": mentor,
        "mentee": mentee,
        "minutes": minutes,
        "attended": attended,
        "rating": rating,
        "notes": notes,
    }
    try:
        meeting, _style = meeting_from_fields(fields, resolve, source="cli", today=today or date.today())
    except RecordProblems as problems:
        raise InputError("; ".join(f"--{p.field}: {p.message}" for p in problems.problems)) from None
    with _store_for(config, store) as db:
        counts = MeetingRepository(db, config.programme.name).save([(meeting, "cli")])
    log.info("meetings.add", added=counts.added, updated=counts.updated)
    return meeting, counts


def list_meetings(
    config: Config,
    *,
    person: str | None = None,
    since: date | None = None,
    people: Iterable[PersonRecord] | None = None,
    loader: PeopleLoader | None = None,
    store: Store | None = None,
) -> list[StoredMeeting]:
    """Stored meetings, optionally of one person (a Moodle user id, or a name by the person key)."""
    person_id: int | None = None
    if person is not None:
        if person.strip().isdigit():
            person_id = int(person)
        else:
            try:
                person_id = resolve_person(_resolver(config, people, loader), person, "person").user_id
            except ValueError as exc:
                raise InputError(str(exc)) from None
    with _store_for(config, store) as db:
        return MeetingRepository(db, config.programme.name).find(person_id=person_id, since=since)


@contextmanager
def _store_for(config: Config, store: Store | None) -> Iterator[Store]:
    """Use the given store, or open (and close) the configured one."""
    if store is not None:
        yield store
        return
    opened = open_store(config)
    try:
        yield opened
    finally:
        opened.close()


# --- Feedback activities (the Moodle read is the caller's) -------------------------------------


def pair_maps(pairs: Iterable[tuple[int, int]]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(mentees of each mentor, mentors of each mentee) from (mentor, mentee) pairs."""
    mentees_of: dict[int, set[int]] = defaultdict(set)
    mentors_of: dict[int, set[int]] = defaultdict(set)
    for mentor, mentee in pairs:
        mentees_of[mentor].add(mentee)
        mentors_of[mentee].add(mentor)
    return mentees_of, mentors_of


def store_feedback_meetings(
    store: Store,
    s: Settings,
    attempts: Iterable[FeedbackAttempt],
    pairs: Iterable[tuple[int, int]],
    resolve: Resolver,
    *,
    tz: tzinfo = UTC,
    today: date | None = None,
) -> tuple[SaveCounts, list[FeedbackProblem]]:
    """Mirror the meeting-log Feedback activity into the store (source ``feedback``)."""
    mentees_of, mentors_of = pair_maps(pairs)
    meetings, problems = meetings_from_feedback(
        attempts, s.meetings.items.to_domain(), mentees_of, mentors_of, resolve, tz=tz, today=today
    )
    origin = "feedback"
    counts = MeetingRepository(store, s.programme).replace_source("feedback", [(m, origin) for m in meetings])
    log.info(
        "meetings.feedback",
        stored=counts.added + counts.updated,
        removed=counts.removed,
        problems=len(problems),
    )
    return counts, problems


def store_feedback_answers(
    store: Store,
    s: Settings,
    instrument_name: str,
    attempts: Iterable[FeedbackAttempt],
    *,
    tz: tzinfo = UTC,
) -> tuple[SaveCounts, list[FeedbackAnswerProblem]]:
    """Mirror one instrument's Feedback activity into the store, then rescore every wave."""
    instrument = s.instruments[instrument_name]
    section = s.instrument_sections.get(instrument_name)
    labels = section.feedback_items if section is not None else {}
    answers, problems = answers_from_feedback(attempts, instrument, labels, tz=tz)
    repo = SurveyRepository(store, s.programme)
    counts = repo.replace_source("feedback", instrument_name, [(a, "feedback") for a in answers])
    rescore_surveys(store, s)
    log.info("surveys.feedback", instrument=instrument_name, answers=len(answers), problems=len(problems))
    return counts, problems


def rescore_surveys(store: Store, s: Settings) -> int:
    repo = SurveyRepository(store, s.programme)
    return repo.replace_scores(score_waves(repo.answers(), s.instruments, s.waves))


# --- metrics and the grade plan -------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    specs: dict[str, MetricSpec]
    values: list[MetricValue]
    attendance: dict[int, AttendanceSummary]


def compute_metrics(store: Store, s: Settings, pairs: Iterable[tuple[int, int]], *, as_of: date) -> Metrics:
    """Every metric for the current pairs, from the stored meetings and survey answers.

    Meetings are counted from ``[meetings] start``, else the programme start of the waves,
    else the earliest stored meeting.
    """
    pair_list = sorted(set(pairs))
    meetings = MeetingRepository(store, s.programme).meetings()
    start = s.meetings.start or s.programme_start or min((m.date for m in meetings), default=as_of)
    attendance = summarise_attendance(
        meetings, pair_list, cadence_days=s.meetings.cadence_days, start=start, as_of=as_of
    )
    scores = SurveyRepository(store, s.programme).scores()
    specs = {
        **meeting_metric_specs(max_meetings=s.meetings.max_meetings, max_minutes=s.meetings.max_minutes),
        **survey_metric_specs(
            s.instruments.values(), s.waves, baseline=s.baseline, mentee_ratings=s.grades.mentee_ratings
        ),
    }
    values = meeting_metrics(attendance) + survey_metrics(
        scores,
        s.instruments,
        pair_list,
        s.waves,
        min_mentees=s.grades.min_mentees_for_mentor_rating,
        baseline=s.baseline,
        mentee_ratings=s.grades.mentee_ratings,
    )
    if s.grades.enabled is not None:
        enabled = set(s.grades.enabled)
        specs = {k: v for k, v in specs.items() if k in enabled}
        values = [v for v in values if v.key in enabled]
    return Metrics(specs, values, attendance)


def build_grade_plan(
    s: Settings,
    metrics: Metrics,
    observed: Iterable[ObservedGradeItem],
    enrolled: Iterable[int],
    *,
    budget: int,
    foreign_idnumbers: Iterable[str] = (),
) -> GradePlan:
    """The grade writes for ``metrics``: ``observed`` are the items in the owned range on the
    programme's activity as read back, ``enrolled`` the users with an active enrolment."""
    prefix = s.grades.idnumber_prefix or default_idnumber_prefix(s.programme)
    try:
        return plan_grades(
            metrics.values,
            metrics.specs,
            observed,
            frozenset(enrolled),
            base=s.grades.itemnumber_base,
            count=s.grades.itemnumber_count,
            idnumber_prefix=prefix,
            budget=budget,
            foreign_idnumbers=frozenset(foreign_idnumbers),
        )
    except ValueError as exc:
        raise ConfigError(f"grades: {exc}") from None


def attendance_comments(metrics: Metrics) -> Mapping[int, tuple[float, str]]:
    """(grade 0-100, comment) per person for the configured assignment, e.g. ``3 of 4 meetings, last 12 Oct``."""
    return {
        uid: (round(summary.rate, 2), summary.comment())
        for uid, summary in metrics.attendance.items()
        if summary.rate is not None
    }
