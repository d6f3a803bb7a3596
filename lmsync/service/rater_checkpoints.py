"""Figures over mentees' answers about a mentor, checked against an erasure (tester round 77b, 1).

A mentor's mentee-side figures are means over their mentees' answers: ``pair show``'s satisfaction
"mean over 4 mentee(s)", the report's mentor qualities per mentor, the received mean a push publishes
first. Erasing one mentee deletes that mentee's answers, and the same figure over the others gave them
back by difference: 4 x 3.85 - 3 x 3.67 = 4.4, the erased mentee's rating, and all nine of their mentor
qualities. The gradebook keeps its first published value for that reason (``published_grades``); a view
is computed afresh at every look, so it cannot.

So before an erasure deletes anything, ``count_before_erasure`` counts, for every mentor of the programme,
the sittings (one respondent's answers of one day) others gave about them on each instrument mentees
answer, dated on or before that day, and every sitting of each instrument programme-wide (``PROGRAMME``:
the report's programme-wide means gave the erased mentee's rating back to the tenth, 52 x 3.95 - 51 x
3.941) (``store.rater_counts``). Every mentor's, not the erased person's mentor's alone: a row written for
one mentor at an erasure would tie the erased person to them again, which the erasure undid. After it,
``erasure_changes`` counts them again: a figure over answers dated on or before a day whose count now
differs is withheld in every view alike (``ERASURE_WITHHELD``, ``report_withheld``), for good, as late
answers and further erasures never make the difference safe. The recount is over the answers stored when the day
was counted (ids up to the day's mark, ``rater_counts.ANSWERS_UP_TO``; tester round 118b, 6): a count cannot see one
sitting deleted and another added, so a late answer dated before the erasure put a lowered count back and showed the
figure again (4 x before - 3 x after gave the erased mentee's rating back). Answers are only ever deleted after the
mark, so a count the erasure lowered stays lower, and a late answer neither withholds nor puts back anything: a
figure the erasure changed nothing of moves with it as with any answer. A later erasure of the same day re-bases the
day's counts to its own mark (``rebase_day``), so what it deletes of the answers stored since withholds as well. A
day counted before marks existed is recounted over every answer, as before.

Only the instruments the erasure deletes an answer of are counted (tester round 92a, 2): those the erased
person answered, or whose answers name them (``about``), as ``erase_person`` deletes both
(``instruments_naming``). A figure on any other instrument holds nothing of theirs to give back, so a late
answer changes it as any new answer does without an erasure; counting it withheld every figure of the
programme for good after erasing someone who had answered nothing. On an instrument it does count, the
rows are still every mentor's, as above; an erasure that deletes no survey answer counts nothing at all.

The programme-wide count of sittings misses an answer about the erased person (``about``) that another
gave in a sitting they still have: a mentor's answers about each of their mentees on one day are one sitting,
so erasing a mentee deleted their mentor's answers about them and left the mentors' count as it was, while
the report's mentor-side mean moved (4.062 to 4.063; tester round 94a, 2). So each instrument counted is
counted programme-wide a second way too (``SUBJECTS``): one respondent's answers of one day about one person
(or no one), which every deleted answer lowers. A change in it withholds what a change in the ``PROGRAMME``
count does; stores whose erasures were counted before it have no such rows, and keep their checks as they were.

An answer counts for the mentor it names (``about``), else for the respondent's mentor on its date (the
pairing history, the pairs lmsync judged for a pair made by hand, ``PairsByDate`` with the erasures): the
same rule whether counted before or after, so only a change in the answers changes a count.

The programme-wide counts are kept per wave too (tester round 108b, 3): a count up to the erasure's day said
that something changed, not in which wave, so one erasure withheld every wave begun by then of the instrument,
T1 too, where the erased mentee had no part. So each configured wave begun by the erasure's day is counted apart
(``PROGRAMME`` and ``SUBJECTS``, its sittings dated from its start to its end or the erasure's day, whichever
comes first; ``wave_key`` names the row), and ``ErasureChanges.wave_withholds`` withholds a wave whose own count
changed. A wave no erasure counted apart (a store counted before, waves configured since) is judged as before:
withheld when a count up to an erasure's day on or after its start changed.

Every count above is kept a second way too, over scored sittings only (``scored_key``; tester round 116, 1): the
figures count a sitting only when it has a score (``Score.complete``: at least ``min_answered`` of the items
answered): a wave score is the latest *complete* sitting (``score_waves``), ``pair show`` and the report's means are
over totals, the mentor qualities over a relationship's latest sitting when complete. An incomplete sitting was in
no figure, so erasing a mentee whose only sitting was one gave nothing back; yet the all-sittings counts changed and
withheld for good the figures that never held it, the programme's whole mentee evaluation among them. A sitting
here is one respondent's answers of one day on one instrument about one person (or no one), every source together
(the mentor qualities join sources too, and joined answers are complete whenever a part is), judged under today's
``[instruments]`` (an edit of ``min_answered`` since an erasure changes the count, and withholds: the figures moved as
well); an answer no longer valid on the scale counts as answered. The rows are the same (mentor, ``PROGRAMME``,
``SUBJECTS``, each wave) under the instrument's ``scored_key``, so erasing a mentor still deletes theirs
(``rater_counts`` rows go by ``mentor_id``). An instrument whose erasure-day rows include scored ones is judged by
those alone; one with the all-sittings rows only (a store counted before them) is judged by those, as before. And an
erasure of a day that already holds all-sittings rows of an instrument but no scored ones (counted earlier that day
before them) writes no scored rows of it: a count made after that day's first erasure would miss what it deleted.

An erasure that deletes no scored sitting of an instrument (neither the erased person's own nor another's about them)
changed none of its figures, so its scored counts would only ever catch answers no erasure touched: erasing a mentee
whose sittings were all incomplete, then importing another mentee's late answer dated before the erasure, withheld the
programme's figure for good (tester round 118b, 1). Such an instrument gets one scored row only, under the marker
"mentor" ``NOTHING_SCORED`` with a count of 0 that never changes (``scored_deleted`` says which instruments do not):
the day is judged the scored way, as it should be, and finds nothing changed, where its all-sittings rows (which the
erased incomplete sittings changed) would withhold. One row per instrument, never per mentor: it ties no one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from functools import cache

from lmsync.domain.instruments import Instrument
from lmsync.domain.waves import SurveyAnswer
from lmsync.service.feedback_store import feedback_pairs_by_date
from lmsync.service.programme_settings import Settings
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.rater_counts import (
    ANSWERS_UP_TO,
    MARK,
    RaterCounts,
    answer_ids,
    answers_up_to,
    highest_answer_id,
    instruments_naming,
)
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

#: The "mentor" of the programme-wide counts (no Moodle user has id 0, as ``about_id`` 0 is nobody).
PROGRAMME = 0

#: The "mentor" of the programme-wide counts per person answered about (``about``): no Moodle user has a
#: negative id. A change in one withholds the ``PROGRAMME`` figures alike (tester round 94a, 2).
SUBJECTS = -1

#: The "mentor" of the one scored row of an instrument an erasure deleted no scored sitting of, with a count of 0:
#: no Moodle user has a negative id, and no sitting is ever counted for it, so it never changes (tester round 118b, 1).
NOTHING_SCORED = -2

#: After an instrument's name in ``scored_key`` (no instrument name holds it: a TOML key).
_SCORED = "\x1fscored"

#: After an instrument's name in a count of one respondent's own sittings (``respondent_checkpoints``; tester round
#: 117a, 1): judged there, never here.
RESPONDENT = "\x1fby"

#: A wave's window: its first and last day, both counted.
Window = tuple[date, date]

#: Between an instrument's name and a wave's window in ``wave_key`` (no instrument name holds it: a TOML key).
_WAVE = "\x1fwave "


def wave_key(instrument: str, window: Window) -> str:
    """The ``rater_counts`` instrument column of a count of one wave's sittings (tester round 108b, 3)."""
    return f"{instrument}{_WAVE}{window[0].isoformat()}..{window[1].isoformat()}"


def scored_key(instrument: str) -> str:
    """The ``rater_counts`` instrument column of a count of ``instrument``'s scored sittings only (tester round 116, 1);
    a wave's such count is ``wave_key(scored_key(instrument), window)``."""
    return f"{instrument}{_SCORED}"


def _base(key: str) -> tuple[str, bool]:
    """A counted instrument column's instrument (without ``wave_key``'s window) and whether it counts scored sittings."""
    name = key.rsplit(_WAVE, 1)[0]
    return (name[: -len(_SCORED)], True) if name.endswith(_SCORED) else (name, False)


def _wave_of_key(key: str) -> tuple[str, Window] | None:
    """``wave_key``'s instrument and window, None for a plain instrument's name."""
    if _WAVE not in key:
        return None
    name, span = key.rsplit(_WAVE, 1)
    first, last = span.split("..")
    return name, (date.fromisoformat(first), date.fromisoformat(last))


def _in_window(days: list[date], window: Window, on: date) -> int:
    """How many of ``days`` (sorted) fall in ``window`` and on or before ``on``."""
    return max(0, bisect_right(days, min(window[1], on)) - bisect_left(days, window[0]))


#: How every view says a figure is withheld by ``ErasureChanges``: no count, no day (either would say more).
ERASURE_WITHHELD = ("withheld: who answered about this mentor changed after an erasure (a mean now would give "
                    "one person's answers away by difference)")


@dataclass(frozen=True)
class ErasureChanges:
    """(mentor id, instrument) -> the days counted (``rater_counts``) whose count now differs."""

    changed: Mapping[tuple[int, str], tuple[date, ...]] = field(default_factory=dict)
    #: (instrument, erasure day) -> the wave windows (first, last day) counted apart that day (tester round 108b, 3).
    counted_waves: Mapping[tuple[str, date], frozenset[Window]] = field(default_factory=dict)
    #: instrument -> the wave windows whose programme-wide count differs now.
    changed_waves: Mapping[str, frozenset[Window]] = field(default_factory=dict)
    #: The configured waves by name -> window.
    waves: Mapping[str, Window] = field(default_factory=dict)

    def withholds(self, mentor: int, instrument: str, first_day: date | None = None) -> bool:
        """Whether a figure of ``mentor`` on ``instrument`` over answers dated from ``first_day`` on (None:
        any day) may include answers dated on or before a day whose count differs now."""
        days = self.changed.get((mentor, instrument), ())
        return bool(days) and (first_day is None or first_day <= max(days))

    def wave_withholds(self, instrument: str, wave: str, first_day: date | None = None) -> bool:
        """Whether the programme-wide figure of ``instrument`` in ``wave`` (a configured wave's name) may give an
        erased person's answers back: its own count changed, or an erasure that did not count it apart changed the
        instrument's count up to a day on or after its start (tester round 108b, 3). A wave not configured: by
        ``first_day`` (its first day, None: any), as ``withholds``."""
        window = self.waves.get(wave)
        if window is None:
            return self.withholds(PROGRAMME, instrument, first_day)
        if window in self.changed_waves.get(instrument, frozenset()):
            return True
        return any(window[0] <= day and window not in self.counted_waves.get((instrument, day), frozenset())
                   for day in self.changed.get((PROGRAMME, instrument), ()))

    def held(self, instrument: str) -> set[int]:
        """The mentors whose figures on ``instrument`` are withheld whatever their days."""
        return {mentor for (mentor, name), days in self.changed.items()
                if name == instrument and days and mentor != PROGRAMME}


#: One sitting as counted here: (respondent, instrument, day, about) (tester round 116, 1).
_Sitting = tuple[int, str, date, int | None]


def _scored(answers: list[SurveyAnswer], instruments: Mapping[str, Instrument]) -> set[_Sitting]:
    """The sittings of ``answers`` with a score: at least ``Instrument.required`` of the items answered, every source
    together; an answer not valid on the scale counts as answered (tester round 116, 1)."""
    given: dict[_Sitting, set[str]] = defaultdict(set)
    for a in answers:
        instrument = instruments.get(a.instrument)
        if instrument is None or a.item not in instrument.items:
            continue
        try:
            answered = instrument.parse_value(a.item, a.value) is not None
        except ValueError:
            answered = True
        if answered:
            given[(a.respondent_id, a.instrument, a.date, a.about_id)].add(a.item)
    return {key for key, items in given.items()
            if len(items) >= instruments[key[1]].required(len(instruments[key[1]].items))}


def scored_deleted(answers: list[SurveyAnswer], instruments: Mapping[str, Instrument], erasing: int, *,
                   own: bool = True) -> set[str]:
    """The instruments of ``answers`` (the programme's, all of them) on which an erasure of ``erasing`` deletes a
    scored sitting (``_scored``): their own (unless not ``own``), or another's about them (a sitting's answers all
    name the same respondent and person answered about, so the whole sitting goes). Tester round 118b, 1."""
    naming = [a for a in answers if a.about_id == erasing or (own and a.respondent_id == erasing)]
    return {instrument for _who, instrument, _day, _about in _scored(naming, instruments)}


def _answers(store: Store, s: Settings) -> list[SurveyAnswer]:
    """The programme's stored survey answers on the configured instruments."""
    return [a for a in SurveyRepository(store, s.programme).answers() if a.instrument in s.instruments]


def _sittings(store: Store, s: Settings, tz: tzinfo, answers: list[SurveyAnswer] | None = None,
              ) -> tuple[dict[tuple[int, str], list[date]], set[int], set[str]]:
    """(mentor, instrument) -> the days of the sittings others gave about the mentor, sorted (one per respondent
    and day), (``PROGRAMME``, instrument) -> every sitting's day and (``SUBJECTS``, instrument) -> the day of
    each respondent's answers of one day about one person (or no one); the same again of the scored sittings only
    under ``scored_key(instrument)`` (tester round 116, 1); the mentors of the pairs the store knows; the
    instruments mentees answer. Over ``answers`` when given (the programme's answers on configured instruments,
    as ``_answers`` reads them), else read here."""
    names = {name for name, inst in s.instruments.items() if inst.rates_mentor or inst.side in ("mentee", "both")}
    judged = HealthSnapshots(store, s.programme).first_seen()
    by_date = replace(feedback_pairs_by_date(store, s.programme, judged, tz=tz, first_seen=judged), erased=erased_on(store))
    mentors = {p.mentor_id for p in by_date.history} | {mentor for mentor, _mentee in judged}
    on_day = cache(by_date.on)
    found: dict[tuple[int, str], set[tuple[int, date]]] = defaultdict(set)
    subjects: dict[str, set[tuple[int, int | None, date]]] = defaultdict(set)
    answers = _answers(store, s) if answers is None else answers
    scored = _scored(answers, s.instruments)
    for a in answers:
        keys = [a.instrument]
        if (a.respondent_id, a.instrument, a.date, a.about_id) in scored:
            keys.append(scored_key(a.instrument))
        for key in keys:
            found[(PROGRAMME, key)].add((a.respondent_id, a.date))
            subjects[key].add((a.respondent_id, a.about_id, a.date))
        if a.instrument not in names:
            continue
        rated = {a.about_id} if a.about_id is not None else {m for m, e in on_day(a.date) if e == a.respondent_id}
        for mentor in (rated & mentors) - {a.respondent_id}:
            for key in keys:
                found[(mentor, key)].add((a.respondent_id, a.date))
    days = {key: sorted(day for _who, day in sat) for key, sat in found.items()}
    days.update({(SUBJECTS, name): sorted(day for _who, _about, day in sat) for name, sat in subjects.items()})
    return days, mentors, names


def count_before_erasure(store: Store, s: Settings, tz: tzinfo, on: date, *, erasing: int) -> dict[tuple[int, str], int]:
    """(mentor, instrument) -> sittings others gave about them dated on or before ``on``, for every mentor the
    store knows but ``erasing`` (whose rows go) and every instrument mentees answer, zeros too (a late answer
    about a mentor nobody had rated changes their count as well); and (``PROGRAMME``, instrument) -> every
    sitting so dated, for every instrument (the report's programme-wide figures), and (``SUBJECTS``, instrument)
    -> every respondent's answers of a day about one person so dated (tester round 94a, 2). Only the instruments the
    erasure deletes an answer of (``erasing``'s own or one naming them), so nothing when it deletes none
    (tester round 92a, 2: a figure the erasure did not change gives nothing of theirs back). Each count twice: of
    every sitting under the instrument's name, of the scored ones under its ``scored_key`` (tester round 116, 1); an
    instrument the erasure deletes no scored sitting of gets (``NOTHING_SCORED``, its ``scored_key``) -> 0 for the
    scored ones instead (tester round 118b, 1). Read before the erasure deletes anything."""
    deleting = instruments_naming(store, s.programme, erasing) & set(s.instruments)
    if not deleting:
        return {}
    answers = _answers(store, s)
    days, mentors, names = _sittings(store, s, tz, answers)
    scored = scored_deleted(answers, s.instruments, erasing) & deleting
    kinds = [(i, k) for i in sorted(deleting) for k in (i, scored_key(i)) if k == i or i in scored]  # (instrument,
    # counted column): the scored counts only where the erasure deletes a scored sitting (tester round 118b, 1)
    counts = {(m, k): bisect_right(days.get((m, k), []), on)
              for m in sorted(mentors - {erasing}) for i, k in kinds if i in names}
    counts.update({(whole, k): bisect_right(days.get((whole, k), []), on)
                   for whole in (PROGRAMME, SUBJECTS) for _i, k in kinds})
    windows = [(w.start, w.end) for w in s.waves if w.start <= on]  # each wave apart (tester round 108b, 3)
    counts.update({(whole, wave_key(k, w)): _in_window(days.get((whole, k), []), w, on)
                   for whole in (PROGRAMME, SUBJECTS) for _i, k in kinds for w in windows})
    counts.update({(NOTHING_SCORED, scored_key(i)): 0 for i in deleting - scored})  # judged scored, never changes
    counts.update(rebase_day(store, s.programme, on, erasing, answers, lambda key: RESPONDENT not in key,
                             lambda given: _recounter(_sittings(store, s, tz, given)[0], on)))  # tester round 118b, 6
    return counts


#: How a day's rows are recounted over some answers: (mentor, instrument column) -> sittings.
Recount = Callable[[int, str], int]


def _recounter(days: Mapping[tuple[int, str], list[date]], on: date) -> Recount:
    """A recount of ``count_before_erasure``'s rows of the day ``on`` over ``_sittings``' ``days``."""
    def recount(mentor: int, key: str) -> int:
        wave = _wave_of_key(key)
        if wave is not None:
            return _in_window(days.get((mentor, wave[0]), []), wave[1], on)
        return bisect_right(days.get((mentor, key), []), on)
    return recount


def rebase_day(store: Store, programme: str, on: date, erasing: int, answers: list[SurveyAnswer],
               mine: Callable[[str], bool], recounter: Callable[[list[SurveyAnswer]], Recount],
               ) -> dict[tuple[int, str], int]:
    """The rows to record of the erasure day ``on``'s answer mark (``rater_counts.ANSWERS_UP_TO``), read before an
    erasure of ``erasing`` deletes anything: (``ANSWERS_UP_TO``, ``MARK``) -> the highest survey answer id now when
    ``on`` has no rows yet. When an earlier erasure of ``on`` recorded rows and a mark, its rows whose instrument
    column ``mine`` accepts (but ``erasing``'s, which go, and the markers) re-based to that mark moved here: each
    recorded count + its recount (``recounter`` over ``answers``, the programme's) now - its recount now over the
    answers up to the old mark, so the answers stored since are counted too and whatever an erasure of the day
    deleted lowers a count for good (``record_before_erasure`` rewrites them). Nothing for a day counted before
    marks existed (its first counts are kept and judged as before). Tester round 118b, 6."""
    recorded = {(m, k): n for (m, k, day), n in RaterCounts(store, programme).counts().items() if day == on}
    now = {(ANSWERS_UP_TO, MARK): highest_answer_id(store, programme)}
    if not recorded:
        return now
    mark = recorded.get((ANSWERS_UP_TO, MARK))
    if mark is None:
        return {}
    rows = {(m, k): n for (m, k), n in recorded.items()
            if mine(k) and m not in (erasing, ANSWERS_UP_TO, NOTHING_SCORED)}
    if not rows or now[(ANSWERS_UP_TO, MARK)] == mark:
        return {**rows, **now}
    after, before = recounter(answers), recounter(answers_up_to(answers, answer_ids(store, programme), mark))
    return {**{(m, k): n + after(m, k) - before(m, k) for (m, k), n in rows.items()}, **now}


def record_before_erasure(store: Store, programme: str, counts: Mapping[tuple[int, str], int], on: date) -> int:
    """Write ``count_before_erasure``'s counts as of ``on`` (the erasure's day; the first count of a day is kept);
    call inside the erasure's transaction. An instrument whose all-sittings counts of ``on`` are recorded already
    with no scored ones (an erasure earlier that day, counted before them) gets no scored rows: they would be
    counted after that erasure, and judged instead of its rows (tester round 116, 1). Returns how many rows were
    written."""
    repository = RaterCounts(store, programme)
    kinds: dict[str, set[bool]] = defaultdict(set)
    for _mentor, key, day in repository.counts():
        if day == on:
            name, scored = _base(key)
            kinds[name].add(scored)
    late = {name for name, found in kinds.items() if found == {False}}
    marked = (ANSWERS_UP_TO, MARK) in counts and on in repository.marks()
    rewritten = repository.rewrite(counts, on) if marked else 0  # re-based (``rebase_day``; tester round 118b, 6)
    return rewritten + repository.record({(m, k): n for (m, k), n in counts.items()
                                          if not (_base(k)[1] and _base(k)[0] in late)}, on)


def erasure_changes(store: Store, s: Settings, tz: tzinfo) -> ErasureChanges:
    """The counted figures whose answers changed since (``ErasureChanges``); none without an erasure counted.
    A changed ``SUBJECTS`` count is the ``PROGRAMME`` figure's change (tester round 94a, 2). An instrument's counts
    of one erasure day are judged by its scored rows when that day has any, else by its all-sittings rows (tester
    round 116, 1); the ``NOTHING_SCORED`` marker is such a row and never a change (tester round 118b, 1). Reads the
    store only."""
    repository = RaterCounts(store, s.programme)
    recorded = repository.counts()
    if not recorded:
        return ErasureChanges()
    marks, answers = repository.marks(), _answers(store, s)
    ids = answer_ids(store, s.programme) if marks else {}
    by_mark = cache(lambda mark: _sittings(store, s, tz, answers_up_to(answers, ids, mark))[0])
    scored_days = {(_base(key)[0], on) for _mentor, key, on in recorded if _base(key)[1]}
    changed: dict[tuple[int, str], list[date]] = defaultdict(list)
    counted: dict[tuple[str, date], set[Window]] = defaultdict(set)
    changed_waves: dict[str, set[Window]] = defaultdict(set)
    for (mentor, key, on), sittings in recorded.items():
        if RESPONDENT in key or mentor == ANSWERS_UP_TO:
            continue  # a respondent's own count: ``respondent_checkpoints`` judges it (tester round 117a, 1); the mark
        days = by_mark(marks.get(on))  # the answers stored when the day was counted (tester round 118b, 6)
        instrument, scored = _base(key)
        if scored != ((instrument, on) in scored_days) or mentor == NOTHING_SCORED:
            continue  # the other kind judges this instrument's counts of that day (tester round 116, 1); the marker
            # of an erasure that deleted no scored sitting judges it unchanged (tester round 118b, 1)
        wave = _wave_of_key(key)
        if wave is not None:  # one wave's count (tester round 108b, 3)
            column, window = wave
            counted[(instrument, on)].add(window)
            if _in_window(days.get((mentor, column), []), window, on) != sittings:
                changed_waves[instrument].add(window)
        elif bisect_right(days.get((mentor, key), []), on) != sittings:
            changed[(PROGRAMME if mentor == SUBJECTS else mentor, instrument)].append(on)
    return ErasureChanges(
        {key: tuple(sorted(set(on))) for key, on in changed.items()},
        counted_waves={key: frozenset(w) for key, w in counted.items()},
        changed_waves={key: frozenset(w) for key, w in changed_waves.items()},
        waves={w.name: (w.start, w.end) for w in s.waves},
    )
