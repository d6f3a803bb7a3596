"""The rows of an imported file that its warnings and notes name, each as FILE:LINE, the first ten of them.

An import that only counted a kind of row left a coordinator unable to find those rows in their register. The
"dated when their pair did not exist" warning names its rows (tester round 67, 5); the meetings longer than
``[meetings] max_minutes`` and the rows (meetings or survey answers) withheld as about someone erased are named
the same way (tester round 112b, 5). ``places_text`` writes such a list: ``w.csv:2, w.csv:7 and 3 more``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import DatedPair, not_a_pair_on
from lmsync.store.erasures import withheld

SHOWN = 10  # places a warning names one by one; the rest are counted ("and N more")


def first_places(places: Iterable[str]) -> tuple[str, ...]:
    """The first ``SHOWN`` of ``places`` (FILE:LINE strings), in their order."""
    return tuple(places)[:SHOWN]


def places_text(shown: Sequence[str], count: int) -> str:
    """``shown`` places joined by commas, then `` and N more`` when ``count`` (all such rows) exceeds them."""
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return ", ".join(shown) + more


@dataclass(frozen=True)
class MeetingWarnings:
    """What a stored meetings file's warnings say (fields of ``imports.ImportResult`` of the same names)."""

    longer_than: tuple[int, int] | None = None  # (rows over max_minutes, max_minutes)
    longer_rows: tuple[str, ...] = ()  # their places, the first ten
    outside_pair: tuple[int, date, str] | None = None  # (rows dated when their pair did not exist, the first date, how)
    outside_rows: tuple[str, ...] = ()  # their places, the first ten, by date
    withheld_rows: tuple[str, ...] = ()  # places of rows withheld as about someone erased, the first ten


def meeting_warnings(
    meetings: Sequence[tuple[Meeting, str]],
    erased: Mapping[int, date],
    *,
    max_minutes: int | None,
    history: Sequence[DatedPair],
    start: date | None,
    away: Mapping[int, tuple[date, date]] | None,
) -> MeetingWarnings:
    """The warnings of a stored file's ``meetings`` (each with its place, FILE:LINE), ``erased`` (Moodle user id ->
    day of erasure) deciding the rows withheld (``erasures.withheld``, as ``MeetingRepository.save_in`` does): those
    are named only as withheld, never among the longer rows nor the rows outside a pair (tester round 80, 3).
    ``max_minutes``: ``[meetings] max_minutes`` (None: not checked); ``history``, ``start``, ``away``: as
    ``pair_dates.not_a_pair_on`` reads them (``away``: each mentor's hold, by Moodle user id)."""
    stored = [(m, where) for m, where in meetings if not withheld(erased, m.date, (m.mentor_id, m.mentee_id))]
    dropped = first_places(where for m, where in meetings if withheld(erased, m.date, (m.mentor_id, m.mentee_id)))
    longer = [where for m, where in stored if max_minutes is not None and m.minutes > max_minutes]
    apart = sorted((m.date, how, where) for m, where in stored
                   if (how := not_a_pair_on(history, (m.mentor_id, m.mentee_id), m.date, start=start,
                                            away=(away or {}).get(m.mentor_id))))
    return MeetingWarnings(
        longer_than=(len(longer), max_minutes) if longer and max_minutes is not None else None,
        longer_rows=first_places(longer),
        outside_pair=(len(apart), apart[0][0], apart[0][1]) if apart else None,
        outside_rows=first_places(where for _d, _h, where in apart),
        withheld_rows=dropped,
    )
