"""Meetings dated when their pair did not exist: what an import or ``lmsync meetings add`` says of them.

The pairing history's spans (``feedback_pairs_by_date``), the day meetings count from (``[meetings] start``) and
the holds of mentors away now (``away_mentors.hold_windows``) are what ``not_a_pair_on`` reads; a meeting it
places outside its pair is kept, and said, as no grade counts it (tester rounds 57, 6; 58, 5; 86b, 8). The
Feedback meeting log's rows are said by the run that first stores them (``stored_outside``; tester round 88a, 6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple

from lmsync.config import Config
from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import DatedPair, not_a_pair_on, there_on_the_first_day
from lmsync.service.away_mentors import hold_windows
from lmsync.service.feedback_store import feedback_pairs_by_date
from lmsync.service.programme_settings import programme_zone, settings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository


class PairDays(NamedTuple):
    """What places a meeting inside or outside its pair: the pairing ``history``, the day meetings count from
    (``start``: ``[meetings] start``, as grades count it, round 74, 7) and each away mentor's hold (``away``: first day, last)."""

    history: Sequence[DatedPair]
    start: date | None
    away: Mapping[int, tuple[date, date]]


def pair_days(db: Store, config: Config) -> PairDays:
    """The store's ``PairDays`` for ``config``'s programme (read-only; raises what the store raises)."""
    history = feedback_pairs_by_date(db, config.programme.name, (), tz=programme_zone(config)).history
    return PairDays(history, settings(config).meetings_start, hold_windows(config, db))


def outside_the_pair(db: Store, config: Config, meeting: Meeting) -> list[str]:
    """A warning when the pairing history says the meeting's pair did not exist on its date
    (``not_a_pair_on``): ``lmsync meetings add`` stored it without a word (tester rounds 57, 6; 58, 5)."""
    days = pair_days(db, config)
    how = not_a_pair_on(days.history, (meeting.mentor_id, meeting.mentee_id), meeting.date, start=days.start,
                        away=days.away.get(meeting.mentor_id))
    if not how:
        return []
    said = f"warning: dated {how}: kept, but no grade counts it; `lmsync meetings remove` takes it back if it is a mistake"
    first = there_on_the_first_day(days.history, (meeting.mentor_id, meeting.mentee_id), meeting.date)
    if first is not None:  # the grades count it once a start on or before it is set (tester round 95a, 6)
        said += (f". The pair was there on lmsync's first day ({first.isoformat()}): with [meetings] start (or [waves] "
                 f"programme_start) set on or before {meeting.date.isoformat()}, the grades and health would count "
                 "it from that start, as a meeting from before lmsync came")
    return [said]


def stored_outside(db: Store, config: Config, after_id: int) -> tuple[int, str] | None:
    """The meeting-log rows (source ``feedback``) first stored after row ``after_id`` (``MeetingRepository.last_id``
    before the read) whose pair did not exist on their date (``not_a_pair_on``): their count and the first of them in
    words (its date, how, and the response it came from), or None. A meeting-log response dated long before its
    pair began was stored without the word an import or ``meetings add`` gives (tester round 88a, 6); a later
    read of the same response stores nothing new and says nothing again. Read-only; raises what the store raises."""
    new = MeetingRepository(db, config.programme.name).find(source="feedback", after_id=after_id)
    if not new:
        return None
    days = pair_days(db, config)
    apart = sorted((s.meeting.date, how, s.origin or "") for s in new
                   if (how := not_a_pair_on(days.history, (s.meeting.mentor_id, s.meeting.mentee_id), s.meeting.date,
                                            start=days.start, away=days.away.get(s.meeting.mentor_id))))
    if not apart:
        return None
    day, how, origin = apart[0]
    response = f", response attempt {origin.partition(':')[2]}" if origin.partition(":")[2] else ""
    return len(apart), f"{day.isoformat()}, dated {how}{response}"
