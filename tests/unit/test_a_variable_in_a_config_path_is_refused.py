"""Tester round 99b, 6: ``[store] path = "$HOME/envstore.db"`` made a folder literally named ``$HOME`` beside the
configuration file (and a new, empty store in it), exit 0: lmsync does not expand environment variables.

A path setting (``[store] path``, ``[report] path``, ``[moodle] token_file``) or a ``sqlite:`` ``[store] url``
holding ``$NAME`` or ``${NAME}`` is now refused when the configuration is loaded, its key and line named (or the
environment variable that set it), with the fix. A ``$`` not followed by a name is taken as written, and a
PostgreSQL url (whose password may hold ``$HOME`` or ``p$``) is never judged so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, ConfigError

TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def _file(tmp_path: Path, more: str) -> Path:
    path = tmp_path / "lmsync.toml"
    path.write_text(TOML + more)
    return path


@pytest.mark.parametrize(
    ("more", "key", "name"),
    [
        ('[store]\npath = "$HOME/envstore.db"\n', "store.path", "$HOME"),
        ('[store]\npath = "${XDG_STATE_HOME}/lmsync/x.db"\n', "store.path", "${XDG_STATE_HOME}"),
        ('[store]\nurl = "sqlite:///$HOME/x.db"\n', "store.url", "$HOME"),
        ('[report]\npath = "/srv/$SITE/report.html"\n', "report.path", "$SITE"),
        ('[moodle]\nurl = "https://moodle.example.edu"\ntoken_file = "$CREDENTIALS_DIRECTORY/token"\n',
         "moodle.token_file", "$CREDENTIALS_DIRECTORY"),
    ],
)
def test_a_variable_in_a_path_setting_of_the_file_is_refused_at_load(tmp_path: Path, more: str, key: str,
                                                                     name: str) -> None:
    path = _file(tmp_path, more)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = caught.value.message
    assert message.startswith(f"{path}: {key} (line "), message
    assert f"names {name}, and lmsync does not expand environment variables in paths" in message, message
    variable = "LMSYNC_" + key.replace(".", "_").upper()
    assert f"write the path out in full, with what {name} stands for in its place" in (caught.value.hint or "")
    assert f"set {variable} from your shell, which expands {name}" in (caught.value.hint or "")


def test_a_variable_set_by_the_environment_is_refused_naming_the_variable(tmp_path: Path) -> None:
    path = _file(tmp_path, "")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"LMSYNC_STORE_PATH": "$HOME/x.db"})
    assert caught.value.message.startswith("environment: LMSYNC_STORE_PATH (store.path): names $HOME"), caught.value
    assert "systemd's Environment=" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "more",
    [
        '[store]\npath = "store$.db"\n',  # a '$' not followed by a name
        '[store]\npath = "a$1.db"\n',
        '[store]\nurl = "postgresql+psycopg://lmsync:p$HOME@db.example.edu/lmsync"\n',  # a password: never judged
        '[store]\nurl = "postgres://lmsync:p$@db.example.edu/lmsync"\n',
    ],
)
def test_a_dollar_that_names_no_variable_or_a_postgresql_password_is_taken(tmp_path: Path, more: str) -> None:
    config = load_config(_file(tmp_path, more), environ={})
    written = more.split('"')[1]
    if "url" in more:
        assert config.store.url == written  # taken as written, the '$' kept
    else:
        assert config.store_path() == tmp_path / written  # beside the file, the '$' kept


def test_the_run_makes_no_folder_named_after_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from lmsync.cli import main

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_STORE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    conf = tmp_path / "conf"
    conf.mkdir()
    path = _file(conf, "")
    path.write_text(TOML + '[store]\npath = "$HOME/envstore.db"\n')
    result: Any = CliRunner().invoke(main, ["--config", str(path), "run"])
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "store.path (line 5): names $HOME" in " ".join(result.output.split()), result.output
    assert sorted(p.name for p in conf.iterdir()) == ["lmsync.toml"]
    assert not (tmp_path / "state").exists()
