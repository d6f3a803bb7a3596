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

Waves (T0, T3, T6, ...) are inclusive date windows; a sitting belongs to the wave whose
window holds its date, and when a person answered several times inside one window the
latest sitting counts.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Literal

from lmsync.domain.meetings import FeedbackAttempt

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

_RS_ITEMS = ("rs1", "rs2", "rs3", "rs4", "rs5")
_RS_NOTE = (
    "Placeholder five-item relationship satisfaction scale (1 = strongly disagree .. 5 = strongly agree), "
    "one form per side; rs4 is reverse-scored. The item texts are the school's to write in Moodle, e.g. "
    "rs1 overall satisfaction with the relationship, rs2 feeling listened to, rs3 the meetings are useful, "
    "rs4 (reversed) the meetings feel like a waste of time, rs5 would recommend this pairing."
)

RELATIONSHIP_SATISFACTION_MENTEE = Instrument(
    name="relationship_satisfaction_mentee",
    items=_RS_ITEMS,
    scale_min=1,
    scale_max=5,
    reverse=frozenset({"rs4"}),
    na_values=frozenset({"NA", "N/A"}),
    min_answered=0.8,
    method="mean",
    side="mentee",
    rates_mentor=True,
    grade_name="satisfaction-mentee",
    description=_RS_NOTE + " Mentee form: a rating of the mentor, never shown where the mentor can read it.",
)

RELATIONSHIP_SATISFACTION_MENTOR = Instrument(
    name="relationship_satisfaction_mentor",
    items=_RS_ITEMS,
    scale_min=1,
    scale_max=5,
    reverse=frozenset({"rs4"}),
    na_values=frozenset({"NA", "N/A"}),
    min_answered=0.8,
    method="mean",
    side="mentor",
    grade_name="satisfaction-mentor",
    description=_RS_NOTE + " Mentor form.",
)

GENERAL_SELF_EFFICACY = Instrument(
    name="general_self_efficacy",
    items=tuple(f"gse{i}" for i in range(1, 11)),
    scale_min=1,
    scale_max=4,
    na_values=frozenset({"NA", "N/A"}),
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
MENTOR_QUALITIES = Instrument(
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
    scale_min=1,
    scale_max=5,
    na_values=frozenset({"NA", "N/A"}),
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


# --- waves -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wave:
    """A named measurement window, both ends inclusive."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"wave {self.name}: ends before it starts")

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def ordered_waves(waves: Iterable[Wave]) -> tuple[Wave, ...]:
    """Waves sorted by start; overlapping windows are refused so a date means one wave."""
    result = tuple(sorted(waves, key=lambda w: w.start))
    names = [w.name for w in result]
    if len(set(names)) != len(names):
        raise ValueError("two waves share a name")
    for before, after in zip(result, result[1:], strict=False):
        if after.start <= before.end:
            raise ValueError(f"waves {before.name} and {after.name} overlap")
    return result


def wave_for(waves: Iterable[Wave], day: date) -> Wave | None:
    return next((w for w in waves if w.holds(day)), None)


# --- answers to wave scores --------------------------------------------------------------


@dataclass(frozen=True)
class SurveyAnswer:
    """One stored item answer; ``value`` is kept as text so N/A markers survive.

    ``about_id`` is the Moodle user id of the other person of the relationship the answer
    is about (a mentor rating each of their mentees on a mentor-side form, issue 11), or
    ``None`` for an answer about the respondent's relationships in general.
    """

    respondent_id: int
    instrument: str
    date: date
    item: str
    value: str
    source: str
    about_id: int | None = None


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
    """One score per (respondent, instrument, wave, relationship): the latest sitting in the window.

    A sitting is the answers one person gave to one instrument on one date from one
    source about one relationship (``about_id``; ``None`` = not about one relationship).
    Sittings outside every wave, or of an instrument not declared, are left out.
    Ties on the date go to the sitting with more answered items, then to the source name.
    """
    wave_list = ordered_waves(waves)
    sittings: dict[tuple[int, str, date, str, int | None], dict[str, str]] = defaultdict(dict)
    for a in answers:
        sittings[(a.respondent_id, a.instrument, a.date, a.source, a.about_id)][a.item] = a.value
    best: dict[tuple[int, str, str, int | None], tuple[tuple[date, int, str], WaveScore]] = {}
    for (person, name, day, source, about), values in sittings.items():
        instrument = instruments.get(name)
        wave = wave_for(wave_list, day)
        if instrument is None or wave is None:
            continue
        result = score(instrument, values)
        rank = (day, result.answered, source)
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
    each of four mentees gets the mean of the four complete totals (a general, ``about``-less
    score of the same wave wins over them). Scores already one per person pass unchanged.
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
        if key in out:
            continue
        complete = [s.score.total for s in group if s.score.total is not None]
        latest = max(group, key=lambda s: s.date)
        total = math.fsum(complete) / len(complete) if complete else None
        merged = Score(latest.score.instrument, total, latest.score.answered, latest.score.required)
        out[key] = WaveScore(key[0], key[1], key[2], latest.date, latest.source, merged)
    return sorted(out.values(), key=lambda s: (s.respondent_id, s.instrument, s.date))


# --- answers read from a Moodle Feedback activity ---------------------------------------------


@dataclass(frozen=True)
class FeedbackAnswerProblem:
    attempt_id: int
    item: str
    message: str


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


# --- Feedback choice items: positions, values and scales (traps 31, 43) ---------------------


class FeedbackPresentationError(ValueError):
    """A choice item's ``presentation`` or an answer's position that cannot be read."""


@dataclass(frozen=True)
class FeedbackChoice:
    """One option of a Feedback choice item.

    ``position`` is 1-based, in the order the options are listed: it is what Moodle stores
    and returns as the answer's ``rawval`` (trap 43). ``value`` is what the answer *means*:
    the rated value of a ``multichoicerated`` option (``5`` in ``5####Very satisfied``), or
    the option's text for a plain ``multichoice`` item. ``label`` is the text shown.
    """

    position: int
    value: str
    label: str


@dataclass(frozen=True)
class FeedbackOptions:
    """The options of one Feedback choice item, as ``parse_feedback_presentation`` reads them.

    ``subtype``: ``r`` radio, ``d`` drop-down, ``c`` check boxes (several answers at once).
    """

    typ: str
    subtype: str
    choices: tuple[FeedbackChoice, ...]

    @property
    def rated(self) -> bool:
        return self.typ == "multichoicerated"

    def value_at(self, rawval: str | None) -> str | None:
        """The value of the option(s) an answer chose; ``None`` when nothing was chosen.

        ``rawval`` is ``None`` (JSON null: the attempt was made before the item existed,
        trap 43), ``""`` or ``"0"`` ("not selected") for no answer, a 1-based position
        (``"1"``) otherwise, or positions joined by ``|`` for check boxes (their values
        are joined the same way). A position with no option (the item was edited after the
        answer) raises ``FeedbackPresentationError``.
        """
        if rawval is None:
            return None
        text = str(rawval).strip()
        if text in ("", "0"):
            return None
        values = []
        for part in text.split("|"):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= len(self.choices):
                raise FeedbackPresentationError(
                    f"answer position {part!r} is not one of the item's {len(self.choices)} options"
                )
            values.append(self.choices[int(part) - 1].value)
        return "|".join(values)

    def numeric_values(self, na_values: Iterable[str] = ()) -> list[float]:
        """The options' values as numbers, declared N/A labels or values left out.

        Raises ``FeedbackPresentationError`` naming the first option that is not a number.
        """
        skip = {v.strip().lower() for v in na_values}
        out = []
        for choice in self.choices:
            if choice.value.strip().lower() in skip or choice.label.strip().lower() in skip:
                continue
            try:
                out.append(float(choice.value))
            except ValueError:
                raise FeedbackPresentationError(
                    f"option {choice.position} {choice.label!r} has no numeric value"
                ) from None
        return out


_CHOICE_TYPES = ("multichoice", "multichoicerated")


def parse_feedback_presentation(typ: str, presentation: str) -> FeedbackOptions | None:
    """Read a Feedback choice item's ``presentation``; ``None`` for items that are not choices.

    Moodle's format (mod/feedback/item/multichoice*/lib.php): ``<subtype>>>>>><options>``,
    then ``<<<<<1`` when the options are laid out horizontally (not for drop-downs);
    options are separated by ``|``. A ``multichoicerated`` option is ``<value>####<label>``
    (a line without ``####`` is worth 0, as Moodle's ``intval`` makes it); a ``multichoice``
    option is its label, which is also its value. Examples from the recordings::

        r>>>>>1####Very dissatisfied|2####Dissatisfied|...|5####Very satisfied
        r>>>>>5####Very satisfied|4####Satisfied|...|1####Very dissatisfied   (best first)

    Positions are 1-based in the listed order, whatever the values are (best first, 0-based,
    gaps, negative); ``FeedbackOptions.value_at`` turns an answer's position into its value.
    Raises ``FeedbackPresentationError`` for a choice item without options or a rated value
    that is not a whole number.
    """
    if typ not in _CHOICE_TYPES:
        return None
    subtype, sep, body = presentation.partition(">>>>>")
    if not sep:
        subtype, body = "r", presentation
    subtype = subtype.strip() or "r"
    if subtype != "d":
        body = body.split("<<<<<", 1)[0]
    lines = body.split("|")
    if not body.strip():
        raise FeedbackPresentationError(f"{typ} item has no options in its presentation")
    choices = []
    for position, line in enumerate(lines, start=1):
        if typ == "multichoicerated":
            raw_value, has_value, label = line.partition("####")
            if not has_value:
                raw_value, label = "0", line
            value = raw_value.strip()
            if not re.fullmatch(r"-?\d+", value):
                raise FeedbackPresentationError(f"option {position} {line!r} has no whole-number value")
            choices.append(FeedbackChoice(position, str(int(value)), label.strip()))
        else:
            choices.append(FeedbackChoice(position, line.strip(), line.strip()))
    return FeedbackOptions(typ, subtype, tuple(choices))


def numeric_item_range(typ: str, presentation: str) -> tuple[float, float] | None:
    """``(min, max)`` of a Feedback ``numeric`` item (presentation ``"0|240"``); ``None`` if open."""
    if typ != "numeric":
        return None
    low, _, high = presentation.partition("|")
    try:
        return float(low), float(high)
    except ValueError:
        return None


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
