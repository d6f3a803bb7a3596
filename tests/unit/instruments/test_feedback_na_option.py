"""Tester round 122a, 3: a rated option labelled as a declared N/A value is no answer, not its rated value.

Doctor's scale check leaves such an option out (``numeric_values``), so ``0####N/A`` passed as a 1-5 item; its answer
came back (trap 43, ``mod_feedback_get_responses_analysis/rated-best-first``) as the option's position and was read
as the rated value 0, "outside the scale".
"""

from lmsync.domain.instruments import parse_feedback_presentation
from lmsync.moodle.models import FeedbackAttempt as MoodleAttempt
from lmsync.moodle.models import FeedbackItem
from lmsync.service.feedback_sources import to_attempt
from tests.unit.instruments.test_feedback_presentation import recorded_attempts, recorded_items

NA = ("N/A", "NA")


def _with_na():
    """The recorded best-first item (``5####Very satisfied|...|1####Very dissatisfied``) with a last N/A option."""
    item = recorded_items()["satisfaction_best_first"]
    return parse_feedback_presentation(item["typ"], item["presentation"] + "|0####N/A")


def test_round_122a_3_a_rated_na_option_chosen_is_no_answer():
    options = _with_na()
    assert options.numeric_values(NA) == [5, 4, 3, 2, 1]  # what doctor checks against the scale
    assert options.value_at("6", NA) is None  # position 6: N/A, not 0
    assert options.value_at("6") == "0"  # without declared N/A values, the rated value as before
    # the recorded answers keep their rated values
    rawvals = {a["userid"]: next(r["rawval"] for r in a["responses"] if r["id"] == 6) for a in recorded_attempts()}
    assert {u: options.value_at(v, NA) for u, v in rawvals.items() if v is not None} == {16: "5", 21: "3", 23: "1"}


def test_round_122a_3_the_read_leaves_a_chosen_na_out_of_the_attempt():
    item = FeedbackItem.model_validate(recorded_items()["satisfaction_best_first"])
    options = {item.id: _with_na()}
    attempt = MoodleAttempt.model_validate({"id": 9, "userid": 16, "timemodified": 1796029754,
                                            "responses": [{"id": item.id, "rawval": "6"}]})
    assert to_attempt(attempt, {item.id: "satisfaction_best_first"}, options, ("n/a",)).values == {}
    chosen = MoodleAttempt.model_validate({"id": 9, "userid": 16, "timemodified": 1796029754,
                                           "responses": [{"id": item.id, "rawval": "1"}]})
    assert to_attempt(chosen, {item.id: "satisfaction_best_first"}, options, ("n/a",)).values == {
        "satisfaction_best_first": "5"}


def test_a_plain_choice_option_keeps_its_text_for_the_instrument_to_read():
    options = parse_feedback_presentation("multichoice", "r>>>>>Yes|No|N/A")
    assert options.value_at("3", NA) == "N/A"  # its text: ``Instrument.parse_value`` reads it as N/A
