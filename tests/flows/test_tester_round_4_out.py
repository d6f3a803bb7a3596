"""Tester round 4, findings 1, 14 and 15: where ``--out`` may write, and a store that is not a database.

Every ``--out`` that writes a file goes through ``lmsync.service.out_files.check_out``: never the
programme's store (even with ``--force``), an existing file only with ``--force``, and only into a
folder that exists. A store file that is not a SQLite database is one ConfigError line (exit 2).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import InputError
from lmsync.service.out_files import check_out, store_files

#: Every command whose --out writes a file, with the arguments before --out.
WRITERS = {
    "report": ("report",),
    "plan": ("plan",),
    "grades plan": ("grades", "plan"),
    "person export": ("person", "export", "s0001"),
}


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_STORE_PATH", raising=False)
    monkeypatch.delenv("LMSYNC_STORE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(main, ["--log-level", "warning", *args])

    return invoke


@pytest.fixture
def store(run: Any, tmp_path: Path) -> Path:
    """The emulator programme's SQLite store, after one sync made it."""
    assert run("sync").exit_code == 0
    path = tmp_path / "state" / "lmsync" / "emulator" / "mentoring-2026.db"
    assert path.exists()
    return path


@pytest.mark.parametrize("command", list(WRITERS))
def test_tester_round_4_1_out_never_writes_over_the_store(run: Any, store: Path, tmp_path: Path, command: str) -> None:
    """Tester round 4, 1: ``--out`` naming the store (as given, through a symlink, or a relative path
    with ``..``) is refused with exit 3, even with --force, and the store still opens afterwards."""
    before = store.read_bytes()
    link = tmp_path / "link.db"
    link.symlink_to(store)
    relative = Path("state") / ".." / "state" / "lmsync" / "emulator" / store.name
    for out, force in ((store, ()), (link, ("--force",)), (relative, ("--force",))):
        result = run(*WRITERS[command], "--out", str(out), *force)
        assert result.exit_code == 3, result.output
        assert "is this programme's store" in result.output and str(out) in result.output
        assert "another file" in result.output
    assert store.read_bytes() == before
    assert run("queue", "list").exit_code == 0


@pytest.mark.parametrize("command", list(WRITERS))
def test_tester_round_4_1_out_replaces_an_existing_file_only_with_force(run: Any, store: Path, tmp_path: Path,
                                                                       command: str) -> None:
    """Tester round 4, 1: an existing --out file is refused (exit 3, naming it and --force);
    --force replaces it (the daily ``report --out report.html --force``)."""
    out = tmp_path / "out.file"
    out.write_text("mine\n")
    refused = run(*WRITERS[command], "--out", str(out))
    assert refused.exit_code == 3, refused.output
    assert f"{out} exists; not overwritten" in refused.output and "--force" in refused.output
    assert out.read_text() == "mine\n"
    forced = run(*WRITERS[command], "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text() != "mine\n"


@pytest.mark.parametrize("args", [
    ("person", "export", "s0001"),  # finding 14: a FileNotFoundError traceback
    ("report",),  # finding 15: made the folders silently
    ("report", "--format", "csv"),
    ("plan",),
])
def test_tester_round_4_14_15_out_in_a_missing_folder_is_refused_naming_it(run: Any, store: Path, tmp_path: Path,
                                                                          args: tuple[str, ...]) -> None:
    """Tester round 4, 14 and 15: --out in a folder that does not exist is bad input (exit 3) naming
    the folder, and no folder is created."""
    folder = tmp_path / "nodir" / "deeper"
    result = run(*args, "--out", str(folder / "out.x"))
    assert result.exit_code == 3, result.output
    assert f"the folder {folder} does not exist" in result.output and "mkdir -p" in result.output
    assert not (tmp_path / "nodir").exists()


def test_tester_round_4_14_init_into_a_missing_folder_is_refused(run: Any, tmp_path: Path) -> None:
    """Tester round 4, 14: ``init --out`` shares the check (was a FileNotFoundError traceback)."""
    result = run("init", "--no-input", "--out", str(tmp_path / "nodir" / "lmsync.toml"))
    assert result.exit_code == 3, result.output
    assert f"the folder {tmp_path / 'nodir'} does not exist" in result.output


def test_tester_round_4_1_store_files_follow_a_sqlite_store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tester round 4, 1: ``[store] url = "sqlite:///..."`` names the store as much as ``[store] path``;
    a PostgreSQL store has no file to protect."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "elsewhere.db"
    config = load_config(None, environ={"LMSYNC_STORE_URL": f"sqlite:///{db}"})
    assert db in store_files(config) and Path(f"{db}-wal") in store_files(config)
    with pytest.raises(InputError, match="this programme's store"):
        check_out(db, force=True, config=config)
    postgres = load_config(None, environ={"LMSYNC_STORE_URL": "postgresql://lmsync@db.example/lmsync"})
    assert store_files(postgres) == []


def test_tester_round_20_9_force_never_writes_into_the_programmes_lock_file(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from lmsync.service.runtime import lock_path

    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={"LMSYNC_STORE_PATH": str(tmp_path / "p.db")})
    lock = lock_path(config)
    lock.write_text("")
    with pytest.raises(InputError, match="this programme's lock file"):
        check_out(lock, force=True, config=config)


@pytest.mark.sqlite_only("a SQLite file that is not a database")
@pytest.mark.parametrize("args", [("queue", "list"), ("sync",)])
def test_tester_round_4_14_a_store_that_is_not_a_database_is_one_config_error(run: Any, store: Path,
                                                                              args: tuple[str, ...]) -> None:
    """Tester round 4, 14: a store overwritten with something else is a ConfigError (exit 2) naming
    the store and the fix, for a read (read-only open) and a write, not a sqlite3 traceback."""
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    store.write_text("<!DOCTYPE html>\n<html>not a store</html>\n")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"the store {store} is not an lmsync store" in result.output
    assert "restore it from a backup" in result.output and "[store] path" in result.output
    assert "Traceback" not in result.output and os.path.getsize(store) < 100


@pytest.mark.sqlite_only("a SQLite file beside the files --out must not replace")
def test_tester_round_22_3_no_out_replaces_a_stores_lock_wal_files_or_the_emulators_site(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "med.db"
    sqlite3.connect(db).execute("create table t (x)").connection.close()
    for target in ("med.lock", "med.db-shm", "med.db-wal", "med.db-journal"):
        (tmp_path / target).write_text("")
        with pytest.raises(InputError, match="not overwritten"):
            check_out(tmp_path / target, force=True)  # init and config reference: no configuration to name it
    site = tmp_path / "med.emulator.json"
    site.write_text("{}")
    with pytest.raises(InputError, match="emulator's saved site"):
        check_out(site, force=True)
    check_out(tmp_path / "other.lock", force=True)  # no store beside it: an ordinary file


def test_round_29_4_force_never_replaces_the_configuration_or_the_token(run: Any, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("0123456789abcdef0123456789abcdef\n")
    token.chmod(0o600)
    config = tmp_path / "lmsync.toml"
    config.write_text(f'[moodle]\nurl = "https://moodle.example.edu"\ntoken_file = "{token}"\n')
    kept = (config.read_bytes(), token.read_bytes())
    reference = run("config", "reference", "--out", "lmsync.toml", "--force")
    assert reference.exit_code == 3 and "the reference is Markdown" in reference.output
    sniffed = run("config", "reference", "--out", "token", "--force")  # no configuration names it here
    assert sniffed.exit_code == 3 and "looks like a Moodle web-service token" in sniffed.output
    plan = run("--config", str(config), "plan", "--out", str(config), "--force")
    assert plan.exit_code == 3 and "is this programme's configuration; not overwritten" in plan.output
    tok = run("--config", str(config), "plan", "--out", str(token), "--force")
    assert tok.exit_code == 3 and "is its web-service token file; not overwritten" in tok.output
    assert (config.read_bytes(), token.read_bytes()) == kept


def test_round_44_7_out_on_a_dangling_symbolic_link_is_refused_not_a_traceback(run: Any, tmp_path: Path) -> None:
    link = tmp_path / "dl.toml"
    link.symlink_to(tmp_path / "nodir" / "x.toml")
    for force in (False, True):
        with pytest.raises(InputError, match="is a symbolic link to .*nodir/x.toml, in a folder that does not exist"):
            check_out(link, force=force)
    result = run("init", "--no-input", "--out", str(link))
    assert result.exit_code == 3 and "symbolic link" in result.output and "Traceback" not in result.output
    # a link into an existing folder is written through, creating its target (tester round 45, 8)
    into = tmp_path / "into.toml"
    into.symlink_to(tmp_path / "target2.toml")
    assert run("init", "--no-input", "--out", str(into)).exit_code == 0 and (tmp_path / "target2.toml").is_file()


@pytest.mark.parametrize("command", list(WRITERS))
def test_round_77b_6_out_is_owner_only_from_its_first_byte_and_never_a_device(
    run: Any, store: Path, tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tester round 77b, 6: ``--out /dev/null --force`` made /dev/null owner-only (a chmod after the write follows
    the path), and the file was 0644 until that chmod: another account opened it then and kept reading it."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    pipe.chmod(0o666)
    refused = run(*WRITERS[command], "--out", str(pipe), "--force")
    assert refused.exit_code == 3 and "is not a regular file" in refused.output, refused.output
    assert pipe.stat().st_mode & 0o777 == 0o666
    seen: list[int] = []
    replace = os.replace

    def watched(source: Any, target: Any) -> None:  # the file as it is just before it takes the name
        seen.append(os.stat(source).st_mode & 0o777)
        replace(source, target)

    monkeypatch.setattr(os, "replace", watched)
    out = tmp_path / "out.file"
    if command == "report":
        out = tmp_path / "out.html"
    written = run(*WRITERS[command], "--out", str(out))
    assert written.exit_code == 0, written.output
    assert out.stat().st_mode & 0o777 == 0o600 and seen and set(seen) == {0o600}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("args", [*WRITERS.values(), ("init", "--no-input"), ("moodle", "plugin"),
                                  ("moodle", "role-preset"), ("config", "reference")])
def test_round_102b_3_every_out_reads_a_leading_tilde_as_the_home_folder(run: Any, store: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         args: tuple[str, ...]) -> None:
    """Tester round 102b, 3: ``--out '~/x'`` (quoted: no shell expanded it) was a folder named ``~`` in the current
    folder, and the refusal said to make one (``mkdir -p .../~``). It is the home folder, as for ``[store] path``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    result = run(*args, "--out", "~/out.file")
    assert result.exit_code == 0, result.output
    assert (home / "out.file").is_file()
    assert not (tmp_path / "~").exists() and "~" not in result.output, result.output


@pytest.mark.parametrize("args", [("moodle", "plugin"), ("init", "--no-input"), ("plan",)])
def test_round_102b_3_out_beginning_with_an_unknown_users_tilde_is_refused_naming_out(run: Any, tmp_path: Path,
                                                                                      args: tuple[str, ...]) -> None:
    """Tester round 102b, 3: ``--out '~nosuchuser/x'`` names a home folder nobody has: bad input (exit 3) naming
    ``--out``, and no folder made."""
    result = run(*args, "--out", "~nosuchuser-lmsync/x.file")
    assert result.exit_code == 3, result.output
    assert "--out: '~nosuchuser-lmsync/x.file' begins with '~nosuchuser-lmsync', and no home folder" in result.output
    assert not any(path.name.startswith("~") for path in tmp_path.iterdir())
