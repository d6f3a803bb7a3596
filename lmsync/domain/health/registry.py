"""The signal registry: what a rule reads (``Context``), what it finds (``Reason``), and how rules run.

A signal is one function registered with ``@signal(code, severity, sentence)``; it reads a
``Context`` (the pair's evidence, already filtered to ``as_of``) and returns the reasons it
finds, each with a machine code, a severity, a sentence for the coordinator and a weight
(score points it costs). ``unless`` names codes that make a signal redundant ("meetings short"
already says what "minutes falling" would), so one phenomenon is one reason. The rules
themselves live in ``signals`` (and modules it registers, such as ``meeting_level``).

Every signal reads one ``channel`` of evidence: ``rhythm`` (whether meetings happen),
``meetings`` (what they are like, their ratings included), ``satisfaction`` (the surveys), and the
weak ``progress``, ``surveys`` and ``forum`` signs. Two reasons from two channels are two independent
pieces of evidence; two from one channel are one phenomenon seen twice (``status`` counts channels,
not reasons, when watch signs add up to an alarm).

Severities: ``watch`` (worth a look; two together make a pair at risk through the score),
``at_risk``, ``fading``, and ``closed`` (the need is met: the pair ends as a success).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

from lmsync.domain.health.evidence import PairEvidence, SatisfactionPoint, Side, SurveyRound
from lmsync.domain.health.thresholds import Thresholds
from lmsync.domain.meetings import Meeting, dedupe_across_sources
from lmsync.domain.pair_dates import days_apart

Severity = Literal["watch", "at_risk", "fading", "closed"]
SEVERITY_RANK: dict[str, int] = {"watch": 1, "at_risk": 2, "fading": 3, "closed": 4}


@dataclass(frozen=True)
class Reason:
    """One finding: ``code`` for machines, ``text`` for people, ``weight`` in score points."""

    code: str
    severity: Severity
    text: str
    weight: int = 0
    channel: str = ""  # the kind of evidence (its signal's channel); "" when made outside a rule
    minor: bool = False  # a weak sign: shown, costs ``weight_minor``, never corroborates an alarm
    # a reason that rests on ratings (``hi_bye``): who gave them (one side, else None) and the reason
    # the evidence gives without them, which is what the other side may be shown (tester round 28, 1)
    rated_by: str | None = None
    blind: Reason | None = None


class Context:
    """One pair's evidence at ``as_of``, with the derived values several rules share."""

    def __init__(
        self, evidence: PairEvidence, t: Thresholds, *, as_of: date, rounds: Sequence[SurveyRound] = ()
    ) -> None:
        self.evidence = evidence
        self.t = t
        self.as_of = as_of
        self.rounds = rounds
        pair = (evidence.mentor_id, evidence.mentee_id)
        self.meetings: list[Meeting] = [
            m
            for m in dedupe_across_sources(evidence.meetings)
            if m.date <= as_of and (m.mentor_id, m.mentee_id) == pair
        ]
        self.attended = [m for m in self.meetings if m.attended]
        # a pair lmsync paired (its history holds it) began that day: a meeting dated earlier (kept for an established
        # programme's pair, ``PairsByDate.counted_from``), missed or not, does not move its start back (tester round 97a,
        # 4: a no-show logged two months before lmsync paired them made the pair "fading" on the day it was made)
        floor = evidence.spans[0][0] if evidence.spans else None
        self.since: date = min([evidence.paired_since, *(m.date for m in self.meetings if floor is None or m.date >= floor)])
        self.last: date | None = self.attended[-1].date if self.attended else None
        self.gap = max(0, (as_of - (self.last or self.since)).days)
        # the silence judged: over the days the pair existed, not those its mentee was away (rounds 52, 2; 54, 1), held
        # in their circle or not (104a, 8)
        self.apart = days_apart(evidence.spans, self.last or self.since, as_of, evidence.away)
        self.silence = max(0, self.gap - self.apart)
        self.points = [p for p in evidence.satisfaction if p.date <= as_of]
        self.found: list[Reason] = []  # the reasons of the signals run so far
        self.channel = ""  # the channel of the signal now running (its reasons carry it)

    def reason(self, severity: Severity, code: str, text: str, *, minor: bool = False) -> Reason:
        t = self.t
        weight = {
            "watch": t.weight_minor if minor else t.weight_watch,
            "at_risk": t.weight_at_risk,
            "fading": t.weight_fading,
            "closed": 0,
        }[severity]
        return Reason(code, severity, text, weight, self.channel, minor and severity == "watch")

    @cached_property
    def scored(self) -> dict[Side, list[SatisfactionPoint]]:
        """Each side's scored satisfaction sittings, oldest first."""
        out: dict[Side, list[SatisfactionPoint]] = {"mentor": [], "mentee": []}
        for p in sorted(self.points, key=lambda p: p.date):
            if p.level is not None:
                out[p.side].append(p)
        return out

    def rci(self, side: Side) -> float | None:
        """Reliable change index of ``side``'s latest scored wave against the mean of its earlier
        ones (Jacobson & Truax 1991, with a baseline of ``k`` sittings: the baseline mean's own
        error shrinks with ``k``, so the difference's error is ``SEM * sqrt(1 + 1/k)`` instead of
        ``SEM * sqrt(2)``, the two-sitting case). A lasting fall is judged against everything
        known about this side, not against one noisy earlier wave; at most the ``rci_baseline``
        latest earlier waves count, so a slow drift years ago does not mask a fall today."""
        pts = self.scored[side]
        if len(pts) < 2:
            return None
        earlier = [p.level for p in pts[-1 - self.t.rci_baseline : -1] if p.level is not None]
        after = pts[-1].level
        assert after is not None
        return reliable_change(
            math.fsum(earlier) / len(earlier),
            after,
            self.t.satisfaction_sd,
            self.t.satisfaction_reliability,
            baseline_sittings=len(earlier),
        )


def reliable_change(
    before: float, after: float, sd: float, reliability: float, *, baseline_sittings: int = 1
) -> float:
    """``(after - before) / (SEM * sqrt(1 + 1/k))`` with ``SEM = sd * sqrt(1 - reliability)``
    (Jacobson & Truax 1991); ``k = baseline_sittings`` sittings averaged into ``before`` (one:
    the classic ``SEM * sqrt(2)``). ``sd`` in the values' units; the result is in standard
    errors (``-1.96``: a fall beyond measurement noise at the 95% level)."""
    sem = sd * math.sqrt(max(1e-9, 1.0 - reliability))
    return (after - before) / (sem * math.sqrt(1.0 + 1.0 / max(1, baseline_sittings)))


Rule = Callable[[Context], list[Reason]]


@dataclass(frozen=True)
class Signal:
    """A registered rule: ``code`` (its reasons' codes start with it), the worst ``severity`` it
    raises, a ``sentence`` saying what it detects, ``unless``: codes that silence it, and the
    ``channel`` of evidence it reads (see the module's docstring)."""

    code: str
    severity: Severity
    sentence: str
    rule: Rule
    unless: tuple[str, ...] = ()
    channel: str = ""


REGISTRY: list[Signal] = []


#: The channel of evidence each built-in signal reads (see the module's docstring); a signal not
#: named here is a channel of its own unless ``signal(channel=...)`` says otherwise.
CHANNELS: dict[str, str] = {
    "need_met": "check_in",
    "no_first_meeting": "rhythm",
    "meetings_missed": "rhythm",
    "no_meeting": "rhythm",
    "hi_bye": "meetings",
    "meetings_rated_low": "meetings",
    "meetings_declining": "meetings",
    "satisfaction_low": "satisfaction",
    "satisfaction_falling": "satisfaction",
    "satisfaction_asymmetry": "satisfaction",
    "self_efficacy_flat": "progress",
    "survey_unanswered": "surveys",
    "forum_quiet": "forum",
}


def signal(
    code: str, severity: Severity, sentence: str, *, unless: tuple[str, ...] = (), channel: str = ""
) -> Callable[[Rule], Rule]:
    """Register ``rule`` as a signal (rules run in registration order); its ``channel`` is the
    one given, else the one ``CHANNELS`` names, else ``code`` (a signal of its own kind)."""

    def register(rule: Rule) -> Rule:
        if any(s.code == code for s in REGISTRY):
            raise ValueError(f"signal {code} is registered twice")
        REGISTRY.append(Signal(code, severity, sentence, rule, unless, channel or CHANNELS.get(code, code)))
        return rule

    return register


def run_signals(ctx: Context, registry: Sequence[Signal] | None = None) -> list[Reason]:
    """Every reason the registered signals find, redundant ones dropped (``unless``)."""
    found = ctx.found
    for s in REGISTRY if registry is None else registry:
        if s.unless and any(r.code.startswith(s.unless) for r in found):
            continue
        ctx.channel = s.channel
        found += s.rule(ctx)
    return list(found)
