"""Tester round 4, finding 2: a saved plan is a record of what lmsync planned, not a command language.

`lmsync apply PLAN.json` plans again on a fresh observation, with the guards of `lmsync plan`
(`--allow-delete`, the mass-removal guard), and applies only operations lmsync plans now, exactly
as it plans them; anything else in the file is refused with the operation's index, never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site

BASE = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


@pytest.fixture
def env(cli_home: Any) -> Any:
    tmp_path = cli_home
    (tmp_path / "lmsync.toml").write_text(BASE)
    config = load_config(tmp_path / "lmsync.toml", environ={})
    build_demo_site().save(config.emulator_state_path())
    return tmp_path


def run_cli(env: Any, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output  # never a traceback
    return result


def site(env: Any) -> Site:
    return Site.load(load_config(env / "lmsync.toml", environ={}).emulator_state_path())


def circles(env: Any) -> dict[str, frozenset[int]]:
    return {g.idnumber: frozenset(g.members) for g in site(env).groups.values() if g.idnumber.startswith("lmsync:")}


def edit(env: Any, operations: list[Any], name: str = "p.json") -> None:
    plan = json.loads((env / name).read_text())
    plan["operations"] = operations
    (env / name).write_text(json.dumps(plan))


def test_an_empty_plan_edited_into_19_deletes_is_refused_and_deletes_nothing(env: Any) -> None:
    """tester round 4, 2: 19 delete_group typed into a no-change plan were applied without --allow-delete."""
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    before = circles(env)
    edit(env, [{"kind": "delete_group", "group": idnumber} for idnumber in sorted(before)[:19]])
    for args in (("apply", "p.json"), ("apply", "p.json", "--allow-delete")):
        refused = run_cli(env, *args)
        assert refused.exit_code == EXIT_ADMIN, refused.output
        assert "19 of its 19 operations are not what lmsync plans now" in refused.output
        assert "operation 0: DELETE group [lmsync:" in refused.output and "and 14 more" in refused.output  # 117b, 10
        assert "lmsync plan --out p-new.json" in refused.output  # a new name keeps the edited file (round 99b, 7)
        assert circles(env) == before


def test_an_injected_welcome_text_is_refused_and_the_unedited_plan_posts_lmsyncs_own(env: Any) -> None:
    """tester round 4, 2: a post_welcome with <script> typed into the file was posted as written."""
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    original = json.loads((env / "p.json").read_text())["operations"]
    index = next(i for i, op in enumerate(original) if op["kind"] == "post_welcome")
    injected = [dict(op) for op in original]
    injected[index]["message"] = "<script>alert(1)</script>"
    edit(env, injected)
    refused = run_cli(env, "apply", "p.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    said = " ".join(refused.output.split())  # changed, by its field, not its text (tester round 99b, 7)
    assert f"1 of its {len(original)} operations is changed from what lmsync plans now (operation {index} (post welcome discussion '" in said
    assert "): its message differs)" in said and "<script>" not in said
    assert not site(env).discussions and not circles(env)  # nothing at all was written
    edit(env, original)
    applied = run_cli(env, "apply", "p.json")
    assert applied.exit_code == 0, applied.output
    messages = [d.message for d in site(env).discussions.values()]
    assert messages and not any("<script>" in m for m in messages)


def test_an_operation_naming_an_unknown_group_is_refused_by_index_not_a_keyerror(env: Any) -> None:
    """tester round 4, 2: an unknown group idnumber gave a raw KeyError traceback (exit 1)."""
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    edit(env, [{"kind": "add_member", "group": "lmsync:mentor-2026:mentor:999999", "user_id": 3},
               {"kind": "delete_group", "group": "no-such-group"}])
    refused = run_cli(env, "apply", "p.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    # in an admin's words, not by journal key (tester round 117b, 10)
    assert "operation 0: add member Dmitri Kim (s0001) to user #999999 (not in the course)'s circle" in refused.output
    assert "operation 1: DELETE group [no-such-group])" in refused.output


@pytest.mark.parametrize(
    ("operation", "named"),
    [
        ({"kind": "delete_group"}, "operation 0 (delete_group), field 'group': Field required"),
        ({"kind": "add_member", "group": "g", "user_id": "abc"}, "operation 0 (add_member), field 'user_id'"),
        ({"kind": "drop_course"}, "operation 0: Input tag 'drop_course'"),
    ],
)
def test_a_malformed_operation_is_bad_input_naming_its_index(env: Any, operation: Any, named: str) -> None:
    """tester round 4, 2: malformed fields are a clean InputError naming the operation index."""
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    edit(env, [operation])
    refused = run_cli(env, "apply", "p.json")
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert "not an lmsync plan" in refused.output and named in refused.output
    assert "lmsync plan --out p-new.json" in refused.output  # a new name keeps the edited file (round 99b, 7)


def test_deletes_in_a_saved_plan_need_allow_delete_on_apply_and_the_mass_removal_guard_holds(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tester round 4, 2: apply keeps plan's guards: deletes need --allow-delete, a mass removal is refused."""
    assert run_cli(env, "sync").exit_code == 0
    before = circles(env)
    monkeypatch.setenv("LMSYNC_PROGRAMME_MENTEE_ROLES", '["studnet"]')
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")  # the documented override, for the plan
    planned = run_cli(env, "plan", "--out", "p.json", "--allow-delete")
    assert planned.exit_code == 0, planned.output
    assert "delete_group" in (env / "p.json").read_text()
    assert "apply it with: lmsync apply p.json --allow-delete" in planned.output  # the flag it needs (round 24, 7)
    monkeypatch.delenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION")
    guarded = run_cli(env, "apply", "p.json", "--allow-delete")
    assert guarded.exit_code == EXIT_ADMIN and "in no circle at all" in guarded.output, guarded.output
    assert circles(env) == before
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
    no_flag = run_cli(env, "apply", "p.json")
    assert no_flag.exit_code == EXIT_ADMIN, no_flag.output
    assert "add --allow-delete to `lmsync apply p.json`" in no_flag.output  # tester round 5, 7
    assert circles(env) == before
    applied = run_cli(env, "apply", "p.json", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    assert not circles(env)


def test_a_plan_made_without_allow_delete_still_applies_when_apply_allows_deletes(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tester round 4, 2: the fresh plan's deletions a file lacks are left out, not a reason to refuse."""
    assert run_cli(env, "sync").exit_code == 0
    monkeypatch.setenv("LMSYNC_PROGRAMME_MENTEE_ROLES", '["studnet"]')
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    assert "delete_group" not in (env / "p.json").read_text()
    applied = run_cli(env, "apply", "p.json", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    assert len(circles(env)) == 20 and "DELETE" not in applied.output


def test_round_31_5_a_saved_plan_that_only_removes_members_is_applied_without_allow_delete(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hint said `lmsync apply p.json --allow-delete` for a plan whose only removals were members (a
    suspended mentee's); apply took it without the flag. Only a circle's deletion needs it."""
    monkeypatch.setenv("LMSYNC_SYNC_AWAY_MENTOR_HOLD_DAYS", "0")  # removed at once, not held (tester round 103b, 1)
    assert run_cli(env, "sync").exit_code == 0
    mentee = next(u.username for u in site(env).users.values() if (u.username or "").startswith("s")
                  and any(u.id in g.members for g in site(env).groups.values() if g.idnumber.startswith("lmsync:")))
    assert run_cli(env, "emulator", "edit", "suspend", mentee).exit_code == 0
    planned = run_cli(env, "plan", "--out", "p.json")
    assert planned.exit_code == 0, planned.output
    assert "remove_member" in (env / "p.json").read_text() and "delete_group" not in (env / "p.json").read_text()
    hint = planned.output.split("apply it with:")[1]
    assert hint.split()[:3] == ["lmsync", "apply", "p.json"] and "--allow-delete" not in hint, planned.output
    assert run_cli(env, "apply", "p.json").exit_code == 0


def test_round_36_1_only_the_command_lines_allow_delete_deletes_a_circle_never_a_config_key_nor_a_run(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[sync] allow_delete = true` (or LMSYNC_SYNC_ALLOW_DELETE) deleted circles with no --allow-delete, in an
    unattended `lmsync run` too, whose line said nothing of it; issue 5 and the docs: deletion needs the flag."""
    assert run_cli(env, "sync").exit_code == 0
    before = set(circles(env))  # the circles; their mentees may leave them without the flag
    (env / "lmsync.toml").write_text((env / "lmsync.toml").read_text() + "\n[sync]\nallow_delete = true\n")
    monkeypatch.setenv("LMSYNC_SYNC_ALLOW_DELETE", "true")
    monkeypatch.setenv("LMSYNC_PROGRAMME_MENTEE_ROLES", '["studnet"]')  # every circle would go
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
    for command in (["sync"], ["run"]):
        result = CliRunner().invoke(main, ["--log-format", "json", "--config", str(env / "lmsync.toml"), *command])
        assert result.exit_code in (0, 1, 2), result.output
        assert set(circles(env)) == before, command
        retired = [json.loads(line) for line in result.stderr.splitlines() if "config.retired_key" in line]
        assert {e["key"] for e in retired} == {"sync.allow_delete"} and "--allow-delete" in retired[0]["instead"]
        if command == ["run"]:  # a run says what waits for an admin, not only "in sync" (tester round 38, 3)
            assert "circle(s) no longer needed kept: delete with `lmsync sync --allow-delete`" in result.output
    deleted = run_cli(env, "sync", "--allow-delete")
    assert deleted.exit_code == 0, deleted.output
    assert not circles(env)
