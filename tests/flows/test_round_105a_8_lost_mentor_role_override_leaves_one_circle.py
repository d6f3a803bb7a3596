"""Tester round 105a, 8 (left from that round): a faculty mentor made a student, applied with the override
``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0`` ("yes, they really no longer mentor"), was placed as a mentee in another
mentor's circle while their own circle, no longer wanted and kept without ``--allow-delete``, still held them as
its mentor: one person in two circles. The plan now takes them out of their old circle too, saying why, with or
without ``[programme] peer_mentor_cohort``; the circle stays, empty, and the next runs change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.domain.plan import mentor_group_idnumber
from tests.flows.conftest import run_in
from tests.flows.test_round_105a_8_lost_mentor_role_same_with_or_without_cohort import (
    PROGRAMME,
    _circles,
    _config,
    _faculty_mentor,
    _set_role,
)

WORDS = "now a mentee in another circle; their own circle is kept empty (needs --allow-delete to delete)"


@pytest.mark.parametrize("cohort", [True, False], ids=["cohort-set", "cohort-unset"])
def test_a_teacher_made_a_student_applied_with_the_override_is_in_one_circle(
    demo_home: Any, cohort: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    (demo_home / "lmsync.toml").write_text(_config(cohort))
    assert run_in(demo_home, "sync").exit_code == 0
    mentor, username, fullname = _faculty_mentor(demo_home)
    own = mentor_group_idnumber(PROGRAMME, mentor)
    _set_role(demo_home, mentor, "student")
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")  # the override: they really no longer mentor
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    said = " ".join(planned.output.split())
    assert f"{fullname} ({username}) from {fullname} ({username})'s circle ({WORDS})" in said, said
    assert f"+ {fullname} ({username}) to " in said, said  # a mentee in another circle
    assert f"kept (needs --allow-delete to delete): {fullname} ({username})'s circle" in said, said
    done = run_in(demo_home, "sync")
    assert done.exit_code == 0, done.output
    after = _circles(demo_home)
    theirs = [idnumber for idnumber, members in after.items() if mentor in members]
    assert len(theirs) == 1 and theirs[0] != own, theirs  # one circle, as a mentee
    assert after[own] == frozenset()  # their own circle kept (no --allow-delete), empty
    monkeypatch.delenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION")
    again = run_in(demo_home, "sync")  # the next run is ordinary and changes nothing
    assert again.exit_code == 0, again.output
    assert _circles(demo_home) == after
