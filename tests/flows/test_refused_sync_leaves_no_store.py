"""Tester round 97b, 1: a refused `sync` or `run` on a mistyped store path left a new store there.

With `[store] path` (or LMSYNC_STORE_PATH) mistyped, `lmsync sync` found the course's circles unrecorded and was
refused (exit 2, "nothing was written"), and `lmsync run` too (its sync step failed, every other step skipped);
yet both left a new store at that path, bound to the site and holding nothing. `health`, `queue list` and the
imports, refused where there is no store, then took it for the programme's: `health` judged and queued every
pair as new. A failed sync or run that stored nothing now leaves no store (the lock file stays, as every lock
file does); one that stored something before failing keeps it, and a sync or run that succeeds keeps the store
it made, with no word of a new store (they make it as a matter of course on a new programme).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lmsync.config import Config, load_config
from lmsync.service import jobs
from lmsync.service.runtime import store_session
from lmsync.store.db import Store
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"


@pytest.fixture
def typo(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """After a sync made the programme's store and its circles: LMSYNC_STORE_PATH set to a mistyped path in a new
    folder, where the emulator's site (kept beside the store) is the one that sync changed, circles and all."""
    monkeypatch.delenv("LMSYNC_STORE_URL", raising=False)
    monkeypatch.delenv("LMSYNC_STORE_PATH", raising=False)
    assert (first := run_in(demo_home, "sync")).exit_code == 0, first.output
    site = load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path()
    path = demo_home / "typo" / "mentoring.db"
    path.parent.mkdir()
    shutil.copy(site, path.with_name(site.name))
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(path))
    return path


def _no_store(path: Path) -> bool:
    """No store file at ``path``, and none of SQLite's companions beside it."""
    return not path.exists() and not list(path.parent.glob(path.name + "-*"))


def _still_refused(home: Path) -> None:
    """`health` and `queue list` still say there is no store (exit 3), and make none."""
    health = run_in(home, "health")
    assert health.exit_code == 3 and "there is no store at" in health.output, health.output
    queue = run_in(home, "queue", "list")
    assert queue.exit_code == 3 and "there is no store at" in queue.output, queue.output


def test_a_refused_sync_on_a_mistyped_store_path_leaves_no_store(demo_home: Path, typo: Path) -> None:
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == 2 and "no record of this programme's circles" in refused.output, refused.output
    assert "lmsync made a new" not in refused.output, refused.output
    assert _no_store(typo) and typo.with_suffix(".lock").exists()  # the lock file stays, as every lock file does
    _still_refused(demo_home)
    assert _no_store(typo)


def test_a_refused_run_on_a_mistyped_store_path_leaves_no_store(demo_home: Path, typo: Path) -> None:
    refused = run_in(demo_home, "run")  # its sync step fails; the run exits 2, it raises nothing
    assert refused.exit_code == 2 and "no record of this programme's circles" in refused.output, refused.output
    assert _no_store(typo)
    _still_refused(demo_home)


def test_a_dry_run_and_a_plan_on_a_mistyped_store_path_make_no_store(demo_home: Path, typo: Path) -> None:
    dry = run_in(demo_home, "sync", "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing was written" in dry.output, dry.output
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert not typo.exists() and not typo.with_suffix(".lock").exists()  # a read takes no lock either


def test_a_sync_that_succeeds_on_a_new_store_keeps_it_and_says_nothing_of_it(demo_home: Path, typo: Path) -> None:
    typo.with_name(f"{PROGRAMME}.emulator.json").unlink()  # a new programme: the emulator's site has no circles
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0 and "in sync after" in synced.output, synced.output
    assert "no store at" not in synced.output and "lmsync made a new" not in synced.output, synced.output
    assert typo.exists()
    health = run_in(demo_home, "health")
    assert health.exit_code == 0, health.output


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                    f'[store]\npath = "{tmp_path / "new" / "p.db"}"\n')
    return load_config(path, environ={})


def _failing_after(calls: int) -> Callable[[], bool]:
    """A ``should_stop`` that raises on its ``calls``-th call: the sync fails there, between its batches."""
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(1)
        if len(asked) == calls:
            raise RuntimeError("failed here")
        return False

    return should_stop


@pytest.mark.parametrize(("calls", "kept"), [(1, False), (3, True)])
def test_a_failed_sync_keeps_its_new_store_only_when_it_stored_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: int, kept: bool
) -> None:
    """Failing before its first batch, a sync stored nothing (its binding to the site is no data): no store is
    left. Failing after its circles were made, it recorded them: that store stays, with those records."""
    config = _config(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="failed here"):
        jobs.sync_job(config, should_stop=_failing_after(calls))
    store_file = config.store_path()
    assert store_file.exists() is kept
    if kept:
        store = Store(store_file, read_only=True)
        try:
            assert store.holds_data() and store.contents()["created_objects"]
        finally:
            store.close()


def test_a_session_removes_the_store_it_made_only_for_a_command_that_failed_and_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, monkeypatch)
    made = config.store_path()
    with store_session(config, failed=lambda: False):  # succeeded: kept, empty as it is
        pass
    assert made.exists()
    made.unlink()
    with store_session(config):  # a command that does not ask (meetings add, nudge): as before
        pass
    assert made.exists()
    with store_session(config, failed=lambda: True):  # the store was there before: never removed
        pass
    assert made.exists()
    made.unlink()
    with store_session(config, failed=lambda: True):  # failed (`run`: its exit code), stored nothing: removed
        pass
    assert _no_store(made) and made.with_suffix(".lock").exists()


def test_a_saved_plan_refused_on_a_mistyped_store_path_leaves_no_store(demo_home: Path, typo: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``lmsync apply`` makes the store in its session as sync does: refused there, it left one too."""
    monkeypatch.delenv("LMSYNC_STORE_PATH")
    saved = demo_home / "plan.json"
    assert (planned := run_in(demo_home, "plan", "--out", str(saved))).exit_code == 0, planned.output
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    refused = run_in(demo_home, "apply", str(saved))
    assert refused.exit_code != 0, refused.output
    assert _no_store(typo)
    _still_refused(demo_home)
