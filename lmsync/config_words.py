"""pydantic's messages about a configuration value, said in lmsync's words (``config._format_errors``).

Where pydantic's own message is a library's ("Input should be greater than or equal to 0", "Datetimes provided to
dates should have zero time - e.g. be exact dates", "Field required" at ``matching.pins.0.1``), the admin could not
tell what to write (tester round 105a, 10). Here:

- a bound: "must be 0 or more", "must be 366 or less", "must be more than 0", "must be less than 1";
- a date written with a time of day (``start = 2026-09-01T10:00:00``): a day such as 2026-09-01, without a time;
- a ``[matching] pins`` or ``forbids`` entry that is not two people (``[["s0001"]]``, three names, a number, a
  table): a pin (forbid) is ``[mentee, mentor]``, said once per entry at the key's own line;
- a ``[matching] rematch`` entry that is not text (``[["s0001"]]``): rematch is a list of people, or ``"*"``.

Everything else keeps pydantic's message. Never repeats a refused value but a date's day (a url's password stays
out: ``config_sites``).
"""

from __future__ import annotations

import datetime
from typing import Any

#: The pair keys of ``[matching]``, with what one entry is called.
_PAIRS: dict[tuple[str, ...], str] = {("matching", "pins"): "a pin", ("matching", "forbids"): "a forbid"}

#: How a bound is said, by pydantic's error type: (context key, words).
_BOUNDS = {"greater_than_equal": ("ge", "must be {} or more"), "less_than_equal": ("le", "must be {} or less"),
           "greater_than": ("gt", "must be more than {}"), "less_than": ("lt", "must be less than {}")}

#: The fix for a person's key, as CONFIGURATION.md says them.
_PERSON = "each person by username, idnumber, email or id:N, in quotes"


def _number(value: Any) -> str:
    """``0`` for ``0.0``; a number as written otherwise."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def in_words(item: Any, loc: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
    """``(location, message)`` for the pydantic error ``item`` (one of ``ValidationError.errors()``, at ``loc``: its
    location as text) in lmsync's words (module doc), the location cut to the key for a pair's or rematch's entry
    (``matching.pins``, so one line per entry and the key's line); None when pydantic's message stands."""
    kind = item["type"]
    if loc[:2] in _PAIRS and len(loc) > 2 and loc[2].isdigit():
        entry, what = int(loc[2]) + 1, _PAIRS[loc[:2]]
        return loc[:2], (f"entry {entry} is not a pair of two people: {what} is [mentee, mentor], {_PERSON}, "
                         f'e.g. {loc[1]} = [["s0001", "t0001"]]')
    if loc[:2] == ("matching", "rematch") and len(loc) > 2 and kind == "string_type":
        return loc[:2], (f"entry {int(loc[2]) + 1} is not one person: rematch is a list of people, {_PERSON}, "
                         'or "*" for everyone, e.g. rematch = ["s0001", "t0001"]')
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return loc, words.format(_number((item.get("ctx") or {}).get(key)))
    if kind == "date_from_datetime_inexact":
        given = item.get("input")
        day = given.date().isoformat() if isinstance(given, datetime.datetime) else "2027-01-31"
        return loc, f"has a time of day: write a day such as {day}, without a time (a TOML date: no quotes)"
    return None
