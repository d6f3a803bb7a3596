"""One day for a whole test session, however late it starts (CI, 2026-12-07).

Many tests take "today" once, when their module is imported (``TODAY = datetime.now(UTC).date()``, often
imported by other modules), while the store dates what it writes by the wall clock at the moment it writes
(``lmsync.store.db.now_iso``). A CI run that started at 23:25 UTC crossed midnight 88 % of the way through:
the sync dated its pairings the 7th, the tests judged the 6th, and 14 tests failed that pass on any other
hour. ``keep_one_day`` moves every in-process clock (``datetime.now``, ``date.today``, ``time.time``;
time-machine patches them at the C level, so saved references follow too) back to noon UTC of the same
date and lets it tick from there: twelve hours before the date can change, against a suite of well under
one. It never moves the clock forward (a certificate made in process stays valid for OpenSSL's real clock)
and never when it is morning already; ``time.monotonic`` and sleeps are untouched. A subprocess keeps the
real clock, so only a test that compares a child's dates with its own after real midnight could still
differ.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import time_machine

NOON = time(12)


def keep_one_day(now: datetime | None = None) -> time_machine.travel | None:
    """Start a ticking travel to noon UTC of ``now``'s date (default: the clock) when ``now`` is past it,
    and return it (``.stop()`` ends it); None, and nothing changed, when it is noon or earlier."""
    now = now or datetime.now(UTC)
    noon = datetime.combine(now.astimezone(UTC).date(), NOON, tzinfo=UTC)
    if now <= noon:
        return None
    traveller = time_machine.travel(noon, tick=True)
    traveller.start()
    return traveller
