"""``pair_moved_back.moved_back``: a pair made again after its mentee's pairing with another mentor is new (tester
round 113, 2); a pairing of the mentee's that began while the pair was still open (a peer mentor's) is not a move."""

from __future__ import annotations

from datetime import date

from lmsync.domain.pair_moved_back import moved_back

SPANS = ((date(2026, 10, 1), date(2026, 11, 28)), (date(2027, 1, 16), None))


def test_a_pairing_with_another_mentor_in_the_gap_makes_the_pair_new_from_its_next_span():
    assert moved_back(SPANS, [date(2026, 12, 12)], date(2027, 1, 20)) == (SPANS[1:], date(2027, 1, 16))


def test_a_pairing_begun_while_the_pair_was_open_or_after_it_is_no_move():
    assert moved_back(SPANS, [date(2026, 10, 15), date(2027, 1, 17)], date(2027, 1, 20)) == (SPANS, None)


def test_a_span_after_as_of_does_not_count():
    assert moved_back(SPANS, [date(2026, 12, 12)], date(2027, 1, 10)) == (SPANS, None)
