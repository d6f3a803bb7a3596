"""``lmsync.domain.differencing`` against brute force (tester round 120a, 1): ``gives_back`` says a set of
totals gives fewer than ``min_cell`` people's answers back exactly when some set of that many people has a
combination of the totals over them alone; ``keep_apart`` keeps figures in the order given."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pytest

from lmsync.domain.differencing import Candidate, Total, gives_back, keep_apart


def brute_force(totals: list[Total], min_cell: int) -> bool:
    people = sorted({w for t in totals for w in t.people})
    keys = sorted({k for t in totals for k in (t.plus, t.minus) if k is not None})
    column = {(k, w): c for c, (k, w) in enumerate((k, w) for k in keys for w in people)}
    matrix = np.zeros((len(totals), len(column)))
    for r, t in enumerate(totals):
        for w in t.people:
            matrix[r, column[(t.plus, w)]] += 1
            if t.minus is not None:
                matrix[r, column[(t.minus, w)]] -= 1
    rank = np.linalg.matrix_rank(matrix) if totals else 0
    for size in range(1, min_cell):
        for chosen in combinations(people, size):
            outside = [c for (_k, w), c in column.items() if w not in chosen]
            if np.linalg.matrix_rank(matrix[:, outside]) < rank:
                return True
    return False


@pytest.mark.parametrize("seed", range(150))
def test_gives_back_is_exactly_the_brute_force_answer(seed):
    rng = random.Random(seed)
    people = list(range(rng.randrange(3, 10)))
    keys = ["T0", "T1", "T2"][: rng.randrange(1, 4)]
    totals = []
    for _ in range(rng.randrange(1, 6)):
        plus = rng.choice(keys)
        minus = rng.choice([None, *[k for k in keys if k != plus]])
        totals.append(Total(frozenset(w for w in people if rng.random() < 0.7), plus, minus))
    min_cell = rng.randrange(2, 6)
    assert gives_back(totals, min_cell) == brute_force(totals, min_cell)


def test_the_tester_case_and_its_way_out():
    six, five = frozenset(range(6)), frozenset(range(5))
    assert gives_back([Total(six, "T0"), Total(five, "T0")], 5)  # 6 x 3.667 - 5 x 4.2
    assert not gives_back([Total(six, "T0"), Total(five, "T2", "T0")], 5)  # the change alone
    assert gives_back([Total(six, "T0"), Total(five, "T2", "T0"), Total(five, "T2")], 5)  # and T2's mean
    assert not gives_back([Total(six, "T0"), Total(five, "T0")], 1)  # min_cell 1: nothing is small


def test_keep_apart_never_withholds_an_earlier_figure_for_a_later_one():
    six, five = frozenset(range(6)), frozenset(range(5))
    chosen = keep_apart([
        Candidate("T0 wave", ((Total(six, "T0"),),)),
        Candidate("evaluation", ((Total(five, "T0"), Total(five, "T2")), (Total(five, "T2", "T0"),))),
        Candidate("T2 wave", ((Total(five, "T2"),),)),
    ], 5)
    assert chosen == {"T0 wave": 0, "evaluation": 1, "T2 wave": 1}
