"""The report's mentor-qualities tables, per closed survey wave (tester round 122b, 2; round 121a, 1).

Mentees' ratings of a mentor (``mentor_qualities``) appear only as each mentor's mean over at least
``[grades] min_mentees_for_mentor_rating`` mentees, and programme-wide means; never one mentee's answer.
Worked out from each mentee's latest answers whatever their day, the tables moved whenever a mentee rated their
mentor for the first time or again: a mentor's row went from "3 mentees, 4" to "4 mentees, 3.25", and
4 x 3.25 - 3 x 4 = 1 gave all nine of the new mentee's ratings back to the mentor, who knows who joined their circle.
So they are per closed wave, as the gradebook's received means (per mentor and wave, once the window closed) and the
report's wave figures are: a configured wave's rows appear from the day after the last day of its window
(``waves.closed_waves_only``), over the answers dated inside that window, and over the wave's fixed group, the
mentees paired with the mentor on both its middle and its last day (``wave_group``, as the wave figures count a
closed wave's people). Answers outside every window count in no figure; with no ``[waves]`` configured, or none
closed yet, both tables are empty and the page's notes say why (``qualities_note``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from statistics import fmean
from typing import Any

from lmsync.domain.instruments import Instrument, SurveyAnswer, Wave
from lmsync.service.labels import People
from lmsync.service.rater_checkpoints import ErasureChanges
from lmsync.service.report_closed import CLOSED_WITHHELD, ClosedChanges
from lmsync.service.report_model import Table, round_cell
from lmsync.service.report_quality_items import item_scores
from lmsync.service.report_withheld import WITHHELD

#: The page's note while no wave's mentor qualities can be shown (tester round 122b, 2).
QUALITIES_NOTE = ("Mentor qualities are shown per closed survey wave ([waves] windows), from the day after the "
                  "window's last day, so that two reports never differ by one mentee's answers: {why}.")

#: Added to the programme table's title when its rows leave out mentors not shown (tester round 88a, 5).
SHOWN_ONLY = ", over the mentors shown only"

#: The pairs of a day: ``(mentor, mentee)`` Moodle ids (``PairsByDate.on``).
PairsOn = Callable[[date], set[tuple[int, int]]]


def wave_group(wave: Wave, pairs_on: PairsOn) -> frozenset[tuple[int, int]]:
    """A closed wave's fixed group: the ``(mentor, mentee)`` pairs of both its middle day (``Wave.middle``) and its
    last day, as the report's wave figures count a closed wave's people (tester rounds 51b, 2 and 63, 2)."""
    return frozenset(pairs_on(wave.middle) & pairs_on(wave.end))


def qualities_note(waves: Sequence[Wave], closed: Sequence[Wave], answered: Collection[date]) -> str | None:
    """The page's note on the mentor qualities not shown (``QUALITIES_NOTE``), or None when nothing is waiting.

    ``waves``: the configured waves; ``closed``: those closed by the report's day; ``answered``: the days of the
    stored answers of the instrument (none: no note). It says that no ``[waves]`` windows are configured, which waves
    holding answers are still open and the day their rows appear, or that answers fall outside every window (tester
    round 122b, 2)."""
    if not answered:
        return None
    if not waves:
        return QUALITIES_NOTE.format(why="no [waves] windows are configured, so none is shown")
    said = [f"{w.name}'s appear from {(w.end + timedelta(days=1)).isoformat()}" for w in waves
            if w not in closed and any(w.holds(day) for day in answered)]
    if any(not any(w.holds(day) for w in waves) for day in answered):
        said.append("answers dated outside every window count in none")
    return QUALITIES_NOTE.format(why="; ".join(said)) if said else None


@dataclass(frozen=True)
class _Wave:
    """One closed wave's rows, before they join the tables."""

    overall: list[tuple[Any, ...]]
    per_mentor: list[tuple[Any, ...]]
    shown_only: bool


def _sittings(
    answers: Sequence[SurveyAnswer], instrument: Instrument, wave: Wave, on_day: PairsOn,
    group: Collection[tuple[int, int]],
) -> dict[int, dict[int, dict[str, float]]]:
    """mentor -> mentee -> item -> value: each (mentee, mentor) relationship's latest sitting dated inside ``wave``
    with at least the instrument's required items, the mentor named (``about``) or the mentee's mentor on the answer's
    date, counting only the pairs of ``group``."""
    sittings: dict[tuple[int, int], tuple[date, dict[str, float]]] = {}
    for a in answers:
        if a.instrument != instrument.name or not wave.holds(a.date):
            continue
        try:
            value = instrument.parse_value(a.item, a.value)
        except ValueError:
            continue
        if a.about_id is not None:
            rated = {a.about_id}
        else:
            rated = {m for m, e in on_day(a.date) if e == a.respondent_id}
        for mentor in rated:
            if (mentor, a.respondent_id) not in group:
                continue
            key = (a.respondent_id, mentor)
            day, values = sittings.get(key, (date.min, {}))
            if a.date > day:
                day, values = a.date, {}
            if a.date == day and value is not None:
                values[a.item] = value
            sittings[key] = (day, values)
    by_mentor: dict[int, dict[int, dict[str, float]]] = defaultdict(dict)
    for (mentee, mentor), (_day, values) in sittings.items():
        if len(values) >= instrument.required(len(instrument.items)):
            by_mentor[mentor][mentee] = values
    return by_mentor


def _wave_rows(
    by_mentor: dict[int, dict[int, dict[str, float]]], items: Sequence[str], min_mentees: int, people: People,
    withheld: Collection[int], min_cell: int,
) -> _Wave:
    """One wave's programme rows (``quality, mentees, mean``) and per-mentor rows (``mentor, mentees, items...``)."""
    shown_only = False
    hidden = {m for m, ratings in by_mentor.items() if len(ratings) < min_mentees and m not in withheld}
    counted = dict(by_mentor)
    if 0 < len({mentee for m in hidden for mentee in by_mentor[m]}) < min_cell:  # would be given back by difference
        counted = {m: ratings for m, ratings in by_mentor.items() if m not in hidden}
        shown_only = True
    raters = {mentee for ratings in counted.values() for mentee in ratings}
    overall: list[tuple[Any, ...]] = []
    if raters and len(raters) >= min_mentees:
        for item in items:
            scores, partial = item_scores(counted, item, min_mentees, min_cell, withheld)
            shown_only = shown_only or partial
            if len(scores) < min_cell:
                overall.append((item, f"fewer than {min_cell}", None))
            else:
                overall.append((item, len(scores), round_cell(fmean(scores), 2)))
    per_mentor: list[tuple[Any, ...]] = []
    for mentor, ratings in sorted(by_mentor.items(), key=lambda kv: people.label(kv[0])):
        if mentor in withheld:
            per_mentor.append((people.label(mentor), WITHHELD, *([None] * len(items))))
            continue
        if len(ratings) < min_mentees:
            continue
        means = []
        for item in items:
            given = [v[item] for v in ratings.values() if item in v]
            means.append(round_cell(fmean(given), 2) if len(given) >= min_mentees else None)
        per_mentor.append((people.label(mentor), len(ratings), *means))
    return _Wave(overall, per_mentor, shown_only)


def qualities_tables(
    answers: Sequence[SurveyAnswer],
    instrument: Instrument | None,
    closed: Sequence[Wave],
    pairs_on: PairsOn,
    min_mentees: int,
    people: People,
    changes: ErasureChanges | None = None,
    *,
    min_cell: int = 1,
    after_close: ClosedChanges | None = None,
) -> tuple[Table, Table]:
    """The programme's means per closed wave and quality (``mentor_qualities_overall``: wave, quality, mentees, mean)
    and each mentor's means per closed wave over at least ``min_mentees`` mentees (``mentor_qualities_per_mentor``:
    wave, mentor, mentees, then one column per item), rows by wave (``closed``' order), then as before.

    ``closed``: the configured waves whose window has closed by the report's day (``closed_waves_only``); each is
    counted over the answers dated inside its window and the pairs of ``wave_group`` (``pairs_on``: the pairs of a
    day), each relationship's latest sitting there with at least the instrument's required items (tester round
    122b, 2). An answer naming no mentor rates the respondent's mentor on its date: after a re-match the new mentor is
    not credited with a rating of the old one (as grades: tester round 6, 4). Per wave, as before:
    a mentor whose figures over the wave's answers an erasure changed (``ErasureChanges.withholds`` from the wave's
    first day; ``rater_checkpoints``) has a row with neither count nor means, ``WITHHELD``: the row over the others
    gave all nine of an erased mentee's answers back by difference (tester round 77b, 1); the programme rows follow
    ``min_cell`` (a quality over fewer raters reads "fewer than <min_cell>", no mean), and the answers of mentors not
    shown (under ``min_mentees``) count in them only while their raters together are at least ``min_cell``, else they
    are over the mentors shown only and the title says so (tester round 88a, 5); each quality alike: a shown mentor's
    quality rated by fewer than ``min_mentees`` (``item_scores``; round 120a, 1). A wave whose programme-wide count
    an erasure changed (``ErasureChanges.wave_withholds``) has its programme rows ``WITHHELD``. A sitting the wave
    counted that was removed or changed after it closed (``after_close``; tester round 128, 1) withholds the wave's programme
    rows and the row of the mentor it rated alike (``CLOSED_WITHHELD``)."""
    items = instrument.items if instrument is not None else ()
    title = "Mentor qualities, programme mean"
    overall_columns = ("wave", "quality", "mentees", "mean")
    per_mentor = Table("mentor_qualities_per_mentor", "Mentor qualities per mentor", ("wave", "mentor", "mentees", *items))
    if instrument is None or not closed:
        return Table("mentor_qualities_overall", title, overall_columns), per_mentor
    changes = changes or ErasureChanges()
    after_close = after_close or ClosedChanges()
    on_day = cache(pairs_on)
    held = changes.held(instrument.name)
    overall_rows: list[tuple[Any, ...]] = []
    mentor_rows: list[tuple[Any, ...]] = []
    shown_only: list[str] = []
    for wave in closed:
        withheld = {m for m in held if changes.withholds(m, instrument.name, wave.start)}
        moved = after_close.mentors(instrument.name, wave.name, on_day) - withheld  # an erasure's reason first
        by_mentor = _sittings(answers, instrument, wave, on_day, wave_group(wave, on_day))
        rows = _wave_rows(by_mentor, items, min_mentees, people, withheld | moved, min_cell)
        erased = changes.wave_withholds(instrument.name, wave.name, wave.start)
        why = WITHHELD if erased else CLOSED_WITHHELD if after_close.wave_withholds(instrument.name, wave.name) else None
        overall_rows += [(wave.name, row[0], why, None) if why else (wave.name, *row) for row in rows.overall]
        moved_labels = {people.label(m) for m in moved}
        mentor_rows += [(wave.name, row[0], CLOSED_WITHHELD, *row[2:]) if row[0] in moved_labels else (wave.name, *row)
                        for row in rows.per_mentor]
        if rows.shown_only and rows.overall:
            shown_only.append(wave.name)
    waves_with_rows = list(dict.fromkeys(row[0] for row in overall_rows))
    if shown_only:
        title += SHOWN_ONLY if shown_only == waves_with_rows else f"{SHOWN_ONLY} in {', '.join(shown_only)}"
    return (
        Table("mentor_qualities_overall", title, overall_columns, tuple(overall_rows)),
        Table(per_mentor.name, per_mentor.title, per_mentor.columns, tuple(mentor_rows)),
    )

