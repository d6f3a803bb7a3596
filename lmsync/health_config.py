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
import itertools
import re
import string
from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from lmsync.config_sections import MAX_DAYS, Section
from lmsync.domain.health import Thresholds

_CLOCK = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """``"21:00-08:00"`` -> (21:00, 08:00); the span may wrap midnight. ValueError otherwise.

    Each side is a local clock time, HH:MM (``[programme] timezone`` says where): an offset
    such as ``08:00-01:00`` or ``+05:00`` is refused, as is a span that starts where it ends
    (tester finding: an offset-aware time crashed the nudges step at send time).
    """
    start, sep, end = (part.strip() for part in text.strip().partition("-"))
    if not sep or not _CLOCK.fullmatch(start) or not _CLOCK.fullmatch(end):
        raise ValueError(f"{text!r} is not HH:MM-HH:MM in local time (e.g. 21:00-08:00; '' = none)")
    first, last = time.fromisoformat(start.zfill(5)), time.fromisoformat(end.zfill(5))
    if first == last:
        raise ValueError(f"{text!r} starts where it ends; give a span such as 21:00-08:00, or '' for none")
    return first, last


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

# The ranges of the [health] numbers, named once (each key's docstring is its description).
# Strict: a number must be written as one (``true`` or ``"14"`` is refused, not read as 1 or 14;
# tester finding: ``first_run_max_share = true`` silently became 1.0); an integer is accepted
# where a decimal is asked for.
Positive = Annotated[float, Field(strict=True, gt=0)]
OpenShare = Annotated[float, Field(strict=True, gt=0, lt=1)]  # a share strictly between none and all
Share = Annotated[float, Field(strict=True, ge=0, le=1)]  # a share of a scale, bottom 0, top 1
Spread = Annotated[float, Field(strict=True, gt=0, le=1)]  # a standard deviation as a share of the scale
Reliability = Annotated[float, Field(strict=True, ge=0, lt=1)]  # Cronbach's alpha
Rating = Annotated[float, Field(strict=True, ge=1, le=5)]  # a meeting rating's 1-5 scale
NonNegative = Annotated[int, Field(strict=True, ge=0)]
AtLeastOne = Annotated[int, Field(strict=True, ge=1)]
Days = Annotated[int, Field(strict=True, ge=0, le=MAX_DAYS)]
DaysAtLeastOne = Annotated[int, Field(strict=True, ge=1, le=MAX_DAYS)]
MeetingWindow = Annotated[int, Field(strict=True, ge=4)]  # Mann-Kendall needs at least four points
Baseline = Annotated[int, Field(strict=True, ge=2)]  # a spread needs at least two meetings
Points = Annotated[int, Field(strict=True, ge=0, le=100)]  # score points (100 = nothing wrong)

#: What a nudge template may say: who, and how long since the last meeting.
TEMPLATE_FIELDS = frozenset({"firstname", "other_firstname", "weeks", "days", "cadence_days", "programme"})


class HealthConfig(Section):
    """When a pair is ok, on watch, at risk, fading or closed (see `lmsync health`, issue 13).

    Every signal costs score points (100 = nothing wrong); the status is the worse of the
    worst signal and the score, where the score raises an alarm only when two kinds of
    evidence (meeting rhythm, the meetings themselves, satisfaction) show a sign. The
    defaults were tuned on benchmarks/early_warning.py (four seeds).
    """

    grace_days: Days = _DEFAULTS.grace_days
    """days after a pair's start it has for its first meeting (no_first_meeting after)"""
    watch_gap_factor: Positive = _DEFAULTS.watch_gap_factor
    """no meeting for more than this x cadence: watch"""
    at_risk_gap_factor: Positive = _DEFAULTS.at_risk_gap_factor
    """no meeting for more than this x cadence: at risk"""
    fading_gap_factor: Positive = _DEFAULTS.fading_gap_factor
    """no meeting for more than this x cadence: fading"""
    recent_meetings: AtLeastOne = _DEFAULTS.recent_meetings
    """how many of the latest meetings count as 'recent'"""
    missed_watch: AtLeastOne = _DEFAULTS.missed_watch
    """this many missed among the recent meetings: watch (all: fading)"""
    short_minutes: AtLeastOne = _DEFAULTS.short_minutes
    """recent meetings averaging fewer minutes: too short (at risk)"""
    shrink_ratio: OpenShare = _DEFAULTS.shrink_ratio
    """recent mean minutes below this share of the pair's earlier median: shrinking"""
    min_earlier_meetings: AtLeastOne = _DEFAULTS.min_earlier_meetings
    """earlier meetings needed before 'shrinking' is judged"""
    hi_bye_rating: Rating = _DEFAULTS.hi_bye_rating
    """short recent meetings, on time, rated at most this on average (1-5): hi-bye"""
    rated_low: Rating = _DEFAULTS.rated_low
    """a side's last recent_meetings ratings (at least 3 of its own) averaging at most this (1-5): meetings rated low (at risk)"""
    trend_meetings: MeetingWindow = _DEFAULTS.trend_meetings
    """the latest attended meetings a trend is judged over"""
    trend_min_meetings: MeetingWindow = _DEFAULTS.trend_min_meetings
    """fewer attended meetings than this: no trend judged"""
    trend_persist: NonNegative = _DEFAULTS.trend_persist
    """the last this many meetings must each lie below the window's earlier median"""
    trend_alpha: OpenShare = _DEFAULTS.trend_alpha
    """one-sided Mann-Kendall p-value under this: a falling trend"""
    trend_min_drop: OpenShare = _DEFAULTS.trend_min_drop
    """Theil-Sen fall of meeting minutes and ratings, share of the start: watch"""
    shift_baseline: Baseline = _DEFAULTS.shift_baseline
    """earlier attended meetings the recent ones are compared with (shift test)"""
    shift_min_baseline: Baseline = _DEFAULTS.shift_min_baseline
    """fewer earlier attended meetings than this: no shift judged"""
    shift_minutes_floor: Positive = _DEFAULTS.shift_minutes_floor
    """least spread of a pair's log meeting minutes (a meeting's length varies ~15% anyway)"""
    shift_rating_floor: Positive = _DEFAULTS.shift_rating_floor
    """least spread of a pair's meeting ratings (points, 1-5)"""
    shift_at_risk: Positive = _DEFAULTS.shift_at_risk
    """recent meetings this many standard errors under the pair's earlier ones: at risk"""
    shift_watch: Positive = _DEFAULTS.shift_watch
    """... this many standard errors under them: watch"""
    satisfaction_low: Share = _DEFAULTS.satisfaction_low
    """latest score below this share of the scale (0 bottom, 1 top): low"""
    satisfaction_sd: Spread = _DEFAULTS.satisfaction_sd
    """between-person SD of satisfaction, share of the scale, for the RCI (0.18 = 0.7 points on 1-5)"""
    satisfaction_reliability: Reliability = _DEFAULTS.satisfaction_reliability
    """reliability (Cronbach's alpha) of the satisfaction instruments"""
    rci_watch: Positive = _DEFAULTS.rci_watch
    """a fall with |RCI| at least this (Jacobson & Truax 1991) is beyond noise: watch"""
    rci_at_risk: Positive = _DEFAULTS.rci_at_risk
    """a fall with |RCI| at least this: at risk"""
    rci_baseline: AtLeastOne = _DEFAULTS.rci_baseline
    """earlier waves (at most) averaged into a side's satisfaction baseline for the RCI"""
    asymmetry_hold: Positive = _DEFAULTS.asymmetry_hold
    """the other side 'holds' while its RCI stays above minus this (asymmetry)"""
    self_efficacy_sd: Spread = _DEFAULTS.self_efficacy_sd
    """between-person SD of self-efficacy, share of the scale (GSE: 5.3 of 30)"""
    self_efficacy_reliability: Reliability = _DEFAULTS.self_efficacy_reliability
    """reliability of self-efficacy"""
    dose_meetings: AtLeastOne = _DEFAULTS.dose_meetings
    """meetings between two self-efficacy waves that are enough to expect a rise"""
    forum_quiet_days: DaysAtLeastOne = _DEFAULTS.forum_quiet_days
    """a circle that posted before and not for this many days: watch"""
    weight_watch: Points = _DEFAULTS.weight_watch
    """score points a watch signal costs"""
    weight_at_risk: Points = _DEFAULTS.weight_at_risk
    """score points an at-risk signal costs"""
    weight_fading: Points = _DEFAULTS.weight_fading
    """score points a fading signal costs"""
    weight_minor: Points = _DEFAULTS.weight_minor
    """score points a weak watch sign costs (unanswered survey, forum quiet, ...)"""
    at_risk_score: Points = _DEFAULTS.at_risk_score
    """a score at or under this: at risk"""
    fading_score: Points = _DEFAULTS.fading_score
    """a score at or under this: fading"""
    satisfaction_instruments: list[str] = ["relationship_satisfaction_mentee", "relationship_satisfaction_mentor"]
    """instruments read as relationship satisfaction (each instrument's side says whose)"""
    self_efficacy_instruments: list[str] = ["general_self_efficacy"]
    """instruments read as the mentee's self-efficacy"""
    need_met_instrument: str = ""
    """instrument holding the 'is the need met?' check-in ('' = none); its top answer closes a pair"""
    need_met_item: str = "need_met"
    """the check-in item of need_met_instrument"""
    requeue_after_days: DaysAtLeastOne = 28
    """an acknowledged pair still fading this long after the ack is queued again"""
    # --- the coordinator queue and digest (issue 13: "Nudges and the coordinator") ---
    coordinators: list[str] = []
    """usernames of the coordinators who own queue items and get the daily digest (Moodle message)"""
    escalate_to: str = ""
    """username of the second coordinator an overdue queue item escalates to ('' = no escalation)"""
    escalate_after_days: Days = 7
    """days past its due date before a queue item escalates to escalate_to (it escalates on the day after: 7 = on its 8th day overdue)"""
    queue_assign: Literal["round_robin", "by_mentor"] = "round_robin"
    """who owns a new queue item: round_robin (the coordinator with the fewest open items) or
    by_mentor (the coordinator who already has that mentor's items, else round robin)"""
    queue_due_days: Annotated[list[DaysAtLeastOne], Field(min_length=1)] = [14, 28]
    """an item's due dates in days after it opened, rising (twice in the first month); each `met` moves it on"""
    queue_due_every_days: DaysAtLeastOne = 30
    """after the queue_due_days dates, an open item is due again every this many days"""
    not_a_good_fit_item: str = ""
    """survey item ('instrument.item' or 'item', '' = none) whose yes answer marks the respondent's pair as
    not a good fit when health next judges (`lmsync health`, or the health step of `lmsync run`): the pair is
    then forbidden and re-matched by the sync after that. Yes is 1 (a survey CSV gives the numeric item's 1;
    an answer read from Moodle Feedback may also be yes or true). The pair is the respondent's on their
    instrument's side (mentee: with their mentor; mentor: with the mentee its about column names, else their
    only one; both: the one its about column names, else the only pair they have), one that existed on the
    answer's day: an answer naming no one (as every Feedback answer) marks none when its respondent had another
    partner on that side that day (re-matched then)"""

    @field_validator("coordinators", "escalate_to")
    @classmethod
    def _usernames(cls, value: list[str] | str) -> list[str] | str:
        names = [value] if isinstance(value, str) else value
        if isinstance(value, list) and any(not name.strip() for name in names):
            raise ValueError("a coordinator's username must not be empty")
        if any(name != name.strip() for name in names):
            raise ValueError("a username must not start or end with a space")
        # Moodle keeps usernames in lower case (PARAM_USERNAME): "M0001" names the account m0001
        # (tester finding 3: it was looked up as written, not found, and still given queue items)
        # a name given twice ("m0010", "M0010") is one coordinator: one digest, not a second one the
        # store refuses (tester round 3, 11)
        return value.lower() if isinstance(value, str) else list(dict.fromkeys(name.lower() for name in value))

    @model_validator(mode="after")
    def _ordered(self) -> HealthConfig:
        if not self.watch_gap_factor < self.at_risk_gap_factor < self.fading_gap_factor:
            raise ValueError("gap factors must grow: watch_gap_factor < at_risk_gap_factor < fading_gap_factor")
        if self.fading_score >= self.at_risk_score:
            raise ValueError("fading_score must be below at_risk_score")
        if self.trend_min_meetings > self.trend_meetings:
            raise ValueError("trend_min_meetings must not exceed trend_meetings")
        # a watch level past its at-risk level, or a minimum past its window, is a rule that can
        # never fire (tester finding): refused like the gap factors
        if not self.rci_watch < self.rci_at_risk:
            raise ValueError("rci_watch must be below rci_at_risk")
        if not self.shift_watch < self.shift_at_risk:
            raise ValueError("shift_watch must be below shift_at_risk")
        if self.missed_watch > self.recent_meetings:
            raise ValueError("missed_watch must not exceed recent_meetings")
        if self.shift_min_baseline > self.shift_baseline:
            raise ValueError("shift_min_baseline must not exceed shift_baseline")
        if any(later <= earlier for earlier, later in itertools.pairwise(self.queue_due_days)):
            raise ValueError("queue_due_days must rise (e.g. [14, 28])")
        return self

    def thresholds(self, cadence_days: int) -> Thresholds:
        fields = {f.name for f in dataclasses.fields(Thresholds)} - {"cadence_days"}
        return Thresholds(cadence_days=cadence_days, **{name: getattr(self, name) for name in fields})


class NudgeTemplatesConfig(Section):
    """One plain-text template per kind of concern; the most pressing concern picks the template.

    Placeholders: {firstname}, {other_firstname}, {weeks}, {days}, {cadence_days}, {programme}. {other_firstname}
    is the other person's first name; where the people one message names share it, "Pedro M." or the full name.
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

    interval_days: DaysAtLeastOne = 14
    """at most one nudge per person per pair in this many days"""
    daily_cap: NonNegative = 200
    """at most this many nudge messages a day for the programme, one per person however many of their pairs it
    covers (the most pressing first; the people their pairs link, a mentor and their mentees, are told the same
    day or all wait, so a day may send fewer; such people more than the whole cap go together, over it, on a day
    that starts with them; 0 switches nudges off; 1 is refused: a pair's two people are told the same day)"""
    quiet_hours: str = ""
    """local hours ([programme] timezone) when no nudge or digest is sent, HH:MM-HH:MM such as
    21:00-08:00 ('' = none)"""
    exam_pattern: str = r"(?i)\bexams?\b"
    """regular expression: a course calendar event whose name matches is an exam block, and no nudge
    is sent while one is in progress (default: the whole word exam or exams, so "Worked examples" is
    not one; '' = none)"""
    first_run_max_share: Share = 0.5
    """a store that has never nudged about the programme and would nudge more than this share of the
    pairs sends no nudge and no digest, and the run exits 2, on every run until an admin sends once
    with --allow-mass-nudge (lmsync run, lmsync nudge): a new store on a site whose circles lmsync made
    before dates their pairs from the programme's start (1 = no share guard; a store whose circles hold
    pairs its own pairing history never recorded is held whatever this is)"""

    @field_validator("daily_cap")
    @classmethod
    def _cap(cls, value: int) -> int:
        if value == 1:  # no pair ever fitted: nothing was sent, for good (tester round 59, 7)
            raise ValueError("1 cannot tell a pair's two people the same day, so nothing would ever be sent; "
                             "give 2 or more, or 0 to switch nudges off")
        return value

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
            pattern = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if value and pattern.search("") is not None:
            raise ValueError(f"{value!r} matches every event name (even an empty one); use '' for no exam blocks")
        return value
    templates: NudgeTemplatesConfig = NudgeTemplatesConfig()
