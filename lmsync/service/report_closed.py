"""The report's closed waves over the sittings they closed with (tester round 128, 1 and 2).

A closed wave whose sittings lmsync recorded as it closed (``store.closed_sittings``) is counted over the sittings
``domain.closed_sittings.judge`` finds still as counted, whatever answers were stored, edited or removed since:

- its scores are worked out again over those sittings' answers alone (``counted_scores``; the stored scores follow
  every answer, a late complete sitting replacing the one the wave closed with), and its mentor-qualities answers
  kept to them (``counted_answers``), so an answer stored after the wave closed (a late paper form, a Feedback
  response dated inside it) is counted in none of its figures; the page's notes say how many people's
  (``late_note``): a count, never who;
- every figure a counted sitting was part of reads ``CLOSED_WITHHELD`` once that sitting is removed or changed
  (``ClosedChanges``): the instrument's wave row and evaluation rows from or to that wave (``report_withheld``'s
  rule, every group alike), the side's response row of that wave (its count would move), the mentor qualities'
  programme rows of the wave and the per-mentor row of the mentor it rated (``report_qualities``). For good: no
  later answer makes the difference safe.

Erasure keeps its own rule (``report_withheld``): it deletes the erased person's recorded sittings with their answers,
so it is never seen as a change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from lmsync.domain.closed_sittings import ClosedCount, Key
from lmsync.domain.instruments import Instrument, SurveyAnswer, Wave, WaveScore, score_waves
from lmsync.domain.waves import wave_for
from lmsync.service.report_model import Table
from lmsync.service.report_withheld import withhold_rows

#: A figure's count cell when a sitting it counted was removed or changed after its wave closed: no count, no day.
CLOSED_WITHHELD = "withheld (answers it counted were removed or changed after the wave closed)"


def _key(a: SurveyAnswer) -> Key:
    return (a.respondent_id, a.instrument, a.date, a.source, a.about_id)


def counted_answers(answers: Iterable[SurveyAnswer], closed: Mapping[str, ClosedCount],
                    held: Mapping[str, Wave]) -> list[SurveyAnswer]:
    """``answers`` less those dated inside a recorded closed wave (``closed``, its kept window in ``held``) whose
    sitting that wave does not count (``ClosedCount.counted``)."""
    windows = tuple(held[name] for name in closed if name in held)
    out = []
    for a in answers:
        wave = wave_for(windows, a.date)
        if wave is None or _key(a) in closed[wave.name].counted:
            out.append(a)
    return out


def counted_scores(scores: Iterable[WaveScore], answers: Iterable[SurveyAnswer], closed: Mapping[str, ClosedCount],
                   held: Mapping[str, Wave], instruments: Mapping[str, Instrument]) -> list[WaveScore]:
    """``scores`` (as ``closed_windows.held_scores`` keeps them) with each recorded closed wave's (``closed``, kept in
    ``held``) scored again over the answers of its counted sittings (``answers``: every instrument's, at least those
    dated inside those windows) by the one rule (``score_waves``: the latest complete sitting)."""
    waves = [held[name] for name in closed if name in held]
    if not waves:
        return list(scores)
    names = {w.name for w in waves}
    inside = counted_answers([a for a in answers if wave_for(waves, a.date) is not None], closed, held)
    again = score_waves(inside, instruments, waves)
    return [ws for ws in scores if ws.wave not in names] + again


@dataclass(frozen=True)
class ClosedChanges:
    """The sittings of recorded closed waves removed or changed since they closed: wave name -> keys."""

    changed: Mapping[str, frozenset[Key]] = field(default_factory=dict)

    def wave_withholds(self, instrument: str, wave: str) -> bool:
        """Whether a sitting of ``instrument`` counted in ``wave`` changed."""
        return any(key[1] == instrument for key in self.changed.get(wave, ()))

    def side_withholds(self, side: str, wave: str, instruments: Mapping[str, Instrument]) -> bool:
        """Whether a sitting counted in ``wave`` changed of an instrument ``side`` (``mentee``, ``mentor``) answers
        (an instrument not configured now: any side)."""
        return any(key[1] not in instruments or instruments[key[1]].side in (side, "both")
                   for key in self.changed.get(wave, ()))

    def mentors(self, instrument: str, wave: str, pairs_on: Callable[[date], set[tuple[int, int]]]) -> set[int]:
        """The mentors a changed ``instrument`` sitting of ``wave`` rated: the one it names, else the respondent's
        mentor(s) on its day (as ``report_qualities`` credits an answer)."""
        out: set[int] = set()
        for who, name, day, _source, about in self.changed.get(wave, ()):
            if name == instrument:
                out |= {about} if about is not None else {m for m, e in pairs_on(day) if e == who}
        return out


def _erased(cell: object) -> bool:
    """Whether a count cell already reads an erasure's ``report_withheld.WITHHELD`` (its words are kept)."""
    return isinstance(cell, str) and cell.startswith("withheld (")


def wave_rows(table: Table, changes: ClosedChanges) -> Table:
    """A per-instrument-and-wave table (``instrument, side, wave, n, ...``) with each row whose wave's sitting of
    the instrument changed withheld (``CLOSED_WITHHELD`` in ``n``, no statistics); one an erasure withheld keeps
    its words."""
    return withhold_rows(table, 3, CLOSED_WITHHELD,
                         lambda row: changes.wave_withholds(row[0], row[2]) and not _erased(row[3]))


def evaluation_rows(table: Table, changes: ClosedChanges) -> Table:
    """The evaluation (``instrument, from_wave, to_wave, group, n, ...``) with each row withheld whose from or to wave
    is (``wave_rows``' rule), every group alike."""
    return withhold_rows(table, 4, CLOSED_WITHHELD, lambda row: any(changes.wave_withholds(row[0], w) for w in (row[1], row[2]))
                         and not _erased(row[4]))


def response_rows(table: Table, changes: ClosedChanges, instruments: Mapping[str, Instrument]) -> Table:
    """The response table (``wave, side, answered, expected, rate``) with ``answered`` and ``rate`` withheld in
    each row whose side's counted sitting of the wave changed (who answered would move by it)."""
    rows = tuple((row[0], row[1], CLOSED_WITHHELD, row[3], None)
                 if changes.side_withholds(str(row[1]).removesuffix("s"), row[0], instruments) else row
                 for row in table.rows)
    return replace(table, rows=rows)


def late_note(closed: Mapping[str, ClosedCount], waves: Sequence[Wave]) -> str | None:
    """The page's note on the answers stored after a shown closed wave (of ``waves``) closed: people per wave, or
    None when there are none."""
    said = [f"{w.name}: {n}" for w in waves if w.name in closed and (n := len(closed[w.name].late_people()))]
    if not said:
        return None
    return ("Answers dated inside a closed survey wave but stored after it closed are counted in none of its figures "
            f"(people per wave: {', '.join(said)}), so that no report differs from an earlier one by them; a figure "
            f"whose answers were removed or changed after its wave closed reads \"{CLOSED_WITHHELD}\".")
