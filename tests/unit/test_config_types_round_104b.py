"""Tester round 104b, 3 and 7: values of the wrong type that the configuration took, or refused in pydantic's words.

3: a number where a date is expected (``[waves] programme_start = 0``, ``[meetings] start = 86400``, the quoted
``"1788220800"``, ``LMSYNC_MEETINGS_START=0``) was read as a Unix timestamp (the report said "term from
1970-01-01", exit 0); ``start = 20260901`` gave "Datetimes provided to dates should have zero time". Now each is
refused naming key, line (or variable), what was found and how to write the date.

7: ``default_capacity = 3.0`` was taken as 3 while ``[health] weight_watch = 20.0`` was refused with a bare "Input
should be a valid integer"; ``coordinators = "alice"`` gave "Input should be a valid list";
``LMSYNC_MATCHING_DEFAULT_CAPACITY=true`` gave pydantic's "unable to parse string as an integer". Now a decimal
point on every integer key is refused alike, a single value for a list says the list to write, and a variable
whose text is not its key's type is refused in a sentence naming the variable and the form wanted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import Config, load_config
from lmsync.errors import EXIT_ADMIN, ConfigError

FIX = 'write the date as 2026-09-01, a TOML date, or "2026-09-01"'


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Config:
    path = tmp_path / "lmsync.toml"
    path.write_text(text)
    return load_config(path, environ=environ or {})


def _refusal(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, environ)
    assert caught.value.exit_code == EXIT_ADMIN
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[waves]\nprogramme_start = 0\n[waves.windows]\nT0 = { offset_months = 0 }\n",
         f"waves.programme_start (line 2): a number, where a date is expected: {FIX}"),
        ("[meetings]\nstart = 0\n", f"meetings.start (line 2): a number, where a date is expected: {FIX}"),
        ("[meetings]\nstart = 86400\n", f"meetings.start (line 2): a number, where a date is expected: {FIX}"),
        ("[waves]\nprogramme_start = 1788220800\n",
         f"waves.programme_start (line 2): a number, where a date is expected: {FIX}"),
        ("[meetings]\nstart = 20260901\n", f"meetings.start (line 2): a number, where a date is expected: {FIX}"),
        ("[meetings]\nstart = 20261231\n", "meetings.start (line 2): a number, where a date is expected: "
         'write the date as 2026-12-31, a TOML date, or "2026-12-31"'),
        ("[meetings]\nstart = 2026.5\n", f"meetings.start (line 2): a number, where a date is expected: {FIX}"),
        ('[meetings]\nstart = "1788220800"\n',
         f"meetings.start (line 2): a string of digits, where a date is expected: {FIX}"),
        ("[waves.windows]\nT0 = { start = 5, end = 2026-10-01 }\n",
         f"waves.windows.T0.start (line 2): a number, where a date is expected: {FIX}"),
    ],
)
def test_a_number_where_a_date_is_expected_is_refused_not_read_as_a_timestamp(tmp_path: Path, text: str, said: str):
    refusal = _refusal(tmp_path, text)
    assert f"{tmp_path / 'lmsync.toml'}: {said}" in refusal
    assert "Datetimes provided" not in refusal


@pytest.mark.parametrize("value", ["0", "1788220800", " 86400.0 ", "-5"])
def test_digits_in_a_date_variable_are_refused_naming_the_variable(tmp_path: Path, value: str):
    refusal = _refusal(tmp_path, "", {"LMSYNC_MEETINGS_START": value})
    assert refusal == (f"environment: LMSYNC_MEETINGS_START (meetings.start): {value!r} is a number, not a date: "
                       "write the date as LMSYNC_MEETINGS_START=2026-09-01")


def test_dates_written_as_dates_keep_loading(tmp_path: Path):
    text = ('[meetings]\nstart = 2026-09-01\n[waves]\nprogramme_start = "2026-09-01"\n'
            "[waves.windows]\nT0 = { start = 2026-09-01T00:00:00, end = 2026-10-01 }\n")
    config = _load(tmp_path, text)
    assert config.meetings.start == config.waves.programme_start == config.waves.windows["T0"].start == date(2026, 9, 1)
    assert _load(tmp_path, "", {"LMSYNC_MEETINGS_START": "2026-09-01"}).meetings.start == date(2026, 9, 1)


def test_a_slash_date_keeps_its_own_refusal(tmp_path: Path):
    assert "'01/09/2026' is not a date (YYYY-MM-DD" in _refusal(tmp_path, '[meetings]\nstart = "01/09/2026"\n')


def test_a_decimal_point_on_an_integer_key_is_refused_alike_for_lenient_and_strict_keys(tmp_path: Path):
    text = ("[matching]\ndefault_capacity = 3.0\n[health]\nweight_watch = 20.0\n[nudges]\ndaily_cap = 200.0\n"
            "[moodle]\nmax_parallel = 3.0\nbatch_budget = 2000.5\n")
    refusal = _refusal(tmp_path, text)
    for said in ["matching.default_capacity (line 2): a number with a decimal point, where an integer is expected: write 3",
                 "health.weight_watch (line 4): a number with a decimal point, where an integer is expected: write 20",
                 "nudges.daily_cap (line 6): a number with a decimal point, where an integer is expected: write 200",
                 "moodle.max_parallel (line 8): a number with a decimal point, where an integer is expected: write 3",
                 "moodle.batch_budget (line 9): a number with a decimal point, where an integer is expected: "
                 "write a whole number, without a decimal point"]:
        assert said in refusal
    assert "Input should be" not in refusal


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[health]\ncoordinators = "alice"\n', 'health.coordinators (line 2): a string, where a list is expected: '
         'write ["alice"]'),
        ('[grades]\nenabled = "all"\n', 'grades.enabled (line 2): a string, where a list is expected: write ["all"]'),
        ("[health]\nqueue_due_days = 14\n", "health.queue_due_days (line 2): an integer, where a list is expected: "
         "write [14]"),
        ('[matching]\npins = "ann"\n', 'matching.pins (line 2): a string, where a list is expected: write [["a", "b"]]'),
    ],
)
def test_a_single_value_where_a_list_is_expected_says_the_list_to_write(tmp_path: Path, text: str, said: str):
    refusal = _refusal(tmp_path, text)
    assert f"{tmp_path / 'lmsync.toml'}: {said}" in refusal
    assert "Input should be" not in refusal


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("LMSYNC_MATCHING_DEFAULT_CAPACITY", "true", "'true' is not a whole number: write it in digits, as "
         "LMSYNC_MATCHING_DEFAULT_CAPACITY=3"),
        ("LMSYNC_MATCHING_DEFAULT_CAPACITY", "3.0", "'3.0' is not a whole number: write it in digits, as "
         "LMSYNC_MATCHING_DEFAULT_CAPACITY=3"),
        ("LMSYNC_HEALTH_WEIGHT_WATCH", "abc", "'abc' is not a whole number: write it in digits, as "
         "LMSYNC_HEALTH_WEIGHT_WATCH=3"),
        ("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "half", "'half' is not a number: write it in digits, as "
         "LMSYNC_SYNC_MIN_SOURCE_FRACTION=0.5"),
        ("LMSYNC_MOODLE_VERIFY_TLS", "maybe", "'maybe' is not true or false: write LMSYNC_MOODLE_VERIFY_TLS=true or "
         "LMSYNC_MOODLE_VERIFY_TLS=false"),
    ],
)
def test_a_variable_that_is_not_its_keys_type_is_refused_in_a_sentence(tmp_path: Path, variable: str, value: str,
                                                                        said: str):
    refusal = _refusal(tmp_path, "", {variable: value})
    assert said in refusal and refusal.startswith(f"environment: {variable} (")
    assert "Input should be" not in refusal


def test_variables_of_the_right_type_keep_being_read_as_before(tmp_path: Path):
    environ = {"LMSYNC_MATCHING_DEFAULT_CAPACITY": "0x10", "LMSYNC_MOODLE_VERIFY_TLS": "No",
               "LMSYNC_HEALTH_WATCH_GAP_FACTOR": "2", "LMSYNC_GRADES_ACTIVITY": "42", "LMSYNC_MOODLE_MAX_PARALLEL": "4"}
    config = _load(tmp_path, "", environ)
    assert (config.matching.default_capacity, config.moodle.verify_tls, config.health.watch_gap_factor) == (16, False, 2)
    assert (config.grades.activity, config.moodle.max_parallel) == ("42", 4)
