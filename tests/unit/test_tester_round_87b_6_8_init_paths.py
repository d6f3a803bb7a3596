"""Tester round 87b, 6, 8a and 8b: what ``lmsync init`` writes and says.

6: ``cd cwd; lmsync init --no-input --out ../etc/lmsync.toml --token-file token`` wrote ``token_file =
"token"``, which lmsync reads from the configuration's folder (../etc/token, not there); init only warned
and exited 0. A relative ``--token-file`` (or answer at the prompt) names a file from the current folder.

8a: ``lmsync init --url http://admin:hunter2@host`` said ``on http://admin:hunter2@host``; doctor redacts
the password.

8b: ``HTTP://host`` was refused with "must start with http://": a URL's scheme is case-insensitive
(RFC 3986, 3.1).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config

TOKEN = "0123456789abcdef0123456789abcdef"
URL = "https://moodle.example.test"


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The admin's current folder ``tmp/cwd`` holding a private token file, beside an empty ``tmp/etc``."""
    for name in [n for n in os.environ if n.startswith("LMSYNC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    here = tmp_path / "cwd"
    here.mkdir()
    (tmp_path / "etc").mkdir()
    token = here / "token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    monkeypatch.chdir(here)
    return here


def _reads_the_token_from(config: Path, token: Path) -> None:
    """The configuration at ``config`` names ``token``, whichever folder lmsync runs in."""
    for folder in (config.parent, config.parent.parent, Path("/")):
        os.chdir(folder)
        loaded = load_config(config, environ={})
        assert loaded.moodle.token_file is not None and Path(loaded.moodle.token_file).samefile(token), loaded
        assert loaded.load_token().reveal() == TOKEN


def test_round_87b_6_init_writes_a_relative_token_file_as_the_file_named_from_the_current_folder(cwd: Path) -> None:
    out = cwd.parent / "etc" / "lmsync.toml"
    result = CliRunner().invoke(main, ["init", "--no-input", "--out", "../etc/lmsync.toml", "--token-file", "token",
                                       "--url", URL])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr  # it said "../etc/token ... does not exist"
    _reads_the_token_from(out, cwd / "token")


def test_round_87b_6_a_relative_path_with_dots_and_the_same_folder(cwd: Path) -> None:
    (cwd / "sub").mkdir()
    (cwd / "sub" / "t").write_text(TOKEN)
    (cwd / "sub" / "t").chmod(0o600)
    result = CliRunner().invoke(main, ["init", "--no-input", "--out", "../etc/a.toml", "--token-file", "./sub/../sub/t",
                                       "--url", URL])
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    _reads_the_token_from(cwd.parent / "etc" / "a.toml", cwd / "sub" / "t")
    os.chdir(cwd)
    # written into the current folder, a relative path already reads the same from there: kept as typed
    here = CliRunner().invoke(main, ["init", "--no-input", "--token-file", "token", "--url", URL])
    assert here.exit_code == 0, here.output
    assert 'token_file = "token"' in (cwd / "lmsync.toml").read_text()


def test_round_87b_6_the_prompts_answer_is_read_from_the_current_folder_too(
        cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lmsync.cli.init as init

    monkeypatch.setattr(init, "_interactive", lambda: True)
    answers = f"{URL}\ntoken\nmentoring-2030\nMENT-30\n\n"
    result = CliRunner().invoke(main, ["init", "--out", "../etc/lmsync.toml"], input=answers)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr
    _reads_the_token_from(cwd.parent / "etc" / "lmsync.toml", cwd / "token")


def test_round_87b_8a_init_never_echoes_the_urls_password(cwd: Path) -> None:
    # since refused, nothing written (tests/flows/test_moodle_url_password_refused.py); never echoed either way
    result = CliRunner().invoke(main, ["init", "--no-input", "--url", "http://admin:hunter2@moodle.example.test"])
    assert result.exit_code == 3, result.output
    assert "hunter2" not in result.output, result.output


@pytest.mark.parametrize("given, kept", [
    ("HTTP://moodle.example.test", "http://moodle.example.test"),
    ("Https://Moodle.Example.Test/moodle", "https://Moodle.Example.Test/moodle"),
    ("hTTpS://moodle.example.test/", "https://moodle.example.test"),
])
def test_round_87b_8b_a_urls_scheme_is_read_in_any_case(cwd: Path, given: str, kept: str) -> None:
    result = CliRunner().invoke(main, ["init", "--no-input", "--url", given])
    assert result.exit_code == 0, result.output
    assert load_config(cwd / "lmsync.toml", environ={}).moodle.url == kept
    (cwd / "other.toml").write_text(f'[moodle]\nurl = "{given}"\n')
    assert load_config(cwd / "other.toml", environ={}).moodle.url == kept


@pytest.mark.parametrize("url, said", [
    ("FTP://moodle.example.test", "must start with http:// or https://"),
    ("HTTPS://moodle.example.test/webservice/rest/server.php?wstoken=x", "is the address of a web-service request"),
    ("HTTPS://moodle.example.test/#top", "ends with a fragment .#top., which names a place on a web page"),  # 97b, 8b
    ("HTTPS://moodle.example.test/login/index.php", "is the address of a Moodle page"),
])
def test_round_87b_8b_the_other_refusals_stay(cwd: Path, url: str, said: str) -> None:
    (cwd / "lmsync.toml").write_text(f'[moodle]\nurl = "{url}"\n')
    with pytest.raises(Exception, match=said.replace("?", r"\?")):
        load_config(cwd / "lmsync.toml", environ={})


def test_round_87b_8b_plain_http_to_another_host_still_warns_in_any_case() -> None:
    from lmsync.config_sites import MoodleConfig
    from lmsync.service.moodle import in_clear

    assert in_clear(MoodleConfig(url="HTTP://moodle.example.test").url or "")
    assert not in_clear(MoodleConfig(url="HTTP://localhost:8765").url or "")
