"""Issue 11: environment overrides are typed by the field they set, and errors name the variable."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError


def write(tmp_path, text=""):
    path = tmp_path / "lmsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_issue_11_programme_course_2026_is_a_shortname(tmp_path):
    config = load_config(write(tmp_path), environ={"LMSYNC_PROGRAMME_COURSE": "2026"})
    assert config.programme.course == "2026" and isinstance(config.programme.course, str)


def test_issue_11_string_fields_take_the_text_as_written(tmp_path):
    config = load_config(
        write(tmp_path),
        environ={"LMSYNC_PROGRAMME_NAME": "true", "LMSYNC_PROGRAMME_FORUM": "1.5", "LMSYNC_STORE_PATH": "007.db"},
    )
    assert (config.programme.name, config.programme.forum, str(config.store.path)) == ("true", "1.5", "007.db")


def test_issue_11_numbers_booleans_and_lists_are_still_typed(tmp_path):
    config = load_config(
        write(tmp_path),
        environ={
            "LMSYNC_SYNC_MIN_SOURCE_FRACTION": "0.7",
            "LMSYNC_MOODLE_VERIFY_TLS": "false",
            "LMSYNC_MATCHING_DEFAULT_CAPACITY": "6",
            "LMSYNC_PROGRAMME_MENTOR_ROLES": '["teacher", "editingteacher"]',
        },
    )
    assert config.sync.min_source_fraction == 0.7 and config.moodle.verify_tls is False
    assert config.matching.default_capacity == 6
    assert config.programme.mentor_roles == ["teacher", "editingteacher"]


@pytest.mark.parametrize("value", ["1.5", "lots"])
def test_issue_11_a_bad_value_names_the_variable_not_the_file(tmp_path, value):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path), environ={"LMSYNC_SYNC_MIN_SOURCE_FRACTION": value})
    message = str(info.value)
    assert "LMSYNC_SYNC_MIN_SOURCE_FRACTION" in message and "sync.min_source_fraction" in message
    assert "lmsync.toml" not in message


def test_issue_11_a_broken_list_literal_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="LMSYNC_PROGRAMME_MENTOR_ROLES.*not a TOML list") as info:
        load_config(write(tmp_path), environ={"LMSYNC_PROGRAMME_MENTOR_ROLES": "[teacher"})
    assert "lmsync.toml" not in str(info.value)


def test_a_bad_value_in_the_file_still_names_the_file(tmp_path):
    path = write(tmp_path, "[sync]\nmin_source_fraction = 3\n")
    with pytest.raises(ConfigError, match=r"lmsync\.toml: sync\.min_source_fraction"):
        load_config(path, environ={"LMSYNC_PROGRAMME_COURSE": "2026"})


def test_issue_11_a_section_whose_toml_name_is_a_python_keyword_is_reachable(tmp_path):
    """``[import]`` is the field ``import_`` in Python; its variable uses the TOML name."""
    config = load_config(write(tmp_path), environ={"LMSYNC_IMPORT_DATE_ORDER": "dmy"})
    assert config.import_.date_order == "dmy"


def test_tester_finding_fix_c_4_a_retired_key_set_by_environment_is_warned_and_ignored(tmp_path):
    """``LMSYNC_HEALTH_RATING_FALL`` is ignored with the warning ``[health] rating_fall`` gets in the file."""
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        config = load_config(
            write(tmp_path), environ={"LMSYNC_HEALTH_RATING_FALL": "0.75", "LMSYNC_HEALTH_SHIFT_WATCH": "2.5"}
        )
    assert config.health.shift_watch == 2.5
    assert [(e["key"], e["source"]) for e in logs if e["event"] == "config.retired_key"] == [
        ("health.rating_fall", "environment")
    ]
    with pytest.raises(ConfigError, match="LMSYNC_HEALTH_RATING_FALLS names no configuration key"):
        load_config(write(tmp_path), environ={"LMSYNC_HEALTH_RATING_FALLS": "0.75"})


def test_round_27_2_kubernetes_service_link_variables_are_no_configuration_and_stop_nothing(tmp_path):
    """A Service named ``lmsync`` or ``lmsync-postgres`` in the namespace gives every pod
    ``LMSYNC_SERVICE_HOST``, ``LMSYNC_POSTGRES_PORT=tcp://...``: every lmsync pod stopped with
    "names no configuration key". They are skipped; a mistyped key still is not."""
    links = {
        "LMSYNC_SERVICE_HOST": "10.0.0.4", "LMSYNC_SERVICE_PORT": "80", "LMSYNC_PORT": "tcp://10.0.0.4:80",
        "LMSYNC_PORT_80_TCP": "tcp://10.0.0.4:80", "LMSYNC_PORT_80_TCP_ADDR": "10.0.0.4",
        "LMSYNC_PORT_80_TCP_PORT": "80", "LMSYNC_PORT_80_TCP_PROTO": "tcp",
        "LMSYNC_POSTGRES_SERVICE_HOST": "10.0.0.5", "LMSYNC_POSTGRES_SERVICE_PORT": "5432",
        "LMSYNC_POSTGRES_SERVICE_PORT_PG": "5432", "LMSYNC_POSTGRES_PORT": "tcp://10.0.0.5:5432",
        "LMSYNC_POSTGRES_PORT_5432_TCP": "tcp://10.0.0.5:5432",
    }
    config = load_config(write(tmp_path), environ={**links, "LMSYNC_PROGRAMME_COURSE": "K8S"})
    assert config.programme.course == "K8S"
    with pytest.raises(ConfigError, match="LMSYNC_POSTGRES_PORT names no configuration key"):
        load_config(write(tmp_path), environ={"LMSYNC_POSTGRES_PORT": "5432"})  # no tcp:// value: an admin's


@pytest.mark.parametrize(("key", "example"), [
    ("LMSYNC_MATCHING_PINS", '[["a", "b"]]'), ("LMSYNC_MATCHING_FORBIDS", '[["a", "b"]]'),
    ("LMSYNC_MATCHING_REMATCH", '["a", "b"]'), ("LMSYNC_MATCHING_ALIASES", '{ a = "b" }'),
])
def test_round_43_4_a_broken_literal_s_hint_has_the_key_s_own_shape(tmp_path, key, example):
    """The hint for a broken pins value said ``'["a", "b"]'``, which fails in turn: pins are a list of pairs."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path), environ={key: "s1:t1"})
    assert f"{key}='{example}'" in (info.value.hint or "")
    assert load_config(write(tmp_path), environ={key: example}) is not None


@pytest.mark.parametrize(("typed", "meant"), [
    ("LMSYNC_HEALTH_GRACEDAYS", "LMSYNC_HEALTH_GRACE_DAYS"),
    ("LMSYNC_MOODLE_TOKENFILE", "LMSYNC_MOODLE_TOKEN_FILE"),
    ("LMSYNC_PROGRAM_NAME", "LMSYNC_PROGRAMME_NAME"),
    # round 75, 3: a slip beats the same word under another table ([report] names); the README's own
    # variables are near misses too; a key under the wrong table still names its table
    ("LMSYNC_PROGRAMME_NAMES", "LMSYNC_PROGRAMME_NAME"),
    ("LMSYNC_TOKN", "LMSYNC_TOKEN"),
    ("LMSYNC_LOGFORMAT", "LMSYNC_LOG_FORMAT"),
    ("LMSYNC_CONFG", "LMSYNC_CONFIG"),
    ("LMSYNC_MEETINGS_GRACE_DAYS", "LMSYNC_HEALTH_GRACE_DAYS"),
])
def test_pass_72_5_a_mistyped_variable_names_the_variable_it_was_near(tmp_path, typed, meant):
    with pytest.raises(ConfigError, match=f"{typed} names no configuration key \\(did you mean {meant}\\?\\)"):
        load_config(write(tmp_path), environ={typed: "3"})


def test_a_variable_near_nothing_gets_no_guess(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path), environ={"LMSYNC_XYZ": "3"})
    assert "LMSYNC_XYZ names no configuration key" in str(raised.value) and "did you mean" not in str(raised.value)


def test_round_87b_8_the_token_in_lmsync_moodle_token_is_pointed_to_lmsync_token(tmp_path):
    """``LMSYNC_MOODLE_TOKEN`` (the token itself) got "did you mean LMSYNC_MOODLE_TOKEN_FILE?" alone; the token
    goes in ``LMSYNC_TOKEN``. The value is never repeated."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path), environ={"LMSYNC_MOODLE_TOKEN": "0123456789abcdef0123456789abcdef"})
    message = str(info.value)
    assert "did you mean LMSYNC_TOKEN (the token itself) or LMSYNC_MOODLE_TOKEN_FILE" in message
    assert "0123456789abcdef" not in message
