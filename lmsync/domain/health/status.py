"""From reasons to a status and a 0-100 score; summaries and nudge choice.

``score = max(0, 100 - sum of the reasons' weights)`` (a watch sign costs ``weight_watch``,
an at-risk one ``weight_at_risk``, ...). The status is the worse of the worst reason's
severity and what the score says, where the score only speaks when at least two *channels*
of evidence (``signals``: rhythm, meetings, satisfaction) carry a sign that is not minor:

* ``closed``: a check-in says the mentee's need is met (a success; nothing else counts);
* ``fading``: a fading reason, or a score at or below ``fading_score`` from two channels;
* ``at_risk``: an at-risk reason, or a score at or below ``at_risk_score`` from two channels
  (two watch signs of different kinds);
* ``watch``: any other reason;
* ``ok``: nothing wrong.

Why channels: a ``watch`` is cheap (the coordinator sees it on ``lmsync health``), an alarm
reaches the queue and the digest, so watch signs add up to an alarm only when they are
independent evidence. Two signs from one channel (meetings shorter *and* a falling meeting
trend) are one phenomenon seen twice, and minor signs (a survey not answered, a quiet
forum, self-efficacy flat) are common in healthy pairs and never corroborate. This is
the usual rule of combining independent indicators before acting (e.g. the NEWS early-warning
score's "a single extreme parameter, or an aggregate across parameters"; Royal College of
Physicians 2017), applied to mentoring evidence.

There is no ``new`` status any more (issue 13): a pair inside its grace period with nothing
wrong is ``ok`` with ``in_grace`` set, so old snapshots' ``new`` reads as ``ok``
(``LEGACY_STATUS``); the grace period still gives a pair ``grace_days`` for its first meeting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from lmsync.domain.health.evidence import PairEvidence, SurveyRound
from lmsync.domain.health.signals import SEVERITY_RANK, Context, Reason, Severity, Signal, run_signals
from lmsync.domain.health.thresholds import Thresholds
from lmsync.domain.pair_key import PairKey
from lmsync.domain.template_fill import fill

Status = Literal["ok", "watch", "at_risk", "fading", "closed"]
STATUSES: tuple[Status, ...] = ("ok", "watch", "at_risk", "fading", "closed")


def status_label(status: str) -> str:
    """A status in words for people: ``closed`` is a success ("closed (need met)"), not the queue's
    ``--outcome closed`` (the pair ended), which the same bare word read as (tester round 21, 1)."""
    labels = {"closed": "closed (need met)", "ended": "ended by a coordinator"}
    return labels.get(status, status.replace("_", " "))
ATTENTION: frozenset[str] = frozenset({"at_risk", "fading"})
#: Statuses of earlier versions, as read today: ``new`` (paired recently, nothing wrong) is ``ok``.
LEGACY_STATUS: dict[str, Status] = {"new": "ok"}

#: Nudge kinds, most pressing first; each names a template in ``[nudges.templates]``.
NudgeKind = Literal["no_first_meeting", "no_meeting", "missed_meetings", "short_meetings", "check_in"]


def normalise_status(status: str) -> Status:
    """A stored status in today's terms (``new`` -> ``ok``); ``ValueError`` for an unknown one."""
    status = LEGACY_STATUS.get(status, status)
    if status not in STATUSES:
        raise ValueError(f"unknown health status {status!r}")
    return status


@dataclass(frozen=True)
class PairHealth(PairKey):
    status: Status
    reasons: tuple[Reason, ...]
    paired_since: date
    last_meeting: date | None
    days_since_meeting: int  # since the last attended meeting, or since pairing when there was none
    score: int = 100  # 0 (gone) .. 100 (nothing wrong)
    in_grace: bool = False  # still inside grace_days of the start, with no first meeting due yet
    #: the status judged without one side's own answers (``shared_view``): what a report both sides may read
    #: shows; ``None``: the same as ``status`` (tester round 86b, 1)
    shared_status: Status | None = None

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


def assess(
    evidence: PairEvidence,
    thresholds: Thresholds,
    *,
    as_of: date,
    rounds: Sequence[SurveyRound] = (),
    registry: Sequence[Signal] | None = None,
) -> PairHealth:
    """The pair's status and score at ``as_of`` with every reason; data dated after ``as_of`` is
    ignored. Deterministic for the same input; no I/O."""
    t = thresholds
    ctx = Context(evidence, t, as_of=as_of, rounds=rounds)
    reasons = run_signals(ctx, registry)
    closing = [r for r in reasons if r.severity == "closed"]
    in_grace = ctx.last is None and ctx.silence < t.grace_days  # days the pair existed (round 54, 1)
    if closing:
        return _health(ctx, "closed", tuple(closing), 100, in_grace)
    status, score, judged = _judge(reasons, t)
    health = _health(ctx, status, judged, score, in_grace)
    shared = shared_view(judged, t)
    return health if shared == status else replace(health, shared_status=shared)


def _judge(reasons: Sequence[Reason], t: Thresholds) -> tuple[Status, int, tuple[Reason, ...]]:
    """Status, score and reasons (``several_signals`` added when the signs add up) of a pair's
    reasons, none of them closing."""
    out = list(reasons)
    score = max(0, 100 - sum(r.weight for r in out))
    worst = max((SEVERITY_RANK[r.severity] for r in out), default=0)
    adds_up = len({r.channel for r in out if not r.minor}) >= 2  # independent evidence
    status: Status
    if worst >= SEVERITY_RANK["fading"] or (adds_up and score <= t.fading_score):
        status = "fading"
        if worst < SEVERITY_RANK["fading"]:
            out.append(Reason("several_signals", "fading", f"{len(out)} warning signs together"))
    elif worst >= SEVERITY_RANK["at_risk"] or (adds_up and score <= t.at_risk_score):
        status = "at_risk"
        if worst < SEVERITY_RANK["at_risk"]:
            out.append(Reason("several_signals", "at_risk", f"{len(out)} warning signs together"))
    elif out:
        status = "watch"
    else:
        status = "ok"
    return status, score, tuple(out)


def _health(
    ctx: Context, status: Status, reasons: tuple[Reason, ...], score: int, in_grace: bool
) -> PairHealth:
    return PairHealth(
        mentor_id=ctx.evidence.mentor_id,
        mentee_id=ctx.evidence.mentee_id,
        status=status,
        reasons=reasons,
        paired_since=ctx.since,
        last_meeting=ctx.last,
        days_since_meeting=ctx.gap,
        score=score,
        in_grace=in_grace,
    )


def worst_severity(reasons: Iterable[Reason]) -> Severity | None:
    ranked = sorted(reasons, key=lambda r: SEVERITY_RANK[r.severity])
    return ranked[-1].severity if ranked else None


# --- summaries and nudges --------------------------------------------------------------------------


def count_statuses(healths: Iterable[PairHealth]) -> dict[str, int]:
    counts = Counter(h.status for h in healths)
    return {s: counts.get(s, 0) for s in STATUSES}


def attention_order(healths: Iterable[PairHealth]) -> list[PairHealth]:
    """Pairs needing attention, fading first, then the lowest score, then the longest without a meeting."""
    return sorted(
        (h for h in healths if h.needs_attention),
        key=lambda h: (h.status != "fading", -h.days_since_meeting, h.score, h.mentor_id, h.mentee_id),
    )


_NUDGE_FOR_CODE: tuple[tuple[str, NudgeKind], ...] = (
    # missed meetings first: "you have not had a meeting yet" told a mentor whose three booked
    # meetings the mentee missed that he had never met (tester round 21, 8)
    ("meetings_missed", "missed_meetings"),
    ("no_first_meeting", "no_first_meeting"),
    ("no_meeting", "no_meeting"),
    ("hi_bye", "short_meetings"),
    ("meetings_short", "short_meetings"),
    ("meetings_shrinking", "short_meetings"),
    ("meetings_declining", "short_meetings"),
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


#: Reasons drawn from one side's own answers (its satisfaction, its meeting ratings, its silence in a
#: survey wave, the mentee's self-efficacy): ``<prefix><side>``. Tester round 21, 3.
_ONE_SIDED_PREFIXES = (
    "satisfaction_low_", "satisfaction_falling_", "satisfaction_asymmetry_", "meetings_declining_",
    "meetings_rated_low_", "survey_unanswered_",
)


def answered_by(code: str) -> str | None:
    """The side (``"mentor"``/``"mentee"``) whose own answers alone raised a reason ``code``; ``None``
    for evidence both people know (meetings held, missed or short; the forum)."""
    if code == "self_efficacy_flat":
        return "mentee"
    for prefix in _ONE_SIDED_PREFIXES:
        if code.startswith(prefix) and code[len(prefix):] in ("mentor", "mentee"):
            return code[len(prefix):]
    return None


def seen_by(health: PairHealth, side: str, t: Thresholds) -> PairHealth:
    """The pair's health judged again without the reasons only the other side's answers raised:
    what may reach ``side`` (``"mentor"``/``"mentee"``), a nudge above all. The pair itself when
    no reason came from the other side's answers, or when it is closed.

    A nudge that only the other side's answers explain tells the recipient what the other
    answered, even when a small sign of the recipient's own rode along: a side is nudged only
    when this view needs attention (tester round 21, 3: a mentor nudged on his mentee's low
    rating alone; round 26, 1: on that rating plus his own unanswered survey, only ``watch``
    alone; round 28, 1: on his mentee's low meeting ratings, ``hi_bye``, whose ``blind`` form
    this side sees). Mentee ratings of a mentor stay out of the mentor's sight."""
    other = "mentee" if side == "mentor" else "mentor"

    def foreign(r: Reason) -> bool:  # rests on ratings this side did not give (hi_bye: tester round 28, 1)
        return r.blind is not None and r.rated_by != side

    if health.status == "closed" or not any(answered_by(r.code) == other or foreign(r) for r in health.reasons):
        return health
    kept = [r.blind if foreign(r) and r.blind is not None else r
            for r in health.reasons if r.code != "several_signals" and answered_by(r.code) != other]
    status, score, reasons = _judge(kept, t)
    return replace(health, status=status, score=score, reasons=reasons)


def shared_view(reasons: Sequence[Reason], t: Thresholds) -> Status:
    """The status of a pair judged on what both of its people know: without the reasons one side's own answers
    raised (``answered_by``; a wave left unanswered stays, as the report says it without naming who) and with a
    rated reason in its ``blind`` form. The status a report that a mentor may read shows beside the pair: the full
    one, a step worse, told them their mentee's verdict (tester round 86b, 1: "fading" beside "no meeting for 40
    days", which alone says "at risk")."""
    def one_sided(r: Reason) -> bool:
        return answered_by(r.code) is not None and not r.code.startswith("survey_unanswered_")

    kept = [r.blind if r.blind is not None else r for r in reasons if r.code != "several_signals" and not one_sided(r)]
    return _judge(kept, t)[0]


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
        """``template`` filled (``template_fill.fill``: no doubled full stop after "Samuel A."; tester round 114b, 7)."""
        return fill(
            template,
            firstname=self.firstname,
            other_firstname=self.other_firstname,
            weeks=self.weeks,
            days=self.days,
            cadence_days=self.cadence_days,
            programme=self.programme,
        )
