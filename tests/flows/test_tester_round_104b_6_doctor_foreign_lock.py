"""Tester round 104b, 6: ``lmsync doctor`` said "no problems" of a file at the programme's lock name that every
run refused ("... is a file of 9 bytes, not a lock lmsync wrote", exit 2). Doctor's ``store`` check now fails with
the runs' words and fix, judged read-only: the file is left as it was."""

from __future__ import annotations

import pytest

from lmsync.errors import EXIT_ADMIN

from .conftest import run_in


def _line(output: str, name: str) -> str | None:
    return next((line for line in output.splitlines() if line[7:].startswith(f"{name}: ")), None)


@pytest.mark.sqlite_only("a SQLite store and the lock file beside it")
def test_doctor_fails_the_store_when_a_foreign_file_holds_the_lock_name_as_every_run_does(cli_home):
    (cli_home / "lmsync.toml").write_text('[store]\npath = "X.db"\n')
    assert run_in(cli_home, "sync").exit_code == 0
    lock = cli_home / "X.lock"
    lock.write_text("my diary\n")
    refused = run_in(cli_home, "health")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    said = next(line for line in refused.output.splitlines() if "not a lock lmsync wrote" in line)
    words = said.split(": ", 1)[1]  # after "error: "
    assert words.startswith(f"the lock file {lock} of the store ") and words.endswith(
        "X.db is a file of 9 bytes, not a lock lmsync wrote: lmsync takes its lock at that name and has left the file "
        "as it was"), refused.output

    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == EXIT_ADMIN, doctor.output
    assert _line(doctor.output, "store") == f"[FAIL] store: {words}", doctor.output
    assert "fix: the lock of a store X.db is X.lock beside it: move X.lock away" in doctor.output
    assert "no problems" not in doctor.output
    assert lock.read_text() == "my diary\n"  # read, never opened for writing

    lock.write_text("4242")  # a lock lmsync wrote (its holder's process id): the store passes again
    doctor = run_in(cli_home, "doctor")
    line = _line(doctor.output, "store")
    assert line is not None and line.startswith("[ok  ] store: ") and line.endswith("X.db"), doctor.output
