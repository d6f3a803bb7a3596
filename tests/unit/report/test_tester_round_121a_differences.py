"""Tester round 121a, 2, 5 and 9: the report's survey figures given back by difference.

5: a wave's figures appeared on the last day of its window while answers dated that day still came in, so the
nightly reports of that day and the next differed by one answer (11 x 3.727 - 10 x 4 = 1.0); they now appear
from the day after. 9: the differencing rule covered ratings of a person only, so the self-efficacy table's T0
mean over six beside the evaluation's mean before over five gave the sixth's score (6 x 30 - 5 x 34 = 10); it
covers every instrument now. 2: an erasure withheld T0 and the evaluation before the differencing ran, which then
saw nothing beside the T1 mean and showed it (6 x 3.833 - 5 x 4.4 = 1.0, another mentee's rating); a figure
withheld only for an erasure now counts as shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from lmsync.config import Config
from lmsync.domain.instruments import Score, WaveScore
from lmsync.domain.waves import Wave, closed_waves_only
from lmsync.service.labels import People
from lmsync.service.rater_checkpoints import ErasureChanges
from lmsync.service.report_surveys import survey_tables

MENTEE, GSE = "relationship_satisfaction_mentee", "general_self_efficacy"
WINDOWS = {"T0": ("2026-09-01", "2026-09-20"), "T1": ("2026-10-10", "2026-10-31")}


def config() -> Config:
    return Config.model_validate({
        "report": {"min_cell": 5},
        "instruments": {MENTEE: {}, GSE: {"track_change": True}},
        "waves": {"programme_start": "2026-09-01", "baseline": "T0",
                  "windows": {w: {"start": a, "end": b} for w, (a, b) in WINDOWS.items()}},
    })


def tables(answers: dict[tuple[str, str], dict[int, float]], as_of: date, changes: ErasureChanges | None = None,
           day: dict[int, date] | None = None) -> Any:
    out = []
    for (instrument, wave), totals in answers.items():
        for who, total in totals.items():
            when = (day or {}).get(who, date.fromisoformat(WINDOWS[wave][0]) if wave == "T0" else date(2026, 10, 20))
            out.append(WaveScore(who, instrument, wave, when, "import", Score(instrument, total, 5, 4)))
    mentees = sorted({who for totals in answers.values() for who in totals})
    pairs = [(900 + who % 3, who) for who in mentees]
    roster = {who: type("U", (), {"profile": {}})() for who in mentees}
    return survey_tables(config(), out, [], pairs, roster, People(), as_of=as_of, changes=changes)


def wave_row(t: Any, instrument: str, wave: str, table: str = "satisfaction") -> tuple[Any, ...]:
    return next(r for r in getattr(t, table).rows if r[0] == instrument and r[2] == wave)


def test_round_121a_5_a_wave_shows_no_figures_on_its_last_day_only_from_the_day_after():
    t1 = Wave("T1", date(2026, 10, 10), date(2026, 10, 31))
    assert closed_waves_only([t1], date(2026, 10, 31)) == {"T1": date(2026, 10, 31)}  # its last day: still open
    assert closed_waves_only([t1], date(2026, 11, 1)) == {}
    answers = {(MENTEE, "T1"): {who: 4.0 for who in range(1, 11)}}
    night_of_31 = tables(answers, date(2026, 10, 31))
    assert wave_row(night_of_31, MENTEE, "T1")[3:5] == ("open until 2026-10-31", None)
    answers[(MENTEE, "T1")][11] = 1.0  # answered on the last day, after that night's report
    night_of_01 = tables(answers, date(2026, 11, 1), day={11: date(2026, 10, 31)})
    assert wave_row(night_of_01, MENTEE, "T1")[3] == 11  # the first figures shown: nothing to subtract them from


def test_round_121a_9_self_efficacy_keeps_its_t0_mean_apart_from_the_evaluation():
    t0 = {1: 30.0, 2: 40.0, 3: 30.0, 5: 30.0, 7: 40.0, 8: 10.0}
    t1 = {1: 30.0, 2: 40.0, 3: 40.0, 5: 40.0, 7: 40.0}
    t = tables({(GSE, "T0"): t0, (GSE, "T1"): t1}, date(2026, 11, 5))
    wave_t0 = wave_row(t, GSE, "T0", "self_efficacy")
    evaluation = next(r for r in t.evaluation.rows if r[0] == GSE and r[3] == "all")
    assert wave_t0[3] == 6 and wave_t0[4] == 30  # the baseline mean, shown first, stays
    assert evaluation[5] is None  # no mean before beside it: 6 x 30 - 5 x 34 gave person 8's score
    assert "withheld" in str(evaluation[4]) and evaluation[7] == 4  # its change is still shown
    wave_t1 = wave_row(t, GSE, "T1", "self_efficacy")
    assert wave_t1[4] is None or evaluation[6] is None  # and T1's mean not beside the mean after


def test_round_121a_2_a_mean_withheld_beside_a_figure_stays_withheld_when_an_erasure_withholds_that_figure():
    paired = {1: 4.0, 2: 4.0, 3: 3.0, 5: 5.0, 7: 4.0}
    t0 = {**paired, 8: 3.0, 9: 4.0, 11: 2.0, 13: 5.0}  # the fifth T0-only mentee (14) was erased
    t1 = {1: 4.0, 2: 5.0, 3: 4.0, 5: 5.0, 7: 4.0, 43: 1.0}
    answers = {(MENTEE, "T0"): t0, (MENTEE, "T1"): t1}
    window = (date(2026, 9, 1), date(2026, 9, 20))
    changes = ErasureChanges(changed_waves={MENTEE: frozenset({window})},
                             waves={w: (date.fromisoformat(a), date.fromisoformat(b)) for w, (a, b) in WINDOWS.items()})
    t = tables(answers, date(2026, 11, 3), changes)
    assert str(wave_row(t, MENTEE, "T0")[3]).startswith("withheld (who answered changed after an erasure")
    evaluation = next(r for r in t.evaluation.rows if r[0] == MENTEE and r[3] == "all")
    assert str(evaluation[4]).startswith("withheld (who answered changed after an erasure")
    t1_row = wave_row(t, MENTEE, "T1")
    assert t1_row[4] is None and str(t1_row[3]).startswith("6, mean withheld")  # as before the erasure
    before = tables({(MENTEE, "T0"): {**t0, 14: 3.0}, (MENTEE, "T1"): t1}, date(2026, 11, 2))
    assert str(wave_row(before, MENTEE, "T1")[3]).startswith("6, mean withheld")  # the report before it
