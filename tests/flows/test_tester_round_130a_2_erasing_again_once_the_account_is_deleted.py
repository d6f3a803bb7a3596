"""Tester round 130a, 2: erasing again, by ``id:N``, someone this store erased before, once Moodle's privacy tool
had deleted their account, said "nothing erased and nothing recorded: neither this store nor Moodle knows user
#N" (exit 3), though the store records the erasure (`person export id:N` says so) and the same repeat with the
account still there says the erasure is recorded (exit 0). Now it says that too, and brings the record forward;
an id that neither the store nor Moodle knows is still bad input."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.state import Site
from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)


def test_a_repeated_erasure_of_a_deleted_account_is_recorded_and_an_unknown_id_is_refused(env: Any) -> None:  # noqa: F811
    config, site = seed(env)
    uid = next(i for i, u in site.users.items() if u.username == "s0031")
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "emulator", "edit", "unenrol", "s0031").exit_code == 0
    assert run_cli(env, "sync").exit_code in (0, 1)
    first = run_cli(env, "person", "erase", "s0031", "--yes")
    assert first.exit_code == 0, first.output
    site = Site.load(config.emulator_state_path())
    del site.users[uid]  # Moodle's privacy tool deletes the account
    site.save(config.emulator_state_path())
    again = run_cli(env, "person", "erase", f"id:{uid}", "--yes")
    assert again.exit_code == 0, again.output
    assert "the erasure is recorded" in again.output and "neither this store nor Moodle" not in again.output
    unknown = run_cli(env, "person", "erase", "id:987654", "--yes")
    assert unknown.exit_code == 3, unknown.output
    assert "nothing erased and nothing recorded: neither this store nor Moodle knows" in unknown.output
