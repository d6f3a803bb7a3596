"""The places held for mentees away (tester round 103b, 1), settled against a coordinator's decisions (tester round
104a, 4 and 6) in one function, ``held_places.held_people``, that the sync's plan and ``lmsync match`` both take.

- The plan's ``places_held`` signal (and ``lmsync run``'s sync line, "N place(s) held while their mentee is away")
  counted the places before settling: on the run where a forbid or a pin ended a held place it counted that place.
- ``lmsync match`` settled the held places without the queue's not-a-good-fit marks, which the sync has: it said
  "kept: ..." of a pair the plan keeps apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store

CONFIG = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
forum = "Mentoring circles"
[matching]
default_capacity = 4
"""

#: the decision that takes the held place of s0043 in m0006's circle (as tester round 104a, 4 and 6 have them)
DECISIONS = {"forbid": 'forbids = [["s0043", "m0006"]]\n', "pin": 'pins = [["s0001", "m0006"]]\n'}


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _config(tmp_path: Path, more: str = "") -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text(CONFIG + more)
    return load_config(path, environ={})


def _sync(config: Any, site: Any, store: Store) -> Any:
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store)


def _away(site: Any, config: Any, username: str) -> None:
    user = next(u.id for u in site.users.values() if u.username == username)
    set_suspended(site, course_of(site, config.programme.course), user, True)


@pytest.mark.parametrize("decision", sorted(DECISIONS))
def test_a_place_a_decision_ends_is_not_counted_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     decision: str) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config, site, store = _config(tmp_path), build_demo_site(), Store.memory()
    _on(monkeypatch, date(2026, 10, 1))
    assert _sync(config, site, store).converged
    _away(site, config, "s0043")
    _on(monkeypatch, date(2026, 10, 2))
    held = _sync(config, site, store).first_plan
    assert held.signals.places_held == 1, held.warnings
    config = _config(tmp_path, DECISIONS[decision])  # the coordinator decides while the place is held
    _on(monkeypatch, date(2026, 10, 3))
    plan = _sync(config, site, store).first_plan
    assert not [w for w in plan.warnings if w.startswith("kept: ")], plan.warnings
    away = next(u.id for u in site.users.values() if u.username == "s0043")
    assert [op for op in plan.operations if op.kind == "remove_member" and op.user_id == away], plan.operations
    assert plan.signals.places_held == 0, "a place the plan ends was counted held"


def test_the_run_line_does_not_count_a_place_a_forbid_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lmsync.service.cycle import cycle_job

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config, site = _config(tmp_path), build_demo_site()
    _on(monkeypatch, date(2026, 10, 1))
    assert cycle_job(config, site=site, steps=("sync",)).step("sync").state == "ok"
    _away(site, config, "s0043")
    _on(monkeypatch, date(2026, 10, 2))
    held = cycle_job(config, site=site, steps=("sync",)).step("sync")
    assert "; 1 place(s) held while their mentee is away" in held.summary, held.summary
    config = _config(tmp_path, DECISIONS["forbid"])
    _on(monkeypatch, date(2026, 10, 3))
    step = cycle_job(config, site=site, steps=("sync",)).step("sync")
    assert step.state == "ok", step.summary
    assert "place(s) held while their mentee is away" not in step.summary, step.summary
    assert "places_held_mentee_away" not in step.counts, step.counts


def _run(*args: str) -> Any:
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done


def test_match_holds_no_place_for_a_pair_marked_not_a_good_fit(cli_home: Path) -> None:
    """The sync's plan takes the queue's marks as forbids before holding a place; ``lmsync match`` did not."""
    (cli_home / "lmsync.toml").write_text(CONFIG.replace("[matching]", f'[store]\npath = "{cli_home / "store.db"}"\n'
                                                                        "[matching]"))
    assert _run("sync").exit_code == 0
    assert _run("health").exit_code in (0, 2)
    assert _run("queue", "done", "m0006", "s0053", "--outcome", "rematched").exit_code == 0
    assert _run("emulator", "edit", "suspend", "s0053").exit_code == 0
    plan = _run("plan").output
    assert "kept: Gabriela Van Dijk" not in plan and "kept apart" in plan, plan
    match = _run("match").output
    assert "kept: Gabriela Van Dijk" not in match, match
