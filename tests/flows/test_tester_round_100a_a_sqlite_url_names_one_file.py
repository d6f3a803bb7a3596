"""Tester round 100a, 1, 2 and 6: a ``sqlite:///`` store url names one file, the one SQLite opens, everywhere.

1. ``[store] url = "sqlite:///%7E/x.db"`` got past the ``~`` refusal (judged on the text as typed) and made a folder
   named ``~`` (and its lock) in the current folder: the decoded path is judged now, as ``sqlite:///~/x.db`` is.
2. ``store copy --to 'sqlite:///a%20b.db'`` wrote ``./a%20b.db`` while ``[store] url`` with that URL opens
   ``./a b.db``; the copy's "next:" line named a URL that opened another, missing file. One rule now
   (``url_forms.sqlite_url_file``: SQLAlchemy's ``make_url(...).database``), and the URL the copy tells to use opens
   the copy (a ``%`` in its path escaped).
6. A configuration with only a ``sqlite:///`` ``[store] url`` kept its emulator site in the demo's folder, so
   ``lmsync demo`` refused it, and two folders with different urls shared one site: it is kept beside the url's file
   now, as a ``[store] path``'s is. A PostgreSQL url keeps the default place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT
from lmsync.store.url_forms import sqlite_url_file, sqlite_url_for

from .conftest import run_in

TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.sqlite_only("a [store] url naming a SQLite file under '~'")
def test_a_percent_escaped_tilde_in_a_store_url_is_refused_as_a_typed_one_and_makes_no_folder(cli_home: Path) -> None:
    for url in ("sqlite:///%7E/x.db", "sqlite:///%7e/x.db"):
        (cli_home / "lmsync.toml").write_text(TOML + f'[store]\nurl = "{url}"\n')
        result = run_in(cli_home, "sync")
        assert result.exit_code == EXIT_ADMIN, result.output
        assert "store.url (line 5): names a SQLite file under '~'" in said(result.output), result.output
        assert "a folder named '~' would be made in the current folder" in said(result.output), result.output
        assert not (cli_home / "~").exists(), list(cli_home.iterdir())


@pytest.mark.sqlite_only("store copy to a SQLite file under '~'")
def test_store_copy_to_a_percent_escaped_tilde_url_is_refused_and_makes_no_folder(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    result = run_in(demo_home, "store", "copy", "--to", "sqlite:///%7E/y.db")
    assert result.exit_code == EXIT_INPUT, result.output
    assert "--to names a SQLite file under '~'" in said(result.output), result.output
    assert not (demo_home / "~").exists()


@pytest.mark.sqlite_only("store copy into a SQLite file named by a URL")
def test_a_copy_made_with_a_percent_escaped_to_url_is_opened_by_that_url_as_store_url(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    url = "sqlite:///a%20b.db"
    copied = run_in(demo_home, "store", "copy", "--to", url)
    assert copied.exit_code == 0, copied.output
    assert (demo_home / "a b.db").exists() and not (demo_home / "a%20b.db").exists(), list(demo_home.iterdir())
    (demo_home / "lmsync.toml").write_text(TOML + f'[store]\nurl = "{url}"\n')
    config = load_config(demo_home / "lmsync.toml", environ={})
    assert sqlite_url_file(config.store.url or "") == "a b.db"
    listed = run_in(demo_home, "queue", "list")  # refused as "no store there" when the url opens another file
    assert listed.exit_code == 0, listed.output
    assert not (demo_home / "a%20b.db").exists()


@pytest.mark.sqlite_only("store copy into a SQLite file whose name holds '%'")
def test_the_url_store_copy_tells_to_use_opens_the_copy_even_with_a_percent_in_its_name(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text(TOML + '[store]\nurl = "sqlite:///s.db"\n')
    assert (synced := run_in(cli_home, "sync")).exit_code == 0, synced.output
    copied = run_in(cli_home, "store", "copy", "--to", "c%20d.db")  # a plain path: its '%' is the file's own
    assert copied.exit_code == 0, copied.output
    target = cli_home / "c%20d.db"
    assert target.exists()
    told = said(copied.output).split("next: point [store] url (or LMSYNC_STORE_URL, which wins over [store] path) at ")
    url = told[1].split(", run ")[0]
    assert url == sqlite_url_for(target) and sqlite_url_file(url) == str(target), url
    (cli_home / "lmsync.toml").write_text(TOML + f'[store]\nurl = "{url}"\n')
    assert (listed := run_in(cli_home, "queue", "list")).exit_code == 0, listed.output
    assert not (cli_home / "c d.db").exists()


@pytest.mark.sqlite_only("the emulator site kept beside a [store] url's SQLite file")
def test_a_sqlite_store_url_keeps_its_emulator_site_beside_its_file_not_in_the_demos_folder(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text(TOML + '[store]\nurl = "sqlite:///u.db"\n')
    assert (synced := run_in(cli_home, "sync")).exit_code == 0, synced.output
    assert (cli_home / "mentor-2026.emulator.json").exists(), list(cli_home.iterdir())
    demos = cli_home / "state" / "lmsync" / "emulator"
    assert not (demos / "mentor-2026.emulator.json").exists()
    assert load_config(cli_home / "lmsync.toml", environ={}).emulator_state_path() == Path("mentor-2026.emulator.json")


def test_two_sqlite_store_urls_keep_two_emulator_sites_and_a_postgresql_url_the_default(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cli_home / "lmsync.toml"
    path.write_text(TOML)

    def site(url: str) -> Any:
        return load_config(path, environ={"LMSYNC_STORE_URL": url}).emulator_state_path()

    assert site("sqlite:////srv/one/a.db") == Path("/srv/one/mentor-2026.emulator.json")
    assert site("sqlite:////srv/two/b%20c.db") == Path("/srv/two/mentor-2026.emulator.json")
    default = load_config(path, environ={}).emulator_state_path()
    assert default == cli_home / "state" / "lmsync" / "emulator" / "mentor-2026.emulator.json"
    assert site("postgresql+psycopg://lmsync@db/lmsync") == default
