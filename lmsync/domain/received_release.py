"""When a mentor's received mean may be published (tester finding FIX-A), moved out of
``lmsync.domain.metrics``, which was near 500 lines (tester round 87a, 1).

A mean republished each time one more mentee answers gives that mentee's rating away, so a
mentor's ``received`` mean is released only once its wave has closed, and the first value
published is then kept for good (``release_received``), recorded under its name and under a
name-free window key (``window_key``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lmsync.domain.instruments import Instrument, Wave
from lmsync.domain.metrics import MetricValue


@dataclass(frozen=True)
class ReceivedRelease:
    """``survey_metrics``' values with the received means cut to what may be published.

    ``frozen``: per received key, how many mentors get their first published value again
    (``changed`` of them: the answers now stored would give another value or none);
    ``waiting``: per received key, how many means are held back because the wave is open;
    ``kept``: the (key, mentor) pairs released at a published value (the others are first means).
    """

    values: list[MetricValue]
    frozen: dict[str, int]
    changed: dict[str, int]
    waiting: dict[str, int]
    kept: frozenset[tuple[str, int]] = frozenset()


def received_waves(instruments: Iterable[Instrument], waves: Iterable[Wave]) -> dict[str, Wave]:
    """Each ``received`` metric key and the wave it aggregates."""
    return {
        f"{inst.grade_name}-received-{wave.name}": wave
        for inst in instruments
        if inst.rates_mentor and inst.grade_name
        for wave in waves
    }


def received_instruments(instruments: Iterable[Instrument], waves: Iterable[Wave]) -> dict[str, str]:
    """Each ``received`` metric key and the identity of the instrument it aggregates: its items
    (``items-`` and 16 hex digits of their SHA-256), which neither a new ``grade_name`` nor a new
    ``[instruments]`` name with the same ``base`` changes (fourth tester, finding 2)."""
    wave_list = list(waves)
    return {
        f"{inst.grade_name}-received-{wave.name}": _identity(inst)
        for inst in instruments
        if inst.rates_mentor and inst.grade_name
        for wave in wave_list
    }


def _identity(instrument: Instrument) -> str:
    digest = hashlib.sha256(json.dumps(list(instrument.items)).encode("utf-8")).hexdigest()[:16]
    return f"items-{digest}"


def window_key(instrument: str, wave: Wave) -> str:
    """The name-free twin of a ``received`` key: the instrument's identity
    (:func:`received_instruments`) and the wave's window
    (``items-0123456789abcdef-received@2026-12-01..2026-12-14``), what a published mean is also
    recorded under (``lmsync.service.grades_push.freeze_received``).

    Tester findings 3 (second and third testers): renaming a wave or the instrument's
    ``grade_name`` made a new key, so a new mean over one more rater beside the frozen one gave
    that rating away by difference. ``release_received`` holds a value recorded under any
    window of the same instrument that overlaps the wave (a window moved by a day, too)."""
    return f"{instrument}-received@{wave.start.isoformat()}..{wave.end.isoformat()}"


def _recorded_window(stored: str, instrument: str) -> tuple[date, date] | None:
    """The window a :func:`window_key` of ``instrument`` names, or None for any other key."""
    prefix = f"{instrument}-received@"
    if not stored.startswith(prefix):
        return None
    start, _sep, end = stored[len(prefix):].partition("..")
    try:
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None


def release_received(
    values: Iterable[MetricValue],
    waves_of: Mapping[str, Wave],
    *,
    as_of: date,
    published: Mapping[tuple[str, int], float],
    instrument_of: Mapping[str, str] | None = None,
) -> ReceivedRelease:
    """Cut the received means to the ones that cannot reveal a single rater.

    Source: tester finding FIX-A. A mean republished each time one more mentee answers gives
    away that mentee's rating (4 x 3.15 - 3 x 3.6 = 1.8). So a mentor's received mean for a
    wave is published only once the wave's window has closed (``as_of`` after its end: the
    answers are in) and, as ``survey_metrics`` already ensures, over at least ``min_mentees``
    raters; the first value published (``published``, the store's record) is then kept for
    good: later imports, late answers and erasures never change it, so no two pushes differ.
    A value recorded under a window of the same instrument (:func:`window_key`;
    ``instrument_of``: key -> instrument name, :func:`received_instruments`) that overlaps the
    wave holds the same way, the widest overlap first: the wave or the grade name was renamed,
    or the window moved (tester findings 3). Values of other metrics pass unchanged.
    """
    out: list[MetricValue] = []
    computed: dict[tuple[str, int], float] = {}
    for v in values:
        if v.key in waves_of:
            computed[(v.key, v.user_id)] = v.value
        else:
            out.append(v)
    frozen: dict[str, int] = defaultdict(int)
    changed: dict[str, int] = defaultdict(int)
    waiting: dict[str, int] = defaultdict(int)
    held: dict[tuple[str, int], float] = {k: v for k, v in published.items() if k[0] in waves_of}
    instrument_of = instrument_of or {}
    recorded = [(stored, mentor, value) for (stored, mentor), value in published.items() if "-received@" in stored]
    for key, wave in waves_of.items():
        instrument = instrument_of.get(key, key[: len(key) - len(wave.name)].removesuffix("-received-"))
        overlaps: dict[int, tuple[int, float]] = {}
        for stored, mentor, value in recorded:
            window = _recorded_window(stored, instrument)
            if window is None:
                continue
            days = (min(window[1], wave.end) - max(window[0], wave.start)).days + 1
            if days > 0 and days > overlaps.get(mentor, (0, 0.0))[0]:
                overlaps[mentor] = (days, value)
        for mentor, (_days, value) in overlaps.items():  # frozen under a window: holds under today's key
            held.setdefault((key, mentor), value)
    for (key, mentor), value in sorted(held.items()):
        out.append(MetricValue(key, mentor, value))
        frozen[key] += 1
        if computed.get((key, mentor)) != value:
            changed[key] += 1
    for (key, mentor), value in computed.items():
        if (key, mentor) in held:
            continue
        if as_of > waves_of[key].end:
            out.append(MetricValue(key, mentor, value))
        else:
            waiting[key] += 1
    return ReceivedRelease(
        sorted(out, key=lambda v: (v.key, v.user_id)),
        dict(frozen),
        dict(changed),
        dict(waiting),
        frozenset(held),
    )
