"""Configuration sections for meetings, instruments, waves and grades (issue #6).

Kept apart from ``lmsync.config`` so the sections and their translation into domain
objects live next to each other; ``Config`` plugs them in under the same names it already
uses (``meetings``, ``grades``, ``instruments``) plus ``waves``. Example::

    [meetings]
    feedback = "Meeting log"          # the Feedback activity used as the meeting log
    cadence_days = 14
    person_key = "username"           # how CSV files and the CLI name people
    [meetings.items]                  # Feedback item labels -> meeting fields
    minutes = "meeting_minutes"

    [instruments.general_self_efficacy]          # a built-in: only say where answers come from
    feedback = "Self-efficacy survey"
    feedback_items = { gse1 = "gse_1", gse2 = "gse_2" }

    [instruments.confidence]                     # a school's own instrument
    items = ["c1", "c2", "c3", "c4"]
    scale_min = 1
    scale_max = 5
    reverse = ["c3"]
    na_values = ["NA", "9"]
    min_answered = 0.75
    method = "mean"
    subscales = { planning = ["c1", "c2"], asking = ["c3", "c4"] }
    grade_name = "confidence"

    [waves]
    programme_start = 2026-09-01
    [waves.windows]
    T0 = { offset_months = 0 }
    T3 = { offset_months = 3 }
    T6 = { start = 2027-02-15, end = 2027-03-31 }

    [grades]
    itemnumber_base = 1000
    itemnumber_count = 100
    activity = "Mentoring circles"    # forum name or course-module id
    assignment = "Mentoring attendance"
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lmsync.config_placeholders import placeholder_problem
from lmsync.domain.instruments import (
    BUILTIN_INSTRUMENTS,
    Instrument,
    Wave,
    add_months,
    ordered_waves,
)
from lmsync.domain.meeting_log import MeetingLogItems
from lmsync.moodle.text import name_problem, param_text_problem


def _choices(annotation: Any) -> frozenset[str]:
    """The lower-case words of a ``Literal`` annotation (``Literal[...] | None`` too); empty for any other."""
    if get_origin(annotation) is Literal:
        return frozenset(a for a in get_args(annotation) if isinstance(a, str) and a == a.lower())
    return frozenset().union(*(_choices(a) for a in get_args(annotation))) if get_args(annotation) else frozenset()


class Section(BaseModel):
    """The base of every configuration section, here and in ``lmsync.config`` and
    ``lmsync.health_config``: an unknown key is an error naming its path, and a value set
    after loading is validated like one read from the file."""

    # inf/nan: tester round 6, 2; a refused value is never in the error's text (a url's password: lmsync.config_moodle_url)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _choices_any_case(cls, data: Any) -> Any:
        """A choice (a field of ``Literal`` words, all lower case) is read in any letter case: ``DMY`` is
        ``dmy``, from a file or from the environment (tester round 88a, 10: ``LMSYNC_IMPORT_DATE_ORDER=DMY``
        was refused); any other value is left for the field to refuse, naming the choices."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            value = out.get(name)
            if isinstance(value, str) and value != value.lower() and value.lower() in _choices(field.annotation):
                out[name] = value.lower()
        return out


MAX_DAYS = 3660  # ten years: a day count beyond it is a typo, and the dates it makes overflowed (tester round 7, 1)


class MeetingLogItemsConfig(Section):
    """Feedback item *labels* (set by the admin on each question) holding each meeting field."""

    minutes: str = Field("minutes", description="label of the item holding the meeting's length in minutes")
    attended: str = Field("attended", description="label of the item saying whether the mentee came")
    rating: str | None = Field("rating", description="label of the item holding the meeting's rating (1-5)")
    notes: str | None = Field("notes", description="label of the free-text notes item (stored locally only)")
    date: str | None = Field("date", description="label of the item holding the meeting date (default: when submitted)")

    def to_domain(self) -> MeetingLogItems:
        return MeetingLogItems(
            minutes=self.minutes, attended=self.attended, rating=self.rating, notes=self.notes, date=self.date
        )


def refuse_blank_activity(value: str | None, holding: str) -> str | None:
    """A blank Feedback activity name is a mistake: it matched no activity, and nothing said so
    (tester round 7, left then; refused like an empty forum or course)."""
    if value is not None and not value.strip():
        raise ValueError(f"is empty: give the name of the Feedback activity holding {holding} as the course "
                         "shows it, or leave the key out")
    return value


class MeetingsConfig(Section):
    """Meetings: where the meeting log lives, how often pairs should meet, how people are named."""

    feedback: str | None = Field(None, description="name of the Feedback activity used as the meeting log")
    cadence_days: int = Field(14, ge=1, le=MAX_DAYS, description="one meeting per pair is expected every this many days")
    person_key: Literal["username", "idnumber", "email"] = Field(
        "username", description="how CSV files and the meeting log name people"
    )
    start: date | None = Field(None, description="count meetings from here (default: waves.programme_start)")
    one_to_one: bool = Field(
        False, description="mentors meet each mentee alone: a mentor's meeting-log response is a meeting with the "
        "mentees its attended item names, nobody else counted absent (false: a meeting of the circle, a mentee not "
        "named counted absent)")
    items: MeetingLogItemsConfig = MeetingLogItemsConfig()
    max_meetings: int = Field(100, ge=1, description="grademax of the meetings-held item")
    max_minutes: int = Field(240, ge=1, description="grademax of the mean-minutes item")

    @field_validator("feedback")
    @classmethod
    def _refuse_empty_feedback(cls, value: str | None) -> str | None:
        return refuse_blank_activity(value, "the meeting log")


class InstrumentConfig(Section):
    """A declared instrument. A name (or ``base``) matching a built-in inherits its scoring."""

    base: str | None = Field(None, description="built-in instrument this one inherits its scoring from")
    items: list[str] | None = Field(None, description="the item names, in order")
    scale_min: int | None = Field(None, description="lowest answer on the scale")
    scale_max: int | None = Field(None, description="highest answer on the scale")
    reverse: list[str] | None = Field(None, description="items scored in reverse (scale_max + scale_min - answer)")
    na_values: list[str] | None = Field(None, description="answers that mean \"not answered\" (e.g. NA, 9)")
    min_answered: float | None = Field(
        None, gt=0, le=1, description="share of items that must be answered for a score (default 1)"
    )
    method: Literal["sum", "mean"] | None = Field(None, description="score as the sum or the mean of the items (default mean)")
    subscales: dict[str, list[str]] | None = Field(None, description="subscale name -> its items, each scored too")
    side: Literal["mentee", "mentor", "both"] | None = Field(None, description="who answers it (default mentee)")
    rates_mentor: bool | None = Field(
        None, description="mentees rate their mentor with it (published only aggregated per mentor)"
    )
    track_change: bool | None = Field(None, description="also publish the change from the baseline wave")
    grade_name: str | None = Field(None, description="short name used in grade item names (letters, digits, -)")
    feedback: str | None = Field(None, description="non-anonymous Feedback activity holding the answers")
    feedback_items: dict[str, str] = Field(
        default_factory=dict, description="instrument item -> Feedback item label"
    )

    @field_validator("feedback")
    @classmethod
    def _refuse_empty_feedback(cls, value: str | None) -> str | None:
        return refuse_blank_activity(value, "the answers")

    @field_validator("na_values", mode="before")
    @classmethod
    def _na_as_text(cls, value: object) -> object:
        if isinstance(value, list):
            return [str(v) for v in value]
        return value

    @field_validator("grade_name")
    @classmethod
    def _safe_grade_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9-]+", value):
            raise ValueError("use letters, digits and '-' only (it becomes a grade item name)")
        return value

    def to_instrument(self, name: str) -> Instrument:
        """Build the domain instrument; raises ``ValueError`` naming what is missing or wrong."""
        parent_name = self.base or (name if name in BUILTIN_INSTRUMENTS else None)
        parent = BUILTIN_INSTRUMENTS.get(parent_name) if parent_name else None
        if parent_name and parent is None:
            raise ValueError(
                f"base {parent_name!r} is not a built-in instrument ({', '.join(BUILTIN_INSTRUMENTS)})"
            )

        def pick(key: str) -> Any:
            own = getattr(self, key)
            if own is not None:
                return own
            return getattr(parent, key) if parent is not None else None

        missing = [k for k in ("items", "scale_min", "scale_max") if pick(k) is None]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        items: tuple[str, ...] = tuple(pick("items"))
        unknown = set(self.feedback_items) - set(items)
        if unknown:
            raise ValueError(f"feedback_items names unknown items {sorted(unknown)}")
        subscales: dict[str, Any] = dict(pick("subscales") or {})
        return Instrument(
            name=name,
            items=items,
            scale_min=int(pick("scale_min")),
            scale_max=int(pick("scale_max")),
            reverse=frozenset(pick("reverse") or ()),
            na_values=frozenset(pick("na_values") or ()),
            min_answered=float(pick("min_answered") or 1.0),
            method=pick("method") or "mean",
            subscales={k: tuple(v) for k, v in subscales.items()},
            side=pick("side") or "mentee",
            rates_mentor=bool(pick("rates_mentor")),
            track_change=bool(pick("track_change")),
            grade_name=pick("grade_name"),
            description=parent.description if parent is not None else "",
        )


def resolve_instruments(configured: dict[str, InstrumentConfig]) -> dict[str, Instrument]:
    """The built-ins plus (or overridden by) the configured instruments."""
    result = dict(BUILTIN_INSTRUMENTS)
    for name, section in configured.items():
        try:
            result[name] = section.to_instrument(name)
        except ValueError as exc:
            raise ValueError(f"instruments.{name}: {exc}") from None
    return result


MAX_WINDOW_DAYS = 366  # an offset wave's days_before / days_after: a window of more than a year around its date
# measures nothing (tester round 6, 1: 3,000,000 crashed every command with OverflowError)


class WaveWindowConfig(Section):
    """One survey wave: a dated window (start and end), or offset_months after programme_start."""

    start: date | None = Field(None, description="first day answers count for this wave")
    end: date | None = Field(None, description="last day answers count for this wave")
    offset_months: int | None = Field(
        None, ge=0, description="months after programme_start (window: days_before .. days_after around it)"
    )

    @model_validator(mode="after")
    def _one_way(self) -> WaveWindowConfig:
        dated = self.start is not None and self.end is not None
        if dated == (self.offset_months is not None) or (self.start is None) != (self.end is None):
            raise ValueError("give either start and end, or offset_months")
        return self


class WavesConfig(Section):
    """Survey waves (T0, T3, ...): when each measurement is taken, for change over time."""

    programme_start: date | None = Field(None, description="the programme's first day; offset waves count from it")
    days_before: int = Field(14, ge=0, le=MAX_WINDOW_DAYS, description="an offset wave opens this many days before its date")
    days_after: int = Field(30, ge=0, le=MAX_WINDOW_DAYS, description="... and closes this many days after")
    baseline: str | None = Field(None, description="wave that changes are measured from (default: the first)")
    windows: dict[str, WaveWindowConfig] = Field(
        default_factory=dict, description="the waves by name (letters and digits: it becomes a grade item name)"
    )

    @field_validator("windows")
    @classmethod
    def _safe_names(cls, value: dict[str, WaveWindowConfig]) -> dict[str, WaveWindowConfig]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9]+", name):
                raise ValueError(
                    f"wave name {name!r}: use letters and digits only (it becomes a grade item name)"
                )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> WavesConfig:
        """Raise ValueError naming the key each problem is at (``waves.windows.T3: ...``), so the error points at
        that window's line, not at ``[waves]`` (or line 1: tester round 105a, 10): an offset wave with no
        programme_start, a window ending before it starts, a window overlapping an earlier one, an unknown baseline."""
        offset = next((name for name, w in self.windows.items() if w.offset_months is not None), None)
        if offset is not None and self.programme_start is None:
            raise ValueError(f"waves.windows.{offset}: offset_months needs [waves] programme_start")
        for name, window in self.windows.items():
            if window.start is not None and window.end is not None and window.end < window.start:
                raise ValueError(f"waves.windows.{name}: ends ({window.end}) before it starts ({window.start})")
        ordered = sorted(self._unordered(), key=lambda w: w.start)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.start <= before.end:  # with the windows: an offset wave's are computed (tester round 51b, 11)
                raise ValueError(f"waves.windows.{after.name}: waves {before.name} ({before.start} to {before.end}) "
                                 f"and {after.name} ({after.start} to {after.end}) overlap")
        if self.baseline is not None and self.baseline not in self.windows:
            raise ValueError(f"waves.baseline: {self.baseline!r} is not one of the windows")
        return self

    def to_waves(self) -> tuple[Wave, ...]:
        """The windows as waves, ordered by start (``ordered_waves``)."""
        return ordered_waves(self._unordered())

    def _unordered(self) -> list[Wave]:
        waves = []
        for name, window in self.windows.items():
            if window.offset_months is not None:
                assert self.programme_start is not None
                anchor = add_months(self.programme_start, window.offset_months)
                waves.append(
                    Wave(
                        name,
                        anchor - timedelta(days=self.days_before),
                        anchor + timedelta(days=self.days_after),
                    )
                )
            else:
                assert window.start is not None and window.end is not None
                waves.append(Wave(name, window.start, window.end))
        return waves


class GradesConfig(Section):
    """Grade items lmsync owns on the programme's activity: numbers, names, privacy of ratings."""

    itemnumber_base: int = Field(1000, description="first grade-item itemnumber lmsync owns (2 or more: a "
                                 "forum's itemnumbers 0 and 1 are Moodle's own, its ratings and whole-forum grading)")
    itemnumber_count: int = Field(100, ge=1, description="how many itemnumbers from the base lmsync may use")
    activity: str | int | None = Field(
        None, description="forum name or course-module id (default: programme.forum)"
    )
    idnumber_prefix: int | None = Field(
        None,
        ge=1,
        description="only to recognise grade items an earlier lmsync made, whose idnumber was prefix + itemnumber "
        "(default: the year in programme.name); items lmsync makes now have a 16-digit idnumber derived from the "
        "programme and the metric",
    )
    assignment: str | None = Field(
        None, description="assignment receiving the attendance grade with a comment"
    )
    min_mentees_for_mentor_rating: int = Field(
        3, ge=2, description="a mentor's rating by mentees is published only over at least this many mentees "
        "(2 or more: at 1 a mentor would read one mentee's own answer; tester round 6, 4)"
    )
    mentee_ratings: Literal["aggregate_only", "hidden"] = Field(
        "aggregate_only",
        description="publish mentees' ratings of mentors only as per-mentor means, or also per mentee; every such "
        "item is hidden from the mentor it is about",
    )
    enabled: list[str] | None = Field(None, description="metric keys to publish (default: all)")

    @field_validator("itemnumber_base")
    @classmethod
    def _clear_of_moodles_items(cls, value: int) -> int:
        """A forum's grade items 0 (ratings) and 1 (whole-forum grading) are Moodle's: a teacher turning either on
        or off would rename, rescale or delete an item of lmsync's there (tester round 130b)."""
        if value < 2:
            raise ValueError("must be 2 or more: a forum's itemnumbers 0 and 1 are Moodle's own (its ratings and "
                             "whole-forum grading), which a teacher's settings rename or delete")
        return value


def default_idnumber_prefix(programme_name: str) -> int | None:
    """``mentoring-2026`` -> 2026 (as in the recorded items 20261000...); ``None`` when there is no year."""
    found = re.findall(r"(?<!\d)(\d{4})(?!\d)", programme_name)
    return int(found[-1]) if found else None


def moodle_name_problem(
    template: str, placeholders: tuple[str, ...] = (), max_length: int | None = None
) -> str | None:
    """Why Moodle would refuse names made from ``template`` as ``PARAM_TEXT``, or None.

    Group and grouping names and discussion subjects are validated, not cleaned: a ``<`` that
    opens a tag fails the whole batch with a reason-less ``invalidparameter`` (shared/moodle
    README, trap 38), so a template is checked at load time with each ``{placeholder}`` filled
    with a plain word. An unknown, malformed or positional placeholder, or one with a format spec,
    conversion or attribute/index access, is reported too (``config_placeholders``). With ``max_length`` (Moodle's
    column length, ``lmsync.moodle.text.GROUP_NAME_MAX`` ...), a template whose own text, with
    the placeholders empty, is already longer is refused (``name_problem``). People's names
    filled in later are checked by the plan.
    """
    problem = placeholder_problem(template, placeholders)  # only plain {name}s (tester round 127, 3)
    if problem:
        return problem
    sample = template.format(**{name: "Sample" for name in placeholders})
    if not sample.strip():
        return "must not be empty"
    if max_length is not None:
        return name_problem(template.format(**{name: "" for name in placeholders}), max_length) or param_text_problem(
            sample
        )
    return param_text_problem(sample)


MAX_WEIGHT = 1000  # a matching weight or the load cost: far above any useful one, far below exactness limits


class WeightsConfig(Section):
    """How much each reason counts in a match score; a weight of 0 turns that term off. Scores are kept
    exact as multiples of 1/1024 (about 0.001): a weight counts rounded to the nearest one (0.3 counts as 0.2998,
    as `--format json` shows it; text and CSV show scores to 2 decimals), and two weights closer than that count as equal.

    Each weight is a finite number from 0 to ``MAX_WEIGHT`` (tester round 6, 2: ``inf`` or ``1e308``
    crashed the matcher, which keeps scores exact as multiples of 1/1024 far below 2**40)."""

    same_department: float = Field(3, ge=0, le=MAX_WEIGHT, description="mentor and mentee in the same department")
    shared_interests: float = Field(1, ge=0, le=MAX_WEIGHT, description="this weight times the number of interests "
                                     "mentor and mentee share (a plain count, not scaled by overlap: 3 shared interests "
                                     "score 3 times the weight)")
    shared_language: float = Field(1, ge=0, le=MAX_WEIGHT, description="at least one language in common")
    year_gap: float = Field(2, ge=0, le=MAX_WEIGHT, description="peer mentors: full weight at the preferred year gap")
    preference: float = Field(2, ge=0, le=MAX_WEIGHT, description="the mentee asked for this mentor (preferences column)")
    need: float = Field(2, ge=0, le=MAX_WEIGHT, description="the mentor offers what the mentee needs: a value of the mentee's needs column among "
                        "the mentor's interests (a mentor's own needs column is not read)")
    stickiness: float = Field(5, ge=0, le=MAX_WEIGHT, description="keep an existing pair: re-matching must win by more than this")
