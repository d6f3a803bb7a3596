"""Tester round 123b, 4: after a rollover copy, doctor passed the instrument pointed at the empty copy, and the run's
refusal sent the admin to doctor, or to a setting that deletes the answers.

A second, empty "Relationship check-in" appears (course module 16); doctor fails naming 6 and 16; the admin picks
``feedback = "16"``, the empty one. Doctor said ``[ok  ] instrument checkin: Feedback '16' items match the scale``
(exit 0); the run refused the read, "it would remove N of the N checkin answer row(s) stored from it" (they came from
course module 6), and its one way out, ``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0``, did not say it deletes them. Now doctor
names the activity by its name and id and warns (exit unchanged) naming where the stored answers came from; the run
says the activity changed first, where the rows came from and how to read it again, and that the override deletes
the rows. The stored rows keep their response (``feedback:ATTEMPT``), not their course module.

The built-in emulator's demo course: its "Relationship check-in" form is Feedback 1, course module 6.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from lmsync.config import load_config
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository
from tests.flows.conftest import run_in

CONFIG = ('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
          '[instruments.checkin]\nitems = ["satisfaction", "goals"]\nscale_min = 1\nscale_max = 5\n'
          'feedback = "Relationship check-in"\n[instruments.checkin.feedback_items]\n'
          'satisfaction = "satisfaction"\ngoals = "selfefficacy_goals"\n')
ON_16 = CONFIG.replace('feedback = "Relationship check-in"', 'feedback = "16"')


def _edit(home: Path, change: Any) -> None:
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _empty_copy(data: dict[str, Any]) -> None:
    """A second, empty "Relationship check-in" (a rollover copy), course module 16."""
    fb = copy.deepcopy(data["feedbacks"]["1"])
    new_id = max(int(k) for k in data["feedbacks"]) + 1
    fb.update(id=new_id, cmid=16, completeds=[])
    for n, item in enumerate(fb["items"]):
        item["id"] = 9000 + 10 * new_id + n
    data["feedbacks"][str(new_id)] = fb


def _answers(home: Path) -> int:
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())
    try:
        return len(SurveyRepository(store, "mentor-2026").answers(instrument="checkin"))
    finally:
        store.close()


def _feedback_line(output: str) -> str:
    return " ".join(next(line for line in output.splitlines() if line.startswith("feedback ")).split())


def _stored_first(home: Path) -> int:
    (home / "lmsync.toml").write_text(CONFIG)
    assert run_in(home, "run").exit_code in (0, 1)
    stored = _answers(home)
    assert stored > 0
    return stored


def test_round_123b_4_doctor_names_an_activity_given_by_its_id_by_name_and_id(demo_home: Any) -> None:
    _stored_first(demo_home)
    _edit(demo_home, _empty_copy)
    (demo_home / "lmsync.toml").write_text(ON_16)
    doctor = run_in(demo_home, "doctor")
    flat = " ".join(doctor.output.split())
    assert doctor.exit_code == 0, doctor.output  # a warning: doctor's exit is unchanged
    assert ("[ok ] instrument checkin: Feedback 'Relationship check-in' (course module 16) items match the scale "
            "1-5") in flat, doctor.output
    assert "Feedback '16'" not in flat, doctor.output


def test_round_123b_4_doctor_warns_the_configured_copy_holds_none_of_the_stored_answers(demo_home: Any) -> None:
    stored = _stored_first(demo_home)
    _edit(demo_home, _empty_copy)
    (demo_home / "lmsync.toml").write_text(ON_16)
    doctor = run_in(demo_home, "doctor")
    flat = " ".join(doctor.output.split())
    assert doctor.exit_code == 0, doctor.output  # a warning: doctor's exit is unchanged
    assert (f"[warn] instrument checkin: Feedback 'Relationship check-in' (course module 16) holds no responses, and "
            f"none of the {stored} checkin answer row(s) stored from Feedback came from it: the run's read will be "
            "refused") in flat, doctor.output
    assert f"; {stored} came from Feedback 'Relationship check-in' (course module 6, " in flat, doctor.output
    assert "fix: set [instruments.checkin] feedback = \"6\" to read the activity they came from" in flat, doctor.output
    assert f"LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run: either deletes the {stored} stored row(s)" in flat


def test_round_123b_4_the_refusal_says_the_activity_changed_and_where_the_rows_came_from(demo_home: Any) -> None:
    stored = _stored_first(demo_home)
    _edit(demo_home, _empty_copy)
    (demo_home / "lmsync.toml").write_text(ON_16)
    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output
    line = _feedback_line(ran.output)
    assert ("instruments.checkin.feedback: Feedback read refused, nothing stored or removed: you changed "
            "[instruments.checkin] feedback from course module 6 to 16; 16 holds no responses. "
            f"{stored} of the {stored} checkin answer row(s) stored came from Feedback 'Relationship check-in' "
            "(course module 6, ") in line, line
    assert "stored from it" not in line, line
    assert "To read course module 6 again, set [instruments.checkin] feedback = \"6\"." in line, line
    assert (f"LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run: either deletes the {stored} stored row(s) the read does "
            "not find") in line, line
    assert _answers(demo_home) == stored  # nothing stored or removed

    (demo_home / "lmsync.toml").write_text(CONFIG.replace('feedback = "Relationship check-in"', 'feedback = "6"'))
    assert "admin" not in _feedback_line(run_in(demo_home, "run").output)  # the fix it names reads them again
    assert _answers(demo_home) == stored


def test_round_123b_4_a_course_reset_claims_no_activity_and_says_the_override_deletes(demo_home: Any) -> None:
    stored = _stored_first(demo_home)

    def reset(data: dict[str, Any]) -> None:
        data["feedbacks"]["1"]["completeds"] = []
    _edit(demo_home, reset)
    line = _feedback_line(run_in(demo_home, "run").output)
    assert f"it would remove {stored} of the {stored} checkin answer row(s) stored from Feedback (" in line, line
    assert "stored from it" not in line and "you changed" not in line, line
    assert (f"If the responses were really deleted, lower [sync] min_source_fraction (now 0.5) or set "
            f"LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run: either deletes the {stored} stored row(s)") in line, line
    doctor = " ".join(run_in(demo_home, "doctor").output.split())
    assert ("[warn] instrument checkin: Feedback 'Relationship check-in' (course module 6) holds no responses, and "
            "none of the "
            f"{stored} checkin answer row(s)") in doctor, doctor
    assert "came from Feedback" not in doctor, doctor


def test_round_123b_4_stored_rows_are_counted_by_their_response(demo_home: Any) -> None:
    from lmsync.store.feedback_origins import rows_by_response  # new in round 123b, 4

    stored = _stored_first(demo_home)
    store = Store(load_config(demo_home / "lmsync.toml", environ={}).store_path())
    try:
        by = rows_by_response(store, "mentor-2026", "checkin")
        assert sum(by.values()) == stored and None not in by, by
        assert rows_by_response(store, "mentor-2026", "other") == {}
    finally:
        store.close()
