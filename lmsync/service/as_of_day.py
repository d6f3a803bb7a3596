"""The one refusal of an ``--as-of`` day after today, shared by the commands that view a past day.

``lmsync report --as-of`` refused a day to come (tester round 26, 2); ``lmsync health --as-of`` took one and judged
every pair of the programme fading, even those that met on schedule, the days between holding no meeting nor answer
(tester round 108b, 2). Both now say it in the same words, each with what its own view of that day would show.
"""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.programme_settings import programme_today


def refuse_after_today(config: Config, day: date, what: str, would: str) -> None:
    """Raise ``InputError`` (exit 3) when ``day`` is after today in the programme's time zone (``[programme]
    timezone``, ``programme_today``): ``... a {what} of a day to come would {would}``, as ``what="report"``,
    ``would="show the survey figures of waves that are still open"``; the hint names ``what`` too. Returns None for
    today or an earlier day."""
    today = programme_today(config)
    if day > today:
        raise InputError(
            f"--as-of {day.isoformat()} is after today ({today.isoformat()} in the programme's timezone): a "
            f"{what} of a day to come would {would}",
            hint=f"leave --as-of out for today's {what}, or give a day that has passed",
        )
