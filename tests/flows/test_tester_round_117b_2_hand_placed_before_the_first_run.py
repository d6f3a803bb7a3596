"""Tester round 117b, 2 and 3, on the built-in emulator: a mentee placed by hand in a circle lmsync made, after the
first sync and before the first `lmsync run` (a newcomer, or a student the teacher gave a teacher role too), was not
recorded in the pairing history by the sync that saw it: health dated the pair from the programme's start ("fading,
no meeting since pairing 97 days ago" of a pair minutes old), and every nudge was held on every run as if "another
lmsync store" had made this store's own circle (exit 2). Now the sync that sees the pair records it
(``PairingHistory.follow_moodle``): health counts from that day, nothing is held. And `lmsync doctor` said such a
two-role person was "in no circle, with no mentor" while `lmsync plan` said they were kept in their circle; it now
says what the plan says (``doctor_people.planned_circles``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from tests.flows.conftest import run_in
from tests.flows.test_mentees_without_mentor_named import _flat, _ok, _on

DAY = date(2026, 12, 7)


def _placed_by_hand(home: Any, monkeypatch: Any, mentee: str, *, two_roles: bool) -> None:
    """The first sync, then ``mentee`` (a newcomer, or with a teacher role from before that sync) moved by hand into
    Chloe Xu (m0004)'s circle, all on ``DAY``, more than 90 days into the programme."""
    _ok(home, "init", "--no-input")  # the tester's folder: `lmsync init --no-input`, a local store, the start set
    toml = home / "lmsync.toml"
    toml.write_text(toml.read_text().replace("[store]\n", '[store]\npath = "r1.db"\n', 1)
                    .replace("# programme_start = 2026-09-01", "programme_start = 2026-09-01", 1))
    _on(monkeypatch, DAY)
    if two_roles:
        _ok(home, "emulator", "edit", "role", mentee, "teacher")
    _ok(home, "sync")
    if not two_roles:
        _ok(home, "emulator", "edit", "join", mentee, "--name", "Noor Late")
    _ok(home, "emulator", "edit", "move", mentee, "--to", "m0004")


@pytest.mark.parametrize(("mentee", "two_roles"), [("s0200", False), ("s0009", True)])
def test_a_pair_made_by_hand_before_the_first_run_is_paired_from_the_sync_that_sees_it(
        cli_home: Any, monkeypatch: Any, mentee: str, two_roles: bool) -> None:
    home = cli_home
    _placed_by_hand(home, monkeypatch, mentee, two_roles=two_roles)
    done = run_in(home, "run")
    assert done.exit_code == 0, done.output  # no nudge held
    assert "another lmsync store" not in done.output, done.output
    health = _flat(next(line for line in done.output.splitlines() if line.startswith("health")))
    assert " 0 fading" in health and "0 newly queued" in health, health
    data = json.loads(_ok(home, "health", "--format", "json"))
    (pair,) = [p for p in data["pairs"] if p["mentee"] == mentee]
    assert (pair["mentor"], pair["status"], pair["paired_since"]) == ("m0004", "ok", DAY.isoformat()), pair
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        mentor_id, mentee_id = pair["mentor_id"], pair["mentee_id"]
        rows = [p for p in PairingHistory(store, config.programme.name).history() if p.mentee_id == mentee_id]
    finally:
        store.close()
    assert [(p.mentor_id, p.left_at) for p in rows] == [(mentor_id, None)], rows
    assert rows[0].joined_at.startswith(DAY.isoformat()), rows
    assert "no meeting since pairing" not in _flat(_ok(home, "health"))
    assert (home / "r1.db").exists()  # the local store the tester set


def test_doctor_says_a_two_role_person_placed_by_hand_is_kept_in_their_circle_as_the_plan_does(
        cli_home: Any, monkeypatch: Any) -> None:
    home = cli_home
    _placed_by_hand(home, monkeypatch, "s0009", two_roles=True)
    kept = "kept in their circle while their mentor has room for them, matched with no other mentor"
    plan = _flat(_ok(home, "plan"))
    assert f"(s0009) (Moodle id 11) has a mentor role and a mentee role (student, teacher): {kept}" in plan, plan
    doctor = _flat(run_in(home, "doctor").output)
    line = next(line for line in doctor.split("[warn]") if "dual_role" in line)
    assert f"(s0009) (Moodle id 11) has a mentor role and a mentee role (student, teacher): {kept}" in line, doctor
    assert "in no circle" not in line, line
    loud = CliRunner().invoke(main, ["--log-level", "info", "--config", str(home / "lmsync.toml"), "doctor"])
    assert "kept in their circle" in loud.output and "observe.done" not in loud.output, loud.output  # no check
