"""Tester round 51c, 1: `pair show` gave a mean of the mentor's mentees' ratings while their wave was open:
each new answer moved it ("4.0 over 3", then "3.25 over 4": that answer was 1). The report holds such a
wave's figures until its last day; `pair show` now does too, with no mean and no count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.render.pair import _satisfaction
from lmsync.service import programme_settings
from lmsync.service.meetings import rescore_surveys, settings
from lmsync.service.pair_history import pair_history
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository

PROGRAMME = "p"
MENTOR = 10
MENTEES = (1, 2, 3, 4)
START, END = date(2026, 11, 1), date(2026, 11, 20)


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\n[grades]\nmin_mentees_for_mentor_rating = 2\n'
                    f"[waves.windows]\nT1 = {{ start = {START}, end = {END} }}\n")
    config = load_config(path, environ={})
    store = Store(config.store_path())
    try:
        PairingHistory(store, PROGRAMME).record(
            "add_member", [(f"lmsync:{PROGRAMME}:mentor:{MENTOR}", e) for e in MENTEES], at="2026-10-01T08:00:00+00:00")
        SurveyRepository(store, PROGRAMME).save(
            (SurveyAnswer(who, "relationship_satisfaction_mentee", START + timedelta(days=who), f"rs{i}",
                          "1" if who == 4 else "4", "csv"), "test")
            for who in MENTEES for i in range(1, 6))
        assert rescore_surveys(store, settings(config)) == len(MENTEES)
    finally:
        store.close()
    return config


def on(monkeypatch, day):
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def mentee_side(config):
    return [s for s in pair_history(config, (MENTOR, 1)).scores if s.side == "mentee"]


def test_round_51c_1_pair_show_holds_the_mentees_mean_until_the_waves_last_day_has_passed(config, monkeypatch):
    for day in (END - timedelta(days=1), END):  # its last day too: answers still come in (tester round 121a, 5)
        on(monkeypatch, day)
        (score,) = mentee_side(config)
        assert score.open_until == END and score.score is None and score.over == 0
        assert _satisfaction(score) == (f"open until {END.isoformat()}: the mentees' mean is shown from the day after "
                                        "the wave's last day")
    on(monkeypatch, END + timedelta(days=1))  # the day after: shown, over everyone who answered
    (score,) = mentee_side(config)
    assert score.open_until is None and score.over == len(MENTEES) and score.score is not None
