"""Which pairs a coordinator had ended on a day: one rule for every view and every day.

A closure (``queue done --outcome closed``) ends its pair from the day it was recorded (its outcome day, else its
acknowledgement day, and not before its item was opened and acknowledged, as ``lmsync.store.report.queue_states``
reads the queue of a day) until the pair is made again after it (``PairingHistory.remade_on``: a pairing begun after
the closure's day and after the instant it was acknowledged, the rule ``remade_since`` asks everywhere) or a later
queue item of the pair is opened, whichever comes first (exclusive). A pair made again is a new pair from the day it
was made again until a coordinator closes it again.

- ``ended_spans(store, programme)`` -> ``{(mentor_id, mentee_id): ((first day, end day or None), ...)}``, oldest
  first, only the pairs ever closed; ``None``: ended still.
- ``ended_that_day(spans, day)`` -> ``bool``.
- ``ended_on(store, programme, day)`` -> ``set[(mentor_id, mentee_id)]``: ``lmsync health [--as-of]``,
  ``lmsync nudge --dry-run --as-of``; ``established.ended_by_coordinator`` is the same set today, and the report's
  pair health over time counts a pair ended on the days its spans cover (``report_sections.with_ended``).

No errors of its own: the store's, as the store raises them.

Sources: tester finding (fix E2): a closure recorded today made ``health --as-of`` of an earlier day count the pair
as ended. Tester round 99a, 2: a pair closed, made again and closed again was counted ended by ``health --as-of`` a
day it was live again (the first closure), and the report's per-day counts of a past day changed with ``--as-of``
(the report today dated the pair's only closure from the second one, ``--as-of`` between counted it ended through
its new pairing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.report import queue_closures

Span = tuple[date, date | None]


def ended_spans(store: Store, programme: str) -> dict[tuple[int, int], tuple[Span, ...]]:
    """The days each pair a coordinator ever closed stood ended (see the module's docstring): one read of the queue
    and one of the pairing history per closure."""
    history = PairingHistory(store, programme)
    out: dict[tuple[int, int], tuple[Span, ...]] = {}
    for pair, items in queue_closures(store, programme).items():
        spans: list[Span] = []
        for i, item in enumerate(items):
            if item.closed_on is None:
                continue
            start = max(item.opened_on, item.closed_on, item.acked_on or item.closed_on)
            ends = [history.remade_on(pair, item.closed_on, item.acked_at), *(later.opened_on for later in items[i + 1:])]
            end = min((day for day in ends if day is not None), default=None)
            if end is None or start < end:
                spans.append((start, end))
        if spans:
            out[pair] = tuple(spans)
    return out


def ended_that_day(spans: Sequence[Span], day: date) -> bool:
    """Whether one of ``spans`` (``ended_spans``'s, of one pair) covers ``day`` (first day inclusive, end exclusive)."""
    return any(start <= day and (end is None or day < end) for start, end in spans)


def ended_on(store: Store, programme: str, day: date) -> set[tuple[int, int]]:
    """The pairs a coordinator had ended on ``day`` (``ended_spans`` covering it), whatever day it is asked."""
    return {pair for pair, spans in ended_spans(store, programme).items() if ended_that_day(spans, day)}
