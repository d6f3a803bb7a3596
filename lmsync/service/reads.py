"""Independent Moodle reads side by side, and offset paging that pages only as far as it pays (issue 15).

Every request is served by one of several PHP workers, so reads that do not depend on each
other (enrolment pages, the group and forum reads of one observation) can run at once.
:class:`ReadPool` runs them on at most ``[moodle] max_parallel`` threads (1: one at a time, on
the caller's thread). Reads never write, so nothing here touches the journal.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from lmsync.errors import StoppedAtOnce

T = TypeVar("T")


class ReadPool:
    """At most ``width`` reads at once; ``width`` 1 runs each read on the caller's thread when submitted.

    Use as a context manager; leaving it waits for the reads still in flight (not after a second stop request). A read that raises
    raises again from its future's ``result()``.
    """

    def __init__(self, width: int = 1) -> None:
        self.width = max(1, width)
        self._pool = ThreadPoolExecutor(self.width, thread_name_prefix="lmsync-read") if self.width > 1 else None

    def submit(self, read: Callable[..., T], *args: Any) -> Future[T]:
        if self._pool is not None:
            return self._pool.submit(read, *args)
        future: Future[T] = Future()
        try:
            future.set_result(read(*args))
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), like a pool's future
            future.set_exception(exc)
        return future

    def map(self, read: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
        """``[read(item) for item in items]``, side by side, results in item order."""
        return [future.result() for future in [self.submit(read, item) for item in items]]

    def __enter__(self) -> ReadPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pool is not None:
            at_once = isinstance(exc, StoppedAtOnce)  # a second stop request: not waited for (round 82a, 2)
            self._pool.shutdown(wait=not at_once, cancel_futures=exc is not None)


def read_pages(
    fetch: Callable[[int, int], Sequence[T]],
    page_size: int,
    pool: ReadPool,
    key: Callable[[T], Hashable],
) -> list[T]:
    """Every row of an offset-paged listing with no total (``limitfrom``/``limitnumber``, trap 13).

    The first page is read alone: a listing that fits in ``page_size`` rows costs one request.
    When it is full, the next pages go out in waves of ``pool.width`` side by side until a wave
    holds a short page, which marks the end (so the requests made depend on the listing's size
    only: ``1 + width * waves``). A page that adds no new row ends it too, so a server that
    ignores the limits cannot loop. Rows come back in offset order, each ``key`` once (offset
    paging repeats rows when the set shifts between pages). ``fetch(offset, size)`` reads one page.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    rows: list[T] = []
    seen: set[Hashable] = set()
    wave = [fetch(0, page_size)]
    offset = page_size
    while True:
        for page in wave:
            fresh = [row for row in page if key(row) not in seen]
            for row in fresh:
                seen.add(key(row))
            rows.extend(fresh)
            if len(page) < page_size or not fresh:
                return rows  # the end; pages after it in this wave were read past it
        starts = [offset + n * page_size for n in range(pool.width)]
        offset += pool.width * page_size
        wave = pool.map(lambda at: fetch(at, page_size), starts)
