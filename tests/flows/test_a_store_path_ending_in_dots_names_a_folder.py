"""Tester round 105a, 7: ``[store] path = "newdir/sub/.."`` made ``newdir/sub`` and a lock file, then failed as "cannot
be written" with a fix about permissions; ``"sub/.."`` wrote ``<folder>.lock`` into the folder above; ``"."`` was
said to be empty. A store path whose last name is ``.`` or ``..`` names a folder, whatever is there: refused when the
configuration is read, naming the key and its line (or the variable), before any folder or lock file is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import ConfigError


def _sync(env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "sync"], env=env)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(("written", "tail"), [("newdir/sub/..", ".."), ("sub/..", ".."), (".", "."), ("..", ".."),
                                               ("sub/.", "."), ("~/.", ".")])
def test_a_store_path_ending_in_a_dot_name_is_refused_and_makes_nothing(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch, written: str, tail: str
) -> None:
    monkeypatch.setenv("HOME", str(cli_home / "home"))
    work = cli_home / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "lmsync.toml").write_text(f'[store]\npath = "{written}"\n')
    result = _sync()
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert f"lmsync.toml: store.path (line 2): ends with '{tail}', so it names a folder, not a store file" in said
    assert "<folder>/lmsync.db" in said and "cannot be written" not in said and "is empty" not in said
    assert _files(work) == {"lmsync.toml"}, "a folder or lock file was made"
    assert not list(cli_home.glob("*.lock")), "a lock file was made in the folder above"


def test_a_store_path_ending_in_dots_set_by_the_environment_is_refused(cli_home: Path) -> None:
    result = _sync({"LMSYNC_STORE_PATH": str(cli_home / "newdir" / "sub" / "..")})
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "LMSYNC_STORE_PATH (store.path): ends with '..', so it names a folder" in said
    assert not (cli_home / "newdir").exists() and not list(cli_home.glob("*.lock"))


def test_a_store_path_with_dots_inside_is_still_a_file(tmp_path: Path) -> None:
    config = tmp_path / "lmsync.toml"
    for written in ("sub/../s.db", "./s.db", "..s.db", "s..", "s.db."):
        config.write_text(f'[store]\npath = "{written}"\n')
        assert load_config(config, environ={}).store_path().name == Path(written).name
    config.write_text('[store]\npath = "a/b/.."\n')
    with pytest.raises(ConfigError, match=r"store.path \(line 2\): ends with '\.\.'"):
        load_config(config, environ={})


@pytest.mark.sqlite_only("a sqlite:/// [store] url")
def test_a_sqlite_url_ending_in_dots_makes_no_folder_nor_lock(cli_home: Path) -> None:
    """The same path as a ``sqlite:///`` url: refused as a folder before any folder or lock file is made."""
    result = _sync({"LMSYNC_STORE_URL": "sqlite:///newdir/sub/.."})
    assert result.exit_code == 2, result.output
    assert "is a folder, not a store file" in " ".join(result.output.split())
    assert not (cli_home / "newdir").exists() and not list(cli_home.glob("*.lock")), _files(cli_home)
