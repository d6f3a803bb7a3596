"""What the programme report reads from the store (issue 14): only reads, nothing after the report's day.

``read_inputs`` turns the store's meetings, health snapshots, coordinator queue and survey
answers into a ``ReportInputs`` of plain values; ``lmsync.service.report.build`` makes the
report's tables from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lmsync.config import Config
from lmsync.domain.closed_sittings import ClosedCount, judge
from lmsync.domain.instruments import SurveyAnswer, WaveScore
from lmsync.domain.pair_dates import DatedPair
from lmsync.service.ended_as_of import ended_spans, ended_that_day
from lmsync.service.feedback_store import feedback_pairs_by_date
from lmsync.service.meetings import settings
from lmsync.service.programme_settings import programme_zone
from lmsync.service.rater_checkpoints import ErasureChanges, erasure_changes
from lmsync.service.report_model import ATTENTION, QUALITIES_INSTRUMENT
from lmsync.service.report_sections import ended as ended_item
from lmsync.service.report_sections import of_the_day, with_ended
from lmsync.service.steady_gc import steady_gc
from lmsync.store import closed_sittings
from lmsync.store.answered_by import any_answer_by
from lmsync.store.closed_windows import recorded
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.report import (
    FlaggedPair,
    MonthMeetings,
    QueueState,
    flagged_pairs,
    health_snapshot_days,
    health_status_counts,
    instrument_answers,
    last_met,
    meetings_per_month,
    pair_statuses,
    queue_states,
    wave_scores,
)

#: Health snapshots spanning more than this are shown one day per week: a chart about 800
#: pixels wide cannot show daily detail over half a year or more anyway.
WEEKLY_HEALTH_AFTER = timedelta(weeks=26)


@dataclass(frozen=True)
class ReportInputs:
    """What the report reads from the store (``read_inputs``), as plain values."""

    months: tuple[MonthMeetings, ...] = ()
    held: int = 0
    status_counts: tuple[tuple[date, str, int], ...] = ()
    health_weekly: bool = False
    health_day: date | None = None
    first_health_day: date | None = None  # the store's first snapshot day, whatever the report's day
    flagged: tuple[FlaggedPair, ...] = ()
    queue: Mapping[tuple[int, int], QueueState] = field(default_factory=dict)
    scores: tuple[WaveScore, ...] = ()
    quality_answers: tuple[SurveyAnswer, ...] = ()
    #: the pairing history as local dates: a mentee's answer rates the mentor of its day
    pairing_history: tuple[DatedPair, ...] = ()
    pairs_appeared: Mapping[tuple[int, int], date] = field(default_factory=dict)  # PairsByDate.appeared
    #: the flagged pairs' latest attended meeting up to the report's day (``last_met``): one the snapshot did
    #: not know of (recorded after it, or dated after it) is said beside the pair (tester round 51, 3)
    last_met: Mapping[tuple[int, int], date] = field(default_factory=dict)
    #: who was erased and when (``PairsByDate.erased``): an answer dated up to an erasure rates no mentor of an
    #: erased person's pair (tester round 77b, 2)
    erased: Mapping[int, date] = field(default_factory=dict)
    #: the survey figures whose answers changed after an erasure (``rater_checkpoints``): withheld
    changes: ErasureChanges = field(default_factory=ErasureChanges)
    #: whether a survey answer or a meeting rating dated on or before ``health_day`` exists (``any_answer_by``):
    #: without one no pair was flagged by one side's own answers, and that count is 0 (tester round 121a, 11)
    answers_by_health_day: bool = True
    #: each recorded survey wave's window as it closed (``store.closed_windows``): a closed wave's figures stay over
    #: it whatever lmsync.toml says now (tester round 123a, 1)
    closed_windows: Mapping[str, tuple[date, date]] = field(default_factory=dict)
    #: each recorded closed wave's sittings now against those it closed with (``domain.closed_sittings``): counted,
    #: stored late, changed since (tester round 128, 1 and 2)
    closed: Mapping[str, ClosedCount] = field(default_factory=dict)
    #: every instrument's answers dated inside those waves' windows, to score them over their counted sittings again
    closed_answers: tuple[SurveyAnswer, ...] = ()


def term_start(config: Config) -> date | None:
    """Where "this term" begins: ``[meetings] start``, else ``[waves] programme_start``, else the first wave."""
    s = settings(config)
    return s.meetings_start or (s.waves[0].start if s.waves else None)


def weekly_days(days: Sequence[date]) -> list[date]:
    """One day per week out of ``days`` (sorted): the latest of each 7-day period counted back
    from the last day, so the last day is always kept; oldest first."""
    if not days:
        return []
    last = days[-1]
    chosen: dict[int, date] = {}
    for day in days:
        chosen[(last - day).days // 7] = day  # days ascend: the latest of its week wins
    return sorted(chosen.values())


@steady_gc()
def read_inputs(config: Config, store: Store, *, as_of: date, daily_health: bool = False) -> ReportInputs:
    """Read the store (only reads) for a report at ``as_of``; later data is left out.

    Health snapshots spanning more than ``WEEKLY_HEALTH_AFTER`` are counted on one day per
    week (``weekly_days``) unless ``daily_health`` (the CSV tables keep every day). A snapshot counts, and a
    flagged pair is listed, only when its pair is one of its day's pairs at the day's end (``PairsByDate.holds``,
    lmsync's pairing history, as ``lmsync health --as-of`` takes them; tester round 105b, 1).
    """
    programme = config.programme.name
    since = term_start(config) or date.min
    every_day = health_snapshot_days(store, programme)
    days = [d for d in every_day if d <= as_of]
    health_day = days[-1] if days else None
    weekly = not daily_health and bool(days) and days[-1] - days[0] > WEEKLY_HEALTH_AFTER
    months = tuple(meetings_per_month(store, programme, since, as_of))
    by_date = feedback_pairs_by_date(store, programme, (), tz=programme_zone(config))
    counted = weekly_days(days) if weekly else None
    ended = ended_spans(store, programme)  # the days each pair stood ended, whatever the report's day (round 99a, 2)
    # a closed item of a pair made again since is the old pairing's: the new pair has no item of its own, and is not
    # ended (the summary counted it "ended, still flagged" where health counted it at risk; round 99a, 2)
    queue = {pair: state for pair, state in queue_states(store, programme, until=as_of).items()
             if not ended_item(state) or ended_that_day(ended.get(pair, ()), as_of)}
    # a pair's snapshot of a day it was not one of that day's pairs at the day's end (it ended later that day: health
    # keeps the morning's row for ``pair show``) is not counted nor listed; only a pair the history ends can be one
    # (tester round 105b, 1: 53 pairs on a day with 52, and the ended pair listed at risk)
    moved = {(p.mentor_id, p.mentee_id) for p in by_date.history if p.end is not None}
    gone = [(day, pair, status) for day, pair, status in pair_statuses(store, programme, moved, until=as_of, days=counted)
            if not by_date.holds(pair, day)]
    stale = {(day, pair) for day, pair, _ in gone}
    flagged = tuple(f for f in flagged_pairs(store, programme, health_day, ATTENTION)
                    if (health_day, (f.mentor_id, f.mentee_id)) not in stale) if health_day else ()
    return ReportInputs(
        months=months,
        held=sum(m.held for m in months),  # the months cover exactly the term up to as_of
        status_counts=tuple(with_ended(
            of_the_day(health_status_counts(store, programme, until=as_of, days=counted), gone),
            [s for s in pair_statuses(store, programme, ended, until=as_of, days=counted) if (s[0], s[1]) not in stale],
            ended,
        )),
        health_weekly=weekly,
        health_day=health_day,
        first_health_day=every_day[0] if every_day else None,
        flagged=flagged,
        last_met=last_met(store, programme, [(f.mentor_id, f.mentee_id) for f in flagged], as_of),
        queue=queue,
        scores=tuple(wave_scores(store, programme, until=as_of)),
        quality_answers=tuple(instrument_answers(store, programme, QUALITIES_INSTRUMENT, until=as_of)),
        pairing_history=by_date.history,
        pairs_appeared=by_date.appeared,
        erased=erased_on(store),
        changes=erasure_changes(store, settings(config), programme_zone(config)),
        answers_by_health_day=health_day is not None and any_answer_by(store, programme, health_day),
        closed_windows=(windows := recorded(store, programme)),
        **closed_counts(store, programme, windows),
    )


def closed_counts(store: Store, programme: str, windows: Mapping[str, tuple[date, date]]) -> dict[str, Any]:
    """``ReportInputs``' ``closed`` and ``closed_answers`` for the waves of ``windows`` (name -> the window each closed
    with) whose sittings were recorded (``store.closed_sittings``; tester round 128, 1 and 2)."""
    records = {name: r for name, r in closed_sittings.recorded(store, programme).items() if name in windows}
    if not records:
        return {}
    spans = [windows[name] for name in records]
    now = closed_sittings.stamps(store, programme, spans)
    closed = {name: judge(r, {k: v for k, v in now.items() if windows[name][0] <= k[2] <= windows[name][1]})
              for name, r in records.items()}
    return {"closed": closed, "closed_answers": tuple(closed_sittings.answers_inside(store, programme, spans))}
