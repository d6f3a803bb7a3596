"""The one refusal of an ``--as-of`` day after today, shared by the commands that view a past day.

``lmsync report --as-of`` refused a day to come (tester round 26, 2); ``lmsync health --as-of`` took one and judged
every pair of the programme fading, even those that met on schedule, the days between holding no meeting nor answer
(tester round 108b, 2). Both now say it in the same words, each with what its own view of that day would show.
A day the store already recorded is not to come: the clock went back, and the refusal says so, with its fix (tester
round 111b, 5).
"""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.programme_settings import programme_today


def refuse_after_today(config: Config, day: date, what: str, would: str) -> None:
    """Raise ``InputError`` (exit 3) when ``day`` is after today in the programme's time zone (``[programme]
    timezone``, ``programme_today``): ``... a {what} of a day to come would {would}``, as ``what="report"``,
    ``would="show the survey figures of waves that are still open"``; the hint names ``what`` too. When the store
    already recorded ``day`` (or a later day), the clock went back: the message and the hint say so
    (``clock_reads.recorded_day_note``, tester round 111b, 5). Returns None for today or an earlier day."""
    today = programme_today(config)
    if day > today:
        from lmsync.service.clock_reads import recorded_day_note

        note = recorded_day_note(config, day)
        raise InputError(
            f"--as-of {day.isoformat()} is after today ({today.isoformat()} in the programme's timezone): a "
            f"{what} of a day to come would {would}" + (f"; but {note[0]}" if note else ""),
            hint=(f"{note[1]}; " if note else "") + f"leave --as-of out for today's {what}, or give a day that has passed",
        )
