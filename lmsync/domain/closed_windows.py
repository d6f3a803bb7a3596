"""A closed wave's window as it closed, whatever lmsync.toml says now (tester round 123a, 1).

The report's figures of a wave are worked out over the answers dated inside its window. Widening a closed wave's
window in ``[waves]`` (as lmsync's import warning once advised for late answers) moved a per-mentor row from
"5 raters, mean 4" to "6 raters, mean 3.5": one newcomer's nine ratings of their mentor, by difference. The store
keeps each wave's window as it was when the wave closed (``store.closed_windows``); ``held_waves`` puts it in place of
the configured one for every wave closed by the report's day, and ``held_scores`` keeps the stored wave scores to it.
Pure: no storage, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from lmsync.domain.instruments import WaveScore
from lmsync.domain.waves import Wave, ordered_waves, wave_for


@dataclass(frozen=True)
class HeldWaves:
    """``waves``: the windows a report counts, in order; ``held``: those of them kept as they closed (name -> wave);
    ``moved``: ``(kept wave, configured wave)`` for each whose configured window differs from the one it closed with."""

    waves: tuple[Wave, ...]
    held: Mapping[str, Wave]
    moved: tuple[tuple[Wave, Wave], ...] = ()


def held_waves(configured: Iterable[Wave], recorded: Mapping[str, tuple[date, date]], as_of: date) -> HeldWaves:
    """The configured waves, each one whose recorded window (``recorded``: name -> first, last day) closed before
    ``as_of`` put back to that window. A configured wave the kept windows now overlap is cut to the days they leave
    (none left: left out), so a date still means one wave; kept windows that overlap one another are cut the same way,
    the earlier first (a report must never fail on what the store keeps: review of round 123a, 1). A recorded wave
    no longer configured is not added."""
    configured = tuple(configured)
    held: dict[str, Wave] = {}
    for w in sorted((Wave(c.name, *recorded[c.name]) for c in configured
                     if c.name in recorded and recorded[c.name][1] < as_of), key=lambda w: (w.start, w.end, w.name)):
        cut = _outside(w, held.values())  # kept windows that overlap (recorded before this rule) never fail the report
        if cut is not None:
            held[w.name] = cut
    if not held:
        return HeldWaves(configured, {})
    waves = [held.get(w.name) or w for w in configured]
    out = [w for w in (_outside(w, held.values()) if w.name not in held else w for w in waves) if w is not None]
    moved = tuple((held[w.name], w) for w in configured if w.name in held and held[w.name] != w)
    return HeldWaves(ordered_waves(out), held, moved)


def _outside(wave: Wave, kept: Iterable[Wave]) -> Wave | None:
    """``wave`` less the days of ``kept`` windows at either end; None when nothing is left (or a kept window sits
    inside it: its days on both sides cannot be one window, so it is left out rather than let it overlap)."""
    start, end = wave.start, wave.end
    for k in kept:
        if k.end < start or end < k.start:
            continue
        if k.start <= start:
            start = k.end + timedelta(days=1)
        elif end <= k.end:
            end = k.start - timedelta(days=1)
        else:
            return None
        if end < start:
            return None
    return Wave(wave.name, start, end)


def held_scores(scores: Iterable[WaveScore], waves: HeldWaves) -> list[WaveScore]:
    """``scores`` (stored under the windows of their last rescore) kept to ``waves``: one dated inside a kept window
    counts in that wave; one naming a kept wave but dated outside its window counts in none (a late sitting a
    widened window gave the wave); the others as stored."""
    if not waves.held:
        return list(scores)
    kept = tuple(waves.held.values())
    out = []
    for ws in scores:
        inside = wave_for(kept, ws.date)
        if inside is not None:
            out.append(ws if ws.wave == inside.name else replace(ws, wave=inside.name))
        elif ws.wave not in waves.held:
            out.append(ws)
    return out


def moved_note(moved: Iterable[tuple[Wave, Wave]]) -> str | None:
    """The report's note on the closed waves whose lmsync.toml window differs from the one they closed with."""
    said = [f"{now.name}'s window in lmsync.toml ({now.start.isoformat()} .. {now.end.isoformat()}) differs from the "
            f"one it closed with ({kept.start.isoformat()} .. {kept.end.isoformat()})" for kept, now in moved]
    if not said:
        return None
    return ("; ".join(said) + ": the report keeps the window each closed wave closed with, so that its figures do not "
            "change (answers dated after a wave closed count in none of its figures; widen a window only before it "
            "closes).")
