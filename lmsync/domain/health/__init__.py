"""Is a mentoring pair alive? Pure rules over a pair's evidence (issue 13).

Mentoring programmes fade within months: meetings are skipped, or shrink to "hi, how are
you, bye"; satisfaction sinks on one side; self-efficacy does not move however often the
pair meets. Each of those is a *signal*: a rule in one registry (``signals``) with a code,
a severity and a sentence for the coordinator. A pair gets a status (``ok``, ``watch``,
``at_risk``, ``fading``, ``closed``), a 0-100 score and its reasons (``status``).

* ``evidence``: the pair's evidence as plain values, and builders from stored scores;
* ``signals``: the registry and every rule;
* ``trend``: Mann-Kendall and Theil-Sen (scipy) for "falling over the recent meetings";
* ``thresholds``: every number, with its default and source;
* ``status``: score, status, summaries and the nudge a pair gets;
* ``names``: what a nudge calls the people it names, told apart when first names repeat.

Everything here is deterministic for the same input and does no I/O.
"""

from lmsync.domain.health.evidence import (
    CheckIn,
    EfficacyPoint,
    ForumActivity,
    PairEvidence,
    SatisfactionPoint,
    Side,
    SurveyRound,
    check_ins,
    efficacy_points,
    level,
    meetings_by_pair,
    respondent_side,
    satisfaction_points,
    survey_rounds,
    unassigned_mentor_scores,
)
from lmsync.domain.health.names import PersonName, told_apart
from lmsync.domain.health.signals import (
    REGISTRY,
    Context,
    Reason,
    Severity,
    Signal,
    reliable_change,
    signal,
    without_ratings,
)
from lmsync.domain.health.status import (
    ATTENTION,
    LEGACY_STATUS,
    STATUSES,
    NudgeFields,
    NudgeKind,
    PairHealth,
    Status,
    answered_by,
    assess,
    attention_order,
    count_statuses,
    normalise_status,
    nudge_kind,
    pair_id,
    parse_pair_id,
    seen_by,
    shared_view,
    status_label,
)
from lmsync.domain.health.thresholds import Thresholds

__all__ = [
    "ATTENTION",
    "LEGACY_STATUS",
    "REGISTRY",
    "STATUSES",
    "CheckIn",
    "Context",
    "EfficacyPoint",
    "ForumActivity",
    "NudgeFields",
    "NudgeKind",
    "PairEvidence",
    "PairHealth",
    "PersonName",
    "Reason",
    "SatisfactionPoint",
    "Severity",
    "Side",
    "Signal",
    "Status",
    "SurveyRound",
    "Thresholds",
    "assess",
    "attention_order",
    "check_ins",
    "count_statuses",
    "efficacy_points",
    "level",
    "meetings_by_pair",
    "normalise_status",
    "nudge_kind",
    "answered_by",
    "seen_by",
    "shared_view",
    "without_ratings",
    "status_label",
    "pair_id",
    "parse_pair_id",
    "reliable_change",
    "respondent_side",
    "satisfaction_points",
    "signal",
    "survey_rounds",
    "told_apart",
    "unassigned_mentor_scores",
]
