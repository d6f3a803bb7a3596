"""A mentor's first received mean, held back while another store's received item shows theirs
(fourth tester, finding 1a).

Store A published ``checkin-received-T1`` = 4.2 for a mentor over 3 raters and froze it in its
own store. Store B, a fresh store with the same answers and a late 4th rating, renamed the wave
(``Autumn``, same dates) and, with no record of A's value, published 3.6 on a new item beside
A's: 4 x 3.6 - 3 x 4.2 = the late rating. ``hold_foreign_received`` keeps such a first mean
(one this store never published: no frozen value by name or window) from being written, and so
from being frozen, whenever an lmsync received item this store cannot prove it created already
shows a grade for that mentor. Conservative: a received item of any instrument or wave counts,
recognised by lmsync's item name (``lmsync_<grade name>-received-<wave>``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from lmsync.domain.grade_items import ITEMNAME_PREFIX, TOLERANCE, ObservedGradeItem
from lmsync.domain.metrics import MetricValue

RECEIVED_MARK = "-received-"


def is_received_item(item: ObservedGradeItem) -> bool:
    """The item carries lmsync's name for a ``received`` metric (``lmsync_checkin-received-T1``)."""
    name = (item.itemname or "").strip().lower()
    if not name.startswith(ITEMNAME_PREFIX):
        return False
    grade_name, mark, wave = name[len(ITEMNAME_PREFIX):].partition(RECEIVED_MARK)
    return bool(grade_name and mark and wave)


@dataclass(frozen=True)
class ForeignHold:
    """``values`` without the held means; ``held``: per received key, the held mentors, and the
    names of the foreign items that showed their means."""

    values: list[MetricValue]
    held: dict[str, set[int]] = field(default_factory=dict)
    shown_on: dict[str, set[str]] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """One plan warning per key with held means (counts only)."""
        return [
            f"{key}: held for {len(mentors)} mentor(s): another store's received item "
            f"({', '.join(sorted(self.shown_on.get(key, set())))}) already shows their mean; "
            "a second mean over other raters could give a rating away"
            for key, mentors in sorted(self.held.items())
        ]


def hold_foreign_received(
    values: Iterable[MetricValue],
    first: Collection[tuple[str, int]],
    unproven: Iterable[ObservedGradeItem],
) -> ForeignHold:
    """Drop each value of ``first`` (received means this store has not published: (key, mentor))
    whose mentor has a grade on a received item of ``unproven`` (items this store cannot prove it
    created, on the programme's activity). Every other value passes unchanged."""
    shown: dict[int, set[str]] = {}
    for item in unproven:
        if not is_received_item(item):
            continue
        for user_id, grade in item.grades.items():
            if grade is not None:
                shown.setdefault(user_id, set()).add(item.itemname or "")
    out: list[MetricValue] = []
    held: dict[str, set[int]] = {}
    shown_on: dict[str, set[str]] = {}
    for v in values:
        if (v.key, v.user_id) in first and v.user_id in shown:
            held.setdefault(v.key, set()).add(v.user_id)
            shown_on.setdefault(v.key, set()).update(shown[v.user_id])
            continue
        out.append(v)
    return ForeignHold(out, held, shown_on)


def hold_shown_received(
    values: Iterable[MetricValue], first: Collection[tuple[str, int]], mine: Mapping[str, ObservedGradeItem],
) -> tuple[list[MetricValue], dict[str, int]]:
    """``values`` without each value of ``first`` (a received mean this store never published: (key, mentor))
    whose own item (``mine``: key -> the item lmsync created, as read back) already shows another grade for
    that mentor, and per key how many were held.

    Tester round 77b, 2: a mentor's erasure took this store's record of their published means, and a late
    answer then made a push overwrite the gradebook's 3.75 with 3.15 while the plan said "published value
    frozen". A grade the gradebook shows on lmsync's received item is a published mean: it is never changed,
    with or without the store's record of it."""
    out: list[MetricValue] = []
    held: dict[str, int] = {}
    for v in values:
        item = mine.get(v.key)
        shown = item.grades.get(v.user_id) if item is not None and (v.key, v.user_id) in first else None
        if shown is not None and abs(shown - v.value) > TOLERANCE:
            held[v.key] = held.get(v.key, 0) + 1
            continue
        out.append(v)
    return out, held


def shown_notes(held: Mapping[str, int]) -> list[str]:
    """One plan warning per key of ``hold_shown_received``'s held means (counts only)."""
    return [
        f"{key}: held for {count} mentor(s): the gradebook already shows a published mean this store has no record "
        "of (an erasure took it): a published mean never changes, so no rating can be read from the difference"
        for key, count in sorted(held.items())
    ]
