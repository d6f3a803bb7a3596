"""Tester round 104a: the place held for a mentee away (tester round 103b, 1) against a coordinator's decisions.

- 4: a pin to the mentor pushed an active mentee out because of the held place: the held place gives way first.
- 6: a pair marked not a good fit, its mentee suspended before the next sync, was held together: it ends.
- 7: ``queue done`` on a pair whose mentee is away said "run lmsync health first", which changed nothing.
- 12: the plan's "kept:" line named people by bare Moodle ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main

CONFIG = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
forum = "Mentoring circles"
[store]
path = "{store}"
[matching]
default_capacity = 4
"""


@pytest.fixture
def home(cli_home: Path) -> Path:
    (cli_home / "lmsync.toml").write_text(CONFIG.format(store=cli_home / "store.db"))
    assert _run("sync").exit_code == 0
    return cli_home


def _run(*args: str) -> Any:
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done


def _suspend(who: str) -> None:
    assert _run("emulator", "edit", "suspend", who).exit_code == 0


def test_round_104a_12_the_kept_line_names_people_as_every_view_does(home: Path) -> None:
    _suspend("s0043")
    (kept,) = [line for line in _run("plan").output.splitlines() if "kept: " in line]
    assert "kept: Chloe Johnson (s0043) suspended since " in kept, kept
    assert "their place in Aoife Müller (m0006)'s circle held until " in kept, kept
    assert "Moodle id" not in kept, kept


def test_round_104a_4_a_held_place_gives_way_to_a_pin_never_an_active_mentee(home: Path) -> None:
    _suspend("s0043")
    assert _run("sync").exit_code == 0
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + 'pins = [["s0001", "m0006"]]\n')
    plan = _run("plan").output
    assert "(s0035) from " not in plan and "(s0053) from " not in plan, plan  # no active mentee moves out
    assert "displaced by the pin" not in plan, plan
    assert ("! Chloe Johnson (s0043) from Aoife Müller (m0006)'s circle (not active in the course (unenrolled, or "
            "enrolment suspended); their held place went to the pin of Dmitri Kim (s0001) ([matching] pins))") in plan, plan
    assert "+ Dmitri Kim (s0001) to Aoife Müller (m0006)'s circle" in plan, plan
    assert "kept: Chloe Johnson" not in plan, plan


def test_round_104a_6_a_pair_marked_not_a_good_fit_is_not_held_when_its_mentee_is_suspended(home: Path) -> None:
    assert _run("health").exit_code in (0, 2)
    assert _run("queue", "done", "m0006", "s0053", "--outcome", "rematched").exit_code == 0
    _suspend("s0053")
    synced = _run("sync").output
    assert "kept: Gabriela Van Dijk" not in synced, synced
    assert ("(s0053) from Aoife Müller (m0006)'s circle (not active in the course (unenrolled, or enrolment "
            "suspended); no place held for them: their pair with the mentor is kept apart") in synced, synced
    assert "no changes" in _run("plan").output


def test_round_104a_6_a_forbid_ends_a_held_place(home: Path) -> None:
    _suspend("s0043")
    assert _run("sync").exit_code == 0
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + 'forbids = [["s0043", "m0006"]]\n')
    plan = _run("plan").output
    assert "! Chloe Johnson (s0043) from Aoife Müller (m0006)'s circle" in plan and "kept apart" in plan, plan


def test_round_104a_7_queue_done_on_a_pair_whose_mentee_is_away_says_so(home: Path) -> None:
    _suspend("s0043")
    assert _run("sync").exit_code == 0
    assert _run("health").exit_code in (0, 2)
    done = _run("queue", "done", "m0006", "s0043", "--outcome", "rematched")
    assert done.exit_code == 3, done.output
    assert "is away (enrolment or account suspended since " in done.output, done.output
    assert "their place in the circle held until " in done.output, done.output
    assert "run `lmsync health`" not in done.output, done.output
    assert "[matching] forbids" in done.output, done.output


def test_round_104a_9_an_erasure_ends_a_mentees_held_place_and_says_so(home: Path) -> None:
    """The erasure took the day their hold began and the next sync began it again: it ends, as a mentor's."""
    _suspend("s0043")
    assert _run("sync").exit_code == 0
    asked = CliRunner().invoke(main, ["person", "erase", "s0043", "--while-enrolled"], input="n\n")
    assert "Their place in their circle is held while they are away (since " in asked.output, asked.output
    assert "the erasure ends the hold" in asked.output, asked.output
    assert _run("person", "erase", "s0043", "--while-enrolled", "--yes").exit_code == 0
    synced = _run("sync").output
    assert "kept: Chloe Johnson" not in synced, synced
    assert "(s0043) from Aoife Müller (m0006)'s circle (not active in the course (unenrolled, or enrolment suspended); "\
           "no place held for them: erased from lmsync's store on " in synced, synced
