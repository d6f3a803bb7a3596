"""A password in ``[moodle] url`` was written into a file anyone may read, and nothing said so (tester finding).

``lmsync init --no-input --url "https://user:pw@moodle.school.edu"`` wrote it into a 0644 lmsync.toml, and
``lmsync doctor`` then said "no problems", while requests sent the password as HTTP basic authentication with
every call. lmsync signs in with the web-service token alone, so such a url is now refused (never warned of):
init refuses it before writing anything (exit 3), and every command refuses a configuration holding it, in
the file or in LMSYNC_MOODLE_URL (exit 2), with the fix. The password is in no output, log line, error or repr.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.config_moodle_url import moodle_url_has_password
from lmsync.config_sites import MoodleConfig
from lmsync.errors import ConfigError

SECRET = "Pw9zQx"
WITH_PASSWORD = f"https://user:{SECRET}@moodle.school.edu"
#: a password ending the host part for a URL parser ('/', '#', '?'), holding '@', or with no scheme
AWKWARD = [f"https://user:{SECRET}/x@moodle.school.edu", f"https://user:{SECRET}#x@moodle.school.edu",
           f"https://user:{SECRET}?x@moodle.school.edu", f"https://user:{SECRET}@x@moodle.school.edu",
           f"user:{SECRET}@moodle.school.edu", f"HTTPS://user:{SECRET}@moodle.school.edu/moodle/"]


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_STORE_URL", "LMSYNC_STORE_PATH", "LMSYNC_CONFIG", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "tok").write_text("0123456789abcdef0123456789abcdef\n")
    os.chmod(tmp_path / "tok", 0o600)


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = {json.dumps(url)}\ntoken_file = "tok"\n[programme]\nname = "mentor-2026"\n')
    os.chmod(path, 0o644)
    return path


def _run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(main, ["--log-level", "debug", *args], env=env)


def _output(result: object) -> str:
    return result.output + str(getattr(result, "exception", "") or "")  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", [WITH_PASSWORD, *AWKWARD])
def test_init_refuses_a_url_with_a_password_and_writes_nothing(tmp_path: Path, url: str) -> None:
    for log_format in ("console", "json"):
        result = _run("--log-format", log_format, "init", "--no-input", "--url", url, "--token-file", "tok")
        assert result.exit_code == 3, _output(result)  # type: ignore[attr-defined]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["tok"]  # no lmsync.toml, no probe file
        assert SECRET not in _output(result)
        assert "holds a password" in result.output  # type: ignore[attr-defined]
        assert "without a user name or password" in result.output and "nothing was written" in result.output  # type: ignore[attr-defined]


def test_init_prompt_refuses_a_url_with_a_password_and_asks_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lmsync.cli.init as init

    monkeypatch.setattr(init, "_interactive", lambda: True)
    answers = f"{WITH_PASSWORD}\nhttps://moodle.school.edu\ntok\nmentor-2026\nMENT-26\n\n"
    result = CliRunner().invoke(main, ["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert "holds a password" in result.output
    text = (tmp_path / "lmsync.toml").read_text()
    assert 'url = "https://moodle.school.edu"' in text and SECRET not in text
    # the typed answer is echoed by the terminal, never by lmsync: only the input's own echo may hold it
    assert result.output.count(SECRET) <= answers.count(SECRET)


@pytest.mark.parametrize("command", [["doctor"], ["doctor", "--format", "json"], ["health"], ["sync", "--dry-run"]])
def test_every_command_refuses_a_config_file_whose_moodle_url_holds_a_password(tmp_path: Path, command: list[str]) -> None:
    path = _config(tmp_path, WITH_PASSWORD)
    for log_format in ("console", "json"):
        result = _run("--log-format", log_format, "--config", str(path), *command)
        out = _output(result)
        assert result.exit_code == 2, out  # type: ignore[attr-defined]
        assert SECRET not in out
        assert f"{path}: moodle.url (line 2) holds a password" in out
        assert "without a user name or password" in out and "HTTP basic authentication" in out


@pytest.mark.parametrize("url", AWKWARD)
def test_a_password_the_url_parser_would_read_as_the_host_is_refused_too(tmp_path: Path, url: str) -> None:
    path = _config(tmp_path, url)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert "holds a password" in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    result = _run("--config", str(path), "doctor")
    assert result.exit_code == 2 and SECRET not in _output(result)  # type: ignore[attr-defined]


def test_lmsync_moodle_url_with_a_password_is_refused_naming_the_variable(tmp_path: Path) -> None:
    path = _config(tmp_path, "https://moodle.school.edu")
    for log_format in ("console", "json"):
        result = _run("--log-format", log_format, "--config", str(path), "doctor",
                      env={"LMSYNC_MOODLE_URL": WITH_PASSWORD})
        out = _output(result)
        assert result.exit_code == 2, out  # type: ignore[attr-defined]
        assert "environment: LMSYNC_MOODLE_URL ([moodle] url) holds a password" in out
        assert "set LMSYNC_MOODLE_URL to the site's address alone" in out
        assert SECRET not in out


@pytest.mark.parametrize("env_url", ["https://moodle.school.edu", ""])
def test_the_files_own_url_with_a_password_is_refused_whatever_lmsync_moodle_url_says(tmp_path: Path, env_url: str) -> None:
    path = _config(tmp_path, WITH_PASSWORD)  # the password is still in the file others may read
    result = _run("--config", str(path), "doctor", env={"LMSYNC_MOODLE_URL": env_url})
    out = _output(result)
    assert result.exit_code == 2 and SECRET not in out, out  # type: ignore[attr-defined]
    assert f"{path}: moodle.url (line 2) holds a password" in out


def test_a_configuration_made_in_code_refuses_it_and_its_error_never_holds_it() -> None:
    with pytest.raises(ValidationError) as info:
        MoodleConfig(url=WITH_PASSWORD)
    assert "holds a password" in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    config = MoodleConfig(url="https://moodle.school.edu")
    with pytest.raises(ValidationError) as assigned:
        config.url = WITH_PASSWORD
    assert SECRET not in str(assigned.value) and config.url == "https://moodle.school.edu"


@pytest.mark.parametrize("url", ["https://moodle.school.edu", "https://moodle.school.edu:8443/moodle",
                                 "https://b\u00fccher.example/moodle"])
def test_a_password_is_refused_not_a_port_or_a_host_of_letters_beyond_ascii(tmp_path: Path, url: str) -> None:
    assert moodle_url_has_password(url.replace("://", f"://u:{SECRET}@").replace("user@", "").replace("user:@", ""))
    with pytest.raises(ConfigError):
        load_config(_config(tmp_path, url.replace("://", f"://u:{SECRET}@")), environ={})
    assert not moodle_url_has_password(url)
    assert load_config(_config(tmp_path, url), environ={}).moodle.url == url


SECRET_96 = "S3CRETpw"


@pytest.mark.parametrize("url", [
    f"https://admin:{SECRET_96}\uff20moodle.example.org",  # a full-width at sign: urlsplit raised, a traceback showed it
    f"https://admin%3A{SECRET_96}@moodle.example.org",  # a user name hiding a password (an encoded colon)
    f"https://admin:{SECRET_96}%40moodle.example.org",  # no at sign: host "admin", the password as its port
    f"https://moodle.example.org:{SECRET_96}", f"https://moodle.example.org:443:{SECRET_96}",  # no port number
    "https://user@moodle.school.edu",
])
def test_tester_round_96b_3_4_an_address_hiding_a_password_is_refused_and_never_repeated(tmp_path: Path, url: str) -> None:
    init = _run("init", "--no-input", "--out", str(tmp_path / "l.toml"), "--url", url, "--token-file", "tok")
    assert init.exit_code == 3 and not (tmp_path / "l.toml").exists(), _output(init)
    assert SECRET_96 not in _output(init) and "Traceback" not in _output(init)
    for run in (_run("--config", str(_config(tmp_path, url)), "doctor"),
                _run("--config", str(_config(tmp_path, "https://moodle.school.edu")), "--log-format", "json", "plan",
                     env={"LMSYNC_MOODLE_URL": url})):
        assert run.exit_code == 2 and SECRET_96 not in _output(run), _output(run)
