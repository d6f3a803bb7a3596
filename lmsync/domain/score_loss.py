"""Stored wave scores a rescore would drop because of the configuration (tester round 8, 4).

Scores are derived from the stored answers under the ``[waves]`` windows and ``[instruments]``
of the rescore. A sitting that no window holds, or of an instrument no longer declared, is left
out (``score_waves``): after a config edit that lost ``[waves]`` or moved its windows, the next
rescore would delete every score of such sittings although their answers are kept, and the
satisfaction signals of ``lmsync health`` would go with them, silently. This module names those
scores and why; the services refuse the rescore while the guard is on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from lmsync.domain.instruments import WaveScore
from lmsync.domain.waves import Wave, ordered_waves, wave_for


@dataclass(frozen=True)
class ScoreLoss:
    """``losing`` of the ``stored`` scores would be dropped; ``reason`` says why (config names only)."""

    losing: int
    stored: int
    reason: str


def stranded(scores: Iterable[WaveScore], instruments: Collection[str], waves: Iterable[Wave]) -> list[WaveScore]:
    """The scores whose sitting a rescore under ``instruments`` and ``waves`` leaves out."""
    windows = ordered_waves(waves)
    return [ws for ws in scores if ws.instrument not in instruments or wave_for(windows, ws.date) is None]


def score_loss(scores: Iterable[WaveScore], instruments: Collection[str], waves: Iterable[Wave]) -> ScoreLoss | None:
    """What a rescore would drop of ``scores`` (the stored ones), or ``None`` when it keeps them all."""
    stored = list(scores)
    windows = ordered_waves(waves)
    lost = stranded(stored, instruments, windows)
    if not lost:
        return None
    gone = sorted({ws.instrument for ws in lost if ws.instrument not in instruments})
    unwaved = sum(1 for ws in lost if ws.instrument in instruments)
    reasons = []
    if unwaved and not windows:
        reasons.append(f"{unwaved} fall in no survey wave: [waves] has no windows")
    elif unwaved:
        first, last = windows[0].start.isoformat(), windows[-1].end.isoformat()
        reasons.append(f"{unwaved} were sat on dates no [waves] window holds now ({first} .. {last}): windows moved")
    if gone:
        reasons.append(f"{len(lost) - unwaved} are of instruments no longer in [instruments] ({', '.join(gone)})")
    return ScoreLoss(len(lost), len(stored), "; ".join(reasons))
