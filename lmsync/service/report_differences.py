"""The report's survey figures kept from giving answers back by difference (tester rounds 120a, 1; 121a, 2 and 9).

The wave table (``relationship_satisfaction``: a wave's n and mean over everyone who answered it) and the
programme evaluation (n, mean before, mean after over those who answered both waves) gave one mentee's rating
of their mentor back exactly: 6 x 3.667 - 5 x 4.2 = 1.0, the T0 score of the one mentee who did not answer
T2; the mirror case (T2 only) gave their T2 score back from the mean after. So, for every instrument (a rating
of a person, and a person's own score such as self-efficacy alike: 6 x 30 - 5 x 34 = 10 was one mentee's general
self-efficacy; tester round 121a, 9), the wave rows and evaluation rows shown together never give the answers of
fewer than ``[report] min_cell`` people back, whatever combination of them is taken (``lmsync.domain.differencing``).
The caller judges the figures before an erasure withholds any (``report_withheld``): a figure withheld only for an
erasure was shown by earlier reports, so it still counts as shown and what was withheld beside it stays withheld
(tester round 121a, 2: erasing a T0-only mentee withheld the evaluation row, and the T1 mean it had kept back then
appeared, 6 x 3.833 - 5 x 4.4 = 1.0, another mentee's rating).

What gives way, figure by figure in the order reports first show them: a wave's mean appears from the day after
its last day and stays as it was (``side_of`` in ``report_surveys``), so the baseline wave's mean, shown long before any
evaluation, is never withheld (withholding it later would not undo the earlier reports); the evaluation's rows
that compare a later wave come next ("all", then each year group), and that wave's own mean last, as the
evaluation's paired figures matter most to a programme. An evaluation row that cannot show its means before and
after shows its change alone (change, CI, d_z, Wilcoxon: the before and after levels withheld); one that cannot
show even that shows its n only. A wave that would give answers back shows its n, not its mean, SD or CI.
Each says why in its n cell, never whose answers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from lmsync.domain.differencing import Candidate, Total, keep_apart
from lmsync.service.report_model import Table

#: ``(instrument, wave) -> respondents`` of a wave table's row; ``(instrument, from, to, group) -> respondents``
#: of an evaluation row.
Answered = Mapping[tuple[str, str], frozenset[int]]
Paired = Mapping[tuple[str, str, str, str], frozenset[int]]


def with_erased(answered: Answered, withholds: Callable[[str, str], bool]) -> dict[tuple[str, str], frozenset[int]]:
    """``answered`` with one stand-in (a negative id, each its own) added to every wave row an erasure withholds
    (``withholds(instrument, wave)``: ``ErasureChanges.wave_withholds``): earlier reports showed that row over
    the erased person too, an answer nobody can read now, so the row still counts as shown, over one person more
    (tester round 121a, 2: over the people left alone, the T0 mean beside the evaluation's mean before seemed to
    give four people's answers back, the evaluation lost its means and the T1 mean it had kept back appeared). An
    evaluation row an erasure withholds counts over the people left: it may not have held the erased person."""
    out = dict(answered)
    for k, (instrument, wave) in enumerate(sorted(answered)):
        if answered[(instrument, wave)] and withholds(instrument, wave):
            out[(instrument, wave)] = answered[(instrument, wave)] | {-(k + 1)}
    return out


def _why(subject: str, m: int) -> str:
    return f"{subject} would give fewer than {m} people's answers away by difference"


def wave_withheld(n: int, m: int) -> str:
    """A wave row's n cell when its mean is withheld."""
    return f"{n}, mean withheld: beside the programme evaluation {_why('it', m)}"


def levels_withheld(n: int, m: int) -> str:
    """An evaluation row's n cell when its means before and after are withheld (the change shown)."""
    return f"{n}, means before and after withheld: beside the per-wave means or another comparison {_why('they', m)}"


def row_withheld(n: int, m: int) -> str:
    """An evaluation row's n cell when every statistic of it is withheld."""
    return f"{n}, withheld: beside the per-wave means or another comparison {_why('its figures', m)}"


def _shown_wave(row: Sequence[Any]) -> bool:
    return isinstance(row[3], int) and not isinstance(row[3], bool) and row[4] is not None


def _shown_evaluation(row: Sequence[Any]) -> bool:
    return isinstance(row[4], int) and not isinstance(row[4], bool) and row[7] is not None


def _candidates(
    instrument: str, waves: Sequence[str], satisfaction: Table, evaluation: Table, answered: Answered, paired: Paired
) -> list[Candidate]:
    """The figures of one instrument in the order reports first show them (the module's docstring)."""
    out: list[Candidate] = []
    for wave in waves:
        for k, row in enumerate(evaluation.rows):
            if row[0] != instrument or row[2] != wave or not _shown_evaluation(row):
                continue
            people = paired.get((row[0], row[1], row[2], row[3]), frozenset())
            before, after, spread = row[1], row[2], ("squared change", row[1], row[2])
            out.append(Candidate(("evaluation", k), (
                (Total(people, before), Total(people, after), Total(people, spread)),
                (Total(people, after, before), Total(people, spread)),
            )))
        for k, row in enumerate(satisfaction.rows):
            if row[0] == instrument and row[2] == wave and _shown_wave(row):
                out.append(Candidate(("wave", k), ((Total(answered.get((row[0], row[2]), frozenset()), wave),),)))
    return out


def kept_apart(
    satisfaction: Table,
    evaluation: Table,
    answered: Answered,
    paired: Paired,
    rating: Collection[str],
    waves: Sequence[str],
    min_cell: int,
) -> tuple[Table, Table]:
    """``satisfaction`` (a wave table: instrument, side, wave, n, mean, sd, ci_low, ci_high, response_rate) and
    ``evaluation`` (instrument, from_wave, to_wave, group, n, mean_before, mean_after, mean_change, ci_low,
    ci_high, d_z, wilcoxon_w, wilcoxon_p, response rates) with what would give fewer than ``min_cell`` people's
    answers back withheld, for the instruments in ``rating`` (names; each judged on its own, so a table's rows of
    other instruments stay as given), over ``waves`` (names, earliest first). Judge tables no erasure has
    withheld rows of yet (the module's docstring).
    ``answered``/``paired``: the respondents of each row shown. Rows already without statistics stay."""
    chosen: dict[Hashable, int] = {}
    for instrument in rating:
        chosen.update(keep_apart(_candidates(instrument, waves, satisfaction, evaluation, answered, paired), min_cell))
    wave_rows = list(satisfaction.rows)
    evaluation_rows = list(evaluation.rows)
    for name, option in chosen.items():
        kind, k = cast("tuple[str, int]", name)
        if kind == "wave" and option > 0:
            row = wave_rows[k]
            wave_rows[k] = (*row[:3], wave_withheld(row[3], min_cell), None, None, None, None, *row[8:])
        elif kind == "evaluation" and option == 1:
            row = evaluation_rows[k]
            evaluation_rows[k] = (*row[:4], levels_withheld(row[4], min_cell), None, None, *row[7:])
        elif kind == "evaluation" and option > 1:
            row = evaluation_rows[k]
            evaluation_rows[k] = (*row[:4], row_withheld(row[4], min_cell), *([None] * 8), *row[13:])
    return replace(satisfaction, rows=tuple(wave_rows)), replace(evaluation, rows=tuple(evaluation_rows))
