"""A new admin's fourth round (tester round 4): people whose Moodle values or roles lmsync cannot use.

Each test is named after the finding it covers and runs on the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain import people as people_module
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service import people_csv_numbers
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store

PROGRAMME = "mentor-2026"
BASE = f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
S0002, M0001 = 4, 66


@pytest.fixture
def env(cli_home: Any) -> Any:
    return cli_home


def write_config(env: Any, extra: str = "") -> Any:
    path = env / "lmsync.toml"
    path.write_text(BASE + extra)
    return path


def seed(env: Any, **profile: tuple[int, str]) -> tuple[Any, Site]:
    """The demo site saved as the built-in emulator's state, with ``field=(user id, value)`` typed in."""
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    for field_name, (user, value) in profile.items():
        site.users[user].customfields[field_name] = value
    site.save(config.emulator_state_path())
    return config, site


def run_cli(env: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])


def circles(site: Any) -> dict[int, frozenset[int]]:
    """Mentor Moodle id -> members of their circle."""
    return {
        mentor: frozenset(g.members)
        for g in site.groups.values()
        if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
    }


def unreadable(plan: Any) -> dict[int, dict[str, Any]]:
    return {i["moodle_id"]: i for i in plan.warning_items if i["code"] == "value_unreadable"}


# --- 4. a capacity too large for the solver ------------------------------------------------------------


@pytest.mark.parametrize("typed", ["99999999999999999999", "1000000000"])
def test_finding_4_a_huge_moodle_capacity_is_named_and_counts_as_missing(env: Any, typed: str) -> None:
    """tester round 4, 4: match, plan and sync died with OverflowError (run: "sync failed", naming
    nobody), or 1,000,000,000 was taken silently; now the mentor is named, with the value and the
    bound the CSV path uses, and gets no new mentees, as for 'lots'."""
    config, site = seed(env, mentorcapacity=(M0001, typed))
    for command in ("match", "plan"):
        result = run_cli(env, command)
        assert result.exit_code == 0, result.output
        assert f"(m0001) (Moodle id 66): mentorcapacity '{typed}' is too large (at most 1,000,000)" in result.output
    with open_moodle(config, site=site) as conn:
        synced = run_sync(conn.api, config, Store.memory())
    assert synced.converged and M0001 not in circles(site)
    item = unreadable(synced.first_plan)[M0001]
    assert (item["username"], item["field"], item["value"]) == ("m0001", "mentorcapacity", typed)
    user = site.users[M0001]
    # named as every view names people, with the Moodle id (tester round 73, 6: it read "m0001 (Moodle id 66)")
    assert item["message"].startswith(f"{user.firstname} {user.lastname} (m0001) (Moodle id {M0001}): ")


def test_finding_4_the_csv_and_the_moodle_path_share_one_bound(env: Any) -> None:
    """tester round 4, 4: one constant; a huge year from Moodle is named as well (the CSV refuses it)."""
    assert people_csv_numbers.LARGEST is people_module.LARGEST == 1_000_000  # its number cells (round 120c, 6)
    config, site = seed(env, yearofstudy=(S0002, "99999999999999999999"))
    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config)
    assert "too large" in unreadable(planned.plan)[S0002]["message"]


# --- 8. a negative capacity -----------------------------------------------------------------------------


def test_finding_8_a_negative_moodle_capacity_is_named_and_keeps_the_existing_circle(env: Any) -> None:
    """tester round 4, 8: '-3' silently took the mentor out of matching (and re-matched their circle),
    with no line in match or doctor; now it is named as 'lots' is, and the circle is kept."""
    config, site = seed(env)
    store = Store.memory()
    with open_moodle(config, site=site) as conn:
        assert run_sync(conn.api, config, store).converged
    before = circles(site)[M0001]
    assert len(before) > 1
    site.users[M0001].customfields["mentorcapacity"] = "-3"
    site.save(config.emulator_state_path())
    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config).plan
    group = mentor_group_idnumber(PROGRAMME, M0001)
    assert not [op for op in planned.operations if getattr(op, "group", None) == group]
    assert "mentorcapacity '-3' is below 0" in unreadable(planned)[M0001]["message"]
    matched = run_cli(env, "match")
    assert matched.exit_code == 0, matched.output
    assert "(m0001) (Moodle id 66): mentorcapacity '-3' is below 0" in matched.output
    doctor = run_cli(env, "doctor")
    assert "people: value_unreadable (mentorcapacity)" in doctor.output and "'-3'" in doctor.output
    assert "a capacity: 0 to 1,000,000" in doctor.output


def test_finding_8_a_negative_capacity_on_a_fresh_site_gets_no_mentees(env: Any) -> None:
    """tester round 4, 8: no new mentees for a mentor whose capacity is below 0."""
    config, site = seed(env, mentorcapacity=(M0001, "-3"))
    with open_moodle(config, site=site) as conn:
        synced = run_sync(conn.api, config, Store.memory())
    assert synced.converged and M0001 not in circles(site)
    assert M0001 in unreadable(synced.first_plan)


# --- 12. a configured role no one holds -----------------------------------------------------------------


@pytest.mark.parametrize(("variable", "kind"), [("LMSYNC_PROGRAMME_MENTOR_ROLES", "mentor"),
                                                ("LMSYNC_PROGRAMME_MENTEE_ROLES", "mentee")])
def test_finding_12_plan_sync_and_match_say_when_no_one_has_the_mentor_or_mentee_roles(
    env: Any, monkeypatch: pytest.MonkeyPatch, variable: str, kind: str
) -> None:
    """tester round 4, 12: a mistyped role gave a plan of "create grouping: 1", exit 0, and no word
    of 0 mentors (only doctor caught it); now plan, sync and match carry a line naming the role."""
    seed(env)
    monkeypatch.setenv(variable, '["nosuchrole"]')
    line = f"no one in the course has the {kind} role(s) nosuchrole ([programme] {kind}_roles)"
    for args in (("plan",), ("match",), ("sync", "--dry-run"), ("sync",)):
        result = run_cli(env, *args)
        assert result.exit_code == 0, result.output
        assert line in result.output and "see lmsync doctor" in result.output, args
    monkeypatch.delenv(variable)
    assert "no one in the course has" not in run_cli(env, "plan").output


# --- 11. naming someone who has left the course ---------------------------------------------------------


def test_finding_11_a_leaver_named_by_username_gets_a_hint_to_use_their_moodle_id(env: Any) -> None:
    """tester round 4, 11: after a mentee left, `person export <username>` said only "matches nobody";
    now (tester round 8, 6) a leaver is found site-wide by username, and a key matching nobody gets a
    hint: a deleted account is named by Moodle id and, when the store knows of leavers, where their
    ids show (`queue list`, `pair show`)."""
    config, _site = seed(env)
    Store(config.store_path()).close()  # a store that holds nothing yet: with none, export is refused (round 77b, 2)
    before = run_cli(env, "person", "export", "nosuchuser")
    assert before.exit_code == 3 and "id:N" in before.output and "store knows" not in before.output, before.output
    assert run_cli(env, "sync").exit_code == 0
    site = Site.load(config.emulator_state_path())
    assert any(S0002 in members for members in circles(site).values())
    del site.courses[2].enrolments[S0002]
    site.save(config.emulator_state_path())
    # tester round 8, 6: a leaver whose account exists is found by username as anyone else
    found = run_cli(env, "person", "export", "s0002")
    assert found.exit_code == 0 and f'"person_id": {S0002}' in found.output, found.output
    refused = run_cli(env, "person", "export", "nosuchuser")
    assert refused.exit_code == 3, refused.output
    assert "'nosuchuser' matches nobody in the programme course nor elsewhere in Moodle" in refused.output
    assert "once it is deleted: id:N" in refused.output
    assert "store knows 1 person no longer in the course" in refused.output
    assert '"user #N (not in the course)"' in refused.output and "`lmsync pair show` of their mentor" in refused.output
    mentor = next(m for m, members in circles(site).items() if S0002 in members)
    shown = run_cli(env, "pair", "show", site.users[mentor].username)
    # named from their account, as the README says of someone who left (tester round 108a, 3)
    assert shown.exit_code == 0 and f"user #{S0002} (not in the course)" not in shown.output, shown.output
    assert "(s0002)\n  the mentee is no longer enrolled in the course (named from their Moodle account)" in shown.output
    assert run_cli(env, "person", "export", f"id:{S0002}").exit_code == 0
    erase = run_cli(env, "person", "erase", "s0002", "--yes")  # left the course, still in the circle
    assert erase.exit_code == 3 and "in a circle with" in erase.output, erase.output
    # tester pass 70, 6: once erased, the store shows nothing of them: the hint no longer counts them
    assert run_cli(env, "person", "erase", "s0002", "--yes", "--while-enrolled").exit_code == 0
    after = run_cli(env, "person", "export", "nosuchuser")
    assert after.exit_code == 3 and "store knows" not in after.output, after.output
