"""Which pairs existed on a given day: the pairing history, else the current pairs.

A meeting logged in the Feedback activity belongs to the pair of its date, so a re-match
never re-attributes an earlier meeting to the new mentor (``meeting_log.meetings_by_attempt``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from lmsync.domain.pair_key import PairKey
from lmsync.domain.pair_moved_back import moved_back


@dataclass(frozen=True)
class DatedPair(PairKey):
    """A pair from the pairing history: it existed on ``start`` (inclusive) up to ``end``
    (exclusive; ``None`` = still open), both local dates."""

    start: date
    end: date | None


@dataclass(frozen=True)
class PairsByDate:
    """The pairs of each date: the pairing history where it covers the date, else the current pairs.

    A date on or after the history's first day is covered: the pairs open that day, plus the
    current pairs the history has no row for at all (made before the history was kept). An
    earlier date (answers older than the history: an established programme, a baseline wave)
    gets each mentee's first recorded pair, not today's: after a re-match, today's pairs credited
    the new mentor with ratings of the old one, judged a pair made today by its predecessor's
    answers and gave it the old circle's meeting log (tester rounds 14, 3 and 15, 1 and 2). The
    history is in the order it was written (``PairingHistory.history``). No history: the current pairs.
    """

    history: tuple[DatedPair, ...]
    current: tuple[tuple[int, int], ...]
    #: Current pairs the history never names (made by hand in Moodle) and the day the store first
    #: saw each, when it was already judging the programme: such a pair did not exist before that
    #: day. Without it, a mentee moved by hand carried their answers about the mentor they left
    #: into the new mentor's figures (tester rounds 41, 1 and 42, 2).
    appeared: Mapping[tuple[int, int], date] = field(default_factory=dict)
    #: Moodle id -> the day they were erased (``store.erasures``): a pair holding them did not exist on or
    #: before that day, so an answer naming no one, dated then, rates no one of theirs. Left empty for
    #: meetings (a meeting naming them is withheld as theirs); set for survey answers, whose mentee's
    #: ratings of an erased mentor were still credited to them through their circle (tester round 77b, 2).
    erased: Mapping[int, date] = field(default_factory=dict)

    def on(self, day: date) -> set[tuple[int, int]]:
        return {pair for pair in self._on(day) if not self._erased_then(pair, day)}

    def _on(self, day: date) -> set[tuple[int, int]]:
        spans, first_day, first = self._index
        if first_day is None:
            return {p for p in self.current if not self._before_it_appeared(p, day)}
        if day < first_day:  # each mentee's first recorded pair, and the current pairs the history never names
            return set(first.values()) | {(m, e) for m, e in self.current
                                          if (m, e) not in spans and e not in first and not self._before_it_appeared((m, e), day)}
        pairs = {(m, e) for m, e in self.current if (m, e) not in spans and not self._before_it_appeared((m, e), day)}
        pairs.update(
            (p.mentor_id, p.mentee_id) for p in self.history if p.start <= day and (p.end is None or day < p.end)
        )
        return pairs

    def _erased_then(self, pair: tuple[int, int], day: date) -> bool:
        """Whether someone of ``pair`` was erased on or after ``day`` (``erased``)."""
        return bool(self.erased) and any(p in self.erased and day <= self.erased[p] for p in pair)

    def holds(self, pair: tuple[int, int], day: date) -> bool:
        """Whether ``pair`` existed on ``day`` (``pair in self.on(day)``, without building the day's set:
        health asks this for every score of every pair; issue 13, 2,500 pairs in under 2 s)."""
        spans, first_day, first = self._index
        if (pair not in spans and self._before_it_appeared(pair, day)) or self._erased_then(pair, day):
            return False
        if first_day is None:
            return pair in self._current
        if pair not in spans:
            return pair in self._current and pair[1] not in first if day < first_day else pair in self._current
        if day < first_day:
            return first.get(pair[1]) == pair
        return any(start <= day and (end is None or day < end) for start, end in spans[pair])

    def spans(self, pair: tuple[int, int]) -> tuple[tuple[date, date | None], ...]:
        """``pair``'s spans in the history, oldest first: (first day, the day it ended or None)."""
        return tuple(sorted(self._index[0].get(pair, []), key=lambda span: span[0]))

    def counted_from(self, pair: tuple[int, int], start: date | None) -> date | None:
        """The first day a meeting of ``pair`` counts for it in health: the first day of its first span when lmsync made
        it after the history began; for a pair there on the history's first day (an established programme's, which
        may have met before lmsync came) ``start`` (``[meetings] start``, else the programme start), or None; None too
        when the history never names the pair: every day counts. Tester round 90a, 1: a meeting mistyped nine months
        before its pair was made was the pair's last meeting to health: "no meeting for 272 days", fading, and both
        people nudged. With no ``start``, a pair there on the history's first day counts from that day too, as the
        grades (``summarise_attendance``) and ``not_a_pair_on`` have it: a meeting ``meetings add`` said "no grade
        counts" moved the pair's start back to it, and health called a pair made that day silent for 34 days
        (tester round 95a, 6)."""
        spans = self.spans(pair)
        if not spans:
            return None
        made, first_day = spans[0][0], self._index[1]
        return min(start, made) if start is not None and made == first_day else made

    def judged_spans(
        self, pair: tuple[int, int], closed: Iterable[date], as_of: date
    ) -> tuple[tuple[tuple[date, date | None], ...], date | None]:
        """``pair``'s spans health judges on ``as_of`` and the day the pair was made anew (None: it was not): made
        again after a coordinator's closure (``after_closure``, ``closed``: the closures' days) or moved back after
        its mentee's pairing with another mentor (``pair_moved_back.moved_back``; tester round 113, 2), the later."""
        spans, closure = after_closure(self.spans(pair), closed, as_of)
        spans, back = moved_back(spans, [start for mentor, start in self._mentee_starts.get(pair[1], ())
                                         if mentor != pair[0]], as_of)
        return spans, back or closure

    @cached_property
    def _mentee_starts(self) -> dict[int, list[tuple[int, date]]]:
        """Mentee -> (mentor, first day) of each of their pairings in the history."""
        out: dict[int, list[tuple[int, date]]] = {}
        for p in self.history:
            out.setdefault(p.mentee_id, []).append((p.mentor_id, p.start))
        return out

    @property
    def begins(self) -> date | None:
        """The history's first day (None: no history). ``lmsync health --as-of`` an earlier day judges no pair:
        lmsync paired nobody before it, and the pairs of that day were each mentee's first recorded pair, dated
        from that day (tester round 95a, 3: a pair made and ended on the history's first day was
        "at risk" on a day eleven days earlier, ``paired_since`` that day)."""
        return self._index[1]

    def _before_it_appeared(self, pair: tuple[int, int], day: date) -> bool:
        seen = self.appeared.get(pair)
        return seen is not None and day < seen

    @cached_property
    def _current(self) -> frozenset[tuple[int, int]]:
        return frozenset(self.current)

    @cached_property
    def _index(self) -> tuple[dict[tuple[int, int], list[tuple[date, date | None]]], date | None, dict[int, tuple[int, int]]]:
        """Each pair's spans, the history's first day, and each mentee's first recorded pair (their rows in
        the order written: a pair closed the day it was recorded still comes first)."""
        spans: dict[tuple[int, int], list[tuple[date, date | None]]] = {}
        first: dict[int, tuple[int, int]] = {}
        for p in self.history:
            spans.setdefault((p.mentor_id, p.mentee_id), []).append((p.start, p.end))
            first.setdefault(p.mentee_id, (p.mentor_id, p.mentee_id))
        return spans, min((p.start for p in self.history), default=None), first


def days_apart(
    spans: Sequence[tuple[date, date | None]], start: date, end: date,
    away: Sequence[tuple[date, date | None]] = (),
) -> int:
    """Days in ``[start, end)`` on which a pair with these ``spans`` (``PairsByDate.spans``: oldest first) did not exist:
    its mentee away (enrolment suspended or ended) or moved, after its first span began (days before the
    history are the pair's, as everywhere). Health judges a silence over the days the pair existed only:
    the days away made a pair back from a break fading on the day it returned, and a pair taken out and
    put back by hand (or away one day) started afresh with a new grace (tester rounds 52, 2 and 54, 1).
    ``away``: the days its mentee was away while their place was held (first day, the day a sync found them no
    longer away or None: still recorded; ``MemberAbsences.days_away``): the pair was kept, but those days are
    apart too (tester round 104a, 8: back from three weeks' suspension, a pair was at risk for the silence while
    its mentee was away). No spans: the pair existed from ``start`` on, but for ``away``. Raises nothing."""
    if not spans and not away:
        return 0
    begin = max(start, spans[0][0]) if spans else start
    if begin >= end:
        return 0
    kept = _merged([(max(first, begin), min(last or end, end)) for first, last in (spans or [(begin, None)])])
    gone = _merged([(max(first, begin), min(last or end, end)) for first, last in away])
    together = sum((hi - lo).days for lo, hi in kept)
    together -= sum(max(0, (min(hi, b) - max(lo, a)).days) for lo, hi in kept for a, b in gone)
    return (end - begin).days - together


def _merged(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """``spans`` ([first day, end) each, possibly empty or overlapping) as disjoint non-empty spans, oldest first."""
    out: list[tuple[date, date]] = []
    for lo, hi in sorted(span for span in spans if span[1] > span[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def after_closure(
    spans: Sequence[tuple[date, date | None]], closed: Iterable[date], as_of: date
) -> tuple[tuple[tuple[date, date | None], ...], date | None]:
    """The spans (``PairsByDate.spans``: oldest first, programme days) of the pairing current on ``as_of``, and the
    day it began when a coordinator's closure ended an earlier one (else None, ``spans`` unchanged). ``closed``:
    the days a coordinator closed the pair's queue items (``queue done --outcome closed``). README: "A closure ends
    the pairing it closed: made again on a later day (a pin, or the mentee moved back by hand), the pair is a new
    one": its spans start with the first one that begins after the latest closure before it, on or before
    ``as_of``. Health counted the closed pairing's start, its meetings and the days apart in between: made again a
    week after its closure, a pair read "no meeting since pairing 45 days ago, 7 of them apart" (tester round 97a,
    1). A pair made again the closure's own day is the pairing the closure ended (``ended_by_coordinator``)."""
    cut = max((day for day in closed if any(day < first <= as_of for first, _ in spans)), default=None)
    if cut is None:
        return tuple(spans), None
    kept = tuple(span for span in spans if span[0] > cut)
    return kept, kept[0][0]


def not_a_pair_on(
    history: Sequence[DatedPair], pair: tuple[int, int], day: date, *, start: date | None = None,
    away: tuple[date, date] | None = None,
) -> str | None:
    """How a meeting of ``pair`` dated ``day`` falls outside the days the pairing history says the pair
    existed (its end day, the day of a move, counts as the pair's): ``before the pair began (D)``,
    ``after the pair ended (D)`` or ``while they were apart (D to D)``; ``None`` when a span covers
    it, or when the history never names the pair. A day before the history's first day is the pair's
    only as the grades count it (``summarise_attendance``): for a pair there on that first day (an
    established programme's), from ``start`` (the day meetings count from: ``[meetings] start``, else
    ``[waves] programme_start``) on; with no start, or for a pair lmsync made later, its period begins
    the day lmsync paired them (tester round 74, 7: a meeting a month before the pairs were made was
    stored without a word). Such a meeting counts in no grade; imports and ``meetings add`` keep it
    and say so (tester rounds 21, 12; 57, 6; 58, 5). ``away``: the mentor's hold now (``away_mentors.hold_windows``:
    the day a sync found them away, the hold's last day); a day in it reads ``while its mentor is away ...``, not as
    a pair that ended (tester round 86b, 8: the circle is held as it is, and the mentor may well be back)."""
    # an open span (end None) sorts after a closed one of its first day: a pair closed and reopened the same day (a
    # broken enrolment read put right within the day) made the sort compare None with a date (tester round 93b, 3)
    spans = sorted(((p.start, p.end) for p in history if (p.mentor_id, p.mentee_id) == pair),
                   key=lambda span: (span[0], span[1] or date.max))
    if not spans or any(lo <= day and (end is None or day <= end) for lo, end in spans):
        return None
    if away is not None and away[0] <= day and day > spans[0][0]:
        return (f"while its mentor is away (since {away[0].isoformat()}; their circle is held as it is until "
                f"{away[1].isoformat()}, and the pair's days start again when they are back)")
    if day < spans[0][0]:
        first_day = min(p.start for p in history)
        established = spans[0][0] == first_day and start is not None and start <= day < first_day
        return None if established else f"before the pair began ({spans[0][0].isoformat()})"
    gap = next(((end, lo) for (_, end), (lo, _) in zip(spans, spans[1:], strict=False) if end is not None and end < day < lo), None)
    if gap is not None:
        return f"while they were apart ({gap[0].isoformat()} to {gap[1].isoformat()})"
    return f"after the pair ended ({max(end for _, end in spans if end is not None).isoformat()})"


def there_on_the_first_day(history: Sequence[DatedPair], pair: tuple[int, int], day: date) -> date | None:
    """The history's first day when ``pair`` was there on it and ``day`` is before it, else None: a meeting of
    such a pair dated ``day`` counts in no grade while no programme start on or before ``day`` is set, and from
    that start once one is (``not_a_pair_on``, ``summarise_attendance``, ``PairsByDate.counted_from``: an
    established programme's pair may have met before lmsync came). ``meetings add`` said "no grade counts it"
    of a meeting the grades counted once ``[waves] programme_start`` was set (tester round 95a, 6)."""
    first_day = min((p.start for p in history), default=None)
    made = min((p.start for p in history if (p.mentor_id, p.mentee_id) == pair), default=None)
    return first_day if first_day is not None and made == first_day and day < first_day else None


def spans_after_erasure(
    history: Iterable[DatedPair], erased: Mapping[int, date]
) -> dict[tuple[int, int], list[tuple[date, date | None]]]:
    """Each pair's spans in the history (``PairsByDate.spans``: first day, end day or None; oldest first),
    those of a pair with an erased person starting again the day after the erasure (a span over by
    then is dropped): the erasure took the pair's meetings, for both people (``restarted_after_erasure``)."""
    spans: dict[tuple[int, int], list[tuple[date, date | None]]] = {}
    for p in sorted(history, key=lambda p: p.start):
        pair = (p.mentor_id, p.mentee_id)
        days = [erased[person] for person in pair if person in erased]
        first = max(p.start, max(days) + timedelta(days=1)) if days else p.start
        if p.end is None or first < p.end:
            spans.setdefault(pair, []).append((first, p.end))
    return spans


def restarted_after_erasure(
    pair_starts: Mapping[tuple[int, int], date], pairs: Iterable[tuple[int, int]], erased: Mapping[int, date]
) -> dict[tuple[int, int], date]:
    """``pair_starts`` with each pair of ``pairs`` that holds an erased person starting again the day
    after the erasure (or later, when the pairing history says so).

    An erasure deletes the pair's meetings, for both people: a period counted from before it
    expects meetings no record can show any more, and wrote 0% attendance to the gradebook for
    the erased mentee and for their mentor, who had met every time (tester round 26, 3).
    """
    out = dict(pair_starts)
    for pair in pairs:
        days = [erased[person] for person in pair if person in erased]
        if days:
            restart = max(days) + timedelta(days=1)
            out[pair] = max(restart, out.get(pair, restart))
    return out
