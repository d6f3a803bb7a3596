"""The ``[health]`` and ``[nudges]`` sections: when a pair counts as fading, and what it is told.

Kept apart from ``lmsync.config`` (which plugs them in as ``health`` and ``nudges``) so the
thresholds sit next to their translation into the pure domain rules. Example::

    [health]
    grace_days = 21                 # a pair this new, with nothing wrong, is "new"
    at_risk_gap_factor = 2          # no meeting for > 2 x [meetings] cadence_days: at risk
    fading_gap_factor = 4           # ... > 4 x cadence: fading
    short_minutes = 15              # recent meetings averaging less: "hi, how are you, bye"
    satisfaction_low = 0.4          # share of the scale: 0.4 is 2.6 on a 1-5 scale

    [nudges]
    interval_days = 14              # at most one nudge per person per pair in this many days
    [nudges.templates]
    no_meeting = "It's been {weeks} weeks since your last mentoring meeting with {other_firstname}. ..."

Templates may only use the placeholders in ``TEMPLATE_FIELDS``: names and meeting gaps,
never survey answers or ratings, so no configuration can make a nudge leak one.
"""

from __future__ import annotations

import string

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lmsync.domain.health import Thresholds

#: What a nudge template may say: who, and how long since the last meeting.
TEMPLATE_FIELDS = frozenset({"firstname", "other_firstname", "weeks", "days", "cadence_days", "programme"})


class _Section(BaseModel):
    # Same rules as lmsync.config.Section (not imported: config.py imports this module).
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class HealthConfig(_Section):
    """When a pair counts as new, ok, at risk or fading (see `lmsync health`)."""

    grace_days: int = Field(
        21, ge=0, description="a pair paired this recently, with no warning sign, is 'new'"
    )
    at_risk_gap_factor: float = Field(
        2.0, gt=0, description="no meeting for more than this x cadence: at risk"
    )
    fading_gap_factor: float = Field(4.0, gt=0, description="no meeting for more than this x cadence: fading")
    recent_meetings: int = Field(3, ge=1, description="how many of the latest meetings count as 'recent'")
    min_earlier_meetings: int = Field(
        2, ge=1, description="earlier meetings needed before 'shrinking' is judged"
    )
    shrink_ratio: float = Field(
        0.5, gt=0, lt=1, description="recent mean minutes below this share of the earlier mean: shrinking"
    )
    short_minutes: int = Field(15, ge=1, description="recent meetings averaging fewer minutes: too short")
    missed_at_risk: int = Field(2, ge=1, description="this many missed among the recent meetings: at risk")
    satisfaction_instruments: list[str] = Field(
        default_factory=lambda: ["relationship_satisfaction_mentee", "relationship_satisfaction_mentor"],
        description="instruments read as relationship satisfaction (each instrument's side says whose)",
    )
    satisfaction_low: float = Field(
        0.4, ge=0, le=1, description="latest score below this share of the scale (0 bottom, 1 top): low"
    )
    satisfaction_drop: float = Field(
        0.25, gt=0, le=1, description="a fall of this share of the scale from one wave to the next: falling"
    )
    fading_signals: int = Field(3, ge=2, description="this many warning signs together make a pair fading")
    requeue_after_days: int = Field(
        28, ge=1, description="an acknowledged pair still fading this long after the ack is queued again"
    )

    @model_validator(mode="after")
    def _ordered(self) -> HealthConfig:
        if self.fading_gap_factor <= self.at_risk_gap_factor:
            raise ValueError("fading_gap_factor must be larger than at_risk_gap_factor")
        return self

    def thresholds(self, cadence_days: int) -> Thresholds:
        return Thresholds(
            cadence_days=cadence_days,
            grace_days=self.grace_days,
            at_risk_gap_factor=self.at_risk_gap_factor,
            fading_gap_factor=self.fading_gap_factor,
            recent_meetings=self.recent_meetings,
            min_earlier_meetings=self.min_earlier_meetings,
            shrink_ratio=self.shrink_ratio,
            short_minutes=self.short_minutes,
            missed_at_risk=self.missed_at_risk,
            satisfaction_low=self.satisfaction_low,
            satisfaction_drop=self.satisfaction_drop,
            fading_signals=self.fading_signals,
        )


class NudgeTemplatesConfig(_Section):
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


class NudgesConfig(_Section):
    """Moodle messages to both people of an at-risk or fading pair (see `lmsync nudge`)."""

    interval_days: int = Field(
        14, ge=1, description="at most one nudge per person per pair in this many days"
    )
    templates: NudgeTemplatesConfig = NudgeTemplatesConfig()
