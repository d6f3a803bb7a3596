"""Why an imported survey answer counts in no wave, said by ``lmsync import surveys`` (tester rounds 4, 16; 16, 5).

It no longer advises widening a closed wave's window for late answers: that gave a late rater's ratings back by
difference, and the report keeps the window a wave closed with (tester round 123a, 1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lmsync.domain.waves import Wave, outside_every_wave


def no_wave_note(days: Iterable[date], waves: tuple[Wave, ...], noun: str = "answer(s)") -> str | None:
    """Why answers dated ``days`` are never scored, or ``None`` when every one falls in a wave:
    no windows at all, or dates outside every window (first start .. last end). ``noun``: what ``days`` date
    (``response(s)`` for a Feedback read's responses, tester round 131b, 5)."""
    outside = outside_every_wave(days, waves)
    if not outside:
        return None
    if not waves:
        return f"{outside} {noun} fall in no survey wave: [waves] has no windows"
    # each window by name: a date between two waves is inside "first .. last" (tester round 16, 5)
    windows = ", ".join(f"{w.name} {w.start.isoformat()} .. {w.end.isoformat()}" for w in sorted(waves, key=lambda w: w.start))
    return (f"{outside} {noun} fall in no survey wave: outside every [waves] window ({windows}); they are stored "  # 86b, 4
            "but count in no wave, so health still says those people did not answer; answers dated after a wave "
            "closed count in none of its report figures (the report keeps the window each wave closed with): widen "
            "a wave's window in [waves] only before it closes")  # tester round 123a, 1
