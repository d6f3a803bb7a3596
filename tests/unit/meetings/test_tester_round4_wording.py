"""Tester round 4, finding 17: wording of the meetings checks."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from lmsync.config import Config
from lmsync.domain.meetings import FieldProblem, parse_minutes
from lmsync.errors import InputError
from lmsync.service import meetings as service
from lmsync.store.db import Store

from .conftest import PAIRS, PEOPLE, Obj


@pytest.fixture
def add(tmp_path, monkeypatch):
    from lmsync.cli.meetings import command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    config = Config.model_validate({"store": {"path": str(tmp_path / "p.db")}})
    day = (date.today() - timedelta(days=3)).isoformat()
    Store(tmp_path / "p.db").close()  # the programme's store: `meetings add` needs one (tester round 98a, 1)

    def invoke(mentor, mentee, minutes="40"):
        args = ["add", "--date", day, "--mentor", mentor, "--mentee", mentee, "--minutes", minutes]
        return CliRunner().invoke(command, args, obj=Obj(config))

    return invoke


def test_tester_round_4_17_negative_minutes_are_whole_but_must_be_0_or_more():
    """tester round 4, 17: '-5' is a whole number; what is wrong is its sign."""
    with pytest.raises(FieldProblem, match=r"'-5' must be 0 or more"):
        parse_minutes("-5")
    with pytest.raises(FieldProblem, match=r"'4\.5' is not a whole number of minutes"):
        parse_minutes("4.5")


def test_tester_round_4_17_meetings_add_names_its_options_when_mentor_and_mentee_look_swapped(add):
    """tester round 4, 17: ``meetings add`` takes options, not columns; a CSV import still says columns."""
    result = add("s0001", "m0001")
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert "--mentor and --mentee look swapped" in message and "columns" not in message
    negative = add("m0001", "s0001", "-5")
    assert "--minutes: '-5' must be 0 or more" in str(negative.exception)
