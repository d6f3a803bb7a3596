"""The ``[health]`` and ``[nudges]`` sections: when a pair counts as fading, and what it is told.

Kept apart from ``lmsync.config`` (which plugs them in as ``health`` and ``nudges``) so the
thresholds sit next to their translation into the pure domain rules. Example::

    [health]
    grace_days = 21                 # days a pair has for its first meeting
    at_risk_gap_factor = 2.5        # no meeting for > 2.5 x [meetings] cadence_days: at risk
    fading_gap_factor = 4           # ... > 4 x cadence: fading
    short_minutes = 15              # recent meetings averaging less: "hi, how are you, bye"
    satisfaction_low = 0.4          # share of the scale: 0.4 is 2.6 on a 1-5 scale
    satisfaction_sd = 0.18          # for the reliable change index (Jacobson & Truax 1991)

    [nudges]
    interval_days = 14              # at most one nudge per person per pair in this many days
    [nudges.templates]
    no_meeting = "It's been {weeks} weeks since your last mentoring meeting with {other_firstname}. ..."

Templates may only use the placeholders in ``TEMPLATE_FIELDS``: names and meeting gaps,
never survey answers or ratings, so no configuration can make a nudge leak one.
"""

from __future__ import annotations

import dataclasses
import re
import string
from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from lmsync.config_sections import Section
from lmsync.domain.health import Thresholds


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """``"21:00-08:00"`` -> (21:00, 08:00); the span may wrap midnight. ValueError otherwise."""
    start, sep, end = text.strip().partition("-")
    try:
        if not sep:
            raise ValueError
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not HH:MM-HH:MM (e.g. 21:00-08:00)") from None


def known_zone(value: str) -> str:
    """An IANA time zone name zoneinfo knows (``[programme] timezone``); ValueError otherwise."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(known_zone)]

#: The health rules' defaults live once, in the domain (:class:`Thresholds`, with their sources);
#: each ``[health]`` key below takes its default from there.
_DEFAULTS = Thresholds()

#: What a nudge template may say: who, and how long since the last meeting.
TEMPLATE_FIELDS = frozenset({"firstname", "other_firstname", "weeks", "days", "cadence_days", "programme"})


class HealthConfig(Section):
    """When a pair is ok, on watch, at risk, fading or closed (see `lmsync health`, issue 13).

    Every signal costs score points (100 = nothing wrong); the status is the worse of the
    worst signal and the score, where the score raises an alarm only when two kinds of
    evidence (meeting rhythm, the meetings themselves, satisfaction) show a sign. The
    defaults were tuned on benchmarks/early_warning.py (four seeds).
    """

    grace_days: int = Field(
        _DEFAULTS.grace_days,
        ge=0,
        description="days after a pair's start it has for its first meeting (no_first_meeting after)",
    )
    watch_gap_factor: float = Field(
        _DEFAULTS.watch_gap_factor, gt=0, description="no meeting for more than this x cadence: watch"
    )
    at_risk_gap_factor: float = Field(
        _DEFAULTS.at_risk_gap_factor, gt=0, description="no meeting for more than this x cadence: at risk"
    )
    fading_gap_factor: float = Field(
        _DEFAULTS.fading_gap_factor, gt=0, description="no meeting for more than this x cadence: fading"
    )
    recent_meetings: int = Field(
        _DEFAULTS.recent_meetings, ge=1, description="how many of the latest meetings count as 'recent'"
    )
    missed_watch: int = Field(
        _DEFAULTS.missed_watch, ge=1, description="this many missed among the recent meetings: watch (all: fading)"
    )
    short_minutes: int = Field(
        _DEFAULTS.short_minutes, ge=1, description="recent meetings averaging fewer minutes: too short (at risk)"
    )
    shrink_ratio: float = Field(
        _DEFAULTS.shrink_ratio,
        gt=0,
        lt=1,
        description="recent mean minutes below this share of the pair's earlier median: shrinking",
    )
    min_earlier_meetings: int = Field(
        _DEFAULTS.min_earlier_meetings, ge=1, description="earlier meetings needed before 'shrinking' is judged"
    )
    hi_bye_rating: float = Field(
        _DEFAULTS.hi_bye_rating,
        ge=1,
        le=5,
        description="short recent meetings, on time, rated at most this on average (1-5): hi-bye",
    )
    trend_meetings: int = Field(
        _DEFAULTS.trend_meetings, ge=4, description="the latest attended meetings a trend is judged over"
    )
    trend_min_meetings: int = Field(
        _DEFAULTS.trend_min_meetings, ge=4, description="fewer attended meetings than this: no trend judged"
    )
    trend_persist: int = Field(
        _DEFAULTS.trend_persist,
        ge=0,
        description="the last this many meetings must each lie below the window's earlier median",
    )
    trend_alpha: float = Field(
        _DEFAULTS.trend_alpha, gt=0, lt=1, description="one-sided Mann-Kendall p-value under this: a falling trend"
    )
    trend_min_drop: float = Field(
        _DEFAULTS.trend_min_drop,
        gt=0,
        lt=1,
        description="Theil-Sen fall of meeting minutes and ratings, share of the start: watch",
    )
    shift_baseline: int = Field(
        _DEFAULTS.shift_baseline,
        ge=2,
        description="earlier attended meetings the recent ones are compared with (shift test)",
    )
    shift_min_baseline: int = Field(
        _DEFAULTS.shift_min_baseline, ge=2, description="fewer earlier attended meetings than this: no shift judged"
    )
    shift_minutes_floor: float = Field(
        _DEFAULTS.shift_minutes_floor,
        gt=0,
        description="least spread of a pair's log meeting minutes (a meeting's length varies ~15% anyway)",
    )
    shift_rating_floor: float = Field(
        _DEFAULTS.shift_rating_floor, gt=0, description="least spread of a pair's meeting ratings (points, 1-5)"
    )
    shift_at_risk: float = Field(
        _DEFAULTS.shift_at_risk,
        gt=0,
        description="recent meetings this many standard errors under the pair's earlier ones: at risk",
    )
    shift_watch: float = Field(
        _DEFAULTS.shift_watch, gt=0, description="... this many standard errors under them: watch"
    )
    satisfaction_instruments: list[str] = Field(
        default_factory=lambda: ["relationship_satisfaction_mentee", "relationship_satisfaction_mentor"],
        description="instruments read as relationship satisfaction (each instrument's side says whose)",
    )
    satisfaction_low: float = Field(
        _DEFAULTS.satisfaction_low,
        ge=0,
        le=1,
        description="latest score below this share of the scale (0 bottom, 1 top): low",
    )
    satisfaction_sd: float = Field(
        _DEFAULTS.satisfaction_sd,
        gt=0,
        le=1,
        description="between-person SD of satisfaction scores, share of the scale, for the reliable change index "
        "(0.18 = 0.7 points on 1-5)",
    )
    satisfaction_reliability: float = Field(
        _DEFAULTS.satisfaction_reliability,
        ge=0,
        lt=1,
        description="reliability (Cronbach's alpha) of the satisfaction instruments",
    )
    rci_watch: float = Field(
        _DEFAULTS.rci_watch,
        gt=0,
        description="a fall with |RCI| at least this (Jacobson & Truax 1991) is beyond noise: watch",
    )
    rci_at_risk: float = Field(_DEFAULTS.rci_at_risk, gt=0, description="a fall with |RCI| at least this: at risk")
    rci_baseline: int = Field(
        _DEFAULTS.rci_baseline,
        ge=1,
        description="earlier waves (at most) averaged into a side's satisfaction baseline for the RCI",
    )
    asymmetry_hold: float = Field(
        _DEFAULTS.asymmetry_hold,
        gt=0,
        description="the other side 'holds' while its RCI stays above minus this (asymmetry)",
    )
    self_efficacy_instruments: list[str] = Field(
        default_factory=lambda: ["general_self_efficacy"],
        description="instruments read as the mentee's self-efficacy",
    )
    self_efficacy_sd: float = Field(
        _DEFAULTS.self_efficacy_sd,
        gt=0,
        le=1,
        description="between-person SD of self-efficacy, share of the scale (GSE: 5.3 of 30)",
    )
    self_efficacy_reliability: float = Field(
        _DEFAULTS.self_efficacy_reliability, ge=0, lt=1, description="reliability of self-efficacy"
    )
    dose_meetings: int = Field(
        _DEFAULTS.dose_meetings,
        ge=1,
        description="meetings between two self-efficacy waves that are enough to expect a rise",
    )
    forum_quiet_days: int = Field(
        _DEFAULTS.forum_quiet_days, ge=1, description="a circle that posted before and not for this many days: watch"
    )
    need_met_instrument: str = Field(
        "", description="instrument holding the 'is the need met?' check-in ('' = none); its top answer closes a pair"
    )
    need_met_item: str = Field("need_met", description="the check-in item of need_met_instrument")
    weight_watch: int = Field(_DEFAULTS.weight_watch, ge=0, le=100, description="score points a watch signal costs")
    weight_at_risk: int = Field(
        _DEFAULTS.weight_at_risk, ge=0, le=100, description="score points an at-risk signal costs"
    )
    weight_fading: int = Field(_DEFAULTS.weight_fading, ge=0, le=100, description="score points a fading signal costs")
    weight_minor: int = Field(
        _DEFAULTS.weight_minor,
        ge=0,
        le=100,
        description="score points a weak watch sign costs (unanswered survey, forum quiet, ...)",
    )
    at_risk_score: int = Field(_DEFAULTS.at_risk_score, ge=0, le=100, description="a score at or under this: at risk")
    fading_score: int = Field(_DEFAULTS.fading_score, ge=0, le=100, description="a score at or under this: fading")
    requeue_after_days: int = Field(
        28, ge=1, description="an acknowledged pair still fading this long after the ack is queued again"
    )
    # --- the coordinator queue and digest (issue 13: "Nudges and the coordinator") ---
    coordinators: list[str] = Field(
        [], description="usernames of the coordinators who own queue items and get the daily digest (Moodle message)"
    )
    escalate_to: str = Field(
        "", description="username of the second coordinator an overdue queue item escalates to ('' = no escalation)"
    )
    escalate_after_days: int = Field(
        7, ge=0, description="days past its due date before a queue item escalates to escalate_to"
    )
    queue_assign: Literal["round_robin", "by_mentor"] = Field(
        "round_robin",
        description="who owns a new queue item: round_robin (the coordinator with the fewest open items) or "
        "by_mentor (the coordinator who already has that mentor's items, else round robin)",
    )
    queue_due_days: list[int] = Field(
        [14, 28],
        min_length=1,
        description="an item's due dates in days after it opened (twice in the first month); each `met` moves it on",
    )
    queue_due_every_days: int = Field(
        30, ge=1, description="after the queue_due_days dates, an open item is due again every this many days"
    )
    not_a_good_fit_item: str = Field(
        "",
        description="survey item ('instrument.item' or 'item', '' = none) whose yes answer (1, yes, true) marks the "
        "respondent's pair as not a good fit: the pair is forbidden and re-matched by the next sync",
    )

    @model_validator(mode="after")
    def _ordered(self) -> HealthConfig:
        if not self.watch_gap_factor < self.at_risk_gap_factor < self.fading_gap_factor:
            raise ValueError("gap factors must grow: watch_gap_factor < at_risk_gap_factor < fading_gap_factor")
        if self.fading_score >= self.at_risk_score:
            raise ValueError("fading_score must be below at_risk_score")
        if self.trend_min_meetings > self.trend_meetings:
            raise ValueError("trend_min_meetings must not exceed trend_meetings")
        return self

    def thresholds(self, cadence_days: int) -> Thresholds:
        fields = {f.name for f in dataclasses.fields(Thresholds)} - {"cadence_days"}
        return Thresholds(cadence_days=cadence_days, **{name: getattr(self, name) for name in fields})


class NudgeTemplatesConfig(Section):
    """One plain-text template per kind of concern; the most pressing concern picks the template.

    Placeholders: {firstname}, {other_firstname}, {weeks}, {days}, {cadence_days}, {programme}.
    """

    no_first_meeting: str = Field(
        description="to a pair that has not met yet",
        default=(
            "Hello {firstname}, you and {other_firstname} have not had a mentoring meeting yet. "
            "Could you suggest a time this week?"
        ),
    )
    no_meeting: str = Field(
        description="to a pair that has not met for too long",
        default=(
            "Hello {firstname}, it's been {weeks} weeks since your last mentoring meeting with {other_firstname}. "
            "Could you suggest a time this week?"
        ),
    )
    missed_meetings: str = Field(
        description="to a pair whose recent meetings were missed",
        default=(
            "Hello {firstname}, a couple of your recent mentoring meetings with {other_firstname} did not happen. "
            "Could you agree a time that suits you both?"
        ),
    )
    short_meetings: str = Field(
        description="to a pair whose recent meetings were short or shrinking",
        default=(
            "Hello {firstname}, your recent mentoring meetings with {other_firstname} have been short. "
            "Next time, try bringing one question or goal to talk through together."
        ),
    )
    check_in: str = Field(
        description="neutral text, the same to both sides, for a pair flagged only by surveys",
        default=(
            "Hello {firstname}, how is mentoring going with {other_firstname}? "
            "A meeting in the next week or two keeps things moving. Could you suggest a time?"
        ),
    )

    @field_validator("*")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a valid template: {exc}") from None
        unknown = used - TEMPLATE_FIELDS
        if unknown or "" in used:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown or {'{}'})}; use {', '.join(sorted(TEMPLATE_FIELDS))}"
            )
        return value


class NudgesConfig(Section):
    """Moodle messages to both people of an at-risk or fading pair (see `lmsync nudge`)."""

    interval_days: int = Field(
        14, ge=1, description="at most one nudge per person per pair in this many days"
    )
    daily_cap: int = Field(
        200, ge=0, description="at most this many nudge messages a day for the programme (the most pressing first)"
    )
    quiet_hours: str = Field(
        "",
        description="local hours ([programme] timezone) when no nudge or digest is sent, HH:MM-HH:MM such as "
        "21:00-08:00 ('' = none)",
    )
    exam_pattern: str = Field(
        r"(?i)\bexams?\b",
        description="regular expression: a course calendar event whose name matches is an exam block, and no nudge "
        "is sent while one is in progress (default: the whole word exam or exams, so \"Worked examples\" is not "
        "one; '' = none)",
    )
    first_run_max_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="a store that has never nudged about the programme and would nudge more than this share of the "
        "pairs sends no nudge and no digest, and the run exits 2, on every run until an admin sends once with "
        "--allow-mass-nudge (lmsync run, lmsync nudge): a new store on a site whose circles lmsync made before dates "
        "their pairs from the programme's start (1 = no guard)",
    )

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if value.strip():
            parse_quiet_hours(value)
        return value.strip()

    @field_validator("exam_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value
    templates: NudgeTemplatesConfig = NudgeTemplatesConfig()
