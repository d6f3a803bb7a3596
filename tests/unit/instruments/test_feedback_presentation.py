"""Feedback choice items: positions to values through ``presentation`` (traps 31, 43; issue 10 point 3)."""

import json
from pathlib import Path

import pytest

from lmsync.domain.instruments import (
    FeedbackPresentationError,
    Instrument,
    parse_feedback_presentation,
    scale_mismatch,
)

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"


def recorded_items():
    exchange = json.loads((RECORDINGS / "mod_feedback_get_items/rated-best-first.json").read_text())
    return {i["label"]: i for i in json.loads(exchange["response"]["body"])["items"]}


def recorded_attempts():
    exchange = json.loads((RECORDINGS / "mod_feedback_get_responses_analysis/rated-best-first.json").read_text())
    return json.loads(exchange["response"]["body"])["attempts"]


def options_of(label):
    item = recorded_items()[label]
    return parse_feedback_presentation(item["typ"], item["presentation"])


FIVE = Instrument("sat", ("sat",), 1, 5)


def test_trap_43_best_first_positions_map_to_rated_values_on_the_recorded_item():
    best_first = options_of("satisfaction_best_first")
    assert [(c.position, c.value, c.label) for c in best_first.choices] == [
        (1, "5", "Very satisfied"),
        (2, "4", "Satisfied"),
        (3, "3", "Neutral"),
        (4, "2", "Dissatisfied"),
        (5, "1", "Very dissatisfied"),
    ]
    # the recorded answers: s0014 Very satisfied (rawval "1"), s0019 Neutral ("3"), s0021 Very dissatisfied ("5")
    by_user = {
        a["userid"]: next(r for r in a["responses"] if r["id"] == 6) for a in recorded_attempts()
    }
    assert {u: best_first.value_at(r["rawval"]) for u, r in by_user.items() if r["rawval"] is not None} == {
        16: "5",
        21: "3",
        23: "1",
    }
    assert {u: r["printval"] for u, r in by_user.items() if r["rawval"] is not None} == {
        16: "Very satisfied",
        21: "Neutral",
        23: "Very dissatisfied",
    }


def test_trap_43_ascending_recorded_item_keeps_position_equal_to_value():
    ascending = options_of("satisfaction")
    assert [ascending.value_at(str(p)) for p in range(1, 6)] == ["1", "2", "3", "4", "5"]
    assert ascending.rated and ascending.subtype == "r"


def test_trap_43_null_rawval_and_not_selected_are_unanswered():
    best_first = options_of("satisfaction_best_first")
    nulls = [r for a in recorded_attempts() for r in a["responses"] if r["id"] == 6 and r["rawval"] is None]
    assert len(nulls) == 6  # the six attempts made before the item existed
    assert all(best_first.value_at(r["rawval"]) is None for r in nulls)
    assert best_first.value_at("") is None and best_first.value_at("0") is None


@pytest.mark.parametrize(
    "presentation, rawval, value",
    [
        ("r>>>>>0####Never|1####Rarely|2####Sometimes|3####Often|4####Always", "1", "0"),  # 0-based
        ("r>>>>>0####Never|1####Rarely|2####Sometimes|3####Often|4####Always", "5", "4"),
        ("r>>>>>1####Low|3####Middle|5####High<<<<<1", "2", "3"),  # gaps, horizontal layout
        ("d>>>>>10####Ten|20####Twenty", "2", "20"),  # drop-down
        ("r>>>>>-2####Much worse|0####Same|2####Much better", "1", "-2"),
        ("r>>>>>Not rated|1####One", "1", "0"),  # a line without a value is worth 0, like Moodle's intval
    ],
)
def test_issue_10_3_any_order_and_values_map_by_position(presentation, rawval, value):
    assert parse_feedback_presentation("multichoicerated", presentation).value_at(rawval) == value


def test_plain_multichoice_answers_are_the_option_texts():
    radio = parse_feedback_presentation("multichoice", "r>>>>>Yes|No")
    assert radio.value_at("2") == "No" and not radio.rated
    boxes = parse_feedback_presentation("multichoice", "c>>>>>In person|Video call|Phone<<<<<1")
    assert boxes.value_at("1|3") == "In person|Phone"


def test_a_position_without_an_option_is_an_error_not_a_guess():
    with pytest.raises(FeedbackPresentationError, match="position '7' is not one of the item's 5 options"):
        options_of("satisfaction_best_first").value_at("7")


def test_items_that_are_not_choices_have_no_options():
    items = recorded_items()
    assert parse_feedback_presentation(items["meeting_minutes"]["typ"], items["meeting_minutes"]["presentation"]) is None
    assert parse_feedback_presentation("textarea", "40|20") is None
    with pytest.raises(FeedbackPresentationError):
        parse_feedback_presentation("multichoicerated", "r>>>>>high####High|low####Low")


def test_issue_10_3_recorded_items_fit_a_1_to_5_scale_in_either_order():
    items = recorded_items()
    for label in ("satisfaction", "satisfaction_best_first", "selfefficacy_goals"):
        assert scale_mismatch(FIVE, "sat", label, items[label]["typ"], items[label]["presentation"]) is None


@pytest.mark.parametrize(
    "typ, presentation, shown",
    [
        ("multichoicerated", "r>>>>>0####Never|1####Rarely|2####Sometimes|3####Often|4####Always", "0-4"),
        ("multichoicerated", "r>>>>>1####a|2####b|3####c|4####d", "1-4"),
        ("numeric", "0|240", "0-240"),
    ],
)
def test_issue_10_3_a_mismatched_item_is_named_with_both_ranges(typ, presentation, shown):
    message = scale_mismatch(FIVE, "sat", "satisfaction_0based", typ, presentation)
    assert message is not None
    assert "'satisfaction_0based'" in message and f"values {shown}" in message and "scale 1-5" in message


def test_na_options_are_outside_the_range_and_text_options_are_refused():
    with_na = Instrument("sat", ("sat",), 1, 3, na_values=frozenset({"N/A"}))
    assert scale_mismatch(with_na, "sat", "x", "multichoice", "r>>>>>1|2|3|N/A") is None
    message = scale_mismatch(FIVE, "sat", "x", "multichoice", "r>>>>>Yes|No")
    assert message is not None and "'Yes' has no numeric value" in message and "1-5" in message
