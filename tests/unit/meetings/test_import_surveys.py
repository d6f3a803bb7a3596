from datetime import date

import pytest

from lmsync.domain.instruments import BUILTIN_INSTRUMENTS
from lmsync.errors import InputError
from lmsync.service.imports import ImportRules, import_surveys_file
from lmsync.store.surveys import SurveyRepository

TODAY = date(2026, 11, 1)
RULES = ImportRules(today=TODAY)  # the import checks dates against this day


def gse_rows(person, day, values):
    return "".join(f"{person},{day},general_self_efficacy,gse{i},{v}\n" for i, v in enumerate(values, 1))


def write(tmp_path, text):
    path = tmp_path / "surveys.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_are_stored_as_given_and_reimport_stores_nothing(tmp_path, store, resolve):
    text = "respondent,date,instrument,item,value\n" + gse_rows(
        "s0001", "2026-09-10", ["3", "4", "NA", "", "2", "3", "4", "4", "3", "2"]
    )
    path = write(tmp_path, text)
    first = import_surveys_file(store, "p", path, resolve, BUILTIN_INSTRUMENTS, rules=RULES)
    again = import_surveys_file(store, "p", path, resolve, BUILTIN_INSTRUMENTS, rules=RULES)
    assert (first.counts.added, again.counts.added, again.counts.unchanged) == (10, 0, 10)
    values = [a.value for a in SurveyRepository(store, "p").answers()]
    assert sorted(values) == sorted(["3", "4", "NA", "", "2", "3", "4", "4", "3", "2"])


@pytest.mark.parametrize(
    "row, expected",
    [
        ("s0001,2026-09-10,gse,gse1,3", "instrument: 'gse' is not a declared instrument"),
        (
            "s0001,2026-09-10,general_self_efficacy,gse11,3",
            "item: 'gse11' is not an item of general_self_efficacy",
        ),
        ("s0001,2026-09-10,general_self_efficacy,gse2,5", "value: '5' is outside the scale 1-4"),
        ("s0001,2026-09-10,general_self_efficacy,gse2,often", "value: 'often' is not a number"),
        ("nobody,2026-09-10,general_self_efficacy,gse2,3", "respondent: 'nobody' matches nobody"),
        (
            "s0001,20/09/2026,general_self_efficacy,gse2,3",
            "date: '20/09/2026' is written DD/MM/YYYY but line 2 has",
        ),
        ("s0001,2026-09-10,general_self_efficacy,gse1,4",  # round 26, 7: another value is a conflict, said so
         ":3: value: repeats line 2 (same respondent, date, instrument, item and about) with another value"),
        ("s0001,2026-09-10,general_self_efficacy,gse1,3", ":3: repeats line 2 (same respondent, date, instrument, item and about) (remove one)"),
    ],
)
def test_bad_survey_row_stores_nothing(tmp_path, store, resolve, row, expected):
    text = f"respondent,date,instrument,item,value\ns0001,2026-09-10,general_self_efficacy,gse1,3\n{row}\n"
    with pytest.raises(InputError) as info:
        import_surveys_file(store, "p", write(tmp_path, text), resolve, BUILTIN_INSTRUMENTS, rules=RULES)
    assert expected in str(info.value)
    assert "surveys.csv:3" in str(info.value)
    assert SurveyRepository(store, "p").answers() == []


def test_round_26_7_a_short_row_and_every_other_rows_problem_are_named_in_one_pass(tmp_path, store, resolve):
    text = ("respondent,date,instrument,item,value\n"
            "s0001,2026-09-10,general_self_efficacy,gse1,3\n"
            "s0001,2026-09-10,general_self_efficacy\n"          # too few fields
            "nobody,2026-09-10,general_self_efficacy,gse2,3\n"  # an unknown person, on a later line
            "s0001,2026-09-10,general_self_efficacy,gse3,9\n")  # out of the scale
    with pytest.raises(InputError) as info:
        import_surveys_file(store, "p", write(tmp_path, text), resolve, BUILTIN_INSTRUMENTS, rules=RULES)
    message = str(info.value)
    assert "3 problems" in message and "surveys.csv:3: 3 fields, the header has 5" in message
    assert "surveys.csv:4: respondent:" in message and "surveys.csv:5: value:" in message
    assert SurveyRepository(store, "p").answers() == []
