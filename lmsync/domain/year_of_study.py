"""Whether a number read as a year of study can be one (tester round 120c, 7).

A school whose year-of-study profile field holds the class's graduation or entry year (``2026``, or
``Class of 2026``, read as 2026) had every peer pair reversed: the class of 2025 is the senior one, but
2026 - 2025 made its juniors "1 year senior". A value above ``MOST_YEARS`` is no year of study of any
programme: it is named, and the person's year counts as unknown (a peer mentor then mentors no one as a
peer, a mentee is matched without the year rule), which is safer than reversing seniority. Year 0 (a
foundation year) is a year (tester round 47, 6); a year below 0 is refused where it is read.
"""

from __future__ import annotations

#: The highest year of study lmsync takes: medicine's longest programmes (six years, an intercalated year,
#: a combined MD-PhD) stay below it; a calendar year, a class year such as ``26`` and an age are above.
MOST_YEARS = 12

#: What to do about a year that is no year of study, said beside it (the plan's warning, a refused file).
YEAR_FIX = "type the year of study they are in now (a number alone, such as 3)"


def year_problem(value: int | None) -> str | None:
    """Why ``value`` (a whole number read from a year-of-study value) is no year of study, in words that follow
    the value as typed (``'2026' is not a year of study (...)``); None when it may be one (0 to ``MOST_YEARS``),
    when it is below 0 (``people.out_of_range`` and the people file name that) and when there is none. Raises
    nothing. Tester round 120c, 7."""
    if value is None or value <= MOST_YEARS:
        return None
    return f"is not a year of study (0 to {MOST_YEARS}; a class's graduation or entry year?)"
