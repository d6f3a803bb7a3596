"""Each survey wave's window as it was when the wave closed (``schema_more.closed_windows``; tester round 123a, 1).

A wave's row is written once (``record``: the waves given that have none yet) and never changed: the report reads
it (``recorded``) so that a closed wave's figures stay over the window it closed with, whatever lmsync.toml says later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import select

from lmsync.store.db import Store
from lmsync.store.schema_more import closed_windows

_t = closed_windows


def recorded(store: Store, programme: str) -> dict[str, tuple[date, date]]:
    """``wave name -> (first day, last day)`` as each recorded wave closed with; empty when none is recorded."""
    rows = store.rows(select(_t.c.wave, _t.c.start, _t.c.end).where(_t.c.programme == programme))
    return {str(r.wave): (date.fromisoformat(r.start), date.fromisoformat(r.end)) for r in rows}


def record(store: Store, programme: str, windows: Mapping[str, tuple[date, date]], day: date) -> int:
    """Record each of ``windows`` (wave name -> first, last day) that has no row yet, dated ``day`` (the programme
    day); a wave already recorded keeps its row. Returns how many were recorded."""
    if not _missing(store, programme, windows):
        return 0  # the usual case: nothing written, no write lock taken
    with store.transaction():
        new = _missing(store, programme, windows)
        for name in new:
            start, end = windows[name]
            store.write(_t.insert().values(programme=programme, wave=name, start=start.isoformat(),
                                           end=end.isoformat(), recorded_on=day.isoformat()))
    return len(new)


def _missing(store: Store, programme: str, windows: Iterable[str]) -> list[str]:
    have = set(recorded(store, programme))
    return sorted(name for name in windows if name not in have)
