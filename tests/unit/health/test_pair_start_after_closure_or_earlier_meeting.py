"""Tester round 97a, 1 and 4, in the domain: where a pair's start is.

1. A closure ends the pairing it closed (README): made again on a later day, the pair's spans start afresh
   (``pair_dates.after_closure``), so no "N of them apart" and no start from the closed pairing.
4. A pair lmsync paired (its history holds it) began that day: a meeting dated earlier, missed or attended, does not
   move its start back; a pair the history never held still starts at its earliest meeting (issue 13).
"""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairEvidence, Thresholds, assess
from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import after_closure

D = date(2026, 12, 6)
OLD = ((date(2026, 12, 6), date(2026, 12, 6)),)
AGAIN = ((date(2026, 12, 13), None),)


def test_a_pair_made_again_after_a_closure_starts_from_the_new_span():
    spans = OLD + AGAIN
    assert after_closure(spans, (), date(2027, 1, 20)) == (spans, None)
    assert after_closure(spans, (D,), date(2027, 1, 20)) == (AGAIN, date(2026, 12, 13))
    assert after_closure(spans, (D,), date(2026, 12, 12)) == (spans, None)  # not made again yet on that day
    # made again the closure's own day: the pairing the closure ended, not a new one
    assert after_closure(((D, D), (D, None)), (D,), date(2027, 1, 20)) == (((D, D), (D, None)), None)
    # after the new pair, a break: its days apart are its own; an older closure changes nothing
    later = ((date(2026, 12, 13), date(2027, 1, 1)), (date(2027, 1, 8), None))
    assert after_closure(OLD + later, (date(2026, 11, 1), D), date(2027, 2, 1)) == (later, date(2026, 12, 13))


def _judged(spans, meetings, as_of=D):
    evidence = PairEvidence(7, 41, D, tuple(Meeting(day, 7, 41, 30, came, "csv") for day, came in meetings),
                            spans=spans)
    return assess(evidence, Thresholds(), as_of=as_of)


def test_a_meeting_before_lmsync_paired_them_does_not_move_the_start_back():
    missed = _judged(((D, None),), [(date(2026, 10, 6), False)])
    nothing = _judged(((D, None),), [])
    assert (missed.status, missed.paired_since, missed.in_grace) == ("ok", D, True)
    assert (nothing.status, nothing.paired_since) == (missed.status, missed.paired_since)
    attended = _judged(((D, None),), [(date(2026, 10, 6), True)])  # an established pair's: still its last meeting
    assert (attended.paired_since, attended.last_meeting) == (D, date(2026, 10, 6))


def test_a_pair_the_history_never_held_still_starts_at_its_earliest_meeting():
    judged = _judged((), [(date(2026, 10, 6), False)])
    assert judged.paired_since == date(2026, 10, 6)
