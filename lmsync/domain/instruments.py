"""Survey instruments and waves: how a person's item answers become a score, and when.

An instrument is declared once (items, scale, reverse-scored items, N/A answers, the
minimum share of items that must be answered, sum or mean, subscales) so every score in
the programme is computed by the same documented rule, whether the answers came from a
Moodle Feedback activity or a CSV file. Scoring order, fixed for every instrument:

1. blank answers and declared N/A values are *missing*; anything else must be a whole
   number inside the scale, or it is an error (never silently dropped);
2. reverse-scored items are mirrored: ``v' = scale_min + scale_max - v``;
3. if fewer than ``ceil(min_answered * n_items)`` items are answered, there is no score;
4. ``mean``: the mean of the answered items; ``sum``: the mean of the answered items times
   the number of items (the person-mean imputation Schwarzer & Jerusalem recommend for the
   General Self-Efficacy scale: "calculate a score as long as no more than three items on
   the ten-item scale are missing", SPSS ``MEAN.7`` then x10). With every item answered
   both are the plain mean and the plain sum.
5. subscales are scored the same way over their own items, with the same fraction.

Waves (T0, T3, T6, ...) are inclusive date windows (:mod:`lmsync.domain.waves`); a sitting
belongs to the wave whose window holds its date, and when a person answered several times
inside one window the latest complete sitting counts (``score_waves``). Feedback choice items are read in
:mod:`lmsync.domain.feedback_choices`. This module re-exports both (``__all__``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from functools import partial
from typing import Literal

from lmsync.domain.feedback_choices import (
    FeedbackOptions,
    FeedbackPresentationError,
    numeric_item_range,
    parse_feedback_presentation,
)
from lmsync.domain.meeting_log import FeedbackAttempt
from lmsync.domain.waves import SurveyAnswer, Wave, add_months, ordered_waves, wave_for

__all__ = [
    "BUILTIN_INSTRUMENTS",
    "GENERAL_SELF_EFFICACY",
    "MENTOR_QUALITIES",
    "RELATIONSHIP_SATISFACTION_MENTEE",
    "RELATIONSHIP_SATISFACTION_MENTOR",
    "FeedbackAnswerProblem",
    "FeedbackOptions",
    "FeedbackPresentationError",
    "Instrument",
    "InstrumentValueError",
    "Method",
    "Score",
    "Side",
    "SurveyAnswer",
    "Wave",
    "WaveScore",
    "add_months",
    "answers_from_feedback",
    "ordered_waves",
    "parse_feedback_presentation",
    "per_respondent",
    "scale_mismatch",
    "score",
    "score_waves",
    "wave_for",
]

Method = Literal["sum", "mean"]
Side = Literal["mentee", "mentor", "both"]


class InstrumentValueError(ValueError):
    """An answer that is neither missing, N/A, nor a whole number on the scale."""


@dataclass(frozen=True)
class Instrument:
    """A scoring rule. ``grade_name`` (letters, digits, ``-``) names the metric in the gradebook.

    ``rates_mentor`` marks a mentee's rating of their mentor: such scores are only ever
    published hidden on the mentee's row or aggregated per mentor over enough mentees.
    ``track_change`` adds a "change since the baseline wave" metric.
    """

    name: str
    items: tuple[str, ...]
    scale_min: int
    scale_max: int
    reverse: frozenset[str] = frozenset()
    na_values: frozenset[str] = frozenset()
    min_answered: float = 1.0
    method: Method = "mean"
    subscales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    side: Side = "mentee"
    rates_mentor: bool = False
    track_change: bool = False
    grade_name: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"instrument {self.name}: no items")
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"instrument {self.name}: an item is listed twice")
        if self.scale_min >= self.scale_max:
            raise ValueError(f"instrument {self.name}: scale_min must be below scale_max")
        if not 0 < self.min_answered <= 1:
            raise ValueError(f"instrument {self.name}: min_answered must be a fraction in (0, 1]")
        unknown = set(self.reverse) - set(self.items)
        if unknown:
            raise ValueError(f"instrument {self.name}: reverse names unknown items {sorted(unknown)}")
        for sub, sub_items in self.subscales.items():
            if not sub_items:
                raise ValueError(f"instrument {self.name}: subscale {sub} has no items")
            missing = set(sub_items) - set(self.items)
            if missing:
                raise ValueError(
                    f"instrument {self.name}: subscale {sub} names unknown items {sorted(missing)}"
                )
        # N/A values are compared case-insensitively after trimming.
        object.__setattr__(self, "na_values", frozenset(v.strip().lower() for v in self.na_values))

    @property
    def total_range(self) -> tuple[float, float]:
        """The lowest and highest possible total (10-40 for the GSE)."""
        if self.method == "sum":
            n = len(self.items)
            return (float(n * self.scale_min), float(n * self.scale_max))
        return (float(self.scale_min), float(self.scale_max))

    def required(self, n_items: int) -> int:
        """How many of ``n_items`` must be answered for a score (7 of 10 at 0.7)."""
        return max(1, math.ceil(self.min_answered * n_items - 1e-9))

    def parse_value(self, item: str, raw: object) -> float | None:
        """An answer as a number on the scale, or ``None`` when it is blank or N/A."""
        if item not in self.items:
            raise InstrumentValueError(f"{self.name} has no item {item!r}")
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise InstrumentValueError(f"{raw!r} is not a number")
        if isinstance(raw, (int, float)):
            value = float(raw)
        else:
            text = str(raw).strip()
            if text == "" or text.lower() in self.na_values:
                return None
            try:
                value = float(text)
            except ValueError:
                raise InstrumentValueError(f"{text!r} is not a number or a declared N/A value") from None
        if math.isnan(value) or not value.is_integer():
            raise InstrumentValueError(f"{raw!r} is not a whole number")
        if not self.scale_min <= value <= self.scale_max:
            raise InstrumentValueError(f"{raw!r} is outside the scale {self.scale_min}-{self.scale_max}")
        return value


@dataclass(frozen=True)
class Score:
    """One sitting's result; ``total`` is ``None`` when too few items were answered."""

    instrument: str
    total: float | None
    answered: int
    required: int
    subscales: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.total is not None


def _combine(
    instrument: Instrument, values: Mapping[str, float | None], items: tuple[str, ...]
) -> float | None:
    answered = [values[i] for i in items if values.get(i) is not None]
    if len(answered) < instrument.required(len(items)):
        return None
    mean = sum(v for v in answered if v is not None) / len(answered)
    return mean * len(items) if instrument.method == "sum" else mean


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Score one sitting. Unknown items and invalid answers raise ``InstrumentValueError``."""
    values: dict[str, float | None] = {}
    for item, raw in answers.items():
        value = instrument.parse_value(item, raw)
        if value is not None and item in instrument.reverse:
            value = instrument.scale_min + instrument.scale_max - value
        values[item] = value
    answered = sum(1 for i in instrument.items if values.get(i) is not None)
    return Score(
        instrument=instrument.name,
        total=_combine(instrument, values, instrument.items),
        answered=answered,
        required=instrument.required(len(instrument.items)),
        subscales={
            sub: _combine(instrument, values, tuple(items)) for sub, items in instrument.subscales.items()
        },
    )


# --- ready definitions -------------------------------------------------------------------

#: What every built-in instrument shares: a scale starting at 1, and "NA" / "N/A" answered for
#: an item that does not apply (missing, not an error).
_builtin_instrument = partial(Instrument, scale_min=1, na_values=frozenset({"NA", "N/A"}))

_RS_NOTE = (
    "Placeholder five-item relationship satisfaction scale (1 = strongly disagree .. 5 = strongly agree), "
    "one form per side; rs4 is reverse-scored. The item texts are the school's to write in Moodle, e.g. "
    "rs1 overall satisfaction with the relationship, rs2 feeling listened to, rs3 the meetings are useful, "
    "rs4 (reversed) the meetings feel like a waste of time, rs5 would recommend this pairing."
)


def _relationship_satisfaction(side: Side, form_note: str) -> Instrument:
    """The relationship satisfaction scale (``_RS_NOTE``) as one side's form.

    Both forms score alike; the mentee's form is a rating of the mentor (``rates_mentor``).
    """
    return _builtin_instrument(
        name=f"relationship_satisfaction_{side}",
        items=("rs1", "rs2", "rs3", "rs4", "rs5"),
        scale_max=5,
        reverse=frozenset({"rs4"}),
        min_answered=0.8,
        method="mean",
        side=side,
        rates_mentor=side == "mentee",
        grade_name=f"satisfaction-{side}",
        description=f"{_RS_NOTE} {form_note}",
    )


RELATIONSHIP_SATISFACTION_MENTEE = _relationship_satisfaction(
    "mentee", "Mentee form: a rating of the mentor, never shown where the mentor can read it."
)
RELATIONSHIP_SATISFACTION_MENTOR = _relationship_satisfaction("mentor", "Mentor form.")

GENERAL_SELF_EFFICACY = _builtin_instrument(
    name="general_self_efficacy",
    items=tuple(f"gse{i}" for i in range(1, 11)),
    scale_max=4,
    min_answered=0.7,
    method="sum",
    side="mentee",
    track_change=True,
    grade_name="selfefficacy",
    description=(
        "General Self-Efficacy scale (Schwarzer & Jerusalem, 1995): 10 items, 1 = not at all true .. "
        "4 = exactly true, no reverse items, total 10-40. Scored when at least 7 items are answered; "
        "missing items take the person's mean (sum = mean of answered items x 10)."
    ),
)

#: Qualities of outstanding mentors as mentees rate them (Cho, Ramanan & Feldman 2011, Am J Med).
#: A rating of the mentor: the report shows it only as each mentor's mean over at least
#: ``[grades] min_mentees_for_mentor_rating`` mentees (issue 14); no grade item (grade_name None).
MENTOR_QUALITIES = _builtin_instrument(
    name="mentor_qualities",
    items=(
        "compassion",
        "enthusiasm",
        "selflessness",
        "career_guidance",
        "support",
        "role_model",
        "motivation",
        "encouragement",
        "broader_vision",
    ),
    scale_max=5,
    min_answered=0.7,
    method="mean",
    side="mentee",
    rates_mentor=True,
    description=(
        "Mentor qualities after Cho, Ramanan & Feldman (2011): the mentee rates nine qualities of their "
        "mentor, 1 = not at all .. 5 = very much (compassion, enthusiasm, selflessness, career guidance, "
        "support, role model, motivation, encouragement, broader vision)."
    ),
)

BUILTIN_INSTRUMENTS: dict[str, Instrument] = {
    i.name: i
    for i in (
        RELATIONSHIP_SATISFACTION_MENTEE,
        RELATIONSHIP_SATISFACTION_MENTOR,
        GENERAL_SELF_EFFICACY,
        MENTOR_QUALITIES,
    )
}


# --- answers to wave scores --------------------------------------------------------------


@dataclass(frozen=True)
class WaveScore:
    """One respondent's score in one wave; ``about_id`` as in ``SurveyAnswer``."""

    respondent_id: int
    instrument: str
    wave: str
    date: date
    source: str
    score: Score
    about_id: int | None = None


def score_waves(
    answers: Iterable[SurveyAnswer], instruments: Mapping[str, Instrument], waves: Iterable[Wave]
) -> list[WaveScore]:
    """One score per (respondent, instrument, wave, relationship): the latest complete sitting in the window.

    A sitting is the answers one person gave to one instrument on one date from one
    source about one relationship (``about_id``; ``None`` = not about one relationship).
    Sittings outside every wave, or of an instrument not declared, are left out. A complete
    sitting (``Score.complete``) wins over any incomplete one, later or not: a Moodle Feedback
    attempt is a whole response, so a later stray item answer is not a new sitting that replaces
    a full one, and items of two days are not merged into one (tester round 114a, 2); with no
    complete sitting, the latest incomplete one stands (no total). Ties on the date go to the
    sitting with more answered items, then to the source name. ``wave_sittings.passed_over``
    names the later incomplete sittings left aside.
    """
    wave_list = ordered_waves(waves)
    sittings: dict[tuple[int, str, date, str, int | None], dict[str, str]] = defaultdict(dict)
    for a in answers:
        sittings[(a.respondent_id, a.instrument, a.date, a.source, a.about_id)][a.item] = a.value
    best: dict[tuple[int, str, str, int | None], tuple[tuple[bool, date, int, str], WaveScore]] = {}
    for (person, name, day, source, about), values in sittings.items():
        instrument = instruments.get(name)
        wave = wave_for(wave_list, day)
        if instrument is None or wave is None:
            continue
        result = score(instrument, values)
        rank = (result.complete, day, result.answered, source)
        key = (person, name, wave.name, about)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, WaveScore(person, name, wave.name, day, source, result, about))
    return sorted(
        (ws for _, ws in best.values()),
        key=lambda s: (s.respondent_id, s.instrument, s.date, -1 if s.about_id is None else s.about_id),
    )


def per_respondent(scores: Iterable[WaveScore]) -> list[WaveScore]:
    """One score per (respondent, instrument, wave): scores about single relationships merged.

    For consumers that publish one value per person (the gradebook): a mentor who rated
    each of four mentees gets the mean of the four complete totals, dated by the latest of
    them. A general, ``about``-less score of the same wave and those merged ones: the latest
    complete sitting counts, as within a wave (README, Safety); on one day, or with neither
    complete, the general one. A self-efficacy export that fills ``about`` with the mentee's
    mentor lost every later sitting to an earlier ``about``-less one (tester round 130b, 1).
    Scores already one per person pass unchanged.
    """
    general: dict[tuple[int, str, str], WaveScore] = {}
    about: dict[tuple[int, str, str], list[WaveScore]] = defaultdict(list)
    for s in scores:
        key = (s.respondent_id, s.instrument, s.wave)
        if s.about_id is None:
            general[key] = s
        else:
            about[key].append(s)
    out = dict(general)
    for key, group in about.items():
        complete = [s.score.total for s in group if s.score.total is not None]
        latest = max(group, key=lambda s: s.date)
        general_score = out.get(key)
        if general_score is not None and _first_counts(general_score, _latest_complete(group)):
            continue
        total = math.fsum(complete) / len(complete) if complete else None
        merged = Score(latest.score.instrument, total, latest.score.answered, latest.score.required)
        out[key] = WaveScore(key[0], key[1], key[2], latest.date, latest.source, merged)
    return sorted(out.values(), key=lambda s: (s.respondent_id, s.instrument, s.date))


def _latest_complete(group: list[WaveScore]) -> WaveScore:
    complete = [s for s in group if s.score.total is not None]
    return max(complete or group, key=lambda s: s.date)


def _first_counts(first: WaveScore, second: WaveScore) -> bool:
    """Whether ``first`` counts over ``second`` of the same person and wave: a complete one over
    an incomplete one, else the later one; ``first`` on the same day."""
    complete = (first.score.total is not None, second.score.total is not None)
    if complete[0] != complete[1]:
        return complete[0]
    return first.date >= second.date


# --- answers read from a Moodle Feedback activity ---------------------------------------------


@dataclass(frozen=True)
class FeedbackAnswerProblem:
    """An answer of Feedback response ``attempt_id`` left out: ``item``'s value unreadable (``message``
    quotes it), or, with ``item`` empty, the whole response (``message`` says why: the respondent's side)."""

    attempt_id: int
    item: str
    message: str

    @property
    def said(self) -> str:
        """What a run's line or a log may say of it: the item, never the answer."""
        return f"item {self.item} is not usable" if self.item else self.message


def answers_from_feedback(
    attempts: Iterable[FeedbackAttempt],
    instrument: Instrument,
    labels: Mapping[str, str],
    *,
    tz: tzinfo,
) -> tuple[list[SurveyAnswer], list[FeedbackAnswerProblem]]:
    """Map a non-anonymous Feedback activity's responses onto an instrument's items.

    ``labels`` maps instrument item -> Feedback item label (an item not listed is looked
    up under its own name). The sitting's date is the submission day in ``tz``. An invalid
    value is reported for that answer and left out; the rest of the attempt still counts,
    and the minimum-answered rule decides whether it scores.
    """
    answers: list[SurveyAnswer] = []
    problems: list[FeedbackAnswerProblem] = []
    for attempt in attempts:
        day = attempt.submitted.astimezone(tz).date()
        for item in instrument.items:
            label = labels.get(item, item)
            if label not in attempt.values:
                continue
            raw = attempt.values[label].strip()
            try:
                instrument.parse_value(item, raw)
            except InstrumentValueError as exc:
                problems.append(FeedbackAnswerProblem(attempt.attempt_id, item, str(exc)))
                continue
            answers.append(SurveyAnswer(attempt.user_id, instrument.name, day, item, raw, "feedback"))
    return answers, problems


def scale_mismatch(
    instrument: Instrument, item: str, label: str, typ: str, presentation: str
) -> str | None:
    """``None`` when a Feedback item's values fit the instrument's declared scale, else why not.

    The item's lowest and highest values (rated values for ``multichoicerated``, option
    texts for ``multichoice``, the bounds of a ``numeric`` item; declared N/A options left
    out) must equal ``scale_min`` and ``scale_max``: a 0-4 item under a 1-5 instrument, or a
    1-4 item, would score every answer wrongly (issue 10 point 3). Gaps inside the range
    are allowed. Text items are not checked here: their answers are checked one by one.
    The message names the item and both ranges.
    """
    declared = f"{instrument.scale_min}-{instrument.scale_max}"
    where = f"Feedback item {label!r} (instrument {instrument.name}, item {item})"
    try:
        options = parse_feedback_presentation(typ, presentation)
    except FeedbackPresentationError as exc:
        return f"{where}: {exc}"
    if options is not None:
        try:
            values = options.numeric_values(instrument.na_values)
        except FeedbackPresentationError as exc:
            return f"{where}: {exc}, but the instrument declares the scale {declared}"
        if not values:
            return f"{where} has no numeric options, but the instrument declares the scale {declared}"
        low, high = min(values), max(values)
    else:
        bounds = numeric_item_range(typ, presentation)
        if bounds is None:
            return None
        low, high = bounds
    if (low, high) == (instrument.scale_min, instrument.scale_max):
        return None
    return f"{where} has values {_num(low)}-{_num(high)}, but the instrument declares the scale {declared}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
