"""Tester round 85a, 2 and 6.

2: ``--force`` replaced lmsync's own token file in the two commands that load no programme:
``lmsync config reference --out token --force`` wrote 31 KB of Markdown over it, and ``lmsync init
--no-input --force --token-file token --url ... --out token`` wrote TOML over it, while ``plan``,
``report`` and ``person export`` refused ``--out token --force`` (exit 3). ``init --force`` still
replaces the configuration it writes; never the token file or the store it names.

6: ``LMSYNC_TOKEN=bad lmsync doctor --format json`` printed nothing on stdout (the refusal went to
stderr), while a wrong token of normal length gave doctor's JSON: a monitoring script must always get
the JSON document, with the failed token check and its fix, and never the token.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle

#: 32 letters and digits, not all hexadecimal: a token no content check of ``--out`` recognises.
TOKEN = "tokenWXYZtokenWXYZtokenWXYZ2026q"
URL = "https://moodle.example.test"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the admin's folder: no LMSYNC_* from the environment, the state under it."""
    for name in [n for n in os.environ if n.startswith("LMSYNC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.chdir(tmp_path)
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    return tmp_path


def lmsync(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def refused(result: object, what: str) -> None:
    """Exit 3, the reason and the fix, and never the token."""
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 3, output  # type: ignore[attr-defined]
    assert what in output and "not overwritten" in output, output
    assert "--force never replaces lmsync's own files" in output, output
    assert TOKEN not in output


def test_round_85a_2_config_reference_never_replaces_the_token_store_or_configuration_it_reads(home: Path) -> None:
    config = home / "lmsync.conf"
    config.write_text(f'[moodle]\nurl = "{URL}"\ntoken_file = "token"\n[store]\npath = "prog.db"\n')
    (home / "prog.db").write_text("")  # not a SQLite database yet: only the configuration says it is the store
    for out in ("token", "prog.db", "lmsync.conf"):
        before = (home / out).read_bytes()
        result = lmsync("--config", str(config), "config", "reference", "--out", out, "--force")
        refused(result, f"--out {out} is ")
        assert (home / out).read_bytes() == before, out
    said = lmsync("--config", str(config), "config", "reference", "--out", "token", "--force").output
    assert "the web-service token file" in said, said
    # ./lmsync.toml read without --config: its token file too
    (home / "lmsync.toml").write_text(f'[moodle]\nurl = "{URL}"\ntoken_file = "token"\n')
    refused(lmsync("config", "reference", "--out", "token", "--force"), "--out token is ")
    assert (home / "token").read_text() == TOKEN + "\n"
    ok = lmsync("config", "reference", "--out", "CONFIGURATION.md", "--force")
    assert ok.exit_code == 0 and (home / "CONFIGURATION.md").read_text().startswith("#"), ok.output


def test_round_85a_2_moodle_plugin_and_role_preset_never_replace_the_token(home: Path) -> None:
    (home / "lmsync.toml").write_text(f'[moodle]\nurl = "{URL}"\ntoken_file = "token"\n')
    for command in ("plugin", "role-preset"):
        refused(lmsync("moodle", command, "--out", "token", "--force"), "--out token is ")
        assert (home / "token").read_text() == TOKEN + "\n"
    assert lmsync("moodle", "plugin", "--out", "local_lmsync.zip").exit_code == 0


def test_round_85a_2_init_force_never_writes_over_the_token_file_it_is_given(home: Path) -> None:
    result = lmsync("init", "--no-input", "--force", "--token-file", "token", "--url", URL, "--out", "token")
    refused(result, "--out token is the token file --token-file names")
    assert (home / "token").read_text() == TOKEN + "\n"
    assert sorted(p.name for p in home.iterdir()) == ["token"]  # nothing written, no probe left


def test_round_85a_2_init_force_never_writes_over_what_an_existing_configuration_names(home: Path) -> None:
    assert lmsync("init", "--no-input", "--url", URL, "--token-file", "token").exit_code == 0
    # the token file lmsync.toml names, without --token-file
    refused(lmsync("init", "--no-input", "--force", "--url", URL, "--out", "token"), "--out token is ")
    assert (home / "token").read_text() == TOKEN + "\n"
    # a configuration that no longer loads still names its store: init --force is how it is replaced
    (home / "lmsync.toml").write_text(f'[moodle]\nurl = "{URL}"\ntoken_fil = "token"\n[store]\npath = "x.db"\n')
    (home / "x.db").write_text("kept")
    refused(lmsync("init", "--no-input", "--force", "--url", URL, "--out", "x.db"), "--out x.db is ")
    assert (home / "x.db").read_text() == "kept"
    # --force still replaces the configuration itself
    again = lmsync("init", "--no-input", "--force", "--url", URL, "--token-file", "token")
    assert again.exit_code == 0, again.output
    assert 'token_file = "token"' in (home / "lmsync.toml").read_text()
    assert (home / "token").read_text() == TOKEN + "\n"


def test_round_85a_2_init_force_never_writes_over_the_store_its_configuration_would_name(home: Path) -> None:
    store = home / "state" / "lmsync" / "mentoring-2026.db"  # the default store of a programme on a site
    store.parent.mkdir(parents=True)
    store.write_text("kept")
    result = lmsync("init", "--no-input", "--force", "--url", URL, "--out", str(store))
    refused(result, f"--out {store} is one of the store's files")
    assert store.read_text() == "kept"


@pytest.mark.parametrize("token", ["Zq7", '"Zq7Kx9Wv4"', "Zq7 Kx9 Wv4 Ut2"])
def test_round_85a_6_doctor_json_says_a_malformed_token_as_its_failed_check(
        home: Path, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    (home / "lmsync.toml").write_text(f'[moodle]\nurl = "{URL}"\n')
    monkeypatch.setenv("LMSYNC_TOKEN", token)
    result = CliRunner().invoke(main, ["doctor", "--format", "json"])
    assert result.exit_code == 2, result.output
    checks = json.loads(result.stdout)
    (check,) = [c for c in checks if c["name"] == "token"]
    assert check["status"] == "fail" and check["detail"].startswith("LMSYNC_TOKEN: the token "), check
    assert check["fix"] and "Manage tokens" in check["fix"], check
    assert set(check) == {"name", "status", "detail", "fix"} == set(checks[-1])  # the shape of every check
    assert "Zq7" not in result.output
    text = CliRunner().invoke(main, ["doctor"])
    assert text.exit_code == 2 and "[FAIL] token: LMSYNC_TOKEN: the token " in text.stdout, text.output
    assert "Zq7" not in text.output


def test_round_86a_2_another_programmes_configuration_is_never_replaced(home: Path) -> None:
    """`lmsync grades plan --out ../B/lmsync.toml --force` (and `report`) replaced programme B's configuration."""
    other = home / "B"
    other.mkdir()
    theirs = other / "lmsync.toml"
    theirs.write_text('[programme]\nname = "research-2026"\n[store]\npath = "research.db"\n')
    before = theirs.read_bytes()
    for command in (("plan",), ("report",)):
        result = lmsync(*command, "--out", str(theirs), "--force")
        refused(result, "is an lmsync configuration")
        assert theirs.read_bytes() == before
    notes = other / "notes.toml"  # TOML of something else is any file: --force replaces it
    notes.write_text('[colours]\nsky = "blue"\n')
    assert lmsync("plan", "--out", str(notes), "--force").exit_code == 0
    # init --force still writes its own configuration over an existing one
    made = lmsync("init", "--no-input", "--force", "--url", URL, "--token-file", "token", "--out", str(theirs))
    assert made.exit_code == 0 and "[moodle]" in theirs.read_text(), made.output
