"""Tester round 4: survey imports (finding 9: a mentor's answer without ``about``)."""

from datetime import date

import pytest
from click.testing import CliRunner

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service import meetings as service
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository

from .conftest import PAIRS, PEOPLE, Obj


@pytest.fixture
def run(db_path, monkeypatch):
    from lmsync.cli.meetings import import_command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    config = Config.model_validate({
        "programme": {"name": "p"},
        "store": {"path": str(db_path)},
        "waves": {"programme_start": "2026-09-01"},
    })

    def invoke(*args):
        return CliRunner().invoke(import_command, list(args), obj=Obj(config))

    return invoke


def write(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def answers(db_path):
    store = Store(db_path)
    try:
        return SurveyRepository(store, "p").answers()
    finally:
        store.close()


def rows(respondent, instrument="relationship_satisfaction_mentor", value=1):
    return "".join(f"{respondent},2026-10-12,{instrument},rs{i},{value}\n" for i in range(1, 6))


HEADER = "respondent,date,instrument,item,value\n"


def test_tester_round_4_9_a_mentor_of_two_mentees_must_say_whom_an_answer_is_about(run, tmp_path, db_path):
    """tester round 4, 9: m0001 mentors s0001 and s0002; an answer with no about column is refused
    (file, line, field about) and nothing from the file is stored, good rows included."""
    text = HEADER + rows("m0002") + rows("m0001")
    result = run("surveys", str(write(tmp_path, text)))
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError), result.output
    message = str(result.exception)
    assert "s.csv:7: about: 'm0001' mentors 2 mentees: say which one this answer is about" in message
    assert "s.csv:2:" not in message  # m0002 has one mentee: about that one, as before
    assert not db_path.exists() or answers(db_path) == []


def test_tester_round_4_9_one_mentee_a_blank_about_and_mentee_forms_stay_as_before(run, tmp_path, db_path):
    """tester round 4, 9: a mentor of one mentee needs no about; a mentee-side form needs none; a
    blank about cell of a mentor of two is refused like a missing column."""
    text = HEADER + rows("m0002") + rows("s0001", "relationship_satisfaction_mentee", 4)
    result = run("surveys", str(write(tmp_path, text)))
    assert result.exit_code == 0, result.output
    assert {(a.respondent_id, a.about_id) for a in answers(db_path)} == {(67, None), (3, None)}
    blank = "respondent,date,instrument,item,value,about\nm0001,2026-10-13,relationship_satisfaction_mentor,rs1,2,\n"
    result = run("surveys", str(write(tmp_path, blank, "b.csv")))
    assert isinstance(result.exception, InputError)
    assert "b.csv:2: about: 'm0001' mentors 2 mentees" in str(result.exception)
    assert len(answers(db_path)) == 10


def test_tester_round_4_9_not_a_relationship_instrument_needs_no_about(tmp_path):
    """tester round 4, 9: only [health] satisfaction_instruments are answered about one relationship."""
    from lmsync.domain.instruments import BUILTIN_INSTRUMENTS
    from lmsync.service.imports import ImportRules, parse_surveys_csv

    resolve = service.make_resolver(PEOPLE, "username")
    text = HEADER + rows("m0001")
    rules = ImportRules(today=date(2026, 11, 1), pairs=PAIRS, current=PAIRS)
    assert len(parse_surveys_csv(text, "s.csv", resolve, BUILTIN_INSTRUMENTS, rules=rules)) == 5
    strict = ImportRules(today=date(2026, 11, 1), pairs=PAIRS, current=PAIRS,
                         relationship=frozenset({"relationship_satisfaction_mentor"}))
    with pytest.raises(InputError, match="s.csv:2: about: 'm0001' mentors 2 mentees"):
        parse_surveys_csv(text, "s.csv", resolve, BUILTIN_INSTRUMENTS, rules=strict)


def test_tester_round_4_16_the_summary_says_when_answers_fall_in_no_wave(run, tmp_path, monkeypatch, db_path):
    """tester round 4, 16: "0 wave score(s)" alone hid the cause: no [waves] windows, or dates
    outside every window."""
    result = run("surveys", str(write(tmp_path, HEADER + rows("m0002"))))
    assert result.exit_code == 0, result.output
    assert "0 wave score(s)" in result.output
    assert "5 answer(s) fall in no survey wave: [waves] has no windows" in result.output

    from lmsync.cli.meetings import import_command

    windows = {"T0": {"start": "2026-09-01", "end": "2026-09-30"}, "T3": {"start": "2026-11-20", "end": "2026-12-10"}}
    config = Config.model_validate({
        "programme": {"name": "p"},
        "store": {"path": str(db_path)},
        "waves": {"programme_start": "2026-09-01", "windows": windows},
    })
    late = HEADER + rows("m0002").replace("2026-10-12", "2026-10-13")
    result = CliRunner().invoke(import_command, ["surveys", str(write(tmp_path, late, "late.csv"))], obj=Obj(config))
    assert result.exit_code == 0, result.output
    assert (
        "5 answer(s) fall in no survey wave: outside every [waves] window "
        "(T0 2026-09-01 .. 2026-09-30, T3 2026-11-20 .. 2026-12-10)"
    ) in result.output
    # round 86b, 4: what it means for health, and the fix
    # round 123a, 1: widening a closed wave's window is no longer the advice (it gave a late rater's ratings back)
    said = " ".join(result.output.split())
    assert "health still says those people did not answer; answers dated after a wave closed count in none" in said
    assert "widen a wave's window in [waves] only before it closes" in said and "the next run counts them" not in said
    inside = HEADER + rows("m0002").replace("2026-10-12", "2026-09-12")
    result = CliRunner().invoke(import_command, ["surveys", str(write(tmp_path, inside, "in.csv"))], obj=Obj(config))
    assert result.exit_code == 0, result.output
    assert "no survey wave" not in result.output and "1 complete" in result.output
