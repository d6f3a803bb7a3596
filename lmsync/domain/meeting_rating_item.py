"""Whether a meeting log's rating item can give meeting ratings (tester round 131b, 2).

A meeting rating is a whole number from ``RATING_MIN`` to ``RATING_MAX`` (``meetings.parse_rating``). A Feedback
rating item asked as a plain multiple choice (Excellent ... Very poor) or on a rated 1-10 scale passed ``lmsync
doctor``, and then no meeting of the log was stored: each response was a problem blamed on its respondent ("is not
a whole number"), who had only picked an option. The form is the problem: doctor fails it, and the run reads the
meetings without their ratings and says the form's problem once.
"""

from __future__ import annotations

from collections.abc import Iterable

from lmsync.domain.feedback_choices import (
    FeedbackPresentationError,
    numeric_item_range,
    parse_feedback_presentation,
)
from lmsync.domain.meetings import RATING_MAX, RATING_MIN

#: What to do about it, said by doctor and the run.
FIX = (f"make the item a rated multiple choice (or a numeric item) whose values are whole numbers from {RATING_MIN} to "
       f"{RATING_MAX} (an N/A option aside), or leave [meetings.items] rating unset")


def rating_item_problem(label: str, typ: str, presentation: str, na_values: Iterable[str] = ()) -> str | None:
    """Why the Feedback item ``label`` (its ``typ`` and ``presentation``) gives no meeting rating, or ``None``: a
    choice whose options are not whole numbers within the scale (N/A options, ``na_values``, left out), or a
    numeric item ranging outside it. A text item is not judged here: its answers are read one by one."""
    where = f"the rating item {label!r}"
    scale = f"a meeting rating is a whole number from {RATING_MIN} to {RATING_MAX}"
    try:
        options = parse_feedback_presentation(typ, presentation)
    except FeedbackPresentationError as exc:
        return f"{where}: {exc}; {scale}"
    if options is not None:
        try:
            values = options.numeric_values(na_values)
        except FeedbackPresentationError as exc:
            return f"{where} ({typ}): {exc}; {scale}"
        if not values:
            return f"{where} has no numeric options; {scale}"
        low, high = min(values), max(values)
    else:
        bounds = numeric_item_range(typ, presentation)
        if bounds is None:
            return None
        low, high = bounds
    if low >= RATING_MIN and high <= RATING_MAX:
        return None
    return f"{where} has values {low:g}-{high:g}; {scale}"
