"""People's state on the emulator: suspended accounts, typed values, pins (issue 10 points 4, 5, 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain import matching as matching_module
from lmsync.domain.plan import RemoveMember, mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import match as match_service
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store

PROGRAMME = "mentor-2026"
S0001, S0002, S0009, M0001, M0002, M0003 = 3, 4, 11, 66, 67, 68


def write_config(tmp_path: Any, extra: str = "") -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n{extra}')
    return path


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def sync(config: Any, site: Any, store: Any) -> Any:
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store)


def plan(config: Any, site: Any) -> Any:
    with open_moodle(config, site=site) as conn:
        return make_plan(conn.api, config)


def circles(site: Any) -> dict[int, frozenset[int]]:
    """Mentor Moodle id -> members of their circle."""
    out = {}
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None:
            out[mentor] = frozenset(group.members)
    return out


def items(plan_: Any, code: str) -> dict[int, dict[str, Any]]:
    return {i["moodle_id"]: i for i in plan_.warning_items if i["code"] == code}


def test_trap_41_suspended_account_never_placed(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.users[S0009].suspended = site.users[M0003].suspended = True  # accounts; enrolments stay active
    result = sync(config, site, Store.memory())
    assert result.converged
    placed = circles(site)
    assert M0003 not in placed, "a suspended mentor gets no circle"
    assert not any(S0009 in members for members in placed.values())
    suspended = items(result.first_plan, "account_suspended")
    assert set(suspended) == {S0009, M0003}
    assert suspended[S0009]["username"] == "s0009" and suspended[S0009]["person"] == "s0009"


def test_trap_41_existing_pair_of_a_suspended_person_shows_in_the_plan_with_a_reason(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    config.sync.away_mentor_hold_days = 0  # re-matched at once, not held (tester round 53, 1)
    site = build_demo_site()
    store = Store.memory()
    assert sync(config, site, store).converged
    before = circles(site)
    mentor = M0001
    other = next(m for m in sorted(before) if m != mentor)
    mentee = min(before[other] - {other})
    orphans = before[mentor] - {mentor}
    assert orphans, "the demo gives m0001 a circle"
    site.users[mentee].suspended = site.users[mentor].suspended = True

    planned = plan(config, site).plan
    removals = {(op.group, op.user_id): op.reason for op in planned.operations if isinstance(op, RemoveMember)}
    assert removals[(mentor_group_idnumber(PROGRAMME, other), mentee)] == "account suspended"
    for orphan in orphans:
        assert removals[(mentor_group_idnumber(PROGRAMME, mentor), orphan)] == "re-matched: their mentor has a suspended account"  # why (tester round 15, 5)
    assert set(items(planned, "account_suspended")) == {mentee, mentor}
    assert any("account suspended" in w and "removed from their circle" in w for w in planned.warnings)

    assert sync(config, site, store).converged
    after = circles(site)
    assert after[mentor] == {mentor}, "the suspended mentor's circle is re-matched, the group itself kept"
    assert not any(mentee in members for members in after.values())
    assert all(any(o in members for m, members in after.items() if m != mentor) for o in orphans)


def test_point_5_unreadable_capacity_gets_no_new_mentees_on_the_emulator(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.users[M0001].customfields["mentorcapacity"] = "Up to two"
    site.users[M0002].customfields["mentorcapacity"] = "three"
    result = sync(config, site, Store.memory())
    assert result.converged
    placed = circles(site)
    assert M0001 not in placed
    assert 0 < len(placed[M0002] - {M0002}) <= 3
    unreadable = items(result.first_plan, "value_unreadable")[M0001]
    assert (unreadable["username"], unreadable["field"], unreadable["value"]) == ("m0001", "mentorcapacity", "Up to two")
    assert items(result.first_plan, "value_read")[M0002]["value"] == "three"


def test_point_5_unreadable_capacity_keeps_the_existing_circle(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    store = Store.memory()
    assert sync(config, site, store).converged
    before = circles(site)[M0001]
    site.users[M0001].customfields["mentorcapacity"] = "Up to two"
    planned = plan(config, site).plan
    group = mentor_group_idnumber(PROGRAMME, M0001)
    assert not [op for op in planned.operations if getattr(op, "group", None) == group]
    assert M0001 in items(planned, "value_unreadable")
    assert sync(config, site, store).converged and circles(site)[M0001] == before


def spy_on_match(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = matching_module.match

    def spy(people: Any, settings: Any) -> Any:
        seen.append(people)
        return real(people, settings)

    monkeypatch.setattr(match_service, "match", spy)
    return seen


PINNED = '[matching]\npins = [["s0001", "m0002"]]\nforbids = [["s0002", "m0001"], ["s0002", "m0002"]]\n'


def test_point_7_sync_with_a_pin_and_a_forbid_on_the_emulator(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write_config(env, PINNED), environ={})
    seen = spy_on_match(monkeypatch)
    site = build_demo_site()
    store = Store.memory()
    first = sync(config, site, store)
    assert first.converged
    assert seen and all(p.pins == (("s0001", "m0002"),) for p in seen), "the pin reaches the matcher once"
    assert all(p.forbids == (("s0002", "m0001"), ("s0002", "m0002")) for p in seen)
    placed = circles(site)
    assert S0001 in placed[M0002]
    assert S0002 not in placed.get(M0001, frozenset()) | placed.get(M0002, frozenset())
    assert any(S0002 in members for members in placed.values()), "a forbid narrows the choice, it does not unplace"
    assert sync(config, site, store).first_plan.empty


def run_cli(env: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args],
                              catch_exceptions=False)


def test_point_7_lmsync_match_through_moodle_with_a_pin(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(env, PINNED)
    seen = spy_on_match(monkeypatch)
    out = run_cli(env, "match", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout[out.stdout.index("{"):])
    pairs = {a["mentee"]: a for a in data["assignments"]}
    assert pairs["s0001"]["mentor"] == "m0002" and pairs["s0001"]["origin"] == "pinned"
    assert pairs["s0002"]["mentor"] not in ("m0001", "m0002")
    assert [p.pins for p in seen] == [(("s0001", "m0002"),)]
    table = run_cli(env, "match")
    assert table.exit_code == 0, table.output
    assert "pinned by the coordinator" in table.output
    planned = run_cli(env, "plan", "--out", str(env / "plan.json"))
    assert planned.exit_code == 0, planned.output


def test_point_5_lmsync_match_and_plan_json_carry_warning_items_with_person_ids(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.users[M0001].customfields["mentorcapacity"] = "Up to two"
    site.users[S0009].suspended = True
    site.users[S0001].customfields["department"] = "Pediatrics"
    site.save(config.emulator_state_path())
    out = run_cli(env, "match", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout[out.stdout.index("{"):])
    found = {(i["code"], i["moodle_id"], i["username"]) for i in data["warning_items"]}
    assert {("value_unreadable", M0001, "m0001"), ("account_suspended", S0009, "s0009"),
            ("department_unshared", S0001, "s0001")} <= found
    department = next(i for i in data["warning_items"] if i["code"] == "department_unshared")
    assert department["value"] == "pediatrics" and department["suggestion"] == "paediatrics"
    table = run_cli(env, "match")
    assert "'Up to two'" in table.output and "s0009" in table.output
    assert run_cli(env, "plan", "--out", str(env / "plan.json")).exit_code == 0
    saved = json.loads((env / "plan.json").read_text())
    assert {("value_unreadable", M0001), ("account_suspended", S0009)} <= {
        (i["code"], i["moodle_id"]) for i in saved["warning_items"]
    }


def test_point_5_doctor_names_people_and_values(env: Any) -> None:
    import requests

    from lmsync.moodle.api import MoodleApi
    from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
    from lmsync.moodle.emulator.demo import DEMO_TOKEN
    from lmsync.moodle.transport import Transport
    from lmsync.secrets import Token
    from lmsync.service.doctor import run_doctor

    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.users[M0001].customfields["mentorcapacity"] = "Up to two"
    site.users[S0002].customfields["yearofstudy"] = "Year 3"
    site.users[S0009].suspended = True
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    report = run_doctor(api, config)
    checks = {c.name: c for c in report.checks}
    unreadable = checks["people: value_unreadable (mentorcapacity)"]
    assert unreadable.status == "warn" and "(m0001) (Moodle id 66)" in unreadable.detail and "'Up to two'" in unreadable.detail
    assert "(s0002) (Moodle id 4)" in checks["people: value_read (yearofstudy)"].detail
    assert "s0009" in checks["people: account_suspended"].detail
    assert report.exit_code == 0, "warnings about people do not fail doctor"
