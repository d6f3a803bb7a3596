"""Split writes by form-variable count and read pages until the end, exactly once.

PHP keeps the first ``max_input_vars`` (5,000 by default) POST variables of a request and
silently drops the rest (trap 23). Depending on where the cut falls, Moodle rejects the
whole call (trap 24) or - worse - applies part of it and answers OK (trap 25). So every
batchable write is cut into requests whose *variable count* stays under a budget (2,000
by default, far below the limit, so a site with a lower limit is still safe).

Reads that page (``limitfrom``/``limitnumber``) carry no total: the last page is the first
short one (trap 13). :func:`collect_pages` reads until then and keeps each row once even
if rows shift between pages.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from lmsync.moodle.encoding import count_vars

T = TypeVar("T")


def item_vars(key: str) -> Callable[[Any], int]:
    """A ``vars_per_item`` that counts how many variables one item of list ``key`` becomes."""

    def count(item: Any) -> int:
        return count_vars({key: [item]})

    return count


def chunk_by_budget(
    items: Iterable[T],
    vars_per_item: Callable[[T], int] | int,
    budget: int,
    fixed: int = 0,
    *,
    max_items: int | None = None,
) -> list[list[T]]:
    """Cut ``items`` (in order) into chunks whose variables never exceed ``budget``.

    ``fixed`` is what every request carries besides the items (scalars such as
    ``courseid`` or ``itemdetails``). ``max_items`` caps the items per chunk when a smaller
    blast radius matters more than the request count. An item that cannot fit even alone
    raises ``ValueError``: sending it would be cut by PHP.
    """
    if budget <= fixed:
        raise ValueError(f"budget {budget} leaves no room beside {fixed} fixed variables")
    if max_items is not None and max_items < 1:
        raise ValueError("max_items must be at least 1")
    cost = (lambda _item: vars_per_item) if isinstance(vars_per_item, int) else vars_per_item
    room = budget - fixed
    chunks: list[list[T]] = []
    current: list[T] = []
    used = 0
    for item in items:
        need = cost(item)
        if need > room:
            raise ValueError(f"one item needs {need} variables; only {room} fit in a request")
        full = used + need > room or (max_items is not None and len(current) >= max_items)
        if current and full:
            chunks.append(current)
            current, used = [], 0
        current.append(item)
        used += need
    if current:
        chunks.append(current)
    return chunks


def collect_pages(
    fetch: Callable[[int, int], Sequence[T]],
    page_size: int,
    key: Callable[[T], Hashable] | None = None,
    *,
    max_pages: int = 100_000,
) -> list[T]:
    """Call ``fetch(offset, page_size)`` until a short page; return each row once.

    ``key`` identifies a row (e.g. its id); a row seen on an earlier page is not added
    again (offset paging repeats rows when the underlying set shifts between pages).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    rows: list[T] = []
    seen: set[Hashable] = set()
    offset = 0
    for _ in range(max_pages):
        page = list(fetch(offset, page_size))
        fresh = 0
        for row in page:
            if key is not None:
                k = key(row)
                if k in seen:
                    continue
                seen.add(k)
            rows.append(row)
            fresh += 1
        if len(page) < page_size:
            return rows
        if key is not None and fresh == 0:
            # A full page of rows already seen: the server ignores the offset. Going on
            # would loop forever; nothing new can come.
            raise RuntimeError(f"page at offset {offset} repeated earlier rows only: paging is not honoured")
        offset += len(page)
    raise RuntimeError(f"more than {max_pages} pages: giving up")
