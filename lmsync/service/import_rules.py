"""What an import checks a file against beyond its own rows (``ImportRules``), and how its messages
name people; shared by the meetings and survey imports (:mod:`lmsync.service.imports`) and the
checks of a survey row against the pairs (:mod:`lmsync.service.survey_rows`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from lmsync.domain.meetings import FieldProblem, PersonRef
from lmsync.service.csv_tables import DateOrderSetting

MAX_AGE_WITHOUT_START = 365  # days: how old an imported date may be when no programme start is configured


@dataclass(frozen=True)
class ImportRules:
    """What a file is checked against beyond its own rows.

    ``today`` and ``start`` (the programme start) bound every date; ``date_order`` reads
    slash dates (``[import] date_order``); ``pairs`` are the (mentor, mentee) pairs that
    ever existed (``None``: not checked); ``current`` the pairs now (``None``: not known) and
    ``relationship`` the instruments answered about one relationship (``[health]
    satisfaction_instruments``): a mentor of several current mentees must say which one such an
    answer is about (tester round 4, 9); ``names`` (user id -> full name) make messages about
    people readable; ``erased`` as below.
    """

    today: date | None = None
    start: date | None = None
    date_order: DateOrderSetting = "auto"
    pairs: Collection[tuple[int, int]] | None = None
    names: Mapping[int, str] = field(default_factory=dict)
    current: Collection[tuple[int, int]] | None = None
    relationship: frozenset[str] = frozenset()
    #: Moodle id -> the day lmsync erased them: their pairs are gone from the store, so a row naming them
    #: dated by then is not "never a pair" but withheld when saved (tester round 14, 5)
    erased: Mapping[int, date] = field(default_factory=dict)

    def too_old(self, value: date, text: str, column: str = "date") -> FieldProblem | None:
        """Why ``value`` is too old when no programme start is set, or ``None``.

        With ``start`` set, ``parse_date`` refuses earlier dates. Without it a date more than
        ``MAX_AGE_WITHOUT_START`` days before ``today`` is refused: a mistyped year (``1999-10-12``)
        would otherwise be stored and count every attendance grade from 1999 (new admin, part 2,
        point 2).
        """
        if self.start is not None or self.today is None:
            return None
        if (self.today - value).days <= MAX_AGE_WITHOUT_START:
            return None
        return FieldProblem(
            column,
            f"{text.strip()!r} is more than {MAX_AGE_WITHOUT_START} days before today ({self.today.isoformat()}) "
            "and no programme start is configured: set [meetings] start (or [waves] programme_start) in "
            "lmsync.toml to the programme's first day, or correct the year",
        )


def named(person: PersonRef, names: Mapping[int, str]) -> str:
    """A person as a message names them: the key the file used, with the full name when known."""
    name = names.get(person.user_id)
    return f"{person.key!r} ({name})" if name else repr(person.key)
