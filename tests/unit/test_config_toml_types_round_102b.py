"""Tester round 102b, 5: in ``lmsync.toml`` a value of the wrong TOML type was read leniently: ``[matching]
default_capacity = true`` was taken as 1 (a mentor with an empty capacity took one mentee, others were left
unmatched, exit 0), ``default_capacity = "3"`` as 3, ``[moodle] verify_tls = "no"`` as false.

Now, in the file, a boolean where a number is expected, a string where a number or a boolean is expected, and a
number where a boolean is expected are refused at load (exit 2), naming the key, its line, the type found and
the type expected (``lmsync.config_types``). ``LMSYNC_*`` variables are text and keep being read from text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from lmsync.config import Config, load_config
from lmsync.config_types import is_date, scalar_kinds
from lmsync.errors import EXIT_ADMIN, ConfigError


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Config:
    path = tmp_path / "lmsync.toml"
    path.write_text(text)
    return load_config(path, environ=environ or {})


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert caught.value.exit_code == EXIT_ADMIN
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[matching]\ndefault_capacity = true\n",
         "matching.default_capacity (line 2): a boolean, where an integer is expected"),
        ('[matching]\ndefault_capacity = "3"\n',
         "matching.default_capacity (line 2): a string, where an integer is expected"),
        ('[moodle]\nverify_tls = "no"\n', "moodle.verify_tls (line 2): a string, where a boolean is expected"),
        ('[moodle]\nverify_tls = "off"\n', "moodle.verify_tls (line 2): a string, where a boolean is expected"),
        ("[moodle]\nverify_tls = 0\n", "moodle.verify_tls (line 2): an integer, where a boolean is expected"),
        ("[sync]\nmin_source_fraction = true\n",
         "sync.min_source_fraction (line 2): a boolean, where a number is expected"),
        ("[privacy]\nshow_names = 1\n", "privacy.show_names (line 2): an integer, where a boolean is expected"),
        ("[grades]\nactivity = true\n",
         "grades.activity (line 2): a boolean, where a string or an integer is expected"),
        ('[instruments.confidence]\nitems = ["c1"]\nscale_min = "1"\nscale_max = 5\n',
         "instruments.confidence.scale_min (line 3): a string, where an integer is expected"),
        ('[health]\nqueue_due_days = [14, "28"]\n',
         "health.queue_due_days.1 (line 2): a string, where an integer is expected"),
    ],
)
def test_a_value_of_the_wrong_toml_type_is_refused_naming_key_line_and_types(tmp_path: Path, text: str, said: str):
    assert f"{tmp_path / 'lmsync.toml'}: {said}" in _refusal(tmp_path, text)


def test_every_type_refusal_is_said_with_the_other_errors_of_the_file(tmp_path: Path):
    text = _refusal(tmp_path, '[matching]\ndefault_capacity = true\ntriad_juniors = "many"\n[moodle]\ntokn_file = "x"\n')
    assert "matching.default_capacity (line 2): a boolean, where an integer is expected" in text
    assert "matching.triad_juniors (line 3): a string, where an integer is expected" in text
    assert "unknown key moodle.tokn_file (line 5)" in text
    assert "Input should be" not in text  # pydantic's own line for the same key is not said as well


def test_values_of_the_right_type_and_dates_written_as_text_still_load(tmp_path: Path):
    config = _load(tmp_path, '[matching]\ndefault_capacity = 3\nload_balance = 1\n[moodle]\nverify_tls = false\n'
                             '[grades]\nactivity = "42"\n[waves]\nprogramme_start = "2026-09-01"\n'
                             '[nudges]\nquiet_hours = "21:00-08:00"\n')
    assert (config.matching.default_capacity, config.matching.load_balance, config.moodle.verify_tls) == (3, 1.0, False)
    assert config.grades.activity == "42" and str(config.waves.programme_start) == "2026-09-01"


def test_environment_variables_keep_being_read_from_text(tmp_path: Path):
    environ = {"LMSYNC_MATCHING_DEFAULT_CAPACITY": "3", "LMSYNC_MOODLE_VERIFY_TLS": "false",
               "LMSYNC_PRIVACY_SHOW_NAMES": "true", "LMSYNC_GRADES_IDNUMBER_PREFIX": "2026"}
    config = _load(tmp_path, "[matching]\ndefault_capacity = 2\n", environ)
    assert (config.matching.default_capacity, config.moodle.verify_tls, config.privacy.show_names) == (3, False, True)
    assert config.grades.idnumber_prefix == 2026


def test_a_file_value_the_environment_sets_is_left_to_the_environment(tmp_path: Path):
    config = _load(tmp_path, '[matching]\ndefault_capacity = "3"\n', {"LMSYNC_MATCHING_DEFAULT_CAPACITY": "5"})
    assert config.matching.default_capacity == 5


def _scalar_fields(model: type[BaseModel], path: str) -> Iterator[tuple[str, frozenset[type]]]:
    """``(dotted key, the plain types it takes)`` of every number or boolean key of ``model`` and its sections."""
    for name, field in model.model_fields.items():
        key, annotation = f"{path}{field.alias or name}", field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _scalar_fields(annotation, f"{key}.")
        elif (kinds := scalar_kinds(annotation)) and kinds & {int, float, bool}:
            yield key, kinds


def _every_scalar_key() -> list[tuple[str, frozenset[type]]]:
    """Every number or boolean key of the configuration, those of a table of sections under a name of one's own."""
    from lmsync.config_sections import InstrumentConfig, WaveWindowConfig

    return [*_scalar_fields(Config, ""), *_scalar_fields(InstrumentConfig, "instruments.x."),
            *_scalar_fields(WaveWindowConfig, "waves.windows.T0.")]


def _toml(key: str, value: str) -> str:
    table, _, leaf = key.rpartition(".")
    return f"[{table}]\n{leaf} = {value}\n"


@pytest.mark.parametrize(("key", "kinds"), _every_scalar_key(), ids=[k for k, _ in _every_scalar_key()])
def test_every_number_and_boolean_key_refuses_the_wrong_toml_type(tmp_path: Path, key: str, kinds: frozenset[type]):
    wrong = ["true"] if bool not in kinds else [] if kinds & {int, float} else ["1", "0.5"]
    wrong += [] if str in kinds else ['"1"']
    assert wrong, key
    for value in wrong:
        found = {"true": "a boolean", '"1"': "a string", "1": "an integer", "0.5": "a number"}[value]
        said = f"{key} (line 2): {found}, where "
        assert said in _refusal(tmp_path, _toml(key, value)), (key, value)


def test_the_walk_finds_the_keys_of_the_finding():
    keys = dict(_every_scalar_key())
    assert {"matching.default_capacity", "moodle.verify_tls", "health.grace_days", "nudges.daily_cap",
            "instruments.x.scale_min", "instruments.x.rates_mentor", "waves.windows.T0.offset_months",
            "matching.weights.need", "grades.activity"} <= set(keys)


# Tester round 104b, 3 and 7: the same walk over every key, for a decimal point on an integer key, a single value
# for a list key, a number for a date key, and a variable whose text is not its key's type.


def _keys(model: type[BaseModel], path: str, wanted: Callable[[Any], bool]) -> Iterator[str]:
    """The dotted keys of ``model`` and its sections whose annotation is ``wanted``."""
    for name, field in model.model_fields.items():
        key, annotation = f"{path}{field.alias or name}", field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _keys(annotation, f"{key}.", wanted)
        elif wanted(annotation):
            yield key


def _every_key(wanted: Callable[[Any], bool]) -> list[str]:
    from lmsync.config_sections import InstrumentConfig, WaveWindowConfig

    return [*_keys(Config, "", wanted), *_keys(InstrumentConfig, "instruments.x.", wanted),
            *_keys(WaveWindowConfig, "waves.windows.T0.", wanted)]


def _a_list(annotation: Any) -> bool:
    """A list key: ``list[...]``, ``tuple[...]``, or either or None."""
    if get_origin(annotation) in (Union, UnionType):
        return all(_a_list(a) for a in get_args(annotation) if a is not type(None))
    return get_origin(annotation) in (list, tuple, set)


_INTEGER_KEYS = [k for k, kinds in _every_scalar_key() if int in kinds and float not in kinds]
_LIST_KEYS = _every_key(_a_list)
_DATE_KEYS = _every_key(is_date)


@pytest.mark.parametrize("key", _INTEGER_KEYS)
def test_every_integer_key_refuses_a_decimal_point_alike(tmp_path: Path, key: str):
    said = f"{key} (line 2): a number with a decimal point, where "
    refusal = _refusal(tmp_path, _toml(key, "3.0"))
    assert said in refusal and refusal.split(said)[1].split("\n")[0].endswith("is expected: write 3" + (
        ", or text in quotes" if key == "grades.activity" else "")), refusal


@pytest.mark.parametrize("key", _LIST_KEYS)
def test_every_list_key_refuses_a_single_string_saying_the_list_to_write(tmp_path: Path, key: str):
    refusal = _refusal(tmp_path, _toml(key, '"alice"'))
    assert f"{key} (line 2): a string, where a list is expected: write [" in refusal, refusal


@pytest.mark.parametrize("key", _DATE_KEYS)
def test_every_date_key_refuses_a_number_and_digits(tmp_path: Path, key: str):
    for value, found in [("0", "a number"), ('"1788220800"', "a string of digits")]:
        assert f'{key} (line 2): {found}, where a date is expected: write the date as 2026-09-01, a TOML date, or ' \
               '"2026-09-01"' in _refusal(tmp_path, _toml(key, value)), (key, value)


_ENV_SCALAR_KEYS = [(k, kinds) for k, kinds in _every_scalar_key() if "." in k and not k.startswith(
    ("instruments.", "waves.windows.")) and str not in kinds]


@pytest.mark.parametrize(("key", "kinds"), _ENV_SCALAR_KEYS, ids=[k for k, _ in _ENV_SCALAR_KEYS])
def test_every_number_and_boolean_variable_refuses_text_of_another_type_in_a_sentence(
        tmp_path: Path, key: str, kinds: frozenset[type]):
    variable = "LMSYNC_" + key.replace(".", "_").upper()
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "", {variable: "plenty"})
    refusal = str(caught.value)
    expected = "true or false" if kinds == {bool} else "a number" if float in kinds else "a whole number"
    assert refusal.startswith(f"environment: {variable} ({key}): 'plenty' is not {expected}: write "), refusal


def test_the_walks_find_the_keys_of_the_findings():
    assert {"matching.default_capacity", "health.weight_watch", "nudges.daily_cap", "moodle.max_parallel",
            "sync.away_mentor_hold_days", "waves.windows.T0.offset_months"} <= set(_INTEGER_KEYS)
    assert {"health.coordinators", "grades.enabled", "programme.mentor_roles", "matching.pins",
            "health.queue_due_days", "instruments.x.items"} <= set(_LIST_KEYS)
    assert {"meetings.start", "waves.programme_start", "waves.windows.T0.start", "waves.windows.T0.end"} == set(
        _DATE_KEYS)
