"""A pair's evidence as plain values, and how stored scores and answers become it.

Everything a health rule may read about one pair (mentor, mentee):

* ``meetings``: dated, with minutes, attended or missed, and a 1-5 rating when one was given,
  with the side that gave it (``Meeting.rated_by``; ``None``: not known);
* ``satisfaction``: each side's relationship-satisfaction level per wave (0 = bottom of the
  scale, 1 = top), *about this relationship*: a mentor's answer that names another mentee
  is not evidence about this pair (issue 11);
* ``self_efficacy``: the mentee's self-efficacy level per wave (same 0..1 scale);
* ``forum``: the circle's activity in its forum space (posts, replies, last post day);
* ``check_ins``: "is the mentee's need met?" answers, dated.

No I/O: the service reads the store and Moodle and hands these in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from lmsync.domain.instruments import Instrument, SurveyAnswer, Wave, WaveScore
from lmsync.domain.meetings import Meeting

Side = Literal["mentor", "mentee"]


@dataclass(frozen=True)
class SatisfactionPoint:
    """One side's sitting of a satisfaction instrument in one wave.

    ``level`` is the score as a share of the scale (0..1), ``None`` when too few items were
    answered to score or the answer cannot be told to be about this pair. ``complete``: this side
    sat the survey in full in this wave (any of its counted sittings was scored); an incomplete
    sitting is not an answer, as in the report's response rate (tester round 115b, 1: health
    judged a mentee who answered 3 of 5 items ``ok`` while the report counted them unanswered).
    """

    side: Side
    wave: str
    date: date
    level: float | None
    complete: bool = True


@dataclass(frozen=True)
class EfficacyPoint:
    """The mentee's self-efficacy in one wave, as a share of the instrument's scale (0..1)."""

    wave: str
    date: date
    level: float


@dataclass(frozen=True)
class ForumActivity:
    """The circle's own activity in the programme forum (lmsync's welcome posts not counted).

    ``posts``: discussions people opened; ``replies``: replies in the circle's discussions;
    ``last_post``: the day of the latest post by a person, ``None`` when there was none.
    """

    posts: int = 0
    replies: int = 0
    last_post: date | None = None


@dataclass(frozen=True)
class CheckIn:
    """A dated answer to "is the mentee's need met?" (``True``: met)."""

    date: date
    need_met: bool


@dataclass(frozen=True)
class SurveyRound:
    """A closed wave and the sides that were surveyed in it (someone on that side answered)."""

    wave: str
    end: date
    sides: frozenset[Side]
    start: date | None = None  # the wave's first day (None: only its end is known)

    def halfway(self) -> date:
        """The wave's middle day (its end when its start is unknown): a pair made after it had too little of the
        window to be expected to answer (tester round 61, 2: a pair of 1 to 5 days was "unanswered")."""
        return self.end if self.start is None else self.start + (self.end - self.start) // 2


@dataclass(frozen=True)
class PairEvidence:
    """Everything known about one pair. ``paired_since`` is when the pair started: the day lmsync
    paired them, or the programme's start for a pair lmsync found already paired; a meeting
    logged earlier moves it back (the rules do that) only for a pair with no ``spans``: one lmsync
    paired began that day (tester round 97a, 4)."""

    mentor_id: int
    mentee_id: int
    paired_since: date
    meetings: tuple[Meeting, ...] = ()
    satisfaction: tuple[SatisfactionPoint, ...] = ()
    self_efficacy: tuple[EfficacyPoint, ...] = ()
    forum: ForumActivity | None = None
    check_ins: tuple[CheckIn, ...] = ()
    #: the pair's spans in lmsync's pairing history (``PairsByDate.spans``): a silence is judged over
    #: the days it existed only (``pair_dates.days_apart``; tester rounds 52, 2 and 54, 1); empty: it
    #: existed throughout
    spans: tuple[tuple[date, date | None], ...] = ()
    #: the days its mentee was away while their place in the circle was held (first day, the day a sync found them
    #: back or None: still recorded; ``MemberAbsences.days_away``): left out of a silence as a break's days are
    #: (``pair_dates.days_apart``; tester round 104a, 8)
    away: tuple[tuple[date, date | None], ...] = ()


# --- from stored values to evidence ----------------------------------------------------------------


def level(instrument: Instrument, total: float | None) -> float | None:
    """A score as a share of the instrument's range (0 bottom, 1 top)."""
    if total is None:
        return None
    low, high = instrument.total_range
    return min(1.0, max(0.0, (total - low) / (high - low)))


def respondent_side(instrument: Instrument, respondent_id: int, mentor_ids: Iterable[int]) -> Side:
    if instrument.side in ("mentor", "mentee"):
        return instrument.side
    return "mentor" if respondent_id in set(mentor_ids) else "mentee"


def satisfaction_points(
    scores: Iterable[WaveScore],
    instruments: Mapping[str, Instrument],
    mentor_id: int,
    mentee_id: int,
    *,
    mentor_mentees: int = 1,
) -> tuple[SatisfactionPoint, ...]:
    """The pair's sittings of the satisfaction ``instruments``, each from its own side only.

    A mentee's answers to a mentor-side form (or the reverse) are not about this pair and
    are left out; so is an answer naming another relationship (``about_id``, issue 11). When
    a side answered both in general and about this relationship in one wave, the answer about
    this relationship wins. A mentor's answer naming no mentee while they mentor
    ``mentor_mentees`` > 1 (a Moodle Feedback form has no ``about``) is not judged as if it were
    about each of them (issue 13): it shows that the mentor answered, with no level
    (``unassigned_mentor_scores`` counts them; tester round 4, 9). A point is ``complete`` when any
    counted sitting of its side and wave was (tester round 115b, 1).
    """
    best: dict[tuple[Side, str], tuple[bool, WaveScore, Instrument]] = {}
    complete: set[tuple[Side, str]] = set()
    for s in scores:
        instrument = instruments.get(s.instrument)
        if instrument is None:
            continue
        if s.respondent_id == mentor_id and instrument.side in ("mentor", "both"):
            side: Side = "mentor"
            other = mentee_id
        elif s.respondent_id == mentee_id and instrument.side in ("mentee", "both"):
            side = "mentee"
            other = mentor_id
        else:
            continue
        if s.about_id not in (None, other):
            continue  # about another of the respondent's relationships
        specific = s.about_id is not None
        key = (side, s.wave)
        if s.score.complete:
            complete.add(key)
        held = best.get(key)
        if held is None or (specific, s.date) > (held[0], held[1].date):
            best[key] = (specific, s, instrument)
    out = [
        SatisfactionPoint(
            side, s.wave, s.date, None if side == "mentor" and not specific and mentor_mentees > 1
            else level(instrument, s.score.total), (side, wave) in complete,
        )
        for (side, wave), (specific, s, instrument) in best.items()
    ]
    return tuple(sorted(out, key=lambda p: (p.date, p.side, p.wave)))


def unassigned_mentor_scores(
    scores: Iterable[WaveScore], instruments: Mapping[str, Instrument], mentees_of: Mapping[int, int]
) -> int:
    """How many of the satisfaction ``instruments``' scores are a mentor's that name no mentee while
    the mentor has several (``mentees_of``: current mentees per mentor): left out of every pair's
    judgement by ``satisfaction_points`` (tester round 4, 9)."""
    return sum(
        1
        for s in scores
        if s.about_id is None
        and mentees_of.get(s.respondent_id, 0) > 1
        and (instrument := instruments.get(s.instrument)) is not None
        and instrument.side in ("mentor", "both")
    )


def efficacy_points(
    scores: Iterable[WaveScore], instruments: Mapping[str, Instrument], mentee_id: int
) -> tuple[EfficacyPoint, ...]:
    """The mentee's scored self-efficacy sittings (instruments in ``instruments``), oldest first."""
    out = []
    for s in scores:
        instrument = instruments.get(s.instrument)
        if instrument is None or s.respondent_id != mentee_id:
            continue
        value = level(instrument, s.score.total)
        if value is not None:
            out.append(EfficacyPoint(s.wave, s.date, value))
    return tuple(sorted(out, key=lambda p: (p.date, p.wave)))


def check_ins(
    answers: Iterable[SurveyAnswer], instrument: Instrument, item: str, mentor_id: int, mentee_id: int
) -> tuple[CheckIn, ...]:
    """The pair's answers to the need-met ``item``: the mentee's own (general or about this mentor)
    or the mentor's about this mentee. The top of the item's scale means "met"; a blank or
    N/A answer says nothing."""
    out = []
    for a in answers:
        if a.instrument != instrument.name or a.item != item:
            continue
        mine = (a.respondent_id == mentee_id and a.about_id in (None, mentor_id)) or (
            a.respondent_id == mentor_id and a.about_id == mentee_id
        )
        if not mine:
            continue
        try:
            value = instrument.parse_value(item, a.value)
        except ValueError:
            continue
        if value is not None:
            out.append(CheckIn(a.date, value >= instrument.scale_max))
    return tuple(sorted(out, key=lambda c: (c.date, c.need_met)))


def survey_rounds(
    scores: Iterable[WaveScore],
    instruments: Mapping[str, Instrument],
    waves: Iterable[Wave],
    mentor_ids: Iterable[int],
    *,
    as_of: date,
) -> tuple[SurveyRound, ...]:
    """Closed waves with the sides anyone answered in: a side nobody answered was not surveyed."""
    mentors = set(mentor_ids)
    sides: dict[str, set[Side]] = defaultdict(set)
    for s in scores:
        instrument = instruments.get(s.instrument)
        if instrument is not None:
            sides[s.wave].add(respondent_side(instrument, s.respondent_id, mentors))
    return tuple(
        SurveyRound(w.name, w.end, frozenset(sides.get(w.name, set())), w.start)
        for w in sorted(waves, key=lambda w: w.end)
        if w.end < as_of
    )


def meetings_by_pair(meetings: Iterable[Meeting]) -> dict[tuple[int, int], tuple[Meeting, ...]]:
    grouped: dict[tuple[int, int], list[Meeting]] = defaultdict(list)
    for m in meetings:
        grouped[(m.mentor_id, m.mentee_id)].append(m)
    return {k: tuple(v) for k, v in grouped.items()}
