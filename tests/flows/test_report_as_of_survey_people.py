"""Tester round 50, second pass, 1: a report of an earlier day counted survey response and means over
today's pairs. A mentee who answered a wave and left the programme later dropped out of that wave's
figures in every report made after they left, whatever day it was "as of"; a report made that day had
counted them. The survey figures of an earlier day are now over that day's pairs (the pairing history)."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.config import load_config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.service.meetings import rescore_surveys, settings
from lmsync.service.report import gather
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository
from tests.unit.report.synthetic import roster_and_pairs

PROGRAMME = "p"


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\n'
                    "[waves.windows]\nT0 = { start = 2026-01-01, end = 2026-01-31 }\n")
    return load_config(path, environ={})


def test_second_pass_1_an_earlier_days_survey_figures_count_the_pairs_of_that_day(config):
    roster, pairs = roster_and_pairs(3)  # one mentor, three mentees
    (mentor,) = {m for m, _ in pairs}
    stayed, silent, left = (e for _, e in pairs)
    store = Store(config.store_path())
    try:
        history = PairingHistory(store, PROGRAMME)
        circle = f"lmsync:{PROGRAMME}:mentor:{mentor}"
        history.record("add_member", [(circle, e) for e in (stayed, silent, left)], at="2026-01-05T08:00:00+00:00")
        history.record("remove_member", [(circle, left)], at="2026-04-01T08:00:00+00:00")  # left the programme
        SurveyRepository(store, PROGRAMME).save(
            (SurveyAnswer(who, "relationship_satisfaction_mentee", date(2026, 1, 20), f"rs{i}", "4", "csv"), "test")
            for who in (stayed, left) for i in range(1, 6))
        assert rescore_surveys(store, settings(config)) == 2
        today = [(mentor, stayed), (mentor, silent)]
        then = gather(config, store, as_of=date(2026, 2, 15), roster=roster, pairs=today)
        later = gather(config, store, as_of=date(2026, 11, 30), roster=roster, pairs=today)
        now = gather(config, store, as_of=date.today(), roster=roster, pairs=today)
    finally:
        store.close()
    assert then.response.rows == (("T0", "mentees", 2, 3, pytest.approx(0.667, abs=1e-3)),)
    assert any("over that day's pairs" in note for note in then.notes)
    # round 51b, 2: a closed wave counts the pairs of its last day, so its figures do not change when someone
    # leaves (a report made after they left, less one made before, gave their scores back); over today's pairs
    # this read 1 of 2
    assert later.response.rows == now.response.rows == then.response.rows
    assert later.satisfaction.rows == now.satisfaction.rows == then.satisfaction.rows
