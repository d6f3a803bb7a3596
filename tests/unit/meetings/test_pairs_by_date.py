"""``PairsByDate``: which pairs existed on a day, before and after the pairing history begins."""

from __future__ import annotations

from datetime import date

from lmsync.domain.pair_dates import DatedPair, PairsByDate

D1 = date(2026, 12, 1)


def test_round_14_3_and_15_1_before_the_history_each_mentee_has_their_first_recorded_mentor():
    """A re-match the day the history began (m3 -> m9 for mentee 30): a meeting log of 25 Nov by m9
    was credited to mentee 30, and mentees' ratings of m3 to m9, because dates before the history
    took today's pairs. They take each mentee's first recorded pair; on D1 itself, the open ones."""
    history = (DatedPair(3, 30, D1, D1), DatedPair(3, 31, D1, None), DatedPair(9, 30, D1, None))
    pairs = PairsByDate(history=history, current=((9, 30), (3, 31), (5, 50)))
    assert pairs.on(date(2026, 11, 25)) == {(3, 30), (3, 31), (5, 50)}  # (5, 50): not in the history at all
    assert pairs.on(D1) == {(9, 30), (3, 31), (5, 50)}
    assert PairsByDate(history=(), current=((9, 30),)).on(date(2026, 11, 25)) == {(9, 30)}


def test_holds_answers_as_on_does_for_any_history():
    """``holds(pair, day)`` (health's fast path) is ``pair in on(day)`` for random histories."""
    import random
    from datetime import timedelta

    rng = random.Random(15)
    for _ in range(200):
        rows = []
        for _ in range(rng.randint(0, 6)):
            start = D1 + timedelta(days=rng.randint(0, 5))
            end = None if rng.random() < 0.4 else start + timedelta(days=rng.randint(0, 4))
            rows.append(DatedPair(rng.randint(1, 3), rng.randint(10, 13), start, end))
        current = tuple({(rng.randint(1, 3), rng.randint(10, 13)) for _ in range(rng.randint(0, 5))})
        appeared = {pair: D1 + timedelta(days=rng.randint(-1, 6)) for pair in current if rng.random() < 0.5}
        pairs = PairsByDate(history=tuple(rows), current=current, appeared=appeared)
        for offset in range(-2, 10):
            day = D1 + timedelta(days=offset)
            on = pairs.on(day)
            for pair in [(m, e) for m in range(1, 4) for e in range(10, 14)]:
                assert pairs.holds(pair, day) == (pair in on), (rows, current, day, pair)


def test_round_42_2_a_pair_made_by_hand_exists_from_the_day_the_store_saw_it():
    """Mentee 30 moved by hand from m3 (lmsync's pair) to m9 on D1 + 20: the history still has m3's pair
    open, and (9, 30) is a current pair it never names. Before D1 + 20 the new pair did not exist, so an
    answer of D1 + 10 naming nobody was about m3, not m9 (pair show and the grades averaged it into m9's)."""
    from datetime import timedelta

    moved = D1 + timedelta(days=20)
    history = (DatedPair(3, 30, D1, None),)
    pairs = PairsByDate(history=history, current=((9, 30),), appeared={(9, 30): moved})
    assert (9, 30) not in pairs.on(D1 + timedelta(days=10)) and not pairs.holds((9, 30), D1 + timedelta(days=10))
    assert (9, 30) in pairs.on(moved) and pairs.holds((9, 30), moved)
    assert (3, 30) in pairs.on(D1 + timedelta(days=10))


def test_rounds_57_6_and_58_5_a_date_when_a_pair_did_not_exist_is_named():
    from lmsync.domain.pair_dates import not_a_pair_on

    history = (DatedPair(66, 3, date(2026, 9, 2), date(2026, 9, 21)), DatedPair(67, 3, date(2026, 9, 21), date(2026, 10, 15)),
               DatedPair(66, 3, date(2026, 11, 12), None))
    assert not_a_pair_on(history, (67, 3), date(2026, 9, 5)) == "before the pair began (2026-09-21)"
    assert not_a_pair_on(history, (67, 3), date(2026, 9, 21)) is None  # its first day
    assert not_a_pair_on(history, (67, 3), date(2026, 10, 15)) is None  # the day of the move: still theirs
    assert not_a_pair_on(history, (67, 3), date(2026, 10, 16)) == "after the pair ended (2026-10-15)"
    assert not_a_pair_on(history, (66, 3), date(2026, 10, 20)) == "while they were apart (2026-09-21 to 2026-11-12)"
    assert not_a_pair_on(history, (66, 3), date(2026, 12, 1)) is None  # back together
    # before the history: the pair's only as the grades count it (tester round 74, 7): an established pair's from
    # the start on, never one lmsync made later, nor any with no start
    assert not_a_pair_on(history, (66, 3), date(2026, 8, 20), start=date(2026, 8, 1)) is None
    assert not_a_pair_on(history, (66, 3), date(2026, 8, 20)) == "before the pair began (2026-09-02)"
    assert not_a_pair_on(history, (67, 3), date(2026, 8, 20), start=date(2026, 8, 1)) == "before the pair began (2026-09-21)"
    assert not_a_pair_on(history, (66, 9), date(2026, 9, 5)) is None  # a pair the history never names


def test_round_93b_3_a_pair_closed_and_reopened_the_same_day_is_judged_without_a_crash():
    """An enrolment read that returned nobody closed every pairing, and the next read that day reopened them: two
    spans with one first day, one closed, one open. ``meetings add`` and ``import meetings`` then ended in a
    ``TypeError`` (the sort compared the open span's ``None`` end with a date), after the meeting was stored."""
    from lmsync.domain.pair_dates import not_a_pair_on

    day = date(2026, 12, 5)
    history = (DatedPair(18, 5, date(2026, 9, 1), day), DatedPair(18, 5, day, day), DatedPair(18, 5, day, None))
    assert not_a_pair_on(history, (18, 5), day) is None
    assert not_a_pair_on(history, (18, 5), date(2026, 12, 20)) is None  # the open span goes on
    assert not_a_pair_on(history, (18, 5), date(2026, 8, 1)) == "before the pair began (2026-09-01)"
