"""``lmsync report``: the programme at a glance, and the evaluation the seed authors did by hand (issue 14).

``gather`` turns what the store holds (meetings, survey wave scores per side, health
snapshots, the coordinator queue) plus the current circles and matching into a
``ReportData`` of plain tables; ``lmsync.render.report`` draws those as one self-contained
HTML page (or CSV files, one per table). A service never imports a renderer (issue 12): the
writers here take a ``ReportRenderer`` from the CLI (``lmsync.render.report.renderer``). The statistics come from
``lmsync.domain.evaluation`` (scipy.stats).

Privacy: people are shown by username unless ``[report] names = true``. Mentees' ratings
of a mentor (instruments with ``rates_mentor``, e.g. ``mentor_qualities``) appear only as
each mentor's mean over at least ``[grades] min_mentees_for_mentor_rating`` mentees, and
programme-wide means; never one mentee's answer. Reads only: the store is opened read-only
and Moodle is only read.
"""

from __future__ import annotations

import gc
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any

from lmsync.config import Config
from lmsync.domain.evaluation import describe, paired_change, response_rate
from lmsync.domain.instruments import Instrument, SurveyAnswer, Wave, WaveScore, per_respondent
from lmsync.log import get_logger
from lmsync.service.labels import People
from lmsync.service.meetings import settings
from lmsync.store.db import Store
from lmsync.store.report import (
    FlaggedPair,
    MonthMeetings,
    QueueState,
    flagged_pairs,
    health_snapshot_days,
    health_status_counts,
    instrument_answers,
    meetings_per_month,
    queue_states,
    wave_scores,
)

log = get_logger(__name__)

#: Health statuses in the order the report stacks them (statuses a newer lmsync adds go last).
STATUS_ORDER = ("new", "ok", "watch", "at_risk", "fading", "closed")
#: Statuses listed in "today's at-risk list".
ATTENTION = ("fading", "at_risk")
#: The instrument whose per-mentor profile the report shows (Cho et al. 2011).
QUALITIES_INSTRUMENT = "mentor_qualities"
#: Health snapshots spanning more than this are shown one day per week: a chart about 800
#: pixels wide cannot show daily detail over half a year or more anyway.
WEEKLY_HEALTH_AFTER = timedelta(weeks=26)


@dataclass(frozen=True)
class Table:
    """One table of the report: ``name`` is its CSV file stem; cells are str, int, float or None."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = ()

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class MatchedPair:
    """A current pair as the matching scored it: total score and its terms (``department``, ...)."""

    mentor_id: int
    mentee_id: int
    score: float
    terms: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportData:
    """Every table of the report (see ``tables``) and what the page says about them."""

    programme: str
    course: str
    as_of: date
    generated_at: str
    names: bool
    term_start: date | None
    health_day: date | None
    min_mentees: int
    health_weekly: bool
    summary: Table
    response: Table
    meetings: Table
    health: Table
    at_risk: Table
    satisfaction: Table
    self_efficacy: Table
    mentor_load: Table
    match_scores: Table
    match_terms: Table
    evaluation: Table
    qualities: Table
    mentor_qualities: Table
    notes: tuple[str, ...] = ()

    def tables(self) -> list[Table]:
        return [
            self.summary,
            self.response,
            self.meetings,
            self.health,
            self.at_risk,
            self.satisfaction,
            self.self_efficacy,
            self.mentor_load,
            self.match_scores,
            self.match_terms,
            self.evaluation,
            self.qualities,
            self.mentor_qualities,
        ]


@dataclass(frozen=True)
class ReportRenderer:
    """How a report is drawn, given by the CLI (``lmsync.render.report.renderer``; issue 12).

    ``html_page``: the whole page as one HTML document; ``csv_files``: ``{file name: CSV
    text}``, one per table.
    """

    html_page: Callable[[ReportData], str]
    csv_files: Callable[[ReportData], Mapping[str, str]]


_gc_depth = 0


@contextmanager
def steady_gc() -> Iterator[None]:
    """Keep Python's full garbage collections off what the process already holds, meanwhile.

    Reading the store and drawing the charts allocate hundreds of thousands of objects;
    every so often that triggers a full collection, which rescans everything alive (the
    loaded libraries, the report's inputs): a tenth of a second each. ``gc.freeze`` moves the
    objects alive on entry out of the collector's view; ``gc.unfreeze`` puts them back on
    exit. Re-entrant; does nothing when something else already froze objects.
    """
    global _gc_depth
    if _gc_depth or gc.get_freeze_count():
        yield
        return
    _gc_depth += 1
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        _gc_depth -= 1


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _side_people(side: str, mentors: set[int], mentees: set[int]) -> set[int]:
    if side == "mentor":
        return mentors
    if side == "both":
        return mentors | mentees
    return mentees


def _complete(scores: Iterable[WaveScore]) -> dict[tuple[str, str, int], float]:
    """``(instrument, wave, respondent) -> total`` of complete scores, one per respondent."""
    return {
        (s.instrument, s.wave, s.respondent_id): float(s.score.total)
        for s in per_respondent(scores)
        if s.score.total is not None
    }


def _later_waves(waves: Sequence[Wave], baseline: str | None) -> tuple[Wave | None, list[Wave]]:
    base = next((w for w in waves if w.name == baseline), None) if baseline else (waves[0] if waves else None)
    if base is None:
        return None, []
    return base, [w for w in waves if w.start > base.start]


# --- sections -------------------------------------------------------------------------------------


def _meetings_table(months: Sequence[MonthMeetings]) -> Table:
    rows = tuple((m.month, m.held, _round(m.mean_minutes, 1), m.pairs_met, m.missed) for m in months)
    return Table(
        "meetings_per_month",
        "Meetings per month",
        ("month", "meetings_held", "mean_minutes", "pairs_met", "meetings_missed"),
        rows,
    )


def _health_table(counts: Sequence[tuple[date, str, int]], *, weekly: bool = False) -> Table:
    seen = {status for _, status, _ in counts}
    statuses = [s for s in STATUS_ORDER if s in seen] + sorted(seen - set(STATUS_ORDER))
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, status, n in counts:
        by_day[day][status] = n
    rows = tuple((day.isoformat(), *(by_day[day].get(s, 0) for s in statuses)) for day in sorted(by_day))
    title = "Pair health over time" + (", one snapshot day per week" if weekly else "")
    return Table("pair_health_over_time", title, ("day", *statuses), rows)


def _at_risk_table(
    flagged: Sequence[FlaggedPair], queue: Mapping[tuple[int, int], QueueState], people: People
) -> Table:
    columns = ("mentor", "mentee", "status", "last_meeting", "reasons", "queue")
    order = {status: i for i, status in enumerate(ATTENTION)}
    chosen = sorted(
        (r for r in flagged if r.status in order),
        key=lambda r: (order[r.status], r.last_meeting or date.min, r.mentor_id, r.mentee_id),
    )
    rows = []
    for r in chosen:
        item = queue.get((r.mentor_id, r.mentee_id))
        if item is None:
            state = "not queued"
        elif item.acked_on is None:
            state = f"open since {item.opened_on.isoformat()}"
        else:
            state = f"acknowledged {item.acked_on.isoformat()}"
        rows.append(
            (
                people.label(r.mentor_id),
                people.label(r.mentee_id),
                r.status,
                r.last_meeting.isoformat() if r.last_meeting else None,
                "; ".join(text for _code, text in r.reasons),
                state,
            )
        )
    return Table("at_risk_today", "Pairs at risk today", columns, tuple(rows))


def _wave_summary_table(
    name: str,
    title: str,
    instruments: Mapping[str, Instrument],
    complete: Mapping[tuple[str, str, int], float],
    waves: Sequence[Wave],
    eligible: Callable[[Instrument], set[int]],
) -> Table:
    rows = []
    for inst in instruments.values():
        for wave in waves:
            people = eligible(inst)
            values = [v for (i, w, who), v in complete.items() if i == inst.name and w == wave.name and who in people]
            if not values:
                continue
            s = describe(values)
            rows.append(
                (
                    inst.name,
                    inst.side,
                    wave.name,
                    s.n,
                    _round(s.mean),
                    _round(s.sd),
                    _round(s.ci_low),
                    _round(s.ci_high),
                    _round(response_rate(s.n, len(people))),
                )
            )
    return Table(
        name, title, ("instrument", "side", "wave", "n", "mean", "sd", "ci_low", "ci_high", "response_rate"), tuple(rows)
    )


def _evaluation_table(
    instruments: Mapping[str, Instrument],
    complete: Mapping[tuple[str, str, int], float],
    waves: Sequence[Wave],
    baseline: str | None,
    eligible: Callable[[Instrument], set[int]],
    year_of: Mapping[int, str],
    min_cell: int = 1,
) -> Table:
    """Paired change per instrument, later wave and group; a group with fewer than ``min_cell``
    paired respondents shows "fewer than <min_cell>" for n and no statistics (small-cell suppression)."""
    base, later = _later_waves(waves, baseline)
    rows = []
    for inst in instruments.values():
        if base is None:
            break
        people = eligible(inst)
        groups: dict[str, set[int]] = {"all": people}
        for who in sorted(people):
            groups.setdefault(f"year {year_of[who]}" if who in year_of else "year not given", set()).add(who)
        for wave in later:
            for group, members in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])):
                if group != "all" and members == people:
                    continue  # one group holding everyone repeats "all"
                paired = sorted(
                    who
                    for who in members
                    if (inst.name, base.name, who) in complete and (inst.name, wave.name, who) in complete
                )
                if not paired:
                    continue
                before = [complete[(inst.name, base.name, who)] for who in paired]
                after = [complete[(inst.name, wave.name, who)] for who in paired]
                c = paired_change(before, after)
                answered_from = sum(1 for who in members if (inst.name, base.name, who) in complete)
                answered_to = sum(1 for who in members if (inst.name, wave.name, who) in complete)
                if c.n < min_cell:
                    rows.append(
                        (
                            inst.name,
                            base.name,
                            wave.name,
                            group,
                            f"fewer than {min_cell}",
                            *([None] * 8),  # mean before/after/change, CI, d_z, Wilcoxon W and p
                            _round(response_rate(answered_from, len(members))),
                            _round(response_rate(answered_to, len(members))),
                        )
                    )
                    continue
                rows.append(
                    (
                        inst.name,
                        base.name,
                        wave.name,
                        group,
                        c.n,
                        _round(c.mean_before),
                        _round(c.mean_after),
                        _round(c.mean),
                        _round(c.ci_low),
                        _round(c.ci_high),
                        _round(c.d_z),
                        _round(c.wilcoxon_w),
                        _round(c.wilcoxon_p, 4),
                        _round(response_rate(answered_from, len(members))),
                        _round(response_rate(answered_to, len(members))),
                    )
                )
    return Table(
        "programme_evaluation",
        "Programme evaluation: paired change between waves",
        (
            "instrument",
            "from_wave",
            "to_wave",
            "group",
            "n",
            "mean_before",
            "mean_after",
            "mean_change",
            "ci_low",
            "ci_high",
            "d_z",
            "wilcoxon_w",
            "wilcoxon_p",
            "response_rate_from",
            "response_rate_to",
        ),
        tuple(rows),
    )


def _qualities_tables(
    answers: Sequence[SurveyAnswer],
    instrument: Instrument | None,
    pairs: Sequence[tuple[int, int]],
    min_mentees: int,
    people: People,
) -> tuple[Table, Table]:
    """Programme-wide means per quality, and each mentor's means over at least ``min_mentees`` mentees."""
    items = instrument.items if instrument is not None else ()
    overall = Table("mentor_qualities_overall", "Mentor qualities, programme mean", ("quality", "mentees", "mean"))
    per_mentor = Table(
        "mentor_qualities_per_mentor", "Mentor qualities per mentor", ("mentor", "mentees", *items)
    )
    if instrument is None:
        return overall, per_mentor
    mentors_of: dict[int, set[int]] = defaultdict(set)
    for mentor, mentee in pairs:
        mentors_of[mentee].add(mentor)
    # each (mentee, mentor) relationship's latest sitting
    sittings: dict[tuple[int, int], tuple[date, dict[str, float]]] = {}
    for a in answers:
        if a.instrument != instrument.name:
            continue
        try:
            value = instrument.parse_value(a.item, a.value)
        except ValueError:
            continue
        rated = {a.about_id} if a.about_id is not None else mentors_of.get(a.respondent_id, set())
        for mentor in rated:
            key = (a.respondent_id, mentor)
            day, values = sittings.get(key, (date.min, {}))
            if a.date > day:
                day, values = a.date, {}
            if a.date == day and value is not None:
                values[a.item] = value
            sittings[key] = (day, values)
    by_mentor: dict[int, dict[int, dict[str, float]]] = defaultdict(dict)
    for (mentee, mentor), (_day, values) in sittings.items():
        if len(values) >= instrument.required(len(items)):
            by_mentor[mentor][mentee] = values
    raters = {mentee for ratings in by_mentor.values() for mentee in ratings}
    overall_rows: list[tuple[Any, ...]] = []
    if len(raters) >= min_mentees:
        for item in items:
            scores = [v[item] for ratings in by_mentor.values() for v in ratings.values() if item in v]
            overall_rows.append((item, len(scores), _round(fmean(scores), 2) if scores else None))
    mentor_rows: list[tuple[Any, ...]] = []
    for mentor, ratings in sorted(by_mentor.items(), key=lambda kv: people.label(kv[0])):
        if len(ratings) < min_mentees:
            continue
        means = []
        for item in items:
            given = [v[item] for v in ratings.values() if item in v]
            means.append(_round(fmean(given), 2) if len(given) >= min_mentees else None)
        mentor_rows.append((people.label(mentor), len(ratings), *means))
    return (
        Table(overall.name, overall.title, overall.columns, tuple(overall_rows)),
        Table(per_mentor.name, per_mentor.title, per_mentor.columns, tuple(mentor_rows)),
    )


def _match_tables(matched: Sequence[MatchedPair], people: People) -> tuple[Table, Table]:
    scores = Table(
        "match_scores",
        "Match score of each current pair",
        ("mentor", "mentee", "score"),
        tuple(
            (people.label(m.mentor_id), people.label(m.mentee_id), _round(m.score, 2))
            for m in sorted(matched, key=lambda m: (-m.score, m.mentor_id, m.mentee_id))
        ),
    )
    counts: Counter[str] = Counter()
    for m in matched:
        counts.update(term for term, value in m.terms.items() if value > 0)
    terms = Table(
        "match_terms",
        "Share of pairs with each reason",
        ("term", "pairs", "share"),
        tuple(
            (term, n, _round(n / len(matched)))
            for term, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )
    return scores, terms


# --- the whole report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInputs:
    """What the report reads from the store (``read_inputs``), as plain values."""

    months: tuple[MonthMeetings, ...] = ()
    held: int = 0
    status_counts: tuple[tuple[date, str, int], ...] = ()
    health_weekly: bool = False
    health_day: date | None = None
    flagged: tuple[FlaggedPair, ...] = ()
    queue: Mapping[tuple[int, int], QueueState] = field(default_factory=dict)
    scores: tuple[WaveScore, ...] = ()
    quality_answers: tuple[SurveyAnswer, ...] = ()


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
    week (``weekly_days``) unless ``daily_health`` (the CSV tables keep every day).
    """
    programme = config.programme.name
    since = term_start(config) or date.min
    days = health_snapshot_days(store, programme, until=as_of)
    health_day = days[-1] if days else None
    weekly = not daily_health and bool(days) and days[-1] - days[0] > WEEKLY_HEALTH_AFTER
    months = tuple(meetings_per_month(store, programme, since, as_of))
    return ReportInputs(
        months=months,
        held=sum(m.held for m in months),  # the months cover exactly the term up to as_of
        status_counts=tuple(
            health_status_counts(store, programme, until=as_of, days=weekly_days(days) if weekly else None)
        ),
        health_weekly=weekly,
        health_day=health_day,
        flagged=tuple(flagged_pairs(store, programme, health_day, ATTENTION)) if health_day else (),
        queue=queue_states(store, programme),
        scores=tuple(wave_scores(store, programme, until=as_of)),
        quality_answers=tuple(instrument_answers(store, programme, QUALITIES_INSTRUMENT, until=as_of)),
    )


def gather(
    config: Config,
    store: Store,
    *,
    as_of: date,
    roster: Mapping[int, Any],
    pairs: Iterable[tuple[int, int]],
    matched: Sequence[MatchedPair] = (),
    daily_health: bool = False,
    mentee_ids: Iterable[int] | None = None,
) -> ReportData:
    """``build`` over what ``read_inputs`` reads from ``store``."""
    inputs = read_inputs(config, store, as_of=as_of, daily_health=daily_health)
    return build(config, inputs, as_of=as_of, roster=roster, pairs=pairs, matched=matched, mentee_ids=mentee_ids)


@steady_gc()
def build(
    config: Config,
    inputs: ReportInputs,
    *,
    as_of: date,
    roster: Mapping[int, Any],
    pairs: Iterable[tuple[int, int]],
    matched: Sequence[MatchedPair] = (),
    mentee_ids: Iterable[int] | None = None,
) -> ReportData:
    """The report's tables at ``as_of`` from the store's ``inputs``, the roster (Moodle id -> user
    with ``username``, ``fullname``, ``roles``, ``profile``) and the current ``(mentor, mentee)`` pairs.

    ``mentee_ids``: the Moodle ids the matching treats as mentees (``matching_mentee_ids``), the
    denominator of "share of mentees matched"; peer mentors who are not mentees are not in it.
    Without it, the roster's holders of a mentee role are counted.

    Only people currently in a pair count in survey statistics and response rates (the
    denominator of a rate is the current mentors or mentees, as the instrument's side says).
    """
    programme = config.programme.name
    s = settings(config)
    people = People(roster, show_names=config.report.names)
    pair_list = sorted(set(pairs))
    mentors = {m for m, _ in pair_list}
    mentees = {e for _, e in pair_list}
    waves = list(s.waves)
    start = term_start(config)
    min_mentees = s.grades.min_mentees_for_mentor_rating
    complete = _complete(inputs.scores)

    def eligible(inst: Instrument) -> set[int]:
        return _side_people(inst.side, mentors, mentees)

    year_field = config.matching.attributes.year
    year_of: dict[int, str] = {}
    if year_field:
        for uid, user in roster.items():
            value = str((getattr(user, "profile", None) or {}).get(year_field) or "").strip()
            if value:
                year_of[uid] = value

    instruments = s.instruments
    with_scores = {i for i, _w, _p in complete}
    sat_names = [n for n in config.health.satisfaction_instruments if n in instruments and n in with_scores]
    satisfaction = _wave_summary_table(
        "relationship_satisfaction",
        "Relationship satisfaction per wave, both sides",
        {n: instruments[n] for n in sat_names},
        complete,
        waves,
        eligible,
    )
    tracked = {
        n: i
        for n, i in instruments.items()
        if i.track_change and not i.rates_mentor and n in with_scores and n not in sat_names
    }
    self_efficacy = _wave_summary_table(
        "self_efficacy", "Self-efficacy across waves", tracked, complete, waves, eligible
    )
    others = {
        n: i
        for n, i in instruments.items()
        if n in with_scores and n not in tracked and n not in sat_names and n != QUALITIES_INSTRUMENT
    }
    evaluated = {**tracked, **{n: instruments[n] for n in sat_names}, **others}
    evaluation = _evaluation_table(
        evaluated, complete, waves, s.baseline, eligible, year_of, min_cell=config.report.min_cell
    )

    # response per wave and side: people of the side with a complete score of any of its instruments
    response_rows = []
    for wave in waves:
        for side, group in (("mentee", mentees), ("mentor", mentors)):
            asked = {i.name for i in instruments.values() if i.side in (side, "both") and i.name in with_scores}
            if not asked or not group:
                continue
            answered = {who for (i, w, who) in complete if w == wave.name and who in group and i in asked}
            if answered:
                rate = _round(response_rate(len(answered), len(group)))
                response_rows.append((wave.name, f"{side}s", len(answered), len(group), rate))
    response = Table(
        "survey_response",
        "Survey response rate per wave",
        ("wave", "side", "answered", "expected", "rate"),
        tuple(response_rows),
    )

    meetings = _meetings_table(inputs.months)
    health = _health_table(inputs.status_counts, weekly=inputs.health_weekly)
    at_risk = _at_risk_table(inputs.flagged, inputs.queue, people)
    load = Counter(Counter(m for m, _ in pair_list).values())
    mentor_load = Table(
        "mentor_load", "Mentor load", ("mentees_per_mentor", "mentors"), tuple(sorted(load.items()))
    )
    match_scores, match_terms = _match_tables(matched, people)
    qualities, mentor_qualities = _qualities_tables(
        inputs.quality_answers, instruments.get(QUALITIES_INSTRUMENT), pair_list, min_mentees, people
    )

    if mentee_ids is not None:
        roster_mentees = set(mentee_ids) | mentees
    else:
        mentee_roles = set(config.programme.mentee_roles)
        roster_mentees = {uid for uid, u in roster.items() if set(getattr(u, "roles", ())) & mentee_roles} | mentees
    summary_rows: list[tuple[Any, ...]] = [
        ("pairs", len(pair_list)),
        ("mentors with mentees", len(mentors)),
        ("mentees in the course", len(roster_mentees)),
        ("share of mentees matched", _percent(response_rate(len(mentees), len(roster_mentees)))),
        ("meetings this term" + (f" (since {start.isoformat()})" if start else ""), inputs.held),
    ]
    for wave_name, side_name, answered_n, expected_n, rate in response_rows:
        summary_rows.append(
            (f"survey response {wave_name}, {side_name}", f"{_percent(rate)} ({answered_n} of {expected_n})")
        )
    if inputs.health_day is not None:
        summary_rows.append(
            (f"pairs at risk or fading on {inputs.health_day.isoformat()}", len(at_risk.rows))
        )
    summary = Table("summary", "Summary", ("measure", "value"), tuple(summary_rows))

    notes = []
    if inputs.health_day is None:
        notes.append("No health snapshots yet: run `lmsync health` (or `lmsync run`) to record them.")
    elif (as_of - inputs.health_day) > timedelta(days=7):
        notes.append(f"The latest health snapshot is from {inputs.health_day.isoformat()}.")
    if not config.report.names:
        notes.append("People are shown by username ([report] names = false).")
    log.info(
        "report.gathered",
        pairs=len(pair_list),
        meetings=inputs.held,
        scores=len(inputs.scores),
        health_days=len(health.rows),
        at_risk=len(at_risk.rows),
    )
    return ReportData(
        programme=programme,
        course=config.programme.course,
        as_of=as_of,
        generated_at=datetime.now(UTC).isoformat(timespec="minutes"),
        names=config.report.names,
        term_start=start,
        health_day=inputs.health_day,
        min_mentees=min_mentees,
        health_weekly=inputs.health_weekly,
        summary=summary,
        response=response,
        meetings=meetings,
        health=health,
        at_risk=at_risk,
        satisfaction=satisfaction,
        self_efficacy=self_efficacy,
        mentor_load=mentor_load,
        match_scores=match_scores,
        match_terms=match_terms,
        evaluation=evaluation,
        qualities=qualities,
        mentor_qualities=mentor_qualities,
        notes=tuple(notes),
    )


def matched_pairs(match: Any, people: Any) -> list[MatchedPair]:
    """The matching's assignments as Moodle-id pairs (people without a Moodle id are left out)."""
    by_id = people.by_id()
    out = []
    for a in match.assignments:
        mentor, mentee = by_id.get(a.mentor), by_id.get(a.mentee)
        if mentor is None or mentee is None or mentor.moodle_id is None or mentee.moodle_id is None:
            continue
        out.append(MatchedPair(mentor.moodle_id, mentee.moodle_id, float(a.score), dict(a.terms)))
    return out


def matching_mentee_ids(people: Any) -> set[int]:
    """Moodle ids of the people the matching treats as mentees (a peer mentor only in triads, as a junior)."""
    return {p.moodle_id for p in people.persons if p.moodle_id is not None and p.has_role("mentee")}


def report_job(
    config: Config, *, as_of: date | None = None, site: Any = None, daily_health: bool = False
) -> ReportData:
    """Read Moodle (circles, roster, the matching) and the store (read-only); gather the report.

    ``daily_health``: count pair health on every snapshot day even over a long span (for the
    CSV tables; the page shows one day per week beyond ``WEEKLY_HEALTH_AFTER``).
    """
    from lmsync.service.desire import desired_state
    from lmsync.service.health import circle_pairs, today
    from lmsync.service.observe import observe
    from lmsync.service.runtime import session

    day = as_of or today()
    with session(config, site=site, read_only=True) as (conn, store):
        snapshot = observe(conn.api, config)
        pairs, _skipped = circle_pairs(config.programme.name, snapshot)
        desired = desired_state(snapshot, config)
        current = set(pairs)
        matched = [m for m in matched_pairs(desired.match, desired.people) if (m.mentor_id, m.mentee_id) in current]
        return gather(
            config,
            store,
            as_of=day,
            roster=snapshot.roster,
            pairs=pairs,
            matched=matched,
            daily_health=daily_health,
            mentee_ids=matching_mentee_ids(desired.people),
        )


def write_report(data: ReportData, out: Path, renderer: ReportRenderer, *, fmt: str = "html") -> list[Path]:
    """Write the HTML page (``out`` is a file) or one CSV per table (``out`` is a folder), drawn by ``renderer``.

    Files are made readable by their owner only (they name people). Returns the paths written.
    Raises ValueError for an unknown ``fmt``, and ConfigError (exit 2, naming ``out``) when
    it cannot be written.
    """
    from lmsync.errors import ConfigError

    try:
        if fmt == "html":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(renderer.html_page(data), encoding="utf-8")
            out.chmod(0o600)
            written = [out]
        elif fmt == "csv":
            out.mkdir(parents=True, exist_ok=True)
            written = []
            for name, text in renderer.csv_files(data).items():
                path = out / name
                path.write_text(text, encoding="utf-8")
                path.chmod(0o600)
                written.append(path)
        else:
            raise ValueError(f"unknown report format {fmt!r} (html or csv)")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the report to {out}: {exc.strerror or type(exc).__name__}",
            hint="set [report] path (or --out) to a place lmsync's account can write",
        ) from None
    log.info("report.written", format=fmt, files=len(written))
    return written


#: Why an unattended run wrote no report although ``[report] path`` is set.
NO_RENDERER = "no report renderer given (the caller did not pass lmsync.render.report.renderer())"


def write_configured_report(config: Config, renderer: ReportRenderer | None, *, site: Any = None) -> Path | None:
    """After an unattended run: write the HTML report to ``[report] path`` when one is set.

    With no ``renderer`` nothing is written (logged as ``report.skipped``). Never raises for
    a report problem (the run's own outcome stands); logs it instead. Returns the path written.
    """
    path = config.report.path
    if path is None:
        return None
    if renderer is None:
        log.warning("report.skipped", reason="no_renderer")
        return None
    try:
        write_report(report_job(config, site=site), path, renderer)
    except Exception as exc:  # a report must never fail the run it follows
        log.error("report.failed", error=type(exc).__name__)
        return None
    return path
