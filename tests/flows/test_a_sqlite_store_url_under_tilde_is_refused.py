"""Tester round 97b, 6: ``LMSYNC_STORE_URL='sqlite:///~/x.db'`` made a folder named ``~`` in the current folder
(one ``rm -rf ~`` from the home folder), and ``store copy --to 'sqlite:///~/x.db'`` expanded the ``~`` instead.
SQLite URLs do not expand ``~``: refused, as other bad ``[store] url`` values are (exit 2), and by ``store copy``
as its other targets are (exit 3); nothing made."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError

from .conftest import run_in


def test_a_store_url_under_tilde_is_a_configuration_error_and_makes_no_folder(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMSYNC_STORE_URL", "sqlite:///~/x.db")
    result = run_in(demo_home, "sync")
    assert result.exit_code == EXIT_ADMIN, result.output
    said = " ".join(result.output.split())
    assert "LMSYNC_STORE_URL (store.url): names a SQLite file under '~'" in said
    assert "SQLite URLs do not expand '~'" in said and "sqlite:////home/you/lmsync.db" in said
    assert "[store] path" in said
    assert not (demo_home / "~").exists()


def test_a_store_url_under_tilde_in_the_file_is_refused_too(tmp_path: Any) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text('[store]\nurl = "sqlite:///~/x.db"\n')
    with pytest.raises(ConfigError, match="store.url \\(line 2\\): names a SQLite file under '~'"):
        load_config(path, environ={})


def test_an_absolute_or_relative_sqlite_url_is_still_taken(tmp_path: Any) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text("")
    for url in ("sqlite:////tmp/x.db", "sqlite:///x.db", "sqlite:///./~x.db"):
        assert load_config(path, environ={"LMSYNC_STORE_URL": url}).store.url == url


def test_store_copy_to_a_sqlite_url_under_tilde_is_refused_and_copies_nothing(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    home = demo_home / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        result = run_in(demo_home, "store", "copy", "--to", "sqlite:///~/y.db")
    assert result.exit_code == EXIT_INPUT, result.output
    said = " ".join(result.output.split())
    assert "--to names a SQLite file under '~'" in said and "nothing was copied" in said
    assert "~/lmsync.db" in said  # the plain path, where '~' is the home folder
    assert not (home / "y.db").exists() and not (demo_home / "~").exists()


@pytest.mark.sqlite_only("a [store] url naming a SQLite file")
def test_a_store_url_scheme_in_capitals_is_taken_as_written_small(cli_home) -> None:
    """Tester round 98b, 3: ``SQLITE:///up.db`` (a scheme is case-blind) ended in a NoSuchModuleError traceback."""
    (cli_home / "lmsync.toml").write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                                          '[store]\nurl = "SQLITE:///up.db"\n')
    synced = run_in(cli_home, "sync")
    assert synced.exit_code == 0, synced.output
    assert (cli_home / "up.db").exists() and "Traceback" not in synced.output
