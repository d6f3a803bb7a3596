"""Tester round 114a, 2 and 3: which sitting a wave score counts, and windows added after an import.

114a, 2: s0005 sat the General Self-Efficacy scale in full on 2026-10-20 (40, pushed to Moodle), then one stray
item answer on 2026-10-26 replaced the complete sitting: the import said "0 complete", ``grades plan`` computed no
figure and Moodle kept the 40, stale, said as "no changes". A Moodle Feedback attempt is a whole response: within
a wave the latest *complete* sitting counts, and the import names the later incomplete one it passed over.

114a, 3: answers imported while ``[waves]`` had no windows were never scored after the T0 window was added:
``run`` and ``grades plan`` said "0 figures computed" until an unrelated import rescored everything. The scores
now follow the configuration at the time they are read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.domain.instruments import score_waves
from lmsync.service.meetings import settings
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository
from tests.flows.test_tester_round_77b_erasure import _at, run

PROGRAMME = "mentor-2026"
HEAD = f"""[programme]
name = "{PROGRAMME}"
course = "MENTOR-2026"
peer_mentor_cohort = "peer-mentors-2026"
[store]
path = "t.db"
[waves]
programme_start = 2026-09-01
"""
WINDOW = """[waves.windows]
T0 = { start = 2026-10-01, end = 2026-10-31 }
"""
GSE = "general_self_efficacy"


def _csv(home: Path, name: str, rows: list[tuple[str, str, str, str, int]]) -> Path:
    """A survey file of (respondent, day, instrument, item, value) rows, no ``about``."""
    path = home / name
    path.write_text("respondent,date,instrument,item,value,about\n"
                    + "".join(f"{who},{day},{inst},{item},{value},\n" for who, day, inst, item, value in rows))
    return path


def _full(who: str, day: str, value: int = 4) -> list[tuple[str, str, str, str, int]]:
    return [(who, day, GSE, f"gse{i}", value) for i in range(1, 11)]


def _home(cli_home: Path, monkeypatch: pytest.MonkeyPatch, *, windows: bool) -> Path:
    (cli_home / "lmsync.toml").write_text(HEAD + (WINDOW if windows else ""))
    _at(monkeypatch, date(2026, 10, 1), hour=9)
    run(cli_home, "sync")
    return cli_home


def test_a_later_stray_item_does_not_replace_a_complete_sitting(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(cli_home, monkeypatch, windows=True)
    _at(monkeypatch, date(2026, 10, 27), hour=9)
    first = run(home, "import", "surveys", str(_csv(home, "d.csv", _full("s0005", "2026-10-20"))))
    assert "1 complete" in first.output
    run(home, "grades", "plan", "--out", "g1.json")
    run(home, "grades", "push", "g1.json")

    stray = run(home, "import", "surveys", str(_csv(home, "e.csv", [("s0005", "2026-10-26", GSE, "gse2", 1)])))
    assert "1 complete" in stray.output, stray.output
    # said, by person and day, never the answer
    assert "1 incomplete sitting(s) dated after a complete one in the same wave do not replace it" in stray.output
    assert "s0005" in stray.output and "2026-10-26" in stray.output and "(counted: T0 2026-10-20)" in stray.output

    config = load_config(home / "lmsync.toml", environ={})
    scores = SurveyRepository(Store(config.store_path()), PROGRAMME).scores()
    assert [(ws.wave, ws.date, ws.score.total) for ws in scores] == [("T0", date(2026, 10, 20), 40.0)]
    plan = run(home, "grades", "plan")
    assert "0 figures computed" not in plan.output, plan.output


def test_windows_added_after_an_import_score_the_stored_answers(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(cli_home, monkeypatch, windows=False)
    _at(monkeypatch, date(2026, 10, 27), hour=9)
    first = run(home, "import", "surveys", str(_csv(home, "d.csv", _full("s0005", "2026-10-20"))))
    assert "[waves] has no windows" in first.output
    (home / "lmsync.toml").write_text(HEAD + WINDOW)  # the T0 window, added afterwards

    plan = run(home, "grades", "plan")
    assert "0 figures computed" not in plan.output, plan.output
    assert "selfefficacy-T0" in plan.output, plan.output
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    from lmsync.service.feedback_store import current_scores, current_totals

    s = settings(config)
    expected = score_waves(SurveyRepository(store, PROGRAMME).answers(), s.instruments, s.waves)
    assert [(ws.respondent_id, ws.wave, ws.score.total) for ws in current_scores(store, s)] == [
        (ws.respondent_id, "T0", 40.0) for ws in expected]
    # what health and the run judge pairs by (totals only)
    assert [(ws.wave, ws.score.total) for ws in current_totals(store, s, [GSE])] == [("T0", 40.0)]
    assert run(home, "run").exit_code == 0
