"""The ``YYYY-MM-DD`` option type of the commands (``--as-of``, ``--since``).

click's ``DateTime`` says "'2026-02-30' does not match the format '%Y-%m-%d'" of a date written
in the right form that the calendar lacks (tester round 24, 8); this one says which it is.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import click

_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoDate(click.DateTime):
    """A ``YYYY-MM-DD`` date, given to the command as a ``datetime`` at midnight (as ``click.DateTime``)."""

    name = "YYYY-MM-DD"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if not _SHAPE.fullmatch(text):
            self.fail(f"{text!r} is not a date written YYYY-MM-DD (e.g. 2026-12-01)", param, ctx)
        try:
            return datetime(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError as exc:  # "month must be in 1..12", "day is out of range for month"
            self.fail(f"{text!r} is no day of the calendar ({exc})", param, ctx)


ISO_DATE = IsoDate()
