"""Tester round 116, 1: erasing a mentee whose only survey sitting was incomplete withholds nothing.

A mentee answered two of the five items of ``relationship_satisfaction_mentee`` (fewer than its ``min_answered``),
so their sitting had no score and was in no figure. Erasing them withheld for good the figures that never held it,
the programme's whole mentee evaluation among them ("withheld (who answered changed after an erasure)"): the counts
the erasure guard keeps counted every sitting, scored or not. They are counted over scored sittings too now
(``rater_checkpoints.scored_key``) and an erasure with such rows is judged by them; a store whose erasures were
counted before them keeps its judgement. Erasing a mentee whose sitting was complete still withholds, as before.

The setup of round 92a, 2 on the built-in emulator, with a second wave: answers of T0 (September) imported on
2026-09-10, of T1 (October) on 2026-10-10, a mentee unenrolled, synced and erased on 2026-10-15, the report and
``pair show`` on 2026-11-02 (both waves closed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.service import privacy, rater_checkpoints
from lmsync.service.rater_checkpoints import PROGRAMME as WHOLE
from lmsync.store.db import Store
from lmsync.store.rater_counts import RaterCounts
from tests.flows.test_tester_round_77b_erasure import REPORT_WITHHELD, WITHHELD, _at, erase, run, table
from tests.flows.test_tester_round_92a_2_erasure_withholds_only_what_it_changed import ITEMS, MENTEE, TOML
from tests.flows.test_tester_round_94a_2_erasure_withholds_mentor_side import circles

CONFIG = TOML.replace("T0 = { start = 2026-09-01, end = 2026-09-30 }",
                      "T0 = { start = 2026-09-01, end = 2026-09-30 }\nT1 = { start = 2026-10-01, end = 2026-10-31 }")
CONFIG += "[report]\nmin_cell = 1\n"

Row = tuple[str, str, str, int]  # (respondent, day, mentor rated, items answered)


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator's site synced on 2026-09-01 with waves T0 and T1."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _at(monkeypatch, date(2026, 9, 1), hour=9)
    run(cli_home, "sync")
    return cli_home


def import_on(home: Path, mp: pytest.MonkeyPatch, day: date, name: str, rows: list[Row]) -> None:
    """A survey CSV of mentees' sittings about their mentor, the first ``n`` items of each answered 4."""
    lines = ["respondent,date,instrument,item,value,about"]
    lines += [f"{who},{on},{MENTEE},{item},4,{about}" for who, on, about, n in rows for item in ITEMS[:n]]
    (home / name).write_text("\n".join(lines) + "\n")
    _at(mp, day, hour=9)
    run(home, "import", "surveys", str(home / name))


def setup_term(home: Path, mp: pytest.MonkeyPatch, erased_answers: int) -> tuple[str, str, str]:
    """Every mentee of every circle answers T0 and T1 in full but one mentee of a circle of at least four, who
    answers ``erased_answers`` items of T0 only; that mentee unenrolled, synced and erased on 2026-10-15. Returns
    (mentor, a mentee who stays, the erased mentee)."""
    known = circles(home)
    mentor, mentees = next((m, e) for m, e in known if len(e) >= 4)
    erased, stays = mentees[0], mentees[1]
    full = [(e, m) for m, es in known for e in es if e != erased]
    import_on(home, mp, date(2026, 9, 10), "t0.csv",
              [(e, "2026-09-05", m, 5) for e, m in full] + [(erased, "2026-09-05", mentor, erased_answers)])
    import_on(home, mp, date(2026, 10, 10), "t1.csv", [(e, "2026-10-05", m, 5) for e, m in full])
    _at(mp, date(2026, 10, 15), hour=9)
    run(home, "emulator", "edit", "unenrol", erased)
    run(home, "sync")
    assert "survey_answers" in erase(home, erased).output
    return mentor, stays, erased


def figures(home: Path, mp: pytest.MonkeyPatch, mentor: str, mentee: str) -> tuple[dict[str, str], list[str], str]:
    """On 2026-11-02: the report's mentee ``n`` per wave, its mentee evaluation rows' ``n``, and ``pair show``."""
    _at(mp, date(2026, 11, 2), hour=9)
    run(home, "report", "--out", "rep", "--format", "csv")
    waves = {row[2]: row[3] for row in table(home / "rep", "relationship_satisfaction")[1:] if row[0] == MENTEE}
    evaluation = [row[4] for row in table(home / "rep", "programme_evaluation")[1:] if row[0] == MENTEE]
    return waves, evaluation, run(home, "pair", "show", mentor, mentee).output


def test_round_116_1_erasing_a_mentee_whose_only_sitting_was_incomplete_withholds_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: the erased mentee's sitting (2 of 5 items) was in no figure; every figure stays shown,
    the programme's mentee evaluation and their mentor's mean in ``pair show`` too."""
    mentor, stays, _erased = setup_term(home, monkeypatch, erased_answers=2)
    waves, evaluation, shown = figures(home, monkeypatch, mentor, stays)
    assert set(waves) == {"T0", "T1"} and REPORT_WITHHELD not in waves.values(), waves
    assert evaluation and REPORT_WITHHELD not in evaluation, evaluation
    assert WITHHELD not in shown and "mean over" in shown, shown


def test_round_116_1_erasing_a_mentee_whose_sitting_was_complete_still_withholds(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The protection holds: the erased mentee's complete T0 sitting was in T0's figures, the evaluation and their
    mentor's T0 mean; those are withheld. T1, which held nothing of theirs, stays shown."""
    mentor, stays, _erased = setup_term(home, monkeypatch, erased_answers=5)
    waves, evaluation, shown = figures(home, monkeypatch, mentor, stays)
    assert waves["T0"] == REPORT_WITHHELD and waves["T1"] != REPORT_WITHHELD, waves
    assert evaluation and set(evaluation) == {REPORT_WITHHELD}, evaluation
    assert WITHHELD in shown, shown


def test_round_116_1_a_second_erasure_of_a_day_counted_the_old_way_adds_no_scored_rows(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An erasure counted the old way, then another the same day under this release: its scored counts would be
    made after the first erasure (that day's first count is kept), so none is written for the instrument, and the
    day is judged by the old rows: the figures stay withheld."""
    counted = rater_checkpoints.count_before_erasure
    with monkeypatch.context() as mp:
        mp.setattr(privacy, "count_before_erasure", lambda *a, **k: {
            key: n for key, n in counted(*a, **k).items() if not rater_checkpoints._base(key[1])[1]})
        mentor, stays, _erased = setup_term(home, monkeypatch, erased_answers=2)
    other = next(e for m, es in circles(home) if m != mentor for e in es)
    run(home, "emulator", "edit", "unenrol", other)
    run(home, "sync")
    erase(home, other)
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        rows = RaterCounts(store, config.programme.name).counts()
    finally:
        store.close()
    assert not any(rater_checkpoints._base(key)[1] for _m, key, _on in rows), sorted(rows)
    waves, evaluation, _shown = figures(home, monkeypatch, mentor, stays)
    assert waves["T0"] == REPORT_WITHHELD and set(evaluation) == {REPORT_WITHHELD}, (waves, evaluation)


def test_round_116_1_a_store_counted_before_keeps_its_judgement(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An erasure counted the old way (every sitting, no scored rows, as a store counted before this change holds)
    is judged as it was: the incomplete sitting's erasure changed its counts, so the figures stay withheld. The
    scored rows are left out the way the earlier release wrote none."""
    counted = rater_checkpoints.count_before_erasure

    def old_kind(*args: object, **kwargs: object) -> dict[tuple[int, str], int]:
        every = counted(*args, **kwargs)  # type: ignore[arg-type]
        return {key: n for key, n in every.items() if not rater_checkpoints._base(key[1])[1]}

    monkeypatch.setattr(privacy, "count_before_erasure", old_kind)
    mentor, stays, _erased = setup_term(home, monkeypatch, erased_answers=2)
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        rows = RaterCounts(store, config.programme.name).counts()
    finally:
        store.close()
    assert rows and (WHOLE, MENTEE, date(2026, 10, 15)) in rows
    assert not any(rater_checkpoints._base(key)[1] for _m, key, _on in rows)
    waves, evaluation, shown = figures(home, monkeypatch, mentor, stays)
    assert waves["T0"] == REPORT_WITHHELD and set(evaluation) == {REPORT_WITHHELD}, (waves, evaluation)
    assert WITHHELD in shown, shown
