"""Is a mentoring pair alive? Pure rules from meetings and satisfaction surveys.

Mentoring programmes fade within months: meetings are skipped, or shrink to "hi, how are
you, bye"; satisfaction sinks; one side stops answering. Each of those is a *signal* with a
machine code and a sentence for the coordinator. A pair is

* ``fading`` when one signal is severe (no meeting for ``fading_gap_factor`` x the cadence,
  every recent meeting missed) or ``fading_signals`` signals come together;
* ``at_risk`` when any signal fires;
* ``new`` when it was paired less than ``grace_days`` ago and nothing is wrong: the grace
  period is the time a pair has for its first meeting;
* ``ok`` otherwise.

Satisfaction levels arrive as a share of the instrument's scale (0 = bottom, 1 = top), so
one threshold fits every instrument; the reasons name the *side* whose answers fired
("satisfaction low (mentee side)"), never a score. Everything here is deterministic for
the same input and does no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean
from typing import Literal

from lmsync.domain.instruments import Instrument, Wave, WaveScore
from lmsync.domain.meetings import Meeting, dedupe_across_sources

Status = Literal["new", "ok", "at_risk", "fading"]
STATUSES: tuple[Status, ...] = ("new", "ok", "at_risk", "fading")
ATTENTION: frozenset[str] = frozenset({"at_risk", "fading"})
Severity = Literal["at_risk", "fading"]
Side = Literal["mentor", "mentee"]

#: Nudge kinds, most pressing first; each names a template in ``[nudges.templates]``.
NudgeKind = Literal["no_first_meeting", "no_meeting", "missed_meetings", "short_meetings", "check_in"]


@dataclass(frozen=True)
class Thresholds:
    """The ``[health]`` numbers plus the expected cadence (``[meetings] cadence_days``)."""

    cadence_days: int = 14
    grace_days: int = 21
    at_risk_gap_factor: float = 2.0
    fading_gap_factor: float = 4.0
    recent_meetings: int = 3
    min_earlier_meetings: int = 2
    shrink_ratio: float = 0.5
    short_minutes: int = 15
    missed_at_risk: int = 2
    satisfaction_low: float = 0.4
    satisfaction_drop: float = 0.25
    fading_signals: int = 3


@dataclass(frozen=True)
class SatisfactionPoint:
    """One side's sitting of a satisfaction instrument in one wave.

    ``level`` is the score as a share of the scale (0..1), ``None`` when too few items were
    answered to score: the sitting still shows that this side answered.
    """

    side: Side
    wave: str
    date: date
    level: float | None


@dataclass(frozen=True)
class SurveyRound:
    """A closed wave and the sides that were surveyed in it (someone on that side answered)."""

    wave: str
    end: date
    sides: frozenset[Side]


@dataclass(frozen=True)
class PairEvidence:
    mentor_id: int
    mentee_id: int
    paired_since: date
    meetings: tuple[Meeting, ...] = ()
    satisfaction: tuple[SatisfactionPoint, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class PairHealth:
    mentor_id: int
    mentee_id: int
    status: Status
    reasons: tuple[Reason, ...]
    paired_since: date
    last_meeting: date | None
    days_since_meeting: int  # since the last attended meeting, or since pairing when there was none

    @property
    def pair_id(self) -> str:
        return pair_id(self.mentor_id, self.mentee_id)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def needs_attention(self) -> bool:
        return self.status in ATTENTION


def pair_id(mentor_id: int, mentee_id: int) -> str:
    """How a pair is named to people: ``<mentor id>-<mentee id>`` (Moodle user ids)."""
    return f"{mentor_id}-{mentee_id}"


def parse_pair_id(text: str) -> tuple[int, int]:
    """``66-3`` (or ``66:3``) -> (66, 3); ``ValueError`` otherwise."""
    parts = text.strip().replace(":", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a pair id (MENTOR_ID-MENTEE_ID, e.g. 66-3)")
    return int(parts[0]), int(parts[1])


# --- the rules ------------------------------------------------------------------------------------


def assess(
    evidence: PairEvidence,
    thresholds: Thresholds,
    *,
    as_of: date,
    rounds: Sequence[SurveyRound] = (),
) -> PairHealth:
    """The pair's status at ``as_of`` with every reason; data dated after ``as_of`` is ignored."""
    t = thresholds
    meetings = [
        m
        for m in dedupe_across_sources(evidence.meetings)
        if m.date <= as_of and (m.mentor_id, m.mentee_id) == (evidence.mentor_id, evidence.mentee_id)
    ]
    # A pair that met before lmsync saw it was paired earlier than lmsync knew.
    since = min([evidence.paired_since, *(m.date for m in meetings)])
    attended = [m for m in meetings if m.attended]
    last = attended[-1].date if attended else None
    gap = max(0, (as_of - (last or since)).days)

    reasons: list[Reason] = []
    reasons += _gap_reasons(gap, never_met=last is None, t=t)
    reasons += _length_reasons(attended, t)
    reasons += _missed_reasons(meetings, t)
    points = [p for p in evidence.satisfaction if p.date <= as_of]
    for side in ("mentee", "mentor"):
        reasons += _satisfaction_reasons(points, side, t)
    reasons += _unanswered_reasons(points, rounds, since=since, as_of=as_of)

    warnings = [r for r in reasons if r.severity == "at_risk"]
    if len(warnings) >= t.fading_signals:
        reasons.append(Reason("several_signals", "fading", f"{len(warnings)} warning signs together"))
    status: Status
    if any(r.severity == "fading" for r in reasons):
        status = "fading"
    elif reasons:
        status = "at_risk"
    elif (as_of - since).days < t.grace_days:
        status = "new"
    else:
        status = "ok"
    return PairHealth(
        mentor_id=evidence.mentor_id,
        mentee_id=evidence.mentee_id,
        status=status,
        reasons=tuple(reasons),
        paired_since=since,
        last_meeting=last,
        days_since_meeting=gap,
    )


def _gap_reasons(gap: int, *, never_met: bool, t: Thresholds) -> list[Reason]:
    """Too long without a meeting; a pair that never met is at risk once its grace period is over."""
    severity: Severity
    if never_met and gap < t.grace_days:
        return []
    if gap > t.fading_gap_factor * t.cadence_days:
        severity = "fading"
    elif never_met or gap > t.at_risk_gap_factor * t.cadence_days:
        severity = "at_risk"
    else:
        return []
    if never_met:
        text = f"no meeting since pairing {gap} days ago (expected every {t.cadence_days})"
        return [Reason("no_first_meeting", severity, text)]
    return [Reason("no_meeting", severity, f"no meeting for {gap} days (expected every {t.cadence_days})")]


def _length_reasons(attended: list[Meeting], t: Thresholds) -> list[Reason]:
    """Short or shrinking meetings: the "hi, how are you, bye" pattern. One signal, not two."""
    recent = attended[-t.recent_meetings :]
    earlier = attended[: -t.recent_meetings] if len(attended) > t.recent_meetings else []
    if len(recent) < min(2, t.recent_meetings):
        return []
    recent_mean = fmean(m.minutes for m in recent)
    if recent_mean < t.short_minutes:
        text = f"recent meetings average {recent_mean:.0f} min (under {t.short_minutes})"
        return [Reason("meetings_short", "at_risk", text)]
    if len(earlier) >= t.min_earlier_meetings:
        earlier_mean = fmean(m.minutes for m in earlier)
        if recent_mean < t.shrink_ratio * earlier_mean:
            text = f"recent meetings average {recent_mean:.0f} min, down from {earlier_mean:.0f}"
            return [Reason("meetings_shrinking", "at_risk", text)]
    return []


def _missed_reasons(meetings: list[Meeting], t: Thresholds) -> list[Reason]:
    logged = meetings[-t.recent_meetings :]
    missed = sum(1 for m in logged if not m.attended)
    if len(logged) >= t.recent_meetings and missed == len(logged):
        return [Reason("meetings_missed", "fading", f"the last {missed} meetings were missed")]
    if missed >= t.missed_at_risk:
        return [Reason("meetings_missed", "at_risk", f"{missed} of the last {len(logged)} meetings missed")]
    return []


def _satisfaction_reasons(points: list[SatisfactionPoint], side: Side, t: Thresholds) -> list[Reason]:
    scored = sorted((p for p in points if p.side == side and p.level is not None), key=lambda p: p.date)
    if not scored:
        return []
    latest = scored[-1].level
    assert latest is not None
    if latest < t.satisfaction_low:
        return [Reason(f"satisfaction_low_{side}", "at_risk", f"satisfaction low ({side} side)")]
    if len(scored) >= 2:
        previous = scored[-2].level
        assert previous is not None
        if previous - latest >= t.satisfaction_drop - 1e-9:
            return [Reason(f"satisfaction_falling_{side}", "at_risk", f"satisfaction falling ({side} side)")]
    return []


def _unanswered_reasons(
    points: list[SatisfactionPoint], rounds: Sequence[SurveyRound], *, since: date, as_of: date
) -> list[Reason]:
    """In the latest closed wave the pair lived through, a surveyed side that did not answer."""
    relevant = [r for r in rounds if since <= r.end < as_of and r.sides]
    if not relevant:
        return []
    latest = max(relevant, key=lambda r: (r.end, r.wave))
    answered = {p.side for p in points if p.wave == latest.wave}
    return [
        Reason(
            f"survey_unanswered_{side}", "at_risk", f"no survey answer from the {side} side ({latest.wave})"
        )
        for side in ("mentee", "mentor")
        if side in latest.sides and side not in answered
    ]


# --- from stored values to evidence ----------------------------------------------------------------


def level(instrument: Instrument, total: float | None) -> float | None:
    """A score as a share of the instrument's range (0 bottom, 1 top)."""
    if total is None:
        return None
    low, high = instrument.total_range
    return min(1.0, max(0.0, (total - low) / (high - low)))


def respondent_side(instrument: Instrument, respondent_id: int, mentor_ids: Iterable[int]) -> Side:
    if instrument.side in ("mentor", "mentee"):
        return instrument.side
    return "mentor" if respondent_id in set(mentor_ids) else "mentee"


def satisfaction_points(
    scores: Iterable[WaveScore], instruments: Mapping[str, Instrument], mentor_id: int, mentee_id: int
) -> tuple[SatisfactionPoint, ...]:
    """The pair's sittings of the satisfaction ``instruments``, each from its own side only.

    A mentee's answers to a mentor-side form (or the reverse) are not about this pair and
    are left out.
    """
    out = []
    for s in scores:
        instrument = instruments.get(s.instrument)
        if instrument is None or s.about_id not in (None, mentor_id, mentee_id):
            continue  # an answer about another of the respondent's relationships (issue 11)
        if s.respondent_id == mentor_id and instrument.side in ("mentor", "both"):
            side: Side = "mentor"
        elif s.respondent_id == mentee_id and instrument.side in ("mentee", "both"):
            side = "mentee"
        else:
            continue
        out.append(SatisfactionPoint(side, s.wave, s.date, level(instrument, s.score.total)))
    return tuple(sorted(out, key=lambda p: (p.date, p.side, p.wave)))


def survey_rounds(
    scores: Iterable[WaveScore],
    instruments: Mapping[str, Instrument],
    waves: Iterable[Wave],
    mentor_ids: Iterable[int],
    *,
    as_of: date,
) -> tuple[SurveyRound, ...]:
    """Closed waves with the sides anyone answered in: a side nobody answered was not surveyed."""
    mentors = set(mentor_ids)
    sides: dict[str, set[Side]] = defaultdict(set)
    for s in scores:
        instrument = instruments.get(s.instrument)
        if instrument is not None:
            sides[s.wave].add(respondent_side(instrument, s.respondent_id, mentors))
    return tuple(
        SurveyRound(w.name, w.end, frozenset(sides.get(w.name, set())))
        for w in sorted(waves, key=lambda w: w.end)
        if w.end < as_of
    )


def meetings_by_pair(meetings: Iterable[Meeting]) -> dict[tuple[int, int], tuple[Meeting, ...]]:
    grouped: dict[tuple[int, int], list[Meeting]] = defaultdict(list)
    for m in meetings:
        grouped[(m.mentor_id, m.mentee_id)].append(m)
    return {k: tuple(v) for k, v in grouped.items()}


# --- summaries and nudges --------------------------------------------------------------------------


def count_statuses(healths: Iterable[PairHealth]) -> dict[str, int]:
    counts = Counter(h.status for h in healths)
    return {s: counts.get(s, 0) for s in STATUSES}


def attention_order(healths: Iterable[PairHealth]) -> list[PairHealth]:
    """Pairs needing attention, fading first, then the longest without a meeting."""
    return sorted(
        (h for h in healths if h.needs_attention),
        key=lambda h: (h.status != "fading", -h.days_since_meeting, h.mentor_id, h.mentee_id),
    )


_NUDGE_FOR_CODE: tuple[tuple[str, NudgeKind], ...] = (
    ("no_first_meeting", "no_first_meeting"),
    ("no_meeting", "no_meeting"),
    ("meetings_missed", "missed_meetings"),
    ("meetings_short", "short_meetings"),
    ("meetings_shrinking", "short_meetings"),
)


def nudge_kind(health: PairHealth) -> NudgeKind | None:
    """Which template a pair's nudge uses; ``None`` for a pair that needs none.

    Only meeting signals pick a specific text, because both people already know them. A pair
    flagged by surveys alone gets the neutral ``check_in``, sent alike to both sides, so the
    message never hints at what either side answered.
    """
    if not health.needs_attention:
        return None
    codes = set(health.codes)
    for code, kind in _NUDGE_FOR_CODE:
        if code in codes:
            return kind
    return "check_in"


@dataclass(frozen=True)
class NudgeFields:
    """Everything a nudge template may use (see ``lmsync.health_config.TEMPLATE_FIELDS``)."""

    firstname: str
    other_firstname: str
    weeks: int
    days: int
    cadence_days: int
    programme: str

    def render(self, template: str) -> str:
        return template.format(
            firstname=self.firstname,
            other_firstname=self.other_firstname,
            weeks=self.weeks,
            days=self.days,
            cadence_days=self.cadence_days,
            programme=self.programme,
        )
