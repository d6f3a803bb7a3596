"""How ``lmsync run``'s feedback line counts the Feedback problems said before and found again: responses not stored,
and answers left out of a survey response whose other answers were stored.

A survey answer that cannot be read is left out alone: the response's other answers are stored and scored. The line
said "1 response still not stored since DAY" all the same, while ``lmsync person export`` showed the response's
other four answers stored (tester round 122a, 3). It says an *answer* is left out now; a meeting-log response (one
row, or none) and a survey response left out whole (its respondent on the wrong side) are still responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def still_said(known: Sequence[date], both_sides: int, answers: int) -> str:
    """The words for the ``known`` problems (each the day a read first found it) found again: ``answers`` of them
    one answer of a survey response left out, ``both_sides`` meetings the other side logged first (read, not
    unreadable: tester round 102a, 6), the rest responses not stored; ``""`` for none.

    ``2 responses still not stored since 2026-10-09 (1 unreadable, 1 about a meeting logged by both sides)``,
    ``1 answer still left out since 2026-12-07 (its response's other answers are stored)``, ``1 response still not
    stored and 2 answers still left out, the first of them since 2026-10-09``."""
    if not known:
        return ""
    since = f"{', the first of them' * (len(set(known)) > 1)} since {min(known).isoformat()}"
    responses = len(known) - answers
    said = f"{responses} response{'s' if responses > 1 else ''} still not stored" if responses else ""
    kinds = ""
    if both_sides:  # which of them cannot be read, and which are a meeting the other side logged first (102a, 6)
        unreadable = [f"{responses - both_sides} unreadable"] * (responses > both_sides)
        kinds = f" ({', '.join([*unreadable, f'{both_sides} about a meeting logged by both sides'])})"
    if not answers:
        return f"{said}{since}{kinds}"
    left = f"{answers} answer{'s' if answers > 1 else ''} still left out"
    if not responses:
        whose = "its response's" if answers == 1 else "their responses'"
        return f"{left}{since} ({whose} other answers are stored)"
    return f"{said}{kinds} and {left}{since}"
