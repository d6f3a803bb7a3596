"""A refused saved plan says truthfully whether its file was edited or what it was planned from changed.

Tester finding: `plan --out p3.json`, a mentor's capacity edited in Moodle (a profile field, which Moodle's
fingerprint does not cover), `apply p3.json`: "it lacks 8 of the 8 operations ... A saved plan is applied
only as lmsync made it", fix "apply that file unedited", for a file nobody had edited. Files written now
carry a digest of their operations (``operations_digest``); a file whose operations match it was not edited.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lmsync.domain.operations import AddMember, Plan, RemoveMember
from lmsync.errors import EXIT_ADMIN, PlanError
from tests.flows import test_tester_round_5 as round_5

G = "lmsync:p:mentor:7"
env, run_cli = round_5.env, round_5.run_cli  # the demo site under a programme of its own, and the CLI on it


def words(result: Any) -> str:
    return " ".join(result.output.split())


def test_an_unedited_file_refused_after_a_capacity_changed_in_moodle_is_not_called_edited(env: Any) -> None:
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "plan", "--out", "p3.json").exit_code == 0
    assert run_cli(env, "emulator", "edit", "field", "m0003", "mentorcapacity", "1").exit_code == 0
    refused = run_cli(env, "apply", "p3.json")
    said = words(refused)
    assert refused.exit_code == EXIT_ADMIN, refused.output
    # the probe can fail: the capacity changed what lmsync plans; the file, saved in sync, holds none (108a, 10)
    assert "the file holds no operations (lmsync planned none when it was saved), and lmsync now plans" in said
    assert "The file is as lmsync wrote it: Moodle, the store or lmsync.toml changed since the plan was made" in said
    assert "applied only as lmsync made it" not in said and "unedited" not in said
    assert "make a new plan with `lmsync plan --out p3.json --force`" in said


def test_a_file_whose_operations_were_edited_is_still_called_edited(env: Any) -> None:
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    saved = json.loads((env / "p.json").read_text())
    assert len(saved["operations"]) > 1
    saved["operations"].pop(0)
    (env / "p.json").write_text(json.dumps(saved))
    refused = run_cli(env, "apply", "p.json")
    said = words(refused)
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert "Its operations were edited after lmsync wrote the file" in said
    assert "The file is as lmsync wrote it" not in said
    assert "apply that file unedited" in said


def test_an_unedited_file_after_moodle_changed_says_moodle_changed_and_not_edited(env: Any) -> None:
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    assert run_cli(env, "apply", "p.json").exit_code == 0
    # a mentee the file placed taken out of every circle by hand: applied as it was, the file is no longer held in
    # Moodle (applied twice with nothing changed it is "already applied", exit 0: tester round 106b, 4)
    assert run_cli(env, "emulator", "edit", "move", "s0001", "--out").exit_code == 0
    again = words(run_cli(env, "apply", "p.json"))
    assert "Moodle changed since the plan was made" in again
    assert again.endswith("The file is as lmsync wrote it. fix: run `lmsync plan` again and review the new plan"), again


def test_plan_out_writes_a_digest_that_reads_back_as_unedited_and_reordering_is_no_edit(env: Any) -> None:
    from lmsync.domain.saved_plan import edited, read_saved_plan

    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    text = (env / "p.json").read_text()
    assert json.loads(text)["operations_digest"]
    assert edited(read_saved_plan(text, "p.json")) is False
    saved = json.loads(text)
    saved["operations"].reverse()  # apply compares them as a multiset, so does the digest
    assert edited(read_saved_plan(json.dumps(saved), "p.json")) is False
    saved["operations"][0]["group"] = G
    assert edited(read_saved_plan(json.dumps(saved), "p.json")) is True


def test_a_file_written_before_the_digest_says_it_cannot_tell_edited_from_changed() -> None:
    from lmsync.domain.saved_plan import checked_against

    fresh = Plan(programme="p", course_id=2, fingerprint="f", operations=[RemoveMember(group=G, user_id=4, reason="re-matched"),
                                                                           AddMember(group=G, user_id=5)])
    old = Plan(programme="p", course_id=2, fingerprint="f", operations=[fresh.operations[0]])
    assert old.operations_digest == ""
    with pytest.raises(PlanError) as raised:
        checked_against(old, fresh, source="old.json")
    assert "either its operations were edited, or Moodle (profile fields such as a capacity too)" in raised.value.message
    assert "carries no digest of its operations" in raised.value.message
