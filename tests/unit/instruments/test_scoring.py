"""Scoring rules against examples worked by hand (the arithmetic is in each test's comment)."""

import pytest

from lmsync.domain.instruments import (
    GENERAL_SELF_EFFICACY,
    RELATIONSHIP_SATISFACTION_MENTEE,
    Instrument,
    InstrumentValueError,
    score,
)


def gse(values):
    return {f"gse{i}": v for i, v in enumerate(values, start=1)}


def test_gse_complete_is_the_plain_sum():
    # 3+4+2+3+4+4+3+2+3+4 = 32
    result = score(GENERAL_SELF_EFFICACY, gse(["3", "4", "2", "3", "4", "4", "3", "2", "3", "4"]))
    assert result.total == 32
    assert result.answered == 10


def test_gse_range_is_10_to_40():
    assert GENERAL_SELF_EFFICACY.total_range == (10, 40)
    assert score(GENERAL_SELF_EFFICACY, gse([1] * 10)).total == 10
    assert score(GENERAL_SELF_EFFICACY, gse([4] * 10)).total == 40


def test_gse_three_missing_takes_the_person_mean():
    # answered 4,3,3,2,4,3,2 -> sum 21, mean 3.0 -> 3.0 x 10 items = 30
    result = score(GENERAL_SELF_EFFICACY, gse(["4", "3", "3", "2", "4", "3", "2", "", None, "NA"]))
    assert result.answered == 7
    assert result.required == 7  # 0.7 x 10 must not round up to 8 through float error
    assert result.total == pytest.approx(30.0)


def test_gse_uneven_person_mean_is_not_rounded():
    # answered 4,4,4,3,3,3,3 -> sum 24, mean 24/7 -> x10 = 34.2857...
    result = score(GENERAL_SELF_EFFICACY, gse(["4", "4", "4", "3", "3", "3", "3", "", "", ""]))
    assert result.total == pytest.approx(240 / 7)


def test_gse_four_missing_has_no_score():
    result = score(GENERAL_SELF_EFFICACY, gse(["4", "3", "3", "2", "4", "3", "", "", "", ""]))
    assert result.total is None and not result.complete
    assert (result.answered, result.required) == (6, 7)


def test_relationship_satisfaction_reverses_rs4():
    # rs4 = 1 reversed on 1-5 -> 5; mean of 5,4,4,5,5 = 23/5 = 4.6
    answers = {"rs1": "5", "rs2": "4", "rs3": "4", "rs4": "1", "rs5": "5"}
    assert score(RELATIONSHIP_SATISFACTION_MENTEE, answers).total == pytest.approx(4.6)


def test_relationship_satisfaction_minimum_answered_is_four_of_five():
    # rs3 missing: 5,4,(rs4 2 -> 4),5 -> 18/4 = 4.5
    four = {"rs1": "5", "rs2": "4", "rs3": "", "rs4": "2", "rs5": "5"}
    assert score(RELATIONSHIP_SATISFACTION_MENTEE, four).total == pytest.approx(4.5)
    three = {"rs1": "5", "rs2": "4", "rs3": "", "rs4": "N/A", "rs5": "5"}
    assert score(RELATIONSHIP_SATISFACTION_MENTEE, three).total is None


CUSTOM = Instrument(
    name="confidence",
    items=("p1", "p2", "a1", "a2"),
    scale_min=1,
    scale_max=5,
    reverse=frozenset({"a2"}),
    na_values=frozenset({"9", "n/a"}),
    min_answered=0.5,
    method="mean",
    subscales={"planning": ("p1", "p2"), "asking": ("a1", "a2")},
)


def test_na_values_are_missing_not_zero_and_subscales_score_separately():
    # a2 = 9 is N/A. total: (5+3+2)/3 = 3.333; planning (5+3)/2 = 4; asking: a1 only (1 of 2 >= 1) = 2
    result = score(CUSTOM, {"p1": 5, "p2": "3", "a1": "2", "a2": "9"})
    assert result.total == pytest.approx(10 / 3)
    assert result.answered == 3
    assert result.subscales == {"planning": pytest.approx(4.0), "asking": pytest.approx(2.0)}


def test_reverse_item_inside_a_subscale():
    # a2 = 1 reversed -> 5; asking = (2+5)/2 = 3.5; total (4+4+2+5)/4 = 3.75
    result = score(CUSTOM, {"p1": "4", "p2": "4", "a1": "2", "a2": "1"})
    assert result.subscales["asking"] == pytest.approx(3.5)
    assert result.total == pytest.approx(3.75)


def test_na_matching_ignores_case_and_spaces():
    result = score(CUSTOM, {"p1": "4", "p2": " N/A ", "a1": "2", "a2": "1"})
    assert result.answered == 3


def test_sum_method_subscales_are_prorated_too():
    inst = Instrument(
        name="s",
        items=("a", "b", "c", "d"),
        scale_min=0,
        scale_max=3,
        min_answered=0.5,
        method="sum",
        subscales={"first": ("a", "b")},
    )
    # total: answered 2,3,1 -> mean 2 -> x4 = 8; first: a=2 (1 of 2) -> 2 x 2 = 4
    result = score(inst, {"a": "2", "b": "", "c": "3", "d": "1"})
    assert result.total == pytest.approx(8)
    assert result.subscales["first"] == pytest.approx(4)
    assert inst.total_range == (0, 12)


@pytest.mark.parametrize("value", ["5", "0", "2.5", "three", "-1", True])
def test_invalid_answers_are_errors_not_missing(value):
    with pytest.raises(InstrumentValueError):
        score(GENERAL_SELF_EFFICACY, {"gse1": value})


def test_unknown_item_is_an_error():
    with pytest.raises(InstrumentValueError, match="no item"):
        score(GENERAL_SELF_EFFICACY, {"gse11": "3"})


def test_whole_number_written_as_float_is_accepted():
    assert score(CUSTOM, {"p1": "4.0", "p2": "4", "a1": "4", "a2": "2"}).total == pytest.approx(4.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"items": ()}, "no items"),
        ({"items": ("a", "a")}, "twice"),
        ({"scale_min": 5, "scale_max": 1}, "below"),
        ({"min_answered": 0}, "fraction"),
        ({"reverse": frozenset({"z"})}, "reverse"),
        ({"subscales": {"x": ("z",)}}, "subscale x"),
    ],
)
def test_bad_definitions_are_refused(kwargs, message):
    base = {"name": "bad", "items": ("a", "b"), "scale_min": 1, "scale_max": 5}
    with pytest.raises(ValueError, match=message):
        Instrument(**{**base, **kwargs})


def test_round_16_4_a_form_worded_positively_declares_no_reverse_under_the_built_ins_name():
    """The README tells a school whose rs4 is worded positively to declare ``reverse = []``: it must
    then score every answer as given (all 2s: 2.0, not 2.4 with rs4 read inverted)."""
    from lmsync.config import Config
    from lmsync.service.programme_settings import settings

    twos = {f"rs{i}": "2" for i in range(1, 6)}
    built_in = settings(Config.model_validate({})).instruments["relationship_satisfaction_mentor"]
    plain = settings(Config.model_validate({"instruments": {"relationship_satisfaction_mentor": {"reverse": []}}}))
    assert score(built_in, twos).total == pytest.approx(2.4)  # (2+2+2+4+2)/5
    assert score(plain.instruments["relationship_satisfaction_mentor"], twos).total == pytest.approx(2.0)
