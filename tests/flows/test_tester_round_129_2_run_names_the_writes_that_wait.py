"""Tester round 129, 2: ``lmsync run`` never said *which* writes wait after a lost answer.

The README promises a run before ``[sync] write_settle_seconds`` "says which writes wait (kind and circle)", as
``lmsync sync`` and ``lmsync plan`` do; the run's sync line (what the timer, cron and the daemon run) only counted
them, its JSON step object had no key for them and its log only ``sync.pending operations=72``. Its first line
also said "72 membership change(s) planned (72 added, 0 removed)" of 72 adds none of which was made.
"""

from __future__ import annotations

import json

from lmsync.config import load_config
from lmsync.errors import EXIT_PARTIAL
from lmsync.service.cycle_sync import sync_step
from lmsync.service.moodle import newcomer_defaults
from lmsync.service.runtime import session

ADD = "core_group_add_group_members"


def _config(home, show_names: bool = True):
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(home / "state")}))
    return config.model_copy(update={"privacy": config.privacy.model_copy(update={"show_names": show_names})})


def _lost_once():
    """A network hop that loses the first "add members" request: never forwarded, no answer."""
    lost: list[str] = []

    def fault(function: str, when: str) -> str | None:
        if function == ADD and when == "before" and not lost:
            lost.append(function)
            return "timeout"
        return None

    return fault


def _names(conn) -> set[str]:
    """Every full name of the emulated site's users."""
    return {f"{u.firstname} {u.lastname}" for u in conn.site.users.values()}


def test_the_runs_sync_line_names_the_writes_that_wait_tester_round_129_2(cli_home) -> None:
    config = _config(cli_home)
    with session(config, fault=_lost_once()) as (conn, store):
        first = sync_step(conn.api, config, store, None, {})
        names = _names(conn)
    assert first.state == "partial" and first.exit_code == EXIT_PARTIAL, first.summary
    held = first.counts["writes_waiting"]
    assert held > 3, first.counts
    # the line: the adds were planned, none was made; the waiting writes by kind and circle, then "and N more"
    assert f"{held} membership change(s) planned ({held} to add, 0 to remove), 0 of them made" in first.summary
    assert f"{held} write(s) whose answer was lost may still commit (add member " in first.summary, first.summary
    assert "'s circle [lmsync:" in first.summary and f"; and {held - 3} more): not sent again until" in first.summary
    assert any(name in first.summary for name in names), first.summary  # names on: as `lmsync sync` says them
    # the JSON object: ids and kinds, never a name
    items = first.counts["writes_waiting_items"]
    assert items and all(i["kind"] == "add_member" and isinstance(i["user_id"], int)
                         and i["circle"].startswith("lmsync:") for i in items), items
    # the log's copy (the cycle.step line's reason): by id, never a name
    assert first.logged is not None and "(add member user #" in first.logged, first.logged
    assert f"; and {held - 3} more): not sent again until" in first.logged
    logged = first.logged + json.dumps(first.counts)
    assert not [name for name in names if name in logged], logged

    with session(config) as (conn, store):  # again, inside the settle time: the same writes, named
        again = sync_step(conn.api, config, store, None, {})
    assert again.state == "partial" and again.counts["writes_waiting"] == held, again.summary
    assert "0 membership change(s) planned; Moodle did not converge; " in again.summary
    assert "may still commit (add member " in again.summary, again.summary


def test_names_off_the_run_names_the_waiting_writes_by_username_tester_round_129_2(cli_home) -> None:
    config = _config(cli_home, show_names=False)
    with session(config, fault=_lost_once()) as (conn, store):
        step = sync_step(conn.api, config, store, None, {})
        names = _names(conn)
    assert "may still commit (add member " in step.summary and "'s circle [lmsync:" in step.summary, step.summary
    assert not [name for name in names if name in step.summary], step.summary
