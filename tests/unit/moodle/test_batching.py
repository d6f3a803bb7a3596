"""Chunking by form-variable count and reading pages to the end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmsync.moodle.batching import chunk_by_budget, collect_pages, item_vars
from lmsync.moodle.encoding import count_vars

costs = st.lists(st.integers(min_value=1, max_value=40), max_size=300)


@settings(max_examples=200, deadline=None)
@given(
    costs=costs, room=st.integers(min_value=40, max_value=2000), fixed=st.integers(min_value=0, max_value=40)
)
def test_chunks_never_exceed_the_budget_trap_23(costs: list[int], room: int, fixed: int) -> None:
    budget = fixed + room
    items = list(enumerate(costs))  # (position, cost): distinct items, order visible
    chunks = chunk_by_budget(items, lambda item: item[1], budget, fixed)
    assert all(chunk for chunk in chunks)
    assert all(fixed + sum(cost for _, cost in chunk) <= budget for chunk in chunks)
    assert [item for chunk in chunks for item in chunk] == items  # every item once, in order
    # Greedy: a chunk is only closed when the next item would not fit.
    for current, following in zip(chunks, chunks[1:], strict=False):
        assert fixed + sum(c for _, c in current) + following[0][1] > budget


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=0, max_value=500), cap=st.integers(min_value=1, max_value=20))
def test_max_items_caps_each_chunk(n: int, cap: int) -> None:
    chunks = chunk_by_budget(list(range(n)), 2, 2000, max_items=cap)
    assert all(len(c) <= cap for c in chunks)
    assert sum(len(c) for c in chunks) == n


def test_members_chunk_like_php_counts_them_trap_24() -> None:
    members = [{"groupid": 18, "userid": u} for u in range(2600)]
    chunks = chunk_by_budget(members, item_vars("members"), 2000)
    assert [len(c) for c in chunks] == [1000, 1000, 600]
    assert all(count_vars({"members": c}) <= 2000 for c in chunks)


def test_an_item_that_cannot_fit_is_refused() -> None:
    with pytest.raises(ValueError):
        chunk_by_budget([5, 50], lambda c: c, budget=40)
    with pytest.raises(ValueError):
        chunk_by_budget([1], 1, budget=10, fixed=10)


def test_no_items_no_chunks() -> None:
    assert chunk_by_budget([], 2, 2000) == []


@settings(max_examples=150, deadline=None)
@given(total=st.integers(min_value=0, max_value=400), size=st.integers(min_value=1, max_value=60))
def test_paged_reads_return_every_row_once_trap_13(total: int, size: int) -> None:
    rows = list(range(total))
    offsets: list[int] = []

    def fetch(offset: int, limit: int) -> list[int]:
        offsets.append(offset)
        return rows[offset : offset + limit]

    assert collect_pages(fetch, size, key=lambda r: r) == rows
    # Stops at the first short page: one extra (empty) request only when total divides evenly.
    assert len(offsets) == total // size + 1


def test_rows_shifting_between_pages_are_kept_once() -> None:
    pages = {0: [1, 2, 3], 3: [3, 4, 5], 6: [6]}  # row 3 moved down a page between requests
    assert collect_pages(lambda off, n: pages[off], 3, key=lambda r: r) == [1, 2, 3, 4, 5, 6]


def test_a_server_ignoring_the_offset_does_not_loop_forever() -> None:
    with pytest.raises(RuntimeError):
        collect_pages(lambda off, n: [1, 2, 3], 3, key=lambda r: r)
