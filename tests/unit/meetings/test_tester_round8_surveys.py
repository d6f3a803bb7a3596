"""Tester round 8, 4: a config without [waves] (or with moved windows) deleted every stored wave
score on the next survey import, and `lmsync health` silently lost the pairs' satisfaction signals."""

from datetime import date

import pytest
from click.testing import CliRunner

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.service import meetings as service
from lmsync.service.feedback_sources import ScoreLossRefused
from lmsync.service.feedback_store import current_scores
from lmsync.store.surveys import SurveyRepository

from .conftest import PAIRS, PEOPLE, Obj

HEADER = "respondent,date,instrument,item,value\n"
T0 = {"T0": {"start": "2026-09-01", "end": "2026-10-31"}}


def rows(respondent, day="2026-10-12", instrument="relationship_satisfaction_mentor", value=4):
    return "".join(f"{respondent},{day},{instrument},rs{i},{value}\n" for i in range(1, 6))


def config_with(waves=None, *, store_path=None, fraction=None):
    data = {"programme": {"name": "p"}, "waves": {"programme_start": "2026-09-01"}}
    if waves is not None:
        data["waves"]["windows"] = waves
    if store_path is not None:
        data["store"] = {"path": str(store_path)}
    if fraction is not None:
        data["sync"] = {"min_source_fraction": fraction}
    return Config.model_validate(data)


def do_import(config, store, tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return service.import_surveys(config, path, people=PEOPLE, pairs=PAIRS, store=store, today=date(2026, 11, 1))


def seeded(store, tmp_path):
    """Two complete scores stored under a T0 window."""
    _, scored = do_import(config_with(T0), store, tmp_path, rows("m0002") + rows("s0001", instrument="relationship_satisfaction_mentee"))
    assert scored.stored == 2
    return SurveyRepository(store, "p")


@pytest.mark.parametrize(
    ("waves", "reason"),
    [
        (None, "2 fall in no survey wave: [waves] has no windows"),
        ({"T0": {"start": "2026-11-01", "end": "2026-11-30"}}, "no [waves] window holds now (2026-11-01 .. 2026-11-30): windows moved"),
    ],
)
def test_tester_round_8_4_an_import_that_would_drop_stored_scores_is_refused_and_stores_nothing(store, tmp_path, waves, reason):
    repo = seeded(store, tmp_path)
    before_answers, before_scores = repo.answers(), repo.scores()
    with pytest.raises(ScoreLossRefused) as refused:
        do_import(config_with(waves), store, tmp_path, rows("m0002", day="2026-10-20", value=1), "more.csv")
    assert isinstance(refused.value, ConfigError)
    message = str(refused.value)
    assert "would delete 2 of the 2 stored wave score(s)" in message and reason in message
    assert "restore the [waves] windows" in message and "LMSYNC_SYNC_MIN_SOURCE_FRACTION=0" in message
    assert repo.answers() == before_answers and repo.scores() == before_scores  # nothing stored


def test_tester_round_8_4_the_override_lets_the_scores_go_on_purpose(store, tmp_path):
    repo = seeded(store, tmp_path)
    _, scored = do_import(config_with(fraction=0), store, tmp_path, rows("m0002", day="2026-10-20"), "more.csv")
    assert scored.stored == 0 and repo.scores() == []
    assert len(repo.answers()) == 15  # answers are kept: restoring [waves] brings the scores back


def test_tester_round_8_4_reads_keep_the_stored_scores_a_config_edit_no_longer_holds(store, tmp_path):
    """Health reads the stored scores; the grades and reports (current_scores) must agree with it."""
    repo = seeded(store, tmp_path)
    stored = repo.scores()
    for config in (config_with(), config_with({"T0": {"start": "2026-11-01", "end": "2026-11-30"}})):
        assert current_scores(store, service.settings(config)) == stored
    renamed = current_scores(store, service.settings(config_with({"T0b": T0["T0"]})))
    assert {ws.wave for ws in renamed} == {"T0b"} and len(renamed) == 2  # a rename still re-scores


def test_tester_round_8_4_the_cli_refuses_with_the_counts_and_restoring_waves_imports(tmp_path, monkeypatch, db_path):
    from lmsync.cli.meetings import import_command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + rows("m0002"), encoding="utf-8")
    second.write_text(HEADER + rows("m0002", day="2026-10-13"), encoding="utf-8")
    ok = CliRunner().invoke(import_command, ["surveys", str(first)], obj=Obj(config_with(T0, store_path=db_path)))
    assert ok.exit_code == 0 and "holds 1 wave score(s)" in ok.output, ok.output
    refused = CliRunner().invoke(import_command, ["surveys", str(second)], obj=Obj(config_with(store_path=db_path)))
    assert isinstance(refused.exception, ScoreLossRefused) and refused.exception.exit_code == 2, refused.output
    assert "would delete 1 of the 1 stored wave score(s)" in str(refused.exception)
    again = CliRunner().invoke(import_command, ["surveys", str(second)], obj=Obj(config_with(T0, store_path=db_path)))
    assert again.exit_code == 0 and "holds 1 wave score(s)" in again.output, again.output


def test_tester_round_8_4_a_feedback_read_that_would_drop_stored_scores_is_refused_like_its_other_refusals(store, tmp_path):
    from datetime import datetime

    from lmsync.domain.meeting_log import FeedbackAttempt
    from lmsync.service.feedback_sources import FeedbackSourceProblem
    from lmsync.service.feedback_store import store_feedback_answers

    repo = seeded(store, tmp_path)
    before_answers, before_scores = repo.answers(), repo.scores()
    attempt = FeedbackAttempt(1, 66, datetime.fromisoformat("2026-10-20T12:00:00+00:00"), {f"rs{i}": "2" for i in range(1, 6)})
    with pytest.raises(FeedbackSourceProblem, match="would delete 2 of the 2 stored wave score"):
        store_feedback_answers(store, service.settings(config_with()), "relationship_satisfaction_mentor", [attempt])
    assert repo.answers() == before_answers and repo.scores() == before_scores
