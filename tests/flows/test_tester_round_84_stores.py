"""Tester round 84, 7: a store that takes over the programme says so, and a store path that is a link to a
missing folder is refused without a lock file left beside it.

A sync against a mistyped ``[store] path`` made a new store there in silence and took over the circles an
earlier lmsync made (their ID numbers prove them lmsync's, and a store with no record adopts them: round 73,
1), so the admin never learnt that the programme's history was elsewhere. A store path that is a symbolic
link into a folder that does not exist (a store moved to an unmounted disk) was refused as "cannot be
written (or its folder)", with ``<name>.lock`` left beside the link.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import ConfigError
from lmsync.store.db import Store
from tests.flows.test_grades_flow import make_config, site_with_circles


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_84_7_a_store_with_no_record_that_takes_over_the_circles_says_so_once(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    site.save(config.emulator_state_path())
    circles = sum(1 for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
    cfg = ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning"]

    first = CliRunner().invoke(main, [*cfg, "sync", "--store-takes-over"])  # refused without (tester round 89b, 1)
    assert first.exit_code == 0, first.output
    said = f"had no record of this programme's circles: it took over {circles} circle(s) an earlier lmsync made"
    assert said in first.stderr and str(config.store_path()) in first.stderr, first.stderr
    assert "[store] path" in first.stderr
    assert said not in first.stdout  # a warning, on stderr: the plan and the report stay on stdout
    assert first.stderr.count("took over") == 1 and "circles_taken_over" not in first.stderr  # said once, in words

    again = CliRunner().invoke(main, [*cfg, "sync"])
    assert again.exit_code == 0 and "took over" not in again.output, again.output  # the store now has the record
    run = CliRunner().invoke(main, [*cfg, "run"])
    assert "took over" not in run.output, run.output


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_84_7_under_json_logging_the_take_over_is_one_warning_event(tmp_path, monkeypatch):
    import json

    config = make_config(tmp_path, monkeypatch)
    site_with_circles().save(config.emulator_state_path())
    synced = CliRunner().invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "--log-format", "json", "sync",
                                       "--store-takes-over"])
    events = [json.loads(line) for line in synced.stderr.splitlines() if line.startswith("{")]
    (taken,) = [e for e in events if e.get("event") == "sync.circles_taken_over"]
    assert taken["level"] == "warning" and "took over" in taken["message"] and taken["circles"] > 0
    assert not [line for line in synced.stderr.splitlines() if line.startswith("warning: ")]


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_round_84_7_lmsync_run_says_the_take_over_in_its_sync_line(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    site_with_circles().save(config.emulator_state_path())
    run = CliRunner().invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning", "run",
                                    "--store-takes-over"])
    line = next(line for line in run.output.splitlines() if line.startswith("sync "))
    assert "took over" in line and "[store] path" in line, run.output


@pytest.mark.sqlite_only("a SQLite store path that is a symbolic link")
def test_round_84_7_a_store_linked_into_a_missing_folder_is_refused_and_leaves_no_lock(tmp_path):
    link = tmp_path / "store.db"
    link.symlink_to(tmp_path / "unmounted" / "lmsync.db")
    for read_only in (False, True):
        with pytest.raises(ConfigError, match="is a symbolic link to .*unmounted.*does not exist"):
            Store(link, read_only=read_only)
    result = CliRunner().invoke(main, ["--log-level", "warning", "sync"], env={"LMSYNC_STORE_PATH": str(link),
                                                                             "XDG_STATE_HOME": str(tmp_path)})
    assert result.exit_code == 2 and "is a symbolic link to" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]  # no store.lock, no folder made

    (tmp_path / "unmounted").mkdir()  # a link to a file yet to be made in a folder that exists: a new store
    made = CliRunner().invoke(main, ["--log-level", "warning", "sync"], env={"LMSYNC_STORE_PATH": str(link),
                                                                           "XDG_STATE_HOME": str(tmp_path)})
    assert made.exit_code == 0, made.output
    assert (tmp_path / "unmounted" / "lmsync.db").is_file()


def test_round_84_7_a_link_to_an_existing_store_opens_it(tmp_path):
    real = tmp_path / "real.db"
    Store(real).close()
    link: Path = tmp_path / "link.db"
    link.symlink_to(real)
    Store(link, read_only=True).close()


@pytest.mark.sqlite_only("a SQLite store path that is a symbolic link")
def test_round_85a_5_a_store_path_that_is_a_loop_of_links_is_refused_without_a_traceback_or_lock(tmp_path):
    loop = tmp_path / "loop.db"
    loop.symlink_to("loop.db")
    with pytest.raises(ConfigError, match="leads back to itself"):
        Store(loop)
    result = CliRunner().invoke(main, ["--log-level", "warning", "sync"], env={"LMSYNC_STORE_PATH": str(loop),
                                                                             "XDG_STATE_HOME": str(tmp_path)})
    assert result.exit_code == 2 and "leads back to itself" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.db"]
