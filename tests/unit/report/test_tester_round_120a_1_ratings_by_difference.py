"""Tester round 120a, 1: the wave table (a wave's n and mean over everyone who answered it) and the programme
evaluation (n, mean before, mean after over those who answered both waves) gave one mentee's rating of their
mentor back exactly: 6 x 3.667 - 5 x 4.2 = 1.0. No combination of the figures the report shows of a rating of a
person may now give back fewer than ``[report] min_cell`` people's answers.

Each test reads what the report shows (``survey_tables``) and checks it with a reader's own arithmetic: every
total the rows let them compute (a mean times its n; a mean change times its n) and, by brute force over every
small set of people, whether some combination of those totals is over that set alone."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations
from typing import Any

import numpy as np
import pytest

from lmsync.config import Config
from lmsync.domain.instruments import Score, WaveScore
from lmsync.service.labels import People
from lmsync.service.report_surveys import survey_tables

MENTEE, MENTOR = "relationship_satisfaction_mentee", "relationship_satisfaction_mentor"
GSE = "general_self_efficacy"
WINDOWS = {"T0": ("2026-09-07", "2026-09-20"), "T1": ("2026-10-05", "2026-10-18"), "T2": ("2026-11-02", "2026-11-15")}
AS_OF = date(2026, 11, 20)


def config(waves: tuple[str, ...] = ("T0", "T2"), min_cell: int = 5, year: bool = False) -> Config:
    return Config.model_validate({
        "report": {"min_cell": min_cell},
        "instruments": {MENTEE: {}, MENTOR: {}, GSE: {}},
        "matching": {"attributes": {"year": "year"}} if year else {},
        "waves": {"programme_start": "2026-09-07",
                  "windows": {w: {"start": WINDOWS[w][0], "end": WINDOWS[w][1]} for w in waves}},
    })


def scores(answers: dict[tuple[str, str], dict[int, float]]) -> list[WaveScore]:
    """``(instrument, wave) -> {respondent: total}`` as complete wave scores, dated inside each window."""
    out = []
    for (instrument, wave), totals in answers.items():
        day = date.fromisoformat(WINDOWS[wave][0])
        out += [WaveScore(who, instrument, wave, day, "import", Score(instrument, total, 5, 4)) for who, total in totals.items()]
    return out


def tables(cfg: Config, answers: dict[tuple[str, str], dict[int, float]], years: dict[int, str] | None = None) -> Any:
    mentees = sorted({who for (inst, _w), totals in answers.items() if inst != MENTOR for who in totals})
    mentors = sorted({who for (inst, _w), totals in answers.items() if inst == MENTOR for who in totals})
    mentor_of = {e: (mentors or [900])[k % len(mentors or [900])] for k, e in enumerate(mentees)}
    pairs = sorted({(m, e) for e, m in mentor_of.items()} | {(m, 1000 + m) for m in mentors})
    roster = {e: type("U", (), {"profile": {"year": (years or {}).get(e, "")}})() for e in mentees}
    return survey_tables(cfg, scores(answers), [], pairs, roster, People(), as_of=AS_OF)


def published(t: Any, answers: dict[tuple[str, str], dict[int, float]], years: dict[int, str]) -> list[tuple[Any, ...]]:
    """The totals a reader computes from the rows: (people, plus, minus), with the people each row is over."""
    out: list[tuple[Any, ...]] = []
    for inst, _side, wave, _n, mean, *_rest in t.satisfaction.rows:
        if mean is not None:
            out.append((inst, frozenset(answers[(inst, wave)]), wave, None))
    for inst, before, after, group, _n, mean_before, mean_after, change, *_rest in t.evaluation.rows:
        both = set(answers.get((inst, before), {})) & set(answers.get((inst, after), {}))
        people = frozenset(w for w in both if group == "all" or f"year {years.get(w)}" == group
                           or (group == "year not given" and w not in years))
        if mean_before is not None:
            out.append((inst, people, before, None))
        if mean_after is not None:
            out.append((inst, people, after, None))
        if change is not None:
            out.append((inst, people, after, before))
    return out


def small_combination(totals: list[tuple[Any, ...]], min_cell: int) -> frozenset[int] | None:
    """A set of fewer than ``min_cell`` people some combination of ``totals`` is over alone, by brute force over
    people (one column per person and wave), or None."""
    people = sorted({w for _i, p, _a, _b in totals for w in p})
    keys = sorted({(i, k) for i, _p, a, b in totals for k in (a, b) if k is not None})
    column = {(key, w): c for c, (key, w) in enumerate((key, w) for key in keys for w in people)}
    matrix = np.zeros((len(totals), len(column)))
    for r, (inst, p, plus, minus) in enumerate(totals):
        for w in p:
            matrix[r, column[((inst, plus), w)]] += 1
            if minus is not None:
                matrix[r, column[((inst, minus), w)]] -= 1
    rank = np.linalg.matrix_rank(matrix) if totals else 0
    for size in range(1, min_cell):
        for chosen in combinations(people, size):
            outside = [c for (key, w), c in column.items() if w not in chosen]
            if np.linalg.matrix_rank(matrix[:, outside]) < rank:  # a combination vanishes outside them
                return frozenset(chosen)
    return None


def wave_row(t: Any, inst: str, wave: str) -> tuple[Any, ...]:
    return next(r for r in t.satisfaction.rows if r[0] == inst and r[2] == wave)


def all_row(t: Any, inst: str, wave: str = "T2") -> tuple[Any, ...]:
    return next(r for r in t.evaluation.rows if r[0] == inst and r[2] == wave and r[3] == "all")


TESTER_T0 = {37: 5.0, 41: 4.0, 46: 3.0, 56: 5.0, 8: 4.0, 29: 1.0}
TESTER_T2 = {37: 5.0, 41: 4.0, 46: 2.0, 56: 5.0, 8: 4.0}


def test_round_120a_1_the_mentee_who_did_not_answer_t2_is_not_given_back_and_the_change_still_shows():
    answers = {(MENTEE, "T0"): TESTER_T0, (MENTEE, "T2"): TESTER_T2}
    t = tables(config(), answers)
    assert small_combination(published(t, answers, {}), 5) is None
    t0, t2, evaluation = wave_row(t, MENTEE, "T0"), wave_row(t, MENTEE, "T2"), all_row(t, MENTEE)
    assert t0[3:5] == (6, 3.667)  # the baseline's mean, shown since T0 closed, stays as earlier reports had it
    assert evaluation[5:7] == (None, None) and evaluation[7] == -0.2 and evaluation[8] is not None
    assert str(evaluation[4]).startswith("5, means before and after withheld") and "fewer than 5 people" in evaluation[4]
    assert t2[4:8] == (None, None, None, None) and str(t2[3]).startswith("5, mean withheld")
    assert (t0[8], t2[8]) == (1.0, 0.833)  # the response rates (who answered, not what) stay


def test_round_120a_1_the_mirror_case_a_mentee_who_answered_t2_only_withholds_the_t2_mean():
    t2_only = {**TESTER_T2, 29: 2.0}
    answers = {(MENTEE, "T0"): {k: v for k, v in TESTER_T0.items() if k != 29}, (MENTEE, "T2"): t2_only}
    t = tables(config(), answers)
    assert small_combination(published(t, answers, {}), 5) is None
    assert all_row(t, MENTEE)[4:8] == (5, 4.2, 4.0, -0.2)  # the evaluation whole
    assert wave_row(t, MENTEE, "T0")[3:5] == (5, 4.2)
    assert wave_row(t, MENTEE, "T2")[4] is None


def test_round_120a_1_the_mentors_rating_of_their_mentee_is_kept_alike():
    answers = {(MENTOR, "T0"): {k: float(1 + k % 5) for k in range(100, 106)},
               (MENTOR, "T2"): {k: float(1 + (k + 1) % 5) for k in range(100, 105)}}
    t = tables(config(), answers)
    assert small_combination(published(t, answers, {}), 5) is None
    assert all_row(t, MENTOR)[5:7] == (None, None) and wave_row(t, MENTOR, "T2")[4] is None


def test_round_120a_1_far_apart_sets_show_everything():
    t0 = {k: float(1 + k % 5) for k in range(20)}
    t2 = {k: float(1 + (k * 3) % 5) for k in range(5, 25)}  # 5 answered T0 only, 5 T2 only: min_cell apart
    t = tables(config(), {(MENTEE, "T0"): t0, (MENTEE, "T2"): t2})
    assert all(r[4] is not None for r in t.satisfaction.rows)
    assert isinstance(all_row(t, MENTEE)[4], int) and all_row(t, MENTEE)[5] is not None


def test_round_121a_9_self_efficacy_is_kept_apart_as_a_rating_of_a_person_is():
    """Round 120a left self-efficacy out (a person's own score); 6 x mean - 5 x mean gave one mentee's score."""
    answers = {(GSE, "T0"): {k: 20.0 + k for k in range(6)}, (GSE, "T2"): {k: 22.0 + k for k in range(5)}}
    t = tables(config(), answers)
    assert t.self_efficacy.rows[0][3] == 6 and t.self_efficacy.rows[0][4] is not None  # the baseline, shown first
    gse = next(r for r in t.evaluation.rows if r[0] == GSE and r[3] == "all")
    assert gse[5] is None and gse[7] is not None  # the change only


def test_round_120a_1_three_waves_two_comparisons_of_one_baseline_do_not_give_the_one_between_back():
    t0 = {k: float(1 + k % 5) for k in range(8)}
    t1 = {k: float(1 + (k + 2) % 5) for k in range(8)}
    t2 = {k: float(1 + (k + 4) % 5) for k in range(7)}  # one mentee answered T0 and T1, not T2
    answers = {(MENTEE, "T0"): t0, (MENTEE, "T1"): t1, (MENTEE, "T2"): t2}
    t = tables(config(("T0", "T1", "T2")), answers)
    assert small_combination(published(t, answers, {}), 5) is None
    assert all_row(t, MENTEE, "T1")[5] is not None  # shown since T1 closed: stays
    assert all_row(t, MENTEE, "T2")[7] is not None  # the later comparison keeps its change


def test_round_120a_1_year_groups_added_up_do_not_stand_in_for_a_withheld_row():
    years = {k: "12" if k < 7 else "13" for k in range(14)}
    t0 = {k: float(1 + k % 5) for k in range(14)}
    t2 = {k: float(1 + (k + 1) % 5) for k in range(13)}  # one year-13 mentee answered T0 only
    answers = {(MENTEE, "T0"): t0, (MENTEE, "T2"): t2}
    t = tables(config(year=True), answers, years)
    assert small_combination(published(t, answers, years), 5) is None
    groups = {r[3]: r for r in t.evaluation.rows if r[0] == MENTEE}
    assert set(groups) == {"all", "year 12", "year 13"}


@pytest.mark.parametrize("seed", range(40))
def test_round_120a_1_random_waves_and_groups_never_give_fewer_than_min_cell_back(seed):
    rng = random.Random(seed)
    people = range(rng.randrange(8, 16))
    years = {w: rng.choice("89") for w in people}
    waves = ("T0", "T1", "T2") if seed % 2 else ("T0", "T2")
    answers = {(MENTEE, w): {p: float(rng.randrange(1, 6)) for p in people if rng.random() < 0.85} for w in waves}
    min_cell = rng.choice((3, 4, 5))
    t = tables(config(waves, min_cell, year=True), answers, years)
    assert small_combination(published(t, answers, years), min_cell) is None
