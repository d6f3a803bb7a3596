"""The people erased since a past day ``lmsync health --as-of`` judges, whose pairs that view cannot count.

An erasure deletes the person's pairing history, health snapshots and meetings (``store.surveys.erase_person``), so
a view of a day before it judged fewer pairs than that day had, and did not say why (tester round 112b, 9b). The
store keeps only who was erased and on which day (``store.erasures``), not how many pairs they had then: the view
counts the people erased on or after that day (an erasure on the day itself came after that day's view could have
counted them), never names them, and says that their pairs, if they had any that day, are not counted.
"""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.service.runtime import store_session
from lmsync.store.erasures import erased_on


def erased_since(config: Config, day: date) -> int:
    """How many people the programme's store records as erased on or after ``day`` (a programme day, as
    ``erasures.erased_on`` dates them); read-only. Raises what opening the store raises (``store_session``)."""
    with store_session(config, read_only=True) as store:
        return sum(1 for on in erased_on(store).values() if on >= day)


def erased_note(count: int, day: date) -> str:
    """What a view of the past ``day`` says of ``count`` (> 0) people erased since (``erased_since``)."""
    who = "1 person" if count == 1 else f"{count} people"
    return (f"{who} erased on or after {day.isoformat()} not counted: an erasure takes the person's pairing history "
            "with them, so their pairs of that day, if they had any, are not in this view")
