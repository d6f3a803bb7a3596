"""Tester round 118a, 5: after a refused rename, ``lmsync health`` and ``lmsync nudge`` gave false advice.

With ``name = "mp"`` synced, then ``name = "mp2"`` and the same ``[store] path``, ``lmsync sync`` (and ``lmsync run``)
is refused, exit 2: the store's journal holds programme mp's writes (tester round 118a, 1). But ``lmsync health`` named
every mentee "without a mentor ... the next sync matches them" (the next sync is refused), exit 0, and ``lmsync nudge``
sent nothing, exit 0; ``grades push`` said "no mentoring circles in Moodle yet: run `lmsync sync` first". They now
refuse as the sync does (exit 2, nothing read into the store, stored, sent or written), in its words and with its
fixes; ``health --as-of``, ``nudge --dry-run`` and ``grades plan`` show, exit 0, and warn, as these reads do under a
clock behind the store. What the sync lets through (``[sync] allow_other_programmes``, the old circles gone) runs on.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lmsync.config import Config, load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from lmsync.store.db import Store
from tests.flows.test_reads_never_write import emulator_writes as emulator_writes  # noqa: F401  (fixture)

from .conftest import run_in


def _write(home: Any, name: str, more: str = "") -> Config:
    (home / "lmsync.toml").write_text(
        f'[programme]\nname = "{name}"\ncourse = "MENTOR-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
        f'forum = "Mentoring circles"\n[store]\npath = "{home / "st/mp.db"}"\n[waves]\nprogramme_start = "2026-09-01"\n'
        + more)
    return load_config(home / "lmsync.toml", environ={})


def _said(text: str) -> str:
    return " ".join(text.split())


def _fingerprint(config: Config) -> dict[str, Any]:
    """Every row of the store, its file's bytes and the emulator's saved site (programme mp's, which the renamed
    programme uses on the emulator: tester round 117b, 7)."""
    store = Store(config.store_path(), read_only=True)
    try:
        rows = store.contents()
    finally:
        store.close()
    return {"rows": rows, "file": hashlib.sha256(config.store_path().read_bytes()).hexdigest(),
            "site": hashlib.sha256(config.emulator_state_path().read_bytes()).hexdigest()}


def _renamed(home: Any) -> tuple[Config, str, str]:
    """mp synced, then renamed mp2: the old configuration, and the sync's refusal (its words, its fix)."""
    old = _write(home, "mp")
    assert run_in(home, "sync").exit_code == 0
    _write(home, "mp2")
    sync = run_in(home, "sync")
    assert sync.exit_code == EXIT_ADMIN, sync.output
    words, fix = _said(sync.output.split("error: ", 1)[1]).split(" fix: ", 1)
    assert words.startswith("Refusing this plan: the course holds circles lmsync made for another programme"), words
    assert "This store made the circles of programme 'mp'" in words and fix.startswith("set [programme] name back to 'mp'")
    return old, words, fix


def test_health_nudge_and_grades_push_refuse_a_refused_rename_in_the_syncs_words(
    cli_home: Any, emulator_writes: list[str]
) -> None:
    old, words, fix = _renamed(cli_home)
    before = _fingerprint(old)
    emulator_writes.clear()
    for command in ("health", "nudge", "grades push"):
        refused = run_in(cli_home, *command.split())
        assert refused.exit_code == EXIT_ADMIN, (command, refused.output)
        text = _said(refused.output)
        assert f"`lmsync {command}` refused: `lmsync sync` and `lmsync run` refuse this programme's plan (exit 2)" \
               in text, text
        assert f"The sync's refusal: {words}" in text, text  # the sync's words
        assert f"fix: {fix}" in text and "give it a store of its own ([store] path" in text, text  # and its fixes
        assert "without a mentor" not in text and "run `lmsync sync` first" not in text, text
    assert emulator_writes == []
    assert _fingerprint(old) == before  # nothing judged, stored, queued, sent or written

    _write(cli_home, "mp")  # the fix: the old name back
    assert run_in(cli_home, "health").exit_code == 0
    assert run_in(cli_home, "nudge").exit_code == 0


def test_health_as_of_nudge_dry_run_and_grades_plan_show_and_warn(cli_home: Any, emulator_writes: list[str]) -> None:
    """Reads go on, exit 0, as under a clock behind the store (README, exit code 2), and say the sync is refused."""
    old, words, fix = _renamed(cli_home)
    before = _fingerprint(old)
    emulator_writes.clear()
    for args, refuser, view in ((("health", "--as-of", "2026-09-10"), "health", "view"),
                                (("nudge", "--dry-run"), "nudge", "preview"),
                                (("grades", "plan"), "grades push", "plan")):
        shown = run_in(cli_home, *args)
        assert shown.exit_code == 0, (args, shown.output)
        warned = _said(shown.stderr)
        assert f"warning: `lmsync sync` and `lmsync run` refuse this programme's plan (exit 2), and so does `lmsync " \
               f"{refuser}`: this {view} is of the name 'mp2'" in warned, warned
        assert f"The sync's refusal: {words}" in warned and f"fix: {fix}" in warned, warned
    assert emulator_writes == []
    assert _fingerprint(old) == before


def test_what_the_sync_lets_through_is_not_refused(cli_home: Any) -> None:
    """Only the sync's refusal of a rename stops them: with ``[sync] allow_other_programmes``, or once the course holds
    no circle of the old name, the sync goes on and so do health and nudge, with no warning."""
    old = _write(cli_home, "mp")
    assert run_in(cli_home, "sync").exit_code == 0
    _write(cli_home, "mp2", "[sync]\nallow_other_programmes = true\n")
    for args in (("health",), ("nudge", "--dry-run")):
        allowed = run_in(cli_home, *args)
        assert allowed.exit_code == 0 and "refuse this programme's plan" not in allowed.output, allowed.output

    site = Site.load(old.emulator_state_path())  # mp's circles deleted in Moodle: a rename the sync lets through
    for gid in [gid for gid, g in site.groups.items() if g.idnumber.startswith("lmsync:mp:")]:
        del site.groups[gid]
    site.save(old.emulator_state_path())
    _write(cli_home, "mp2")
    assert run_in(cli_home, "plan").exit_code == 0
    for args in (("health",), ("nudge", "--dry-run"), ("grades", "plan")):
        gone = run_in(cli_home, *args)
        assert gone.exit_code == 0 and "refuse this programme's plan" not in gone.output, (args, gone.output)
