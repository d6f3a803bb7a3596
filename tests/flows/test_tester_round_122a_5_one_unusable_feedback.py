"""Tester round 122a, 5: one unusable Feedback form stopped health, nudges and the digest for the whole programme,
and doctor said "no problems" when two activities shared the form's name.

A rollover or an import leaves a second, empty Feedback under the instrument's form's name. Doctor printed no line
for the instrument (exit 0); `lmsync run` failed its feedback step (exit 2) and skipped grades, health, nudges and
the digest; the refusal said "give its course-module id" without naming any. Now doctor fails the instrument's (or
meeting log's) check naming both course-module ids and the fix; the run reads the other sources, says `admin`
(exit 2) with the reason and the fix, and grades, health, nudges and the digest run on what the store holds (the
instrument's stored answers stay: nothing stored or removed), as for an instrument whose labels name no item
(tester round 116, 12). The same holds for a read refused because it would remove most answers (a course reset).
Given the course-module id, the form is read again.

The built-in emulator's demo course (programme ``mentor-2026``): its "Relationship check-in" form (course module 6)
has the items labelled ``satisfaction`` and ``selfefficacy_goals``; the meeting log (course module 8) its
``meeting_minutes`` and ``meeting_date``.
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
          '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\nminutes = "meeting_minutes"\ndate = "meeting_date"\n'
          '[instruments.checkin]\nitems = ["satisfaction", "goals"]\nscale_min = 1\nscale_max = 5\n'
          'feedback = "Relationship check-in"\n[instruments.checkin.feedback_items]\n'
          'satisfaction = "satisfaction"\ngoals = "selfefficacy_goals"\n')
TWICE = ("2 Feedback activities are named 'Relationship check-in' (course modules 6 and 16); give its course-module "
         "id as text (e.g. feedback = \"6\": the number after id= in the activity's address, "
         "mod/feedback/view.php?id=6), or rename all but one")


def _state(home: Path) -> Path:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _edit(home: Path, change: Any) -> None:
    path = _state(home)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _copy_named(home: Path, source: str, cmid: int) -> None:
    """A second, empty Feedback under ``source``'s name (a rollover or an import), course module ``cmid``."""
    def change(data: dict[str, Any]) -> None:
        fb = copy.deepcopy(data["feedbacks"][source])
        new_id = max(int(k) for k in data["feedbacks"]) + 1
        fb.update(id=new_id, cmid=cmid, completeds=[])
        for n, item in enumerate(fb["items"]):
            item["id"] = 9000 + 10 * new_id + n
        data["feedbacks"][str(new_id)] = fb
    _edit(home, change)


def _answers(home: Path) -> int:
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())
    try:
        return len(SurveyRepository(store, "mentor-2026").answers(instrument="checkin"))
    finally:
        store.close()


def _lines(output: str) -> dict[str, str]:
    return {line.split()[0]: line for line in output.splitlines() if line.split() and line.split()[1:2] and
            line.split()[1] in ("ok", "partial", "admin", "failed", "skipped", "held")}


def _others_ran(lines: dict[str, str]) -> None:
    for step in ("grades", "health", "nudges", "digest"):  # one form not read skips nothing else
        assert lines[step].split()[1] not in ("skipped", "failed"), lines[step]


def test_round_122a_5_a_form_named_twice_fails_doctor_and_the_run_goes_on(demo_home: Any) -> None:
    (demo_home / "lmsync.toml").write_text(CONFIG)
    first = run_in(demo_home, "run")
    assert _lines(first.output)["feedback"].split()[1] == "ok", first.output
    stored = _answers(demo_home)
    assert stored > 0
    _copy_named(demo_home, "1", 16)

    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    flat = " ".join(doctor.output.split())
    assert ("[FAIL] instrument checkin: 2 Feedback activities are named 'Relationship check-in' (course modules 6 "
            "and 16): lmsync cannot tell which one to read") in flat, doctor.output
    assert "fix: give its course-module id as text (e.g. feedback = \"6\"" in flat, doctor.output

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output
    lines = _lines(ran.output)
    feedback = " ".join(lines["feedback"].split())
    assert feedback.split()[1] == "admin", feedback
    assert feedback.count(f"instruments.checkin.feedback: {TWICE}") == 1, feedback
    assert "1 instrument(s) not read" in feedback and "2 Feedback source(s)" not in feedback, feedback
    _others_ran(lines)
    assert _answers(demo_home) == stored  # nothing read, stored or removed

    # the fix: the course-module id, as text
    (demo_home / "lmsync.toml").write_text(CONFIG.replace('feedback = "Relationship check-in"', 'feedback = "6"'))
    doctor = run_in(demo_home, "doctor")
    assert "instrument checkin" in doctor.output and "[FAIL] instrument checkin" not in doctor.output, doctor.output
    assert "no such Feedback activity" not in doctor.output, doctor.output  # doctor takes the id as the read does
    again = run_in(demo_home, "run")
    assert _lines(again.output)["feedback"].split()[1] == "ok", again.output
    assert _answers(demo_home) == stored


def test_round_122a_5_a_meeting_log_named_twice_fails_doctor_naming_the_ids(demo_home: Any) -> None:
    (demo_home / "lmsync.toml").write_text(CONFIG)
    _copy_named(demo_home, "2", 17)
    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    flat = " ".join(doctor.output.split())
    assert ("[FAIL] meeting log 'Meeting log': 2 Feedback activities are named 'Meeting log' (course modules 8 and "
            "17)") in flat, doctor.output
    # the run: health would judge every pair on meetings not read, so the meeting log's problem still fails the step
    ran = run_in(demo_home, "run")
    lines = _lines(ran.output)
    assert lines["feedback"].split()[1] == "failed" and "course modules 8 and 17" in lines["feedback"], ran.output
    assert lines["health"].split()[1] == "skipped", ran.output


def test_round_122a_5_a_refused_read_of_one_instrument_skips_nothing_else(demo_home: Any) -> None:
    """A course reset deletes one form's responses: its read is refused (it would remove them all), and only it."""
    (demo_home / "lmsync.toml").write_text(CONFIG)
    assert run_in(demo_home, "run").exit_code in (0, 1)
    stored = _answers(demo_home)
    assert stored > 0

    def reset(data: dict[str, Any]) -> None:
        data["feedbacks"]["1"]["completeds"] = []
    _edit(demo_home, reset)
    ran = run_in(demo_home, "--log-format", "json", "run")
    assert ran.exit_code == 2, ran.output
    steps = {s["step"]: s for s in (json.loads(line) for line in ran.output.splitlines()
                                    if line.startswith('{"run_id"') and '"step"' in line) if "summary" in s}
    feedback = steps["feedback"]
    assert feedback["state"] == "admin" and feedback["exit_code"] == 2, feedback
    assert "instruments.checkin.feedback: Feedback read refused" in feedback["summary"], feedback
    assert feedback["counts"]["instruments_not_read"] == 1 and feedback["counts"]["failures"] == 0, feedback
    for step in ("grades", "health", "nudges", "digest"):
        assert steps[step]["state"] not in ("skipped", "failed"), steps[step]
    assert _answers(demo_home) == stored
