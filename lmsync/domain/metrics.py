"""The programme's figures per person, ready to become grade items.

Each metric has a stable key (``attendance``, ``selfefficacy-T3``, ...), a range and a
privacy flag. Meeting metrics count each pair's meetings against the expected cadence;
survey metrics come from wave scores. A mentee's rating of their mentor is sensitive: by
default it is published **only** as a per-mentor mean over at least N rating mentees
(``received`` metrics), once the wave's window has closed, and then never changed
(``lmsync.domain.received_release``); the alternative, a hidden per-mentee item, is weaker on a default
Moodle because non-editing teachers (the usual mentor role) hold moodle/grade:viewhidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from lmsync.domain.instruments import Instrument, Wave, WaveScore, ordered_waves, per_respondent
from lmsync.domain.meetings import Meeting, dedupe_across_sources
from lmsync.domain.rated_mentor import ratings_by_mentor

MenteeRatingPolicy = Literal["aggregate_only", "hidden"]


@dataclass(frozen=True)
class MetricSpec:
    """What a grade item for this metric must look like (range and visibility)."""

    key: str
    grademin: float
    grademax: float
    hidden: bool = False
    description: str = ""


@dataclass(frozen=True)
class MetricValue:
    """One person's value of one metric (``key`` as in :class:`MetricSpec`), in the metric's range."""

    key: str
    user_id: int
    value: float


# --- meetings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    """One person's meetings in the period; ``expected`` counts one meeting per pair per cadence."""

    user_id: int
    held: int
    expected: int
    mean_minutes: float | None
    last: date | None

    @property
    def rate(self) -> float | None:
        if self.expected <= 0:
            return None
        return min(100.0, 100.0 * self.held / self.expected)

    def comment(self) -> str:
        """Short feedback text, e.g. ``3 of 4 meetings, last 12 Oct``; more held than expected is ``5 meetings
        (4 expected so far), ...``: "2 of 1 meetings" read as a mistake to a student (tester round 61, 7)."""
        text = (f"{self.held} of {self.expected} meetings" if self.held <= self.expected
                else f"{self.held} meetings ({self.expected} expected so far)")
        if self.last is not None:
            text += f", last {self.last.day} {self.last.strftime('%b')}"
        return text


def summarise_attendance(
    meetings: Iterable[Meeting],
    pairs: Iterable[tuple[int, int]],
    *,
    cadence_days: int,
    start: date | None,
    as_of: date,
    pair_starts: Mapping[tuple[int, int], date] | None = None,
    spans: Mapping[tuple[int, int], Sequence[tuple[date, date | None]]] | None = None,
    first_day: date | None = None,
    graded: Collection[int] | None = None,
    one_to_one: bool = False,
) -> dict[int, AttendanceSummary]:
    """Summaries for every mentor and mentee in ``pairs`` (mentor_id, mentee_id), and for the
    ``graded`` people of the other pairs in ``spans``.

    A pair's period runs from ``start`` (the programme start) to ``as_of``; from the pair's own
    start instead (``pair_starts``: the day lmsync paired them) when there is no programme start,
    or when lmsync paired them after it and no meeting of theirs predates that day: a mentee paired
    or re-matched mid-term is not expected to have met before (tester round 12, 3: "0 of 6
    meetings" on the day they were paired), while a pair that met before lmsync first paired them
    (an established programme) counts from the programme start. A pair with neither expects and
    counts nothing. Never from the earliest meeting: a mistyped year would stretch every period
    back to it (new admin, part 2, point 2).
    ``spans``: the pairing history's days of each pair it holds, oldest first (first day, end day or
    None; ``first_day`` the history's first day). Such a pair has a period per span, from its first
    day to its end (its meetings counted on the end day too, the day of a move), and the rule of
    the established programme applies only to a pair there on the history's first day: a mentee who
    moved away and back was expected to meet their mentor while with another, and a meeting dated
    before a re-matched pair began stretched its period back to the programme start (tester round
    58, 1 and 2). A pair of ``spans`` that is not in ``pairs`` (it ended: a mentee moved to another
    mentor, or left with no mentor) still counts for its people in ``graded`` (default: those of
    ``pairs``): a student's meetings count across a change of mentor (tester rounds 52, 3; 58, 3).
    Expected meetings per period = its whole cadence periods (none in the first: nobody is late
    yet). A mentee's figures add up their pairs; a mentor's add up their mentees, except
    ``held``-days: a circle meeting on one date with several mentees is one meeting for the mentor
    (its minutes counted once, the longest reported); with ``one_to_one`` (``[meetings] one_to_one``) each
    meeting is the mentor's own and every one's minutes count (tester round 90a, 6: two one-to-one meetings of a
    day were one, the longest, in the mentor's mean minutes). Meetings of people outside these pairs or
    outside the periods are ignored.
    """
    if cadence_days < 1:
        raise ValueError("cadence_days must be at least 1")
    current = set(pairs)
    known = pair_starts or {}
    held_spans = {pair: list(found) for pair, found in (spans or {}).items() if found}
    for pair in current & held_spans.keys():  # shown by Moodle today: it lasts until today
        if all(end is not None for _, end in held_spans[pair]):
            held_spans[pair][-1] = (held_spans[pair][-1][0], None)
    pair_set = current | {pair for pair, found in held_spans.items() if all(end is not None for _, end in found)}
    unique = dedupe_across_sources(meetings)
    first_met: dict[tuple[int, int], date] = {}
    for m in unique:
        key = (m.mentor_id, m.mentee_id)
        if key not in first_met or m.date < first_met[key]:
            first_met[key] = m.date

    def periods_of(pair: tuple[int, int]) -> list[tuple[date, date]]:
        """(first day, last day counted), both inclusive."""
        if pair not in held_spans:
            since = _period_start(start, known.get(pair), first_met.get(pair))
            return [] if since is None else [(since, as_of)]
        out = []
        for k, (lo, end) in enumerate(held_spans[pair]):
            if k == 0 and lo == first_day:  # there when lmsync first recorded the programme
                lo = _period_start(start, lo, first_met.get(pair)) or lo
            out.append((lo, as_of if end is None else min(as_of, end)))
        return out

    periods = {pair: periods_of(pair) for pair in pair_set}
    # the days of all of a pair's periods, then the cadence: one floor per period lost a meeting at each break
    # ("6 meetings (4 expected so far)" beside 6 for pairs never apart, after a week apart; tester round 87a, 7e)
    expected = {pair: sum(max(0, (hi - lo).days) for lo, hi in found) // cadence_days for pair, found in periods.items()}

    def in_period(m: Meeting) -> bool:
        return any(lo <= m.date <= hi for lo, hi in periods.get((m.mentor_id, m.mentee_id), ()))

    attended = [m for m in unique if m.attended and in_period(m)]
    mentee_meetings: dict[int, list[Meeting]] = defaultdict(list)
    mentor_days: dict[int, dict[date, int]] = defaultdict(dict)
    for m in attended:
        mentee_meetings[m.mentee_id].append(m)
        days = mentor_days[m.mentor_id]
        days[m.date] = max(days.get(m.date, 0), m.minutes)
    pairs_of: dict[int, int] = defaultdict(int)  # expected meetings over a person's pairs
    for mentor, mentee in pair_set:
        pairs_of[mentor] += expected[(mentor, mentee)]
        pairs_of[mentee] += expected[(mentor, mentee)]
    result: dict[int, AttendanceSummary] = {}
    shown = {person for pair in current for person in pair} | set(graded or ())
    mentees = {mentee for _, mentee in pair_set if mentee in shown}
    mentors = {mentor for mentor, _ in pair_set if mentor in shown}
    for person in mentees:
        own = mentee_meetings.get(person, [])
        result[person] = AttendanceSummary(
            user_id=person,
            held=len(own),
            expected=pairs_of[person],
            mean_minutes=_mean([m.minutes for m in own]),
            last=max((m.date for m in own), default=None),
        )
    for person in mentors:
        pair_meetings = sum(1 for m in attended if m.mentor_id == person)
        days = mentor_days.get(person, {})
        minutes = [m.minutes for m in attended if m.mentor_id == person] if one_to_one else list(days.values())
        summary = AttendanceSummary(
            user_id=person,
            held=pair_meetings,
            expected=pairs_of[person],
            mean_minutes=_mean(minutes),
            last=max(days, default=None),
        )
        if person in result:  # a peer mentor who is also a mentee: keep both sides' counts
            mine = result[person]
            summary = AttendanceSummary(
                person,
                mine.held + summary.held,
                pairs_of[person],  # already both sides' (each side's summary holds it whole)
                _mean([x for x in (mine.mean_minutes, summary.mean_minutes) if x is not None]),
                max((d for d in (mine.last, summary.last) if d is not None), default=None),
            )
        result[person] = summary
    return result


def _period_start(start: date | None, paired: date | None, first_met: date | None) -> date | None:
    """Where a pair's attendance period starts (``summarise_attendance``)."""
    if start is None or paired is None:
        return start or paired
    if paired > start and (first_met is None or first_met >= paired):
        return paired
    return start


def _mean(values: list[float] | list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def meeting_metric_specs(*, max_meetings: int, max_minutes: int) -> dict[str, MetricSpec]:
    return {
        "attendance": MetricSpec("attendance", 0, 100, description="% of expected meetings held"),
        "meetings": MetricSpec("meetings", 0, max_meetings, description="meetings held"),
        "minutes": MetricSpec("minutes", 0, max_minutes, description="mean meeting minutes"),
    }


def meeting_metrics(summaries: Mapping[int, AttendanceSummary]) -> list[MetricValue]:
    """attendance (0-100), meetings (count, capped only by validation), minutes (mean)."""
    values: list[MetricValue] = []
    for user_id, s in sorted(summaries.items()):
        if s.rate is not None:
            values.append(MetricValue("attendance", user_id, round(s.rate, 2)))
        if s.expected > 0 or s.held > 0:
            values.append(MetricValue("meetings", user_id, float(s.held)))
        if s.mean_minutes is not None:
            values.append(MetricValue("minutes", user_id, round(s.mean_minutes, 2)))
    return values


# --- surveys --------------------------------------------------------------------------------


def survey_metric_specs(
    instruments: Iterable[Instrument],
    waves: Iterable[Wave],
    *,
    baseline: str | None = None,
    mentee_ratings: MenteeRatingPolicy = "aggregate_only",
) -> dict[str, MetricSpec]:
    """Specs for every graded instrument x wave (+ ``received`` and ``change`` variants)."""
    wave_list = ordered_waves(waves)
    base = baseline or (wave_list[0].name if wave_list else None)
    specs: dict[str, MetricSpec] = {}
    for inst in instruments:
        if not inst.grade_name:
            continue
        low, high = inst.total_range
        for wave in wave_list:
            key = f"{inst.grade_name}-{wave.name}"
            if not inst.rates_mentor or mentee_ratings == "hidden":
                specs[key] = MetricSpec(
                    key, low, high, hidden=inst.rates_mentor, description=f"{inst.name} {wave.name}"
                )
            if inst.rates_mentor:
                rkey = f"{inst.grade_name}-received-{wave.name}"
                # hidden from the mentor it is about, as the README and every export say (tester round 94a, 1: a
                # peer mentor read their mentees' mean verdict of them in their own grades); coordinators see it
                specs[rkey] = MetricSpec(
                    rkey, low, high, hidden=True, description=f"mean {inst.name} of the mentor's mentees, {wave.name}"
                )
            if (
                inst.track_change
                and (not inst.rates_mentor or mentee_ratings == "hidden")
                and base is not None
                and wave.name != base
                and wave.start > _start_of(wave_list, base)
            ):
                # A change in a mentee's rating of their mentor is still that rating:
                # same policy as the rating itself (hidden, or not published per mentee).
                ckey = f"{inst.grade_name}-change-{wave.name}"
                specs[ckey] = MetricSpec(
                    ckey,
                    low - high,
                    high - low,
                    hidden=inst.rates_mentor,
                    description=f"{inst.name} {wave.name} minus {base}",
                )
    return specs


def _start_of(waves: tuple[Wave, ...], name: str) -> date:
    for w in waves:
        if w.name == name:
            return w.start
    raise ValueError(f"baseline wave {name!r} is not declared")


def survey_metrics(
    scores: Iterable[WaveScore],
    instruments: Mapping[str, Instrument],
    pairs: Iterable[tuple[int, int]],
    waves: Iterable[Wave],
    *,
    min_mentees: int,
    baseline: str | None = None,
    mentee_ratings: MenteeRatingPolicy = "aggregate_only",
    pairs_on: Callable[[date], set[tuple[int, int]]] | None = None,
    ever: Collection[tuple[int, int]] | None = None,
) -> list[MetricValue]:
    """Per-person wave scores, per-mentor aggregates of mentee ratings, change since baseline.

    A mentor's ``received`` value is the mean of their mentees' complete scores in that wave,
    published only when at least ``min_mentees`` of them answered; with fewer, nothing is
    written (a mean of one or two ratings would identify the raters). Without ``pairs_on`` the
    mentees are those of ``pairs``; with it (the pairs of a day, the pairing history:
    ``lmsync.domain.pair_dates.PairsByDate.on``) an answer counts for the mentor who was the
    respondent's mentor on the answer's date, as a logged meeting does: after a re-match the new
    mentor is not credited with a rating of the old one (tester round 6, 4), and the old one keeps
    it (tester round 61, 1). An answer naming its mentor (``about``) counts for that mentor only, when
    its author was ever their mentee (``ever``, default ``pairs``): ``lmsync.domain.rated_mentor``, the
    rule ``pair show`` follows too (tester round 87a, 1). ``scores`` may hold one score per relationship
    (``score_waves``); a per-person value merges them (``per_respondent``).
    """
    if min_mentees < 1:
        raise ValueError("min_mentees must be at least 1")
    wave_list = ordered_waves(waves)
    base = baseline or (wave_list[0].name if wave_list else None)
    declared = {w.name for w in wave_list}
    pair_set = set(pairs)
    values: list[MetricValue] = []
    scores = [s for s in scores if s.instrument in instruments]
    # one per person (a mentor's ratings of several mentees merged); the received means keep each relationship
    complete = [s for s in per_respondent(scores) if s.score.total is not None]
    by_key = {(s.respondent_id, s.instrument, s.wave): s.score.total for s in complete}
    for s in complete:
        inst = instruments[s.instrument]
        if not inst.grade_name:
            continue
        total = float(s.score.total)  # type: ignore[arg-type]
        per_person = not inst.rates_mentor or mentee_ratings == "hidden"
        if per_person:
            values.append(MetricValue(f"{inst.grade_name}-{s.wave}", s.respondent_id, round(total, 2)))
        # an answer of a wave no longer configured has no change to give: its metric is no longer
        # configured either, kept as it is (tester round 37, 1: a traceback on every grades plan)
        if inst.track_change and per_person and base is not None and s.wave != base and s.wave in declared:
            before = by_key.get((s.respondent_id, s.instrument, base))
            if before is not None and _start_of(wave_list, s.wave) > _start_of(wave_list, base):
                values.append(
                    MetricValue(
                        f"{inst.grade_name}-change-{s.wave}", s.respondent_id, round(total - before, 2)
                    )
                )
    # with ``pairs_on``, the mentor of the answer's day, whoever the mentee is with now: a mentee
    # re-matched before the wave closed took their low verdict out of the mean (tester round 61, 1)
    rating = [s for s in scores if s.score.total is not None and instruments[s.instrument].rates_mentor
              and instruments[s.instrument].grade_name]
    by_mentor = ratings_by_mentor(rating, pairs_on=pairs_on or (lambda _day: pair_set),
                                  ever=pair_set if ever is None else ever)
    for (instrument, wave, mentor), by_mentee in sorted(by_mentor.items()):
        if len(by_mentee) >= min_mentees:
            totals = [float(s.score.total) for s in by_mentee.values()]  # type: ignore[arg-type]
            key = f"{instruments[instrument].grade_name}-received-{wave}"
            values.append(MetricValue(key, mentor, round(math.fsum(totals) / len(totals), 2)))
    return sorted(values, key=lambda v: (v.key, v.user_id))
