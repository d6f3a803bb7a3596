import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from lmsync.config_sections import InstrumentConfig, WavesConfig, default_idnumber_prefix, resolve_instruments
from lmsync.domain.instruments import (
    BUILTIN_INSTRUMENTS,
    GENERAL_SELF_EFFICACY,
    Instrument,
    SurveyAnswer,
    Wave,
    add_months,
    answers_from_feedback,
    ordered_waves,
    score_waves,
    wave_for,
)
from lmsync.domain.meeting_log import FeedbackAttempt

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 9, 1), 3, date(2026, 12, 1)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_offset_waves_are_windows_around_the_programme_months():
    config = WavesConfig.model_validate(
        {
            "programme_start": date(2026, 9, 1),
            "days_before": 14,
            "days_after": 30,
            "windows": {
                "T3": {"offset_months": 3},
                "T0": {"offset_months": 0},
                "T6": {"start": "2027-02-15", "end": "2027-03-31"},
            },
        }
    )
    waves = config.to_waves()
    assert [w.name for w in waves] == ["T0", "T3", "T6"]
    assert (waves[0].start, waves[0].end) == (date(2026, 8, 18), date(2026, 10, 1))
    assert (waves[1].start, waves[1].end) == (date(2026, 11, 17), date(2026, 12, 31))
    assert wave_for(waves, date(2026, 12, 31)).name == "T3"
    assert wave_for(waves, date(2027, 1, 1)) is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"windows": {"T0": {"offset_months": 0}}}, "programme_start"),
        (
            {"programme_start": "2026-09-01", "windows": {"T0": {"offset_months": 0, "start": "2026-09-01"}}},
            "either",
        ),
        ({"windows": {"T0": {"start": "2026-09-01"}}}, "either"),
        ({"windows": {"T 0": {"start": "2026-09-01", "end": "2026-09-30"}}}, "letters and digits"),
        (
            {
                "windows": {
                    "A": {"start": "2026-09-01", "end": "2026-09-30"},
                    "B": {"start": "2026-09-30", "end": "2026-10-30"},
                }
            },
            "overlap",
        ),
        ({"baseline": "T9", "windows": {"T0": {"start": "2026-09-01", "end": "2026-09-30"}}}, "baseline"),
    ],
)
def test_bad_wave_config_is_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        WavesConfig.model_validate(data)


def test_builtin_instrument_can_be_configured_with_only_its_feedback_mapping():
    section = InstrumentConfig.model_validate({"feedback": "Self-efficacy", "feedback_items": {"gse1": "q1"}})
    inst = section.to_instrument("general_self_efficacy")
    assert inst.items == GENERAL_SELF_EFFICACY.items
    assert (inst.method, inst.min_answered, inst.total_range) == ("sum", 0.7, (10, 40))


def test_custom_instrument_from_config():
    section = InstrumentConfig.model_validate(
        {
            "items": ["c1", "c2", "c3"],
            "scale_min": 1,
            "scale_max": 7,
            "reverse": ["c3"],
            "na_values": [9],
            "method": "sum",
            "min_answered": 0.6,
            "subscales": {"x": ["c1", "c2"]},
            "grade_name": "confidence",
        }
    )
    inst = section.to_instrument("confidence")
    assert inst.reverse == frozenset({"c3"}) and inst.na_values == frozenset({"9"})
    assert inst.subscales == {"x": ("c1", "c2")}
    assert inst.required(3) == 2


def test_instrument_with_base_inherits_and_overrides():
    inst = InstrumentConfig.model_validate(
        {"base": "general_self_efficacy", "min_answered": 1.0}
    ).to_instrument("gse_strict")
    assert inst.name == "gse_strict" and inst.required(10) == 10 and inst.method == "sum"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"items": ["a"]}, "missing scale_min, scale_max"),
        ({"base": "nope"}, "not a built-in"),
        ({"base": "general_self_efficacy", "feedback_items": {"q99": "x"}}, "unknown items"),
        ({"items": ["a", "b"], "scale_min": 1, "scale_max": 5, "reverse": ["c"]}, "reverse"),
    ],
)
def test_bad_instrument_config_names_the_instrument(data, message):
    with pytest.raises(ValueError, match=message):
        resolve_instruments({"mine": InstrumentConfig.model_validate(data)})


def test_grade_name_must_be_item_name_safe():
    with pytest.raises(ValidationError, match="letters, digits"):
        InstrumentConfig.model_validate({"grade_name": "self efficacy"})


def test_builtins_are_always_available():
    assert set(resolve_instruments({})) == set(BUILTIN_INSTRUMENTS)


def test_idnumber_prefix_from_programme_name():
    assert default_idnumber_prefix("mentoring-2026") == 2026
    assert default_idnumber_prefix("peer-2025-2026") == 2026
    assert default_idnumber_prefix("mentoring") is None
    assert default_idnumber_prefix("cohort12345") is None


# --- wave scores ---------------------------------------------------------------------------

WAVES = (Wave("T0", date(2026, 9, 1), date(2026, 9, 30)), Wave("T3", date(2026, 12, 1), date(2026, 12, 31)))


def answers(person, day, values, source="csv"):
    return [
        SurveyAnswer(person, "general_self_efficacy", day, f"gse{i}", v, source)
        for i, v in enumerate(values, 1)
    ]


def test_latest_sitting_in_a_window_counts_and_outside_is_ignored():
    rows = (
        answers(3, date(2026, 9, 2), ["1"] * 10)  # replaced by the later T0 sitting
        + answers(3, date(2026, 9, 20), ["2"] * 10)
        + answers(3, date(2026, 12, 5), ["3"] * 10)
        + answers(3, date(2026, 11, 1), ["4"] * 10)  # between waves: no wave
    )
    scores = score_waves(rows, BUILTIN_INSTRUMENTS, WAVES)
    assert [(s.wave, s.score.total, s.date) for s in scores] == [
        ("T0", 20, date(2026, 9, 20)),
        ("T3", 30, date(2026, 12, 5)),
    ]


def test_undeclared_instrument_answers_are_not_scored():
    rows = [SurveyAnswer(3, "other", date(2026, 9, 2), "x", "1", "csv")]
    assert score_waves(rows, BUILTIN_INSTRUMENTS, WAVES) == []


def test_overlapping_waves_are_refused_with_their_windows():  # round 51b, 11: computed windows were not shown
    with pytest.raises(ValueError, match=r"A \(2026-01-01 to 2026-01-31\) and B \(2026-01-31 to 2026-02-05\) overlap"):
        ordered_waves(
            [Wave("A", date(2026, 1, 1), date(2026, 1, 31)), Wave("B", date(2026, 1, 31), date(2026, 2, 5))]
        )


# --- answers read from the recorded Feedback activity ----------------------------------------


def recorded_attempts():
    """FeedbackAttempts built from the recorded mod_feedback reads (labels from get_items)."""
    items = json.loads(
        json.loads((RECORDINGS / "mod_feedback_get_items/relationship-check-in.json").read_text())[
            "response"
        ]["body"]
    )
    labels = {item["id"]: item["label"] for item in items["items"]}
    body = json.loads(
        json.loads((RECORDINGS / "mod_feedback_get_responses_analysis/all.json").read_text())["response"][
            "body"
        ]
    )
    return [
        FeedbackAttempt(
            attempt_id=a["id"],
            user_id=a["userid"],
            submitted=datetime.fromtimestamp(a["timemodified"], UTC),
            values={labels[r["id"]]: r["rawval"] for r in a["responses"]},
        )
        for a in body["attempts"]
    ]


def test_recorded_feedback_answers_map_by_label_and_score():
    checkin = Instrument(
        name="checkin",
        items=("goals", "help"),
        scale_min=1,
        scale_max=5,
        method="mean",
    )
    found, problems = answers_from_feedback(
        recorded_attempts(), checkin, {"goals": "selfefficacy_goals", "help": "selfefficacy_help"}, tz=UTC
    )
    assert problems == []
    assert len(found) == 12  # six students x two items
    wave = Wave("now", date(2020, 1, 1), date(2099, 12, 31))
    totals = {s.respondent_id: s.score.total for s in score_waves(found, {"checkin": checkin}, [wave])}
    # README: s0001 (user 3) answered 4,4; s0003 (5) 2,3; s0007 (9) 5,5; s0013 (15) 2,2
    assert totals[3] == 4.0 and totals[5] == 2.5 and totals[9] == 5.0 and totals[15] == 2.0


def test_feedback_answer_outside_the_scale_is_reported_not_stored():
    narrow = Instrument(name="n", items=("sat",), scale_min=1, scale_max=4)
    found, problems = answers_from_feedback(recorded_attempts(), narrow, {"sat": "satisfaction"}, tz=UTC)
    # two students answered 5 on the recorded 1-5 item
    assert sorted(p.attempt_id for p in problems) == sorted(
        a.attempt_id for a in recorded_attempts() if a.values["satisfaction"] == "5"
    )
    assert len(problems) == 2 and len(found) == 4
