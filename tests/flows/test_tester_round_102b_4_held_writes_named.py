"""Tester round 102b, 4: after a crash, the writes that may still commit were counted, never named.

A sync killed while it posted a circle's welcome discussion left the journal a write sent but not confirmed; the
next ``lmsync sync`` exited 1 with "1 write(s) sent earlier may still commit ... about 10 min from now" and
``lmsync plan`` (text and JSON) showed "0 operations" beside the same words: nothing said which write was waiting.
The plan's warnings, and the sync's fix line, now name each by kind and target.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_PARTIAL
from lmsync.service.labels import People

P = "mentor-2026"
CIRCLE = f"lmsync:{P}:mentor:67"


@pytest.fixture
def home(cli_home, monkeypatch):
    for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    return cli_home


def _run(*args: str):
    return CliRunner().invoke(main, ["--log-level", "warning", *args], catch_exceptions=False)


def test_a_held_write_is_named_by_kind_and_target() -> None:
    from lmsync.service.held_writes import held_said, held_writes

    class User:
        def __init__(self, username: str, fullname: str) -> None:
            self.username, self.fullname = username, fullname

    people = People({67: User("m0003", "Olivia Takahashi"), 81: User("s0001", "Ada Lovelace")})
    keys = [f"post_welcome:{CIRCLE}", f"add_member:{CIRCLE}:81", f"create_group:{CIRCLE}", f"create_grouping:lmsync:{P}"]
    said = [h.what for h in held_writes(keys, P, people)]
    assert said == [
        f"post welcome discussion in Olivia Takahashi (m0003)'s circle [{CIRCLE}]",
        f"add member Ada Lovelace (s0001) to Olivia Takahashi (m0003)'s circle [{CIRCLE}]",
        f"create group: Olivia Takahashi (m0003)'s circle [{CIRCLE}]",
        f"create lmsync's grouping [lmsync:{P}]",
    ]
    assert held_writes(keys[:1], P)[0].to_dict() == {  # without names: the ID number
        "kind": "post_welcome", "key": keys[0], "what": f"post welcome discussion in {CIRCLE}"}
    assert held_said(keys * 2, P, shown=5).endswith("; and 3 more")


def test_after_a_crash_the_plan_and_the_sync_name_the_welcome_that_may_still_commit(home) -> None:
    from lmsync.moodle.emulator.faults import SimulatedCrash
    from lmsync.service.moodle import newcomer_defaults
    from lmsync.service.runtime import session
    from lmsync.service.sync import run_sync

    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(home / "state")}))
    posted: list[str] = []

    def killed(function: str, when: str) -> str | None:
        if function == "mod_forum_add_discussion" and when == "before":
            posted.append(function)
            return "crash" if len(posted) == 1 else None  # the first welcome's answer is lost
        return None

    with pytest.raises(SimulatedCrash), session(config, fault=killed) as (conn, store):
        run_sync(conn.api, config, store)

    plan = _run("plan")
    assert plan.exit_code == 0, plan.output
    assert "may still commit" in plan.stdout
    named = [line for line in plan.stdout.splitlines() if "the write(s) waiting for Moodle:" in line]
    assert len(named) == 1 and "post welcome discussion in " in named[0] and "'s circle [lmsync:" in named[0], plan.stdout
    data = json.loads(_run("plan", "--format", "json").stdout)
    assert data["settled"] is False
    assert any("waiting for Moodle: post welcome discussion in " in w for w in data["warnings"]), data["warnings"]

    sync = _run("sync")
    assert sync.exit_code == EXIT_PARTIAL, sync.output
    fix = " ".join(sync.stderr.split("fix:", 1)[1].split())
    assert "1 write(s) sent earlier, whose answer was lost, may still commit in Moodle (post welcome discussion in " in fix
    assert "'s circle [lmsync:" in fix, fix
