"""Tester round 105a: what a plan says of people away.

- 3: the mass-removal refusal counted 57 mentees of 11 mentors suspended as "still enrolled but no longer
  matched" and pointed at roles; it counts them as losing their circle because their mentor is away, with the
  mentors, and names causes that fit (with no hold, and with the default hold once it has ended).
- 5: a ``[matching] forbids`` entry that ended the place held for its mentee away was also said to "wait" for
  them (and counted as a [matching] entry waiting): it has acted, so it is not said.
- 6: a mentor's suspended account still said "their circle is held as it is, then re-matched" once the hold had
  ended, on the plan re-matching its mentees and on every plan after, the circle empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_account_suspended, set_suspended
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store

MENTORS = [f"m{n:04d}" for n in range(1, 12)]  # all the demo's mentors but m0012


def _run(*args: str) -> Any:
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _sync(config: Any, site: Any, store: Store, **kw: Any) -> Any:
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store, **kw)


def _user(site: Any, username: str) -> int:
    return next(u.id for u in site.users.values() if u.username == username)


def _refused_words(text: str) -> None:
    """The refusal of 11 of 12 mentors away, their 57 mentees with nowhere to go: counted and caused as such."""
    assert "it would leave 57 of the 72 people placed in lmsync's circles in no circle at all" in text, text
    assert ("(57 still enrolled whose circle's mentor is away (11 mentor(s) with their enrolment suspended or ended, "
            "or their account suspended); 0 still enrolled but no longer matched;") in text, text
    assert "Likely causes: 11 mentor(s) of lmsync's circles away in Moodle" in text, text
    assert "[sync] away_mentor_hold_days" in text, text
    assert "mentee_roles" not in text and "(roles)" not in text, text  # nothing points at the roles


def test_round_105a_3_the_mass_removal_refusal_counts_the_mentors_away_and_their_mentees(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text('[programme]\nname = "t11"\n[store]\npath = "st/t11.db"\n[sync]\n'
                                          "away_mentor_hold_days = 0\n")
    assert _run("sync").exit_code == 0
    for mentor in MENTORS:
        assert _run("emulator", "edit", "suspend", mentor).exit_code == 0
    refused = _run("sync")
    assert refused.exit_code == 2, refused.output
    _refused_words(refused.output)


def test_round_105a_3_the_same_once_the_default_hold_has_ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "t11"\ncourse = "MENTOR-2026"\n')
    config = load_config(path, environ={})
    site, store = build_demo_site(), Store.memory()
    _on(monkeypatch, date(2026, 12, 7))
    assert _sync(config, site, store).converged
    course = course_of(site, config.programme.course)
    for mentor in MENTORS:
        set_suspended(site, course, _user(site, mentor), True)
    _on(monkeypatch, date(2026, 12, 8))
    _sync(config, site, store)  # the circles are held (said as found away at once)
    _on(monkeypatch, date(2026, 12, 23))  # the 14 days' holds are over
    with pytest.raises(PlanError) as refused:
        _sync(config, site, store)
    _refused_words(str(refused.value))


CONFIG_T7 = '[programme]\nname = "t7"\n[store]\npath = "st/t7.db"\n[sync]\naway_mentor_hold_days = 3\n'


def test_round_105a_5_a_forbid_that_ended_a_held_place_is_not_said_to_wait(cli_home: Path) -> None:
    config = cli_home / "lmsync.toml"
    config.write_text(CONFIG_T7)
    assert _run("sync").exit_code == 0
    assert _run("emulator", "edit", "suspend", "s0029").exit_code == 0
    assert _run("emulator", "edit", "suspend", "m0005", "--account").exit_code == 0
    synced = _run("sync")
    assert synced.exit_code == 0 and "kept: Amira Mensah (s0029) suspended since " in synced.output, synced.output
    assert "Bilal Williams (m0003)'s circle held until " in synced.output, synced.output
    config.write_text(CONFIG_T7 + '[matching]\nforbids = [["s0029", "m0003"]]\n')
    plan = _run("plan").output
    assert ("! Amira Mensah (s0029) from Bilal Williams (m0003)'s circle (not active in the course (unenrolled, or "
            "enrolment suspended); no place held for them: their pair with the mentor is kept apart") in plan, plan
    assert "forbid s0029 -> m0003 waits" not in plan, plan
    assert " waits: " not in plan, plan  # what `lmsync run` counts as "[matching] entries waiting"
    matched = _run("match").output
    assert "forbid s0029 -> m0003 waits" not in matched, matched


def test_round_105a_5_a_forbid_of_someone_away_with_no_place_held_still_waits(cli_home: Path) -> None:
    """The words are left out only for a forbid that acted: one whose mentee's place is not held still waits."""
    config = cli_home / "lmsync.toml"
    config.write_text(CONFIG_T7)
    assert _run("sync").exit_code == 0
    assert _run("emulator", "edit", "suspend", "s0029").exit_code == 0
    config.write_text(CONFIG_T7 + '[matching]\nforbids = [["s0029", "m0005"]]\n')  # not their circle's mentor
    plan = _run("plan").output
    assert "forbid s0029 -> m0005 waits: s0029 is not active in the course" in plan, plan
    assert "kept: Amira Mensah (s0029)" in plan, plan


def test_round_105a_6_a_suspended_mentors_notice_says_the_hold_ended_once_then_nothing_of_holding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "t7"\ncourse = "MENTOR-2026"\n[sync]\naway_mentor_hold_days = 3\n')
    config = load_config(path, environ={})
    site, store = build_demo_site(), Store.memory()
    _on(monkeypatch, date(2026, 12, 7))
    assert _sync(config, site, store).converged
    set_account_suspended(site, _user(site, "m0005"), True)

    def said(day: date, **kw: Any) -> tuple[str, Any]:
        _on(monkeypatch, day)
        result = _sync(config, site, store, **kw)
        (notice,) = [w for w in result.first_plan.warnings if "(m0005)" in w and "account suspended in Moodle" in w]
        return notice, result.first_plan

    held, _ = said(date(2026, 12, 8))
    assert held.endswith("their circle is held as it is until 2026-12-10, then re-matched ([sync] "
                         "away_mentor_hold_days)"), held
    over, plan = said(date(2026, 12, 11), dry_run=True)  # the plan that re-matches its mentees
    assert len([op for op in plan.operations if op.kind == "remove_member"]) >= 4, plan.operations
    assert "held as it is" not in over, over
    assert over.endswith("their circle is no longer held: its hold is over ([sync] away_mentor_hold_days), and its "
                         "4 member(s) are re-matched"), over
    said(date(2026, 12, 11))  # the sync
    after, _ = said(date(2026, 12, 20), dry_run=True)
    assert after.endswith("account suspended in Moodle; never matched or placed; their circle holds no mentee now"), after
