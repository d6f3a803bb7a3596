"""A person's own survey grades, checked against an erasure (tester round 117a, 1).

A person's own grade on an instrument (``<grade_name>-<wave>``, and its ``-change-`` beside a baseline) is the
mean of their latest complete scores of the wave, one per person they answered about (``per_respondent``): a
mentor's mean over their answers about each of their mentees. Erasing a mentee deletes their mentor's answers
about them (``erase_person`` deletes answers naming the erased person), so the next push wrote that mentor's mean
over the rest: 4 x 3.4 - 3 x 3.53 = 3.0, the mentor's deleted rating of the erased mentee, given back by
difference. Erasing a mentor does the same to a mentee's mean over answers about several mentors.
``rater_checkpoints`` counts the answers *about* each mentor and programme-wide; this counts each respondent's own.

So before an erasure deletes anything, ``count_respondents`` counts, for every respondent (but the erased person)
of each instrument the erasure deletes an answer of, their scored sittings (one respondent's answers of one day
about one person, or no one, with a score: ``rater_checkpoints._scored``) in each wave begun by that day, up to
it. The rows go to ``rater_counts`` beside the others: the respondent's id as ``mentor_id`` (erasing the
respondent deletes them), the column ``respondent_key`` (``wave_key`` of the instrument's name and
``rater_checkpoints.RESPONDENT``), never a value nor whom the answers were about. Only respondents with a
sitting counted: one with none held nothing of anyone's. After it, ``respondent_changes`` counts again; a
respondent whose count of a wave differs now has their own grade of that wave (and a change since the baseline
that uses it) kept as the gradebook holds it, and none written when none was published (``frozen_grades``; the
grades plan names each: ``grades_held``), for good, as a late answer and a further erasure never make the
difference safe. As in ``rater_checkpoints``, the recount is over the answers stored when the day was counted (its
mark; tester round 118b, 6): a late answer neither freezes a grade nor thaws one. An erasure counted before this
existed has no such rows: its grades are judged as before.

Only the instruments the erasure deletes another's scored sitting about the erased person of are counted
(``rater_checkpoints.scored_deleted``; tester round 118b, 1): a grade is over one's own scored sittings alone, so
erasing someone about whom every sitting was incomplete changed no one else's grade, and counting that instrument
froze a mentor's own grade when their late sitting about another mentee, dated before the erasure, was imported. Per instrument, never per
respondent: rows for those who answered about the erased person alone would tie them to that person again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import date
from functools import cache

from lmsync.domain.waves import SurveyAnswer, ordered_waves
from lmsync.service.programme_settings import Settings
from lmsync.service.rater_checkpoints import (
    RESPONDENT,
    Window,
    _in_window,
    _scored,
    _wave_of_key,
    rebase_day,
    scored_deleted,
    wave_key,
)
from lmsync.store.db import Store
from lmsync.store.rater_counts import RaterCounts, answer_ids, answers_up_to, instruments_naming
from lmsync.store.surveys import SurveyRepository

#: (respondent's Moodle id, instrument, configured wave name) whose own figure an erasure changed.
Changed = tuple[int, str, str]


def respondent_key(instrument: str, window: Window) -> str:
    """The ``rater_counts`` column of one respondent's scored sittings on ``instrument`` in the wave ``window``."""
    return wave_key(f"{instrument}{RESPONDENT}", window)


def _days(store: Store, s: Settings, instruments: Collection[str], answers: list[SurveyAnswer] | None = None,
          ) -> dict[tuple[int, str], list[date]]:
    """(respondent, instrument) -> the days of their scored sittings, sorted (one per person answered about); over
    ``answers`` when given (the programme's), else read here."""
    if answers is None:
        answers = SurveyRepository(store, s.programme).answers()
    answers = [a for a in answers if a.instrument in instruments]
    days: dict[tuple[int, str], list[date]] = defaultdict(list)
    for respondent, instrument, day, _about in _scored(answers, s.instruments):
        days[(respondent, instrument)].append(day)
    return {key: sorted(found) for key, found in days.items()}


def count_respondents(store: Store, s: Settings, on: date, *, erasing: int) -> dict[tuple[int, str], int]:
    """(respondent id, ``respondent_key``) -> their scored sittings in that wave up to ``on`` (the erasure's day),
    for every respondent but ``erasing`` with one, on each instrument the erasure of ``erasing`` deletes another's
    scored sitting about them of (tester round 118b, 1), for each wave begun by ``on``. Empty when it deletes none. Read
    before the erasure deletes anything; the result goes to ``rater_checkpoints.record_before_erasure`` with the
    other counts. Tester round 117a, 1."""
    deleting = instruments_naming(store, s.programme, erasing) & set(s.instruments)
    if not deleting:
        return {}
    answers = SurveyRepository(store, s.programme).answers()
    rebased = rebase_day(store, s.programme, on, erasing, answers, lambda key: RESPONDENT in key,
                         lambda given: _recounter(_days(store, s, set(s.instruments), given), on))  # 118b, 6
    deleting &= scored_deleted(answers, s.instruments, erasing, own=False)  # others' own grades: about them only
    windows = [(w.start, w.end) for w in s.waves if w.start <= on]
    counts: Counter[tuple[int, str]] = Counter()
    for (respondent, instrument), days in _days(store, s, deleting, answers).items():
        if respondent == erasing:
            continue
        for window in windows:
            if n := _in_window(days, window, on):
                counts[(respondent, respondent_key(instrument, window))] = n
    return {**counts, **rebased}


def _recounter(days: Mapping[tuple[int, str], list[date]], on: date) -> Callable[[int, str], int]:
    """A recount of ``count_respondents``' rows of the day ``on`` over ``_days``' ``days`` (tester round 118b, 6)."""
    def recount(who: int, key: str) -> int:
        wave = _wave_of_key(key)
        if wave is None:
            return 0
        column, window = wave
        return _in_window(days.get((who, column.removesuffix(RESPONDENT)), []), window, on)
    return recount


def respondent_changes(store: Store, s: Settings) -> set[Changed]:
    """The (respondent, instrument, wave) whose scored sittings counted at an erasure (``count_respondents``)
    differ now: every configured wave whose window meets the counted one (a window moved since is judged by
    the configured waves it overlaps). Empty without such rows. Reads the store only. Tester round 117a, 1."""
    recorded = [(who, key, on, n) for (who, key, on), n in RaterCounts(store, s.programme).counts().items()
                if RESPONDENT in key]
    if not recorded:
        return set()
    repository = RaterCounts(store, s.programme)
    marks, answers = repository.marks(), SurveyRepository(store, s.programme).answers()
    ids = answer_ids(store, s.programme) if marks else {}
    by_mark = cache(lambda mark: _days(store, s, set(s.instruments), answers_up_to(answers, ids, mark)))
    out: set[Changed] = set()
    for who, key, on, n in recorded:
        days = by_mark(marks.get(on))  # the answers stored when the day was counted (tester round 118b, 6)
        wave = _wave_of_key(key)
        if wave is None:
            continue
        column, window = wave
        instrument = column.removesuffix(RESPONDENT)
        if _in_window(days.get((who, instrument), []), window, on) == n:
            continue
        out.update((who, instrument, w.name) for w in s.waves if w.start <= window[1] and window[0] <= w.end)
    return out


def frozen_grades(s: Settings, changed: Collection[Changed], published: Mapping[str, object]) -> set[tuple[str, int]]:
    """(metric key, person) of the grades ``changed`` makes untouchable: a person's own ``<grade_name>-<wave>`` of a
    changed wave, and their ``<grade_name>-change-<wave>`` when either it or the baseline wave changed; only keys
    of ``published`` (the metric specs). Received means are left to ``received_release``. Tester round 117a, 1."""
    waves = ordered_waves(s.waves)
    base = s.baseline or (waves[0].name if waves else None)
    out: set[tuple[str, int]] = set()
    for who, instrument, wave in changed:
        inst = s.instruments.get(instrument)
        if inst is None or not inst.grade_name:
            continue
        keys = [f"{inst.grade_name}-{wave}"]
        if wave == base:
            keys += [f"{inst.grade_name}-change-{w.name}" for w in waves]
        else:
            keys.append(f"{inst.grade_name}-change-{wave}")
        out.update((key, who) for key in keys if key in published)
    return out
