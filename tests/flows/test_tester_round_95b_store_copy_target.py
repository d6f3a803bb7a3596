"""Tester round 95b, store copy: ``lmsync store copy --to TARGET`` judged its target badly.

1. An in-memory target (``sqlite:///:memory:``, ``sqlite://``) was "copied", exit 0, and gone when the
   process ended; ``[store] url = "sqlite:///:memory:"`` was taken as configuration.
2. A URL of another database (``mysql://u:PW@h/x``, ``https://``, ``postgresql+asyncpg://``) or ``file:x.db``
   ended in a traceback (the password shown); ``sqlite://host/x.db`` dropped the host and wrote ./x.db.
3. A missing folder was made; a relative target was advised as ``[store] path`` relative, though a
   configuration file's relative path is read from its own folder.
4. Errors about the target spoke of the configured store ("restore it from a backup"), exit 2; a full
   disk said the store was damaged.
5. The lock's hint said ``--wait``, which ``store copy`` did not take.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError
from lmsync.store.db import Store

from .conftest import run_in


@pytest.fixture
def synced(demo_home: Any) -> Any:
    assert run_in(demo_home, "sync").exit_code == 0
    return demo_home


def _refused(result: Any) -> str:
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Traceback" not in result.output and "copied " not in result.output
    assert "nothing was copied, and the configured store is unchanged" in result.output
    return str(result.output)


def test_store_copy_into_an_in_memory_database_is_refused(synced):
    for target in ("sqlite:///:memory:", "sqlite://", ":memory:", "sqlite:///x.db?mode=memory"):
        said = _refused(run_in(synced, "store", "copy", "--to", target))
        assert "in-memory SQLite database" in said and "next:" not in said


def test_an_in_memory_or_host_sqlite_store_url_is_a_config_error(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text("")
    for url in ("sqlite:///:memory:", "sqlite://", "SQLITE:///:memory:"):
        with pytest.raises(ConfigError, match="in-memory SQLite database"):
            load_config(path, environ={"LMSYNC_STORE_URL": url})
    with pytest.raises(ConfigError, match=r"names a host in a SQLite URL"):
        load_config(path, environ={"LMSYNC_STORE_URL": "sqlite://host/x.db"})
    path.write_text('[store]\nurl = "sqlite:///:memory:"\n')
    with pytest.raises(ConfigError, match="in-memory SQLite database"):
        load_config(path, environ={})
    assert load_config(path, environ={"LMSYNC_STORE_URL": f"sqlite:///{tmp_path}/x.db"}).store.url


def test_store_copy_to_another_database_is_bad_input_without_a_traceback_or_the_password(synced):
    for target in ("mysql://u:SeCrEtPW@h/x", "file:x.db", "https://moodle.example/x", "oracle://u:SeCrEtPW@h/x",
                   "postgresql+asyncpg://u:SeCrEtPW@h/x", "sqlite://host/x.db"):
        said = _refused(run_in(synced, "store", "copy", "--to", target))
        assert "SeCrEtPW" not in said
    assert not (synced / "x.db").exists() and not (synced / "file:x.db").exists()


def test_store_copy_never_makes_the_targets_folder(synced):
    target = synced / "not" / "there" / "copy.db"
    said = _refused(run_in(synced, "store", "copy", "--to", str(target)))
    assert "does not exist" in said and "create it first" in said
    assert not (synced / "not").exists()


@pytest.mark.sqlite_only("a relative SQLite path, shown absolute")
def test_store_copy_advises_the_relative_target_as_an_absolute_path(synced, monkeypatch):
    (synced / "work").mkdir()
    monkeypatch.chdir(synced / "work")
    copied = run_in(synced, "store", "copy", "--to", "rel2.db")
    assert copied.exit_code == 0, copied.output
    absolute = synced / "work" / "rel2.db"
    assert absolute.is_file()
    assert f"to {absolute};" in copied.output and f"[store] path (or LMSYNC_STORE_PATH) at {absolute}," in copied.output


@pytest.mark.sqlite_only("files that are not a store, judged before SQLite opens them")
def test_store_copy_names_a_bad_target_as_the_copys_not_the_configured_store(synced):
    victim = synced / "victim.toml"
    victim.write_text('[programme]\nname = "x"\n')
    other = synced / "app2.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('someone')")
    for target, words in ((victim, "is not an lmsync store"), (other, "tables of another application"),
                          (synced, "is a folder")):
        said = _refused(run_in(synced, "store", "copy", "--to", str(target)))
        assert f"the copy's target {target}" in said and words in said
        assert "restore" not in said and "[store] path" not in said
    assert victim.read_text() == '[programme]\nname = "x"\n'
    assert "--to is empty" in _refused(run_in(synced, "store", "copy", "--to", ""))


def _full_disk_on_the_second_table(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Each copy's second table fails as on a full disk while ``fault["on"]``."""
    from lmsync.store import copy as store_copy

    real, fault = store_copy._copy_table, {"on": True, "calls": 0}

    def copy_table(*args: Any) -> None:
        fault["calls"] += 1
        if fault["on"] and fault["calls"] % 2 == 0:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
        real(*args)

    monkeypatch.setattr(store_copy, "_copy_table", copy_table)
    return fault


@pytest.mark.sqlite_only("a SQLite target file made, then deleted")
def test_store_copy_on_a_full_disk_says_the_configured_store_is_unchanged_and_deletes_its_partial_copy(
    synced, monkeypatch
):
    fault = _full_disk_on_the_second_table(monkeypatch)
    target = synced / "full.db"
    failed = run_in(synced, "store", "copy", "--to", str(target))
    assert failed.exit_code == EXIT_ADMIN, failed.output
    assert "database or disk is full" in failed.output and "damaged" not in failed.output
    assert "the configured store" in failed.output and "is unchanged" in failed.output
    assert f"the partial copy {target} was deleted" in failed.output
    assert not target.exists() and not (synced / "full.db-wal").exists()

    made = synced / "made-before.db"  # an empty store made beforehand is the admin's: rolled back, kept
    Store(made).close()
    failed = run_in(synced, "store", "copy", "--to", str(made))
    assert failed.exit_code == EXIT_ADMIN and "rolled back" in failed.output and made.exists()
    fault["on"] = False
    assert run_in(synced, "store", "copy", "--to", str(made)).exit_code == 0


@pytest.mark.sqlite_only("copies into a SQLite file")
def test_store_copy_takes_wait(synced):
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(synced / "lmsync.toml"),
                                       "store", "copy", "--to", str(synced / "waited.db"), "--wait"])
    assert result.exit_code == 0, result.output
    assert "the row counts of the copy match" in result.output


@pytest.mark.sqlite_only("a sqlite:/// [store] url")
def test_tester_round_96b_5_a_store_set_by_a_url_is_advised_as_a_url(synced):
    # "point [store] path at the copy": with [store] url set, which wins, that changed nothing, and the next step of
    # the advice was to let go of the store really in use
    store = load_config(synced / "lmsync.toml", environ={}).store_path()
    with (synced / "lmsync.toml").open("a") as config:
        config.write(f'\n[store]\nurl = "sqlite:///{store}"\n')
    copied = run_in(synced, "store", "copy", "--to", str(synced / "copy.db"))
    assert copied.exit_code == 0, copied.output
    said = " ".join(copied.output.split())
    assert f"[store] url (or LMSYNC_STORE_URL, which wins over [store] path) at sqlite:///{synced / 'copy.db'}," in said
    assert "point [store] path" not in said
