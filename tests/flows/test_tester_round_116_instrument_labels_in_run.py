"""Tester round 116, 12: a survey instrument whose labels name no item of its Feedback form, in `lmsync run`.

`lmsync doctor` failed such an instrument ("the activity has 0 of the instrument's 2 items ..."), while `lmsync run`
read the form without a word: "1 Feedback source(s), 6 attempt(s), 0 row(s) stored", exit 0, every run, and a read of
no answer would remove the answers stored before. The run's feedback line now says it once, in doctor's words and
with doctor's fix, on the console and in its JSON, reads nothing of that form (the answers stored before stay), and
the other steps run: the meeting log is read, and grades, health, nudges and the digest are not skipped.

The built-in emulator's demo course (programme ``mentor-2026``): its "Relationship check-in" form has the items
labelled ``satisfaction`` and ``selfefficacy_goals``; the meeting log its ``meeting_minutes`` and ``meeting_date``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lmsync.config import load_config
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository
from tests.flows.conftest import run_in

BASE = ('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
        '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\nminutes = "meeting_minutes"\ndate = "meeting_date"\n'
        '[instruments.checkin]\nitems = ["satisfaction", "goals"]\nscale_min = 1\nscale_max = 5\n'
        'feedback = "Relationship check-in"\n[instruments.checkin.feedback_items]\n')
RIGHT = BASE + 'satisfaction = "satisfaction"\ngoals = "selfefficacy_goals"\n'
WRONG = BASE + 'satisfaction = "sat"\ngoals = "goal"\n'
SAID = ("Feedback 'Relationship check-in': the activity has 0 of the instrument's 2 items and a score needs 2 "
        "answered, so no answer is ever scored; missing: satisfaction (label 'sat'), goals (label 'goal')")
FIX = ("give the Feedback items these labels, or map them with [instruments.checkin] feedback_items, or define an "
       "instrument of your own with the items the activity has")


def _answers(home: Path) -> int:
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())
    try:
        return len(SurveyRepository(store, "mentor-2026").answers(instrument="checkin"))
    finally:
        store.close()


def _lines(output: str) -> dict[str, str]:
    return {line.split()[0]: line for line in output.splitlines() if line.split() and line.split()[1:2] and
            line.split()[1] in ("ok", "partial", "admin", "failed", "skipped", "held")}


def test_round_116_12_an_instrument_whose_labels_name_no_item_is_said_once_by_the_run(demo_home: Any) -> None:
    config = demo_home / "lmsync.toml"
    config.write_text(RIGHT)
    first = run_in(demo_home, "run")
    assert _lines(first.output)["feedback"].split()[1] == "ok", first.output
    stored = _answers(demo_home)
    assert stored > 0

    config.write_text(WRONG)
    doctor = " ".join(run_in(demo_home, "doctor").output.split())
    assert SAID in doctor and FIX in doctor, doctor  # doctor's words, which the run says
    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output
    lines = _lines(ran.output)
    feedback = lines["feedback"]
    assert feedback.split()[1] == "admin", feedback
    assert feedback.count(SAID) == 1 and FIX in feedback, feedback  # once, with the fix
    assert "instruments.checkin.feedback_items" in feedback and "'satisfaction'" in feedback  # the form's labels
    assert "Feedback source(s)" in feedback and "meeting" not in feedback.split(";")[0].lower()
    for step in ("grades", "health", "nudges", "digest"):  # nothing else fails
        assert lines[step].split()[1] not in ("skipped", "failed"), lines[step]
    assert _answers(demo_home) == stored  # nothing read, stored or removed

    as_json = run_in(demo_home, "--log-format", "json", "run")
    steps = [json.loads(line) for line in as_json.output.splitlines() if line.startswith('{"run_id"') and '"step"' in line]
    (step,) = [s for s in steps if s["step"] == "feedback" and "summary" in s]  # the step's object (not its log line)
    assert step["state"] == "admin" and step["exit_code"] == 2, step
    assert step["summary"].count(SAID) == 1 and step["counts"]["instruments_not_read"] == 1, step


def test_round_116_12_a_first_run_with_such_labels_is_not_silent(demo_home: Any) -> None:
    """The tester's run: no answer stored yet, so no removal guard spoke either ("0 row(s) stored", exit 0)."""
    (demo_home / "lmsync.toml").write_text(WRONG)
    ran = run_in(demo_home, "run")
    feedback = _lines(ran.output)["feedback"]
    assert ran.exit_code == 2 and feedback.split()[1] == "admin", ran.output
    assert feedback.count(SAID) == 1 and FIX in feedback, feedback
    assert _lines(ran.output)["health"].split()[1] == "ok"
    assert _answers(demo_home) == 0
