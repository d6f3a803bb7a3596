"""Preferences of a ``--people`` CSV that matching can never meet, said as notices naming file and line.

``lmsync.service.people_csv`` refuses a preference naming nobody who mentors; one naming a mentor
whose capacity is 0 (they take no mentees) or, on a ``mentor;mentee`` row, the row's own id (nobody
is matched with themselves) was taken in silence, and the choice simply never came true (tester
round 103a, 8). Each is a ``PersonWarning`` like the reader's ``capacity_ignored`` and
``year_missing``: code ``preference_no_capacity`` or ``preference_self``, field ``preferences``,
value the id named. Matching drops both from the ranking (``lmsync.domain.meetable_preferences``), as the
notices say: they took a rank and halved the weight of the real choice after them (tester round 104b, 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from lmsync.domain.people import Person, PersonWarning, id_key

#: What matching does with such a choice (``lmsync.domain.meetable_preferences``; tester round 104b, 4).
_NO_RANK = "it takes no rank, and the choices after it move up"


def preference_notices(
    path: Path, chose: Iterable[tuple[int, str, Sequence[str]]], persons: Iterable[Person]
) -> list[PersonWarning]:
    """One notice per preference that cannot be met, in file order.

    ``chose``: ``(line, mentee id, preferences)`` of each row with preferences, the preferences as
    ids of the file (``people_csv._references``); ``persons``: the file's people with their
    capacity as matching reads it (a blank one already the default). Raises nothing."""
    capacity = {id_key(p.id): p.capacity for p in persons}  # ids in any case and width, as the reader reads them
    found: list[PersonWarning] = []
    for line, mentee, preferences in chose:
        for choice in preferences:
            if id_key(choice) == id_key(mentee):
                found.append(PersonWarning(
                    "preference_self", mentee, f"{path}:{line}: preferences: {mentee} names themself: nobody is "
                    f"matched with themselves, so that choice is not used: {_NO_RANK}", field="preferences",
                    value=choice))
            elif capacity.get(id_key(choice)) == 0:
                found.append(PersonWarning(
                    "preference_no_capacity", mentee, f"{path}:{line}: preferences: {choice} has capacity 0 (takes "
                    f"no mentees), so {mentee}'s choice of them cannot be met in this run: {_NO_RANK}",
                    field="preferences", value=choice))
    return found
