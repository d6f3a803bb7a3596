"""The programme report's survey tables (issue 14): response, wave means, the evaluation, mentor qualities.

Statistics come from ``lmsync.domain.evaluation`` (scipy.stats). Only people currently in a
pair count: the denominator of a response rate is the current mentors or mentees, as the
instrument's side says. Mentees' ratings of a mentor (``mentor_qualities``) appear only as
each mentor's mean over at least ``[grades] min_mentees_for_mentor_rating`` mentees, and
programme-wide means, per closed wave (``report_qualities``); never one mentee's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lmsync.config import Config
from lmsync.domain.evaluation import describe, paired_change, response_rate
from lmsync.domain.instruments import Instrument, SurveyAnswer, Wave, WaveScore, per_respondent
from lmsync.domain.waves import closed_waves_only, waves_sat
from lmsync.service.labels import People
from lmsync.service.meetings import settings
from lmsync.service.rater_checkpoints import ErasureChanges
from lmsync.service.report_closed import ClosedChanges, response_rows
from lmsync.service.report_closed import evaluation_rows as closed_evaluation_rows
from lmsync.service.report_closed import wave_rows as closed_wave_rows
from lmsync.service.report_differences import kept_apart, with_erased
from lmsync.service.report_model import QUALITIES_INSTRUMENT, Table, round_cell
from lmsync.service.report_qualities import qualities_note, qualities_tables
from lmsync.service.report_withheld import evaluation_rows, wave_rows

#: ``(instrument, wave, respondent) -> total`` of complete scores.
Complete = Mapping[tuple[str, str, int], float]


@dataclass(frozen=True)
class SurveyTables:
    """The report's survey tables (``survey_tables``); ``response`` rows: wave, side, answered, expected, rate;
    ``notes``: what the page's notes add about them (``report_qualities.qualities_note``)."""

    satisfaction: Table
    self_efficacy: Table
    evaluation: Table
    response: Table
    qualities: Table
    mentor_qualities: Table
    notes: tuple[str, ...] = ()


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


def years_of_study(roster: Mapping[int, Any], year_field: str | None) -> dict[int, str]:
    """Moodle id -> year of study, from the profile field ``year_field`` (``[matching.attributes] year``)."""
    year_of: dict[int, str] = {}
    if year_field:
        for uid, user in roster.items():
            value = str((getattr(user, "profile", None) or {}).get(year_field) or "").strip()
            if value:
                year_of[uid] = value
    return year_of


def _wave_summary_table(
    name: str,
    title: str,
    instruments: Mapping[str, Instrument],
    complete: Complete,
    waves: Sequence[Wave],
    eligible: Callable[[Instrument, Wave], set[int]],
    min_cell: int = 1,
    open_waves: Mapping[str, date] | None = None,
    answered: dict[tuple[str, str], frozenset[int]] | None = None,
) -> Table:
    """Per instrument and wave: n, mean, SD, CI and response rate; a wave with fewer than ``min_cell``
    respondents reads "fewer than <min_cell>" with no statistics, as the evaluation does (tester round
    16, 6: a mean, SD and CI over three mentees of one mentor). A wave in ``open_waves`` (name -> the
    last day of its window) reads "open until <day>", no statistics (``closed_waves_only``).
    ``answered``, when given, gets each row's respondents, ``(instrument, wave) -> ids``."""
    rows: list[tuple[Any, ...]] = []
    for inst in instruments.values():
        for wave in waves:
            people = eligible(inst, wave)
            scored = {who: v for (i, w, who), v in complete.items() if i == inst.name and w == wave.name and who in people}
            values = list(scored.values())
            if answered is not None:
                answered[(inst.name, wave.name)] = frozenset(scored)
            if not values:
                continue
            if open_waves and wave.name in open_waves:
                rows.append((inst.name, inst.side, wave.name, f"open until {open_waves[wave.name].isoformat()}",
                             None, None, None, None, round_cell(response_rate(len(values), len(people)))))
                continue
            if len(values) < min_cell:
                rows.append((inst.name, inst.side, wave.name, f"fewer than {min_cell}", None, None, None, None,
                             round_cell(response_rate(len(values), len(people)))))
                continue
            s = describe(values, inst.total_range)
            rows.append(
                (
                    inst.name,
                    inst.side,
                    wave.name,
                    s.n,
                    round_cell(s.mean),
                    round_cell(s.sd),
                    round_cell(s.ci_low),
                    round_cell(s.ci_high),
                    round_cell(response_rate(s.n, len(people))),
                )
            )
    return Table(
        name, title, ("instrument", "side", "wave", "n", "mean", "sd", "ci_low", "ci_high", "response_rate"), tuple(rows)
    )


def complementary(found: Sequence[tuple[str, Any, Any, Any, int]], min_cell: int) -> set[str]:
    """The groups of one evaluation row set to show without statistics: those under ``min_cell``
    paired respondents, and then, while those hidden hold fewer than ``min_cell`` together, the
    smallest year group still shown, since "all" less the years shown gave a hidden group's means
    back (two mentees' mean satisfaction, to 0.01; tester round 25, 3). "all" itself stays."""
    hidden = {group for group, _m, c, _f, _t in found if c.n < min_cell}
    shown = sorted((c.n, group) for group, _m, c, _f, _t in found if group not in hidden and group != "all")
    while hidden and sum(c.n for group, _m, c, _f, _t in found if group in hidden) < min_cell and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def _year_group(year_of: Mapping[int, str], who: int) -> str:
    """The evaluation's group of a person: ``year N``, or ``year not given``."""
    return f"year {year_of[who]}" if who in year_of else "year not given"


def _evaluation_table(
    instruments: Mapping[str, Instrument],
    complete: Complete,
    waves: Sequence[Wave],
    baseline: str | None,
    eligible: Callable[[Instrument, Wave], set[int]],
    year_of: Mapping[int, str],
    min_cell: int = 1,
    open_waves: Mapping[str, date] | None = None,
    paired_of: dict[tuple[str, str, str, str], frozenset[int]] | None = None,
) -> Table:
    """Paired change per instrument, later wave and group; a group with fewer than ``min_cell``
    paired respondents shows "fewer than <min_cell>" for n and no statistics (small-cell suppression).
    A later wave still open (``open_waves``) is left out until it closes (``closed_waves_only``).
    ``paired_of``, when given, gets each row's respondents, ``(instrument, from, to, group) -> ids``."""
    base, later = _later_waves(waves, baseline)
    later = [w for w in later if not (open_waves and (w.name in open_waves or (base and base.name in open_waves)))]
    rows = []
    for inst in instruments.values():
        if base is None:
            break
        # the base wave's response rate over its own people, as the response table has it (tester round 63, 3:
        # over the later wave's people, 48 of 53 beside 48 of 52)
        before_people = eligible(inst, base)
        for wave in later:
            people = eligible(inst, wave)  # the later wave's people: a closed wave's stay as they were
            groups: dict[str, set[int]] = {"all": people}
            for who in sorted(people):
                groups.setdefault(_year_group(year_of, who), set()).add(who)
            found = []
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
                if paired_of is not None:
                    paired_of[(inst.name, base.name, wave.name, group)] = frozenset(paired)
                before = [complete[(inst.name, base.name, who)] for who in paired]
                after = [complete[(inst.name, wave.name, who)] for who in paired]
                members_from = (before_people if group == "all"
                                else {who for who in before_people if _year_group(year_of, who) == group})
                answered_from = sum(1 for who in members_from if (inst.name, base.name, who) in complete)
                answered_to = sum(1 for who in members if (inst.name, wave.name, who) in complete)
                found.append((group, members, paired_change(before, after, inst.total_range),
                              (answered_from, len(members_from)), answered_to))
            hidden = complementary(found, min_cell)
            for group, members, c, (answered_from, asked_from), answered_to in found:
                rates = (round_cell(response_rate(answered_from, asked_from)),
                         round_cell(response_rate(answered_to, len(members))))
                if group in hidden:
                    n = f"fewer than {min_cell}" if c.n < min_cell else "withheld (with a smaller group)"
                    # mean before/after/change, CI, d_z, Wilcoxon W and p
                    rows.append((inst.name, base.name, wave.name, group, n, *([None] * 8), *rates))
                    continue
                rows.append(
                    (
                        inst.name,
                        base.name,
                        wave.name,
                        group,
                        c.n,
                        round_cell(c.mean_before),
                        round_cell(c.mean_after),
                        round_cell(c.mean),
                        round_cell(c.ci_low),
                        round_cell(c.ci_high),
                        round_cell(c.d_z),
                        round_cell(c.wilcoxon_w),
                        round_cell(c.wilcoxon_p, 4),
                        *rates,
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


def _response_table(
    instruments: Mapping[str, Instrument],
    complete: Complete,
    waves: Sequence[Wave],
    side_of: Callable[[str, Wave], set[int]],
    opened: Collection[str] = (),
    fed: Collection[str] = (),
) -> Table:
    """Response per wave and side: people of the side with a complete score of any of its instruments
    in use (with scores, or ``fed``: read from a Feedback activity).

    A wave in ``opened`` (configured, started by the report's day) has its row with no answer yet, 0 of
    the side's people, for each side an instrument in use asks: left out, an open wave nobody had
    answered looked like no wave at all (tester round 50, second pass, 7). Once anyone answered in a
    wave, a side nobody of which answered in it was not asked, as health's survey rounds hold it: a
    mentee-only baseline showed "0% (0 of 12) mentors" once mentors answered a later wave (tester
    round 61, 3)."""
    in_use = {i for i, _w, _p in complete} | set(fed)
    rows = []
    for wave in waves:
        groups = {side: side_of(side, wave) for side in ("mentee", "mentor")}
        respondents = {who for (_i, w, who) in complete if w == wave.name}
        sides_answered = {side for side, group in groups.items() if respondents & group}
        for side, group in groups.items():
            asked = {i.name for i in instruments.values() if i.side in (side, "both") and i.name in in_use}
            if not asked or not group:
                continue
            answered = {who for (i, w, who) in complete if w == wave.name and who in group and i in asked}
            if answered or (wave.name in opened and not sides_answered):
                rate = round_cell(response_rate(len(answered), len(group)))
                rows.append((wave.name, f"{side}s", len(answered), len(group), rate))
    return Table(
        "survey_response",
        "Survey response rate per wave",
        ("wave", "side", "answered", "expected", "rate"),
        tuple(rows),
    )


def survey_tables(
    config: Config,
    scores: Iterable[WaveScore],
    quality_answers: Sequence[SurveyAnswer],
    pairs: Sequence[tuple[int, int]],
    roster: Mapping[int, Any],
    people: People,
    *,
    pairs_on: Callable[[date], set[tuple[int, int]]] | None = None,
    as_of: date | None = None,
    changes: ErasureChanges | None = None,
    waves: Sequence[Wave] | None = None,
    after_close: ClosedChanges | None = None,
) -> SurveyTables:
    """The survey tables over the current ``(mentor, mentee)`` ``pairs`` (sorted, distinct).

    Relationship satisfaction: ``[health] satisfaction_instruments``; self-efficacy: the other
    instruments with ``track_change`` that do not rate a mentor; the evaluation: all of those
    plus every other instrument with scores except ``mentor_qualities``, overall and per year
    of study, suppressing groups under ``[report] min_cell``. A figure over answers that
    ``changes`` says changed after an erasure is withheld (``report_withheld``; tester round 77b, 1).
    ``waves``: the windows to count (``closed_windows.held_waves``: a closed wave's as it closed; tester round
    123a, 1); default: ``[waves]``'. ``after_close``: the sittings removed or changed since their wave closed, whose
    figures read ``report_closed.CLOSED_WITHHELD`` (tester round 128, 1 and 2).
    """
    s = settings(config)
    configured = tuple(waves) if waves is not None else s.waves
    changes = changes or ErasureChanges()
    after_close = after_close or ClosedChanges()
    scores = list(scores)  # read twice below
    complete = _complete(scores)
    # no [waves] configured (a store read on its own, the demo's played term): the waves its scores name
    waves = list(configured) or list(waves_sat((score.wave, score.date) for score in scores))
    open_waves = closed_waves_only(configured, as_of)  # configured windows only: sat waves have no window
    closed = {w.name: w.end for w in configured if as_of is not None and w.end < as_of}  # as closed_waves_only
    sides: dict[tuple[date, date] | None, tuple[set[int], set[int]]] = {}

    def side_of(side: str, wave: Wave) -> set[int]:
        """The people of ``side`` a wave counts: a closed configured wave's, those paired on its last day,
        so its figures stay as they were when people leave or join later (a report made after someone left
        less one made before gave that person's scores back; tester round 51b, 2), and on its middle day, as
        health asks a pair for a wave's answer only then (tester round 63, 2: a mentee paired four days
        before the wave closed was a non-respondent); else ``pairs``."""
        end = closed.get(wave.name) if pairs_on is not None else None
        key = None if end is None else (wave.middle, end)
        if key not in sides:
            if key is None or pairs_on is None:
                sides[key] = ({m for m, _ in pairs}, {e for _, e in pairs})
            else:
                middle, last = pairs_on(key[0]), pairs_on(key[1])
                sides[key] = ({m for m, _ in last} & {m for m, _ in middle}, {e for _, e in last} & {e for _, e in middle})
        return _side_people(side, *sides[key])

    def eligible(inst: Instrument, wave: Wave) -> set[int]:
        return side_of(inst.side, wave)

    year_of = years_of_study(roster, config.matching.attributes.year)
    instruments = s.instruments
    with_scores = {i for i, _w, _p in complete}
    sat_names = [n for n in config.health.satisfaction_instruments if n in instruments and n in with_scores]
    answered: dict[tuple[str, str], frozenset[int]] = {}
    paired: dict[tuple[str, str, str, str], frozenset[int]] = {}
    satisfaction = _wave_summary_table(
        "relationship_satisfaction",
        "Relationship satisfaction per wave, both sides",
        {n: instruments[n] for n in sat_names},
        complete,
        waves,
        eligible,
        config.report.min_cell,
        open_waves,
        answered,
    )
    tracked = {
        n: i
        for n, i in instruments.items()
        if i.track_change and not i.rates_mentor and n in with_scores and n not in sat_names
    }
    self_efficacy = _wave_summary_table(
        "self_efficacy", "Self-efficacy across waves", tracked, complete, waves, eligible, config.report.min_cell,
        open_waves, answered,
    )
    others = {
        n: i
        for n, i in instruments.items()
        if n in with_scores and n not in tracked and n not in sat_names and n != QUALITIES_INSTRUMENT
    }
    evaluated = {**tracked, **{n: instruments[n] for n in sat_names}, **others}
    evaluation = _evaluation_table(
        evaluated, complete, waves, s.baseline, eligible, year_of, min_cell=config.report.min_cell, open_waves=open_waves,
        paired_of=paired,
    )
    # per closed wave, over its answers and fixed group: a wave still open waits for its last day (tester round 51c,
    # 2), and a first-time rater between two reports gave their ratings back by difference (round 122b, 2)
    closed_waves = [w for w in configured if w.name not in open_waves]
    qualities, mentor_qualities = qualities_tables(
        quality_answers, instruments.get(QUALITIES_INSTRUMENT), closed_waves,
        pairs_on or (lambda _day: set(pairs)), s.grades.min_mentees_for_mentor_rating, people, changes,
        min_cell=config.report.min_cell, after_close=after_close,
    )
    said = qualities_note(configured, closed_waves, {a.date for a in quality_answers if a.instrument == QUALITIES_INSTRUMENT})
    starts = {w.name: w.start for w in configured}
    # no wave mean and evaluation row that give answers back together (tester round 120a, 1), every instrument's
    # (round 121a, 9: self-efficacy's too); judged before an erasure withholds any, so a figure withheld only for an
    # erasure counts as shown, as earlier reports showed it, and what it kept back stays so (round 121a, 2)
    order, m = [w.name for w in waves], config.report.min_cell
    answered = with_erased(answered, lambda i, w: changes.wave_withholds(i, w, starts.get(w))
                           or after_close.wave_withholds(i, w))  # shown before, as an erasure's (tester round 128, 1)
    satisfaction, evaluation = kept_apart(satisfaction, evaluation, answered, paired, sat_names, order, m)
    rest = [n for n in evaluated if n not in sat_names]
    self_efficacy, evaluation = kept_apart(self_efficacy, evaluation, answered, paired, rest, order, m)
    return SurveyTables(
        satisfaction=closed_wave_rows(wave_rows(satisfaction, changes, starts), after_close),
        self_efficacy=closed_wave_rows(wave_rows(self_efficacy, changes, starts), after_close),
        evaluation=closed_evaluation_rows(evaluation_rows(evaluation, changes, starts), after_close),
        response=response_rows(_response_table(
            instruments, complete, waves, side_of, opened={w.name for w in configured if as_of is not None and w.start <= as_of},
            fed={n for n, section in s.instrument_sections.items() if section.feedback}), after_close, instruments),
        qualities=qualities,
        mentor_qualities=mentor_qualities,
        notes=(said,) if said else (),
    )
