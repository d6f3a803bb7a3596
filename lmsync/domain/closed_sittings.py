"""A closed wave counts the sittings it closed with, and no other (tester round 128, 1 and 2).

A closed wave's figures are shown from the day after its window's last day (``waves.closed_waves_only``) and kept to
the window it closed with (``closed_windows``), yet they still moved with the answers: a paper form dated inside T0
and typed in after T0 closed moved m0012's per-mentor mentor qualities from 3 to 3.67 over the same 3 mentees
(3 x 0.67 = 2: a mentee's re-rating, given back), and a Moodle Feedback response edited after T0 closed (Moodle keeps
one response and moves its time, so its T0 answers went) took T0's mentee satisfaction from n 10, 3.28 to n 9, 3.356:
10 x 3.28 - 9 x 3.3556 = 2.6, that mentee's rating of their mentor.

So the first command that writes the store after a wave's last day records, with its window, the sittings dated inside
it (one respondent's answers to one instrument on one day from one source about one person or none), how many answer
rows each had and a digest of its answers to tell a change (``digest``), and the highest answer id then stored
(``store.closed_sittings``). From then on ``judge`` sorts the sittings dated inside the wave:

- ``counted``: recorded, with the same rows (none stored since) and the same answers: the wave's figures are over
  these only;
- ``late``: not recorded, every answer row stored after the record (a paper form imported late, a late Feedback
  response dated inside the window): counted in none of the wave's figures, and the report says how many people's;
- ``changed``: recorded, and since removed (a response deleted in Moodle, or edited so it moved out of the wave), or
  with fewer rows, a value changed or a row added (a re-import, an edit that kept its day); or not recorded but with
  rows written before the record (re-dated): every figure such a sitting was part of is withheld from then on, as
  after an erasure (``report_withheld``), for good, since no later answer makes the difference safe.

An erasure deletes the erased person's recorded sittings (and those about them) with their answers, so it changes
nothing here: its own withholding (``rater_checkpoints``) stays as it was. Pure: no storage, no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

#: A sitting: (respondent, instrument, day, source, about: None for no one).
Key = tuple[int, str, date, str, int | None]

#: One answer row now: its id, item and value as stored.
Stamp = tuple[int, str, str]


@dataclass(frozen=True)
class WaveRecord:
    """What a wave counted when it closed: the UTC instant recorded (``at``), the highest answer id then stored
    (``mark``: ids are never reused, so a row above it was stored later) and each sitting -> its answer rows and their
    ``digest``."""

    at: str
    mark: int = 0
    sittings: Mapping[Key, tuple[int, str]] = field(default_factory=dict)


def digest(rows: Iterable[tuple[str, str]]) -> str:
    """A short digest of a sitting's ``(item, value)`` answers, whatever their order: equal digests, equal answers
    (to tell a sitting changed in place: an edit or re-import that kept its day; a value rewritten within the second
    it was first stored leaves no other trace)."""
    text = "\n".join(f"{item}\x1f{value}" for item, value in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ClosedCount:
    """One recorded wave's sittings now (``judge``)."""

    counted: frozenset[Key] = frozenset()
    late: frozenset[Key] = frozenset()
    changed: frozenset[Key] = frozenset()
    #: of ``changed``, the sittings no longer stored at all (deleted, or re-dated out of the wave)
    removed: frozenset[Key] = frozenset()

    def late_people(self) -> set[int]:
        """The respondents with a sitting stored after the wave closed (not counted)."""
        return {key[0] for key in self.late}


def judge(record: WaveRecord, now: Mapping[Key, list[Stamp]]) -> ClosedCount:
    """Sort the sittings ``now`` holds inside a wave (``stamps``: sitting -> its rows' id, item and value) and those
    ``record`` counted into ``ClosedCount``'s three kinds (this module's rules): a row is stored after the record when
    its id is above ``record.mark``; a recorded sitting changed when it has such a row, or its number of rows or its
    ``digest`` differs."""
    counted: set[Key] = set()
    late: set[Key] = set()
    changed: set[Key] = set()
    for key, rows in now.items():
        before = [row for row in rows if row[0] <= record.mark]
        if key not in record.sittings:
            (changed if before else late).add(key)
        elif len(before) != len(rows) or record.sittings[key] != (len(rows), digest((i, v) for _id, i, v in rows)):
            changed.add(key)
        else:
            counted.add(key)
    removed = {key for key in record.sittings if key not in now}
    return ClosedCount(frozenset(counted), frozenset(late), frozenset(changed | removed), frozenset(removed))
