import os
import re

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError


def write(tmp_path, text):
    path = tmp_path / "lmsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file_mean_the_emulator(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.uses_emulator
    assert config.programme.course == "MENTOR-2026"


def test_unknown_key_names_its_path(tmp_path):
    path = write(tmp_path, '[moodle]\nurl = "https://m.example.edu"\ntokn_file = "/x"\n')
    with pytest.raises(ConfigError, match=r"unknown key moodle\.tokn_file"):
        load_config(path, environ={})


def test_wrong_type_names_its_path(tmp_path):
    path = write(tmp_path, "[matching.weights]\nsame_department = 'lots'\n")
    with pytest.raises(ConfigError, match=r"matching\.weights\.same_department"):
        load_config(path, environ={})


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml", environ={})


def test_environment_overrides_nested_keys(tmp_path):
    path = write(tmp_path, '[moodle]\nurl = "https://a.example.edu"\n[programme]\nname = "p1"\n')
    config = load_config(
        path,
        environ={
            "LMSYNC_MOODLE_URL": "https://b.example.edu/",
            "LMSYNC_MOODLE_TOKEN_FILE": "/run/credentials/lmsync/token",
            "LMSYNC_MATCHING_WEIGHTS_SAME_DEPARTMENT": "7",
            "LMSYNC_PROGRAMME_MENTOR_ROLES": '["teacher"]',
        },
    )
    assert config.moodle.url == "https://b.example.edu"
    assert str(config.moodle.token_file) == "/run/credentials/lmsync/token"
    assert config.matching.weights.same_department == 7
    assert config.programme.mentor_roles == ["teacher"]
    assert config.programme.name == "p1"


def test_unknown_environment_key_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="LMSYNC_MOODLE_TOKN"):
        load_config(write(tmp_path, ""), environ={"LMSYNC_MOODLE_TOKN": "x"})


def test_token_file_readable_by_others_is_refused_saying_why(tmp_path):
    token = tmp_path / "token"
    token.write_text("abc123secret\n")
    token.chmod(0o644)
    config = load_config(write(tmp_path, f'[moodle]\nurl = "https://m.example.edu"\ntoken_file = "{token}"\n'), environ={})
    with pytest.raises(ConfigError) as info:
        config.load_token()
    assert "is open to its group and every user (mode 644)" in str(info.value) and "chmod 600" in str(info.value)
    assert "abc123secret" not in str(info.value)
    token.chmod(0o640)  # round 24, 8: a group-readable file was called "readable by other users"
    with pytest.raises(ConfigError, match=r"is open to its group \(mode 640\); only its owner may read it"):
        config.load_token()
    token.chmod(0o604)
    with pytest.raises(ConfigError, match=r"is open to every user \(mode 604\)"):
        config.load_token()
    token.chmod(0o600)
    assert config.load_token().reveal() == "abc123secret"


def test_token_never_shows_in_reprs(tmp_path):
    token = tmp_path / "token"
    token.write_text("abc123secret")
    token.chmod(0o400)
    config = load_config(write(tmp_path, f'[moodle]\nurl = "https://m.example.edu"\ntoken_file = "{token}"\n'), environ={})
    loaded = config.load_token()
    assert "abc123secret" not in repr(loaded) + str(loaded) + f"{loaded}" + repr(config)


def test_programme_name_must_be_safe_for_idnumbers(tmp_path):
    with pytest.raises(ConfigError, match="programme.name"):
        load_config(write(tmp_path, '[programme]\nname = "mentoring 2026!"\n'), environ={})


def test_systemd_credential_copy_is_accepted_only_inside_credentials_directory(tmp_path, monkeypatch):
    """systemd's copy: root's, 0400 plus an ACL entry for the unit's user, shown 0440 (tester round 120b, 3: a 0440
    file without that ACL is refused, its group really reads it; tests/unit/test_tester_round_120b_3_...)."""
    import struct

    creds = tmp_path / "creds"
    creds.mkdir()
    token = creds / "token"
    token.write_text("abc123secret")
    if os.geteuid() != 0 or not hasattr(os, "setxattr"):
        pytest.skip("making a root-owned file with an ACL needs root on Linux")
    token.chmod(0o400)
    acl = [(0x01, 4, 0xFFFFFFFF), (0x02, 4, 65534), (0x04, 0, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF), (0x20, 0, 0xFFFFFFFF)]
    try:
        os.setxattr(token, "system.posix_acl_access", struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in acl))
    except OSError as exc:
        pytest.skip(f"no POSIX ACLs here: {exc}")
    config = load_config(write(tmp_path, f'[moodle]\nurl = "https://m.example.edu"\ntoken_file = "{token}"\n'), environ={})
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    with pytest.raises(ConfigError):
        config.load_token()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert config.load_token().reveal() == "abc123secret"
    token.chmod(0o460)  # group-writable: never accepted
    with pytest.raises(ConfigError):
        config.load_token()


def test_tester_finding_a_retired_health_key_loads_with_a_warning_not_an_error(tmp_path):
    """A file written for an earlier release (``[health] trend_at_risk_drop``, ``rating_fall``) still loads."""
    from structlog.testing import capture_logs

    path = tmp_path / "lmsync.toml"
    path.write_text("[health]\ntrend_at_risk_drop = 0.3\nrating_fall = 0.75\nshift_watch = 2.5\n")
    with capture_logs() as logs:
        config = load_config(path, environ={})
    assert config.health.shift_watch == 2.5
    retired = sorted(e["key"] for e in logs if e["event"] == "config.retired_key")
    assert retired == ["health.rating_fall", "health.trend_at_risk_drop"]
    path.write_text("[health]\ntrend_at_risk_dropp = 0.3\n")  # a typo is still an unknown key
    with pytest.raises(ConfigError, match="unknown key health.trend_at_risk_dropp"):
        load_config(path, environ={})


def test_tester_finding_config_path_is_a_directory_is_a_clean_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path} is a directory, not a configuration file")):
        load_config(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_LOG_FORMAT", raising=False)
    result = CliRunner().invoke(main, ["--config", str(tmp_path), "queue", "list"], catch_exceptions=False)
    assert result.exit_code == EXIT_INPUT  # --config naming a folder: a wrong argument (tester round 99b, 8c)
    assert result.stderr.startswith(f"error: --config {tmp_path}: a directory, not a configuration file\n")


def test_tester_finding_config_file_not_utf8_is_a_clean_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[x]\n")
    with pytest.raises(ConfigError, match="bad.toml: not UTF-8 .*must be UTF-8"):
        load_config(bad)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_LOG_FORMAT", raising=False)
    result = CliRunner().invoke(main, ["--config", str(bad), "queue", "list"], catch_exceptions=False)
    assert result.exit_code == EXIT_ADMIN
    assert result.stderr.startswith(f"error: {bad}: not UTF-8") and "must be UTF-8" in result.stderr


@pytest.mark.parametrize("value", [True, "two", 0, -1, 17])
def test_tester_finding_12_max_parallel_must_be_a_number_from_1_to_16(value):
    """``max_parallel = true`` was read as 1; the range (1-16) is in the reference now."""
    from lmsync.config import Config

    with pytest.raises(ValueError, match="max_parallel"):
        Config.model_validate({"moodle": {"max_parallel": value}})
    assert Config.model_validate({"moodle": {"max_parallel": 16}}).moodle.max_parallel == 16


def test_tester_finding_a_configuration_saved_with_a_utf8_bom_is_read(tmp_path):
    """A BOM (Windows editors) made the first line 'not valid TOML: Invalid statement'."""
    from lmsync.config import load_config

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[programme]\nname = \"mentoring-2027\"\n")
    assert load_config(path, environ={}).programme.name == "mentoring-2027"


def test_round_3_finding_24_the_reference_names_an_annotated_list_by_its_items():
    from typing import Annotated

    from pydantic import Field

    from lmsync.config_reference import reference_markdown, type_name

    assert type_name(list[Annotated[int, Field(ge=1)]]) == "list of integer"
    assert "Annotated" not in reference_markdown()


SECRET = "abc123SECRETabc123SECRETabc12345"


@pytest.mark.parametrize("url", [
    f"https://moodle.school.example/webservice/rest/server.php?wstoken={SECRET}",
    f"https://moodle.school.example/?wstoken={SECRET}",
    "https://moodle.school.example/webservice/rest/server.php",
])
def test_round_12_1_a_web_service_request_url_is_refused_without_repeating_it(tmp_path, url):
    """Tester round 12, 1: Moodle's web-service test URL (``...server.php?wstoken=...``) passed doctor,
    then put the token in every request line and error. Refused, exit 2, the value never repeated."""
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = "{url}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert "moodle.url (line 2): is the address of a web-service request" in str(info.value)
    assert SECRET not in str(info.value) and "server.php" not in str(info.value)


def test_round_85a_10_a_moodle_page_as_the_site_address_is_refused(tmp_path, monkeypatch):
    """`url = https://host/login/index.php` (copied from the browser) was accepted; doctor then failed with a 404."""
    monkeypatch.chdir(tmp_path)  # no lmsync.toml here: the address comes from the environment alone
    pages = {"https://moodle.school.example/login/index.php": ".../login/index.php",
             "https://h.example/moodle/my/index.php": ".../my/index.php"}
    for url, named in pages.items():
        with pytest.raises(ConfigError) as info:
            load_config(None, environ={"LMSYNC_MOODLE_URL": url})
        assert f"is the address of a Moodle page ({named}), not the site's" in str(info.value)
    assert load_config(None, environ={"LMSYNC_MOODLE_URL": "https://h.example/moodle"}).moodle.url == "https://h.example/moodle"


def test_round_12_1_a_site_in_a_folder_is_still_an_address(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text('[moodle]\nurl = "https://school.example/moodle/"\n')
    assert load_config(path, environ={}).moodle.url == "https://school.example/moodle"


def test_round_12_2_a_token_given_as_the_token_file_is_refused_without_repeating_it(tmp_path):
    """Tester round 12, 2: a token pasted at init's "token file" prompt was saved, and every run then
    printed "moodle.token_file: <token> does not exist" to the journal."""
    token = "0123456789abcdef0123456789abcdef"
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = "https://m.example"\ntoken_file = "{token}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert "moodle.token_file (line 3): looks like a web-service token" in str(info.value)
    assert token not in str(info.value)
    named = tmp_path / token  # a file really named so is a file (odd, but not a token in the config)
    named.write_text("x" * 32)
    assert load_config(path, environ={}).moodle.token_file == named


def test_round_12_5_a_token_file_without_a_site_is_refused(tmp_path):
    """Tester round 12, 5: a token file and no url ran every command on the emulator, exit 0, and the
    real Moodle was never reached: the unit or CronJob looked healthy for ever."""
    path = tmp_path / "lmsync.toml"
    path.write_text('[moodle]\ntoken_file = "/etc/lmsync/token"\n')
    with pytest.raises(ConfigError, match=r"moodle.token_file \(line 2\): is set, but url is not"):
        load_config(path, environ={})
    path.write_text("")
    with pytest.raises(ConfigError, match=r"LMSYNC_MOODLE_TOKEN_FILE \(moodle.token_file\): is set, but url is not"):
        load_config(path, environ={"LMSYNC_MOODLE_TOKEN_FILE": "/etc/lmsync/token"})
    assert load_config(path, environ={}).uses_emulator  # no token, no url: the emulator, as before


def test_round_12_7_an_empty_store_path_is_a_config_error_not_a_traceback(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text("")
    with pytest.raises(ConfigError, match=r"LMSYNC_STORE_PATH \(store.path\): is empty"):
        load_config(path, environ={"LMSYNC_STORE_PATH": ""})
    path.write_text('[store]\npath = ""\n')
    with pytest.raises(ConfigError, match=r"store.path \(line 2\): is empty"):
        load_config(path, environ={})


def test_round_12_6_a_store_url_of_another_database_is_refused_without_its_password(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text("")
    with pytest.raises(ConfigError, match="must be a PostgreSQL URL") as info:
        load_config(path, environ={"LMSYNC_STORE_URL": "mysql://lmsync:SECRETPW@db/lmsync"})
    assert "SECRETPW" not in str(info.value)
    assert load_config(path, environ={"LMSYNC_STORE_URL": "postgresql://lmsync@db/lmsync"}).store.url


def test_round_26_8_a_date_written_otherwise_says_the_form_wanted(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, '[waves]\nprogramme_start = "01/09/2026"\n'), environ={})
    assert ("waves.programme_start (line 2): '01/09/2026' is not a date (YYYY-MM-DD, a day the calendar has) "
            "(programme_start = 2026-09-01, a TOML date: no quotes)") in str(info.value)
    with pytest.raises(ConfigError, match=r"LMSYNC_WAVES_PROGRAMME_START \(waves.programme_start\): '2026-13-01' is not a date"):
        load_config(write(tmp_path, ""), environ={"LMSYNC_WAVES_PROGRAMME_START": "2026-13-01"})


def test_round_39_5_and_6_token_mistakes_say_how_to_fix_them(tmp_path):
    """A missing or empty token file said only what was wrong, with no fix line as every other error has; a
    token written into the configuration (`token = "..."`) was an unknown key with no word of where it goes."""
    from lmsync.token_file import read_token_file

    for name, content in (("missing", None), ("empty", "  \n")):
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
            path.chmod(0o600)
        with pytest.raises(ConfigError) as info:
            read_token_file(path)
        assert info.value.hint and "Manage tokens" in info.value.hint, name
    config = tmp_path / "lmsync.toml"
    config.write_text('[moodle]\nurl = "https://m.example"\ntoken = "abc"\n')
    with pytest.raises(ConfigError) as info:
        load_config(config, environ={})
    assert "unknown key moodle.token (line 3) (did you mean token_file" in str(info.value)
    assert "LMSYNC_TOKEN" in str(info.value) and "abc" not in str(info.value)


def test_round_40_6_with_no_file_an_error_names_the_environment_not_a_missing_lmsync_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no lmsync.toml here
    with pytest.raises(ConfigError) as error:
        load_config(environ={"LMSYNC_HEALTH_QUEUE_DUE_DAYS": "[28, 14]"})
    assert str(error.value).startswith("environment LMSYNC_HEALTH_QUEUE_DUE_DAYS: health: queue_due_days must rise")
    assert "lmsync.toml" not in str(error.value)


@pytest.mark.parametrize(
    ("gaps", "said"),
    [({"MIN": "3", "MAX": "1"}, "peer_year_gap_min (3) is above peer_year_gap_max (1)"),
     ({"PREFERRED": "9"}, "peer_year_gap_preferred (9) is outside peer_year_gap_min to peer_year_gap_max (1 to 3)")],
)
def test_round_40_10_the_year_gaps_are_checked_when_the_configuration_loads(tmp_path, monkeypatch, gaps, said):
    # Min above max was refused only by `match`, naming no variable; a preferred gap outside the range was taken.
    monkeypatch.chdir(tmp_path)
    environ = {f"LMSYNC_MATCHING_PEER_YEAR_GAP_{k}": v for k, v in gaps.items()}
    with pytest.raises(ConfigError) as error:
        load_config(environ=environ)
    assert said in str(error.value) and all(name in str(error.value) for name in environ)
    (tmp_path / "lmsync.toml").write_text("[matching]\npeer_year_gap_min = 3\npeer_year_gap_max = 1\n")
    with pytest.raises(ConfigError, match=r"lmsync.toml: matching \(line 1\): peer_year_gap_min \(3\) is above"):
        load_config(tmp_path / "lmsync.toml", environ={})
