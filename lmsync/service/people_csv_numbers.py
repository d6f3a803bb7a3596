"""The number cells of a ``--people`` file (``capacity``, ``year``), read as the sync reads the profile fields.

A what-if made from an export of the Moodle profile fields was refused where the sync reads the same values
with a notice (tester round 120c, 6): ``Two`` -> 2, ``Y4`` -> 4, ``2nd`` -> 2. A cell is read as a number as
written (digits, or ``2.0`` as a spreadsheet saves a number cell: tester round 15, 7), else by
``people.read_number``, the sync's reader, and then said as the sync says it (``value_read``: "read as 2;
please type the number alone", naming file, line and field). A cell neither reads (``lots``, ``2-3``,
``1.5``, ``1e3``: tester round 40, 9) is refused, and so is a number no capacity or year can be: below 0,
above ``LARGEST``, a year above ``year_of_study.MOST_YEARS`` (a class's year, ``2026``: tester round 120c, 7).
The sync counts such a profile value as missing; a file is fixed before it is matched.

``cell`` collects a row's refused cells (``BadCell``), so that every bad cell of the file is named in one go
(tester round 120c, 6: a row's second bad cell was named only once its first was fixed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lmsync.domain.people import LARGEST, PersonWarning, read_number
from lmsync.domain.year_of_study import YEAR_FIX, year_problem
from lmsync.service.csv_tables import ImportIssue

T = TypeVar("T")
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")


class BadCell(ValueError):
    """A cell that cannot be read: ``field`` and ``message`` for the error naming its line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Number:
    """A number cell as read: ``value``, and ``read`` True when it was read from other text (``Two``, ``Y4``)."""

    text: str
    value: int
    read: bool = False


def capacity(text: str) -> Number:
    """A ``capacity`` cell (stripped, not empty). Raises ``BadCell`` ("must be 0 or more", unreadable, too large)."""
    number = _number(text, "capacity")
    if number.value < 0:
        raise BadCell("capacity", "must be 0 or more")
    return number


def year(text: str) -> Number:
    """A ``year`` cell (stripped, not empty, no placeholder). Raises ``BadCell`` for a year below 0 (tester round
    40b, 11), one above ``MOST_YEARS`` (tester round 120c, 7), an unreadable or too large one."""
    number = _number(text, "year")
    if number.value < 0:
        raise BadCell("year", "must be 0 or more")
    if problem := year_problem(number.value):
        raise BadCell("year", f"{text!r} {problem}: {YEAR_FIX}")
    return number


def cell(cells: Mapping[str, T], text: str, line: int, bad: list[ImportIssue]) -> T | None:
    """``cells[text]`` (a ``people_csv._Cells`` reader), or None with the ``BadCell`` it raised added to ``bad``
    as the problem of ``line``: the row's other cells are read on (tester round 120c, 6)."""
    try:
        return cells[text]
    except BadCell as exc:
        bad.append(ImportIssue(line, exc.field, exc.message))
        return None


def read_as(path: Path, line: int, person: str, numbers: Sequence[tuple[str, Number | None]]) -> list[PersonWarning]:
    """A ``value_read`` notice for each number of a row read from other text, in the sync's words
    (``roster.person_from_roster``): ``x.csv:2: capacity: 'Two' read as 2; please type the number alone``."""
    return [
        PersonWarning("value_read", person, f"{path}:{line}: {field}: {number.text!r} read as {number.value}; please "
                      "type the number alone", field=field, value=number.text)
        for field, number in numbers if number is not None and number.read
    ]


def _number(text: str, field: str) -> Number:
    """A whole number as written: digits, or "2.0" as a spreadsheet may save a number cell (tester round 15, 7);
    else one the sync reads (``read_number``). Not Python's other spellings: "1e3" read as 1,000 and "1_0" as
    10 (tester round 40, 9)."""
    if _WHOLE.fullmatch(text):
        number = Number(text, int(text.split(".", 1)[0]))
    else:
        typed = read_number(text)
        if typed.value is None:
            raise BadCell(field, f"{text!r} is not a whole number")
        number = Number(text, typed.value, read=True)
    if abs(number.value) > LARGEST:
        raise BadCell(field, f"{text!r} is too large (at most {LARGEST:,})")
    return number
