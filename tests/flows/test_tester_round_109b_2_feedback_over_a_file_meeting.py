"""Tester round 109b, 2: a Feedback meeting-log response about a meeting a CSV file already held stored a second row.

The tester imported ``m.csv`` (m0003 with s0041: 60 min, attended, the mentor's rating 4; m0004 with s0015: 30 min,
attended, the mentee's rating 2), then the mentors logged the same day in the "Meeting log" Feedback (m0003: 45 min,
naming another mentee only, so s0041 counted absent; m0004: 50 min, the whole circle). ``lmsync run`` said "ok ...
row(s) stored" with no problem, and ``lmsync meetings list`` showed two rows of each meeting, with conflicting
minutes, attendance and both sides' ratings; the grades took one or the other.

The imports refuse a row for a meeting the Feedback log holds; now the same rule holds the other way round: the
record stored first is kept, a response's row for a meeting a file (or ``meetings add``) holds is not stored, and a
response contradicting it is said on the feedback line as a problem of that response, naming the response and the
meeting (its day and the file's line), and no person in the log. A row the response only infers (a mentee a circle
response does not name) gives way without a word; a response only repeating the file's record says nothing.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_OK
from lmsync.moodle.emulator import records
from lmsync.moodle.emulator.state import FeedbackCompleted, Site
from lmsync.service.cycle_feedback import feedback_step
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
CONFIG = ('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
          '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\ndate = "meeting_date"\nminutes = "meeting_minutes"\n'
          'notes = "notes"\nrating = "rating"\nattended = "attended"\n')
ATTENDED, RATING = 20, 21  # the items added to the demo's Meeting log


def _site(home: Path) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _circle(site: Site, mentor: str) -> tuple[int, list[int]]:
    """``mentor``'s Moodle id and their mentees' ids, lowest first."""
    mentor_id = next(u.id for u in site.users.values() if u.username == mentor)
    group = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) == mentor_id)
    return mentor_id, sorted(group.members - {mentor_id})


@pytest.fixture
def held(demo_home: Path):
    """The demo synced, ``m.csv`` imported (one meeting of m0003's and one of m0004's, today), and the Meeting log
    given attended and rating items: (home, day, site, m0003 and mentees, m0004 and mentees)."""
    (demo_home / "lmsync.toml").write_text(CONFIG)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    day = datetime.now(UTC).date().isoformat()  # the pairing history dates the pairs by the wall clock
    config, site = _site(demo_home)
    a, a_mentees = _circle(site, "m0003")
    b, b_mentees = _circle(site, "m0004")
    assert len(a_mentees) > 1 and len(b_mentees) > 1
    name = {u.id: u.username for u in site.users.values()}
    (demo_home / "m.csv").write_text(
        "date,mentor,mentee,minutes,attended,rating,notes,rated_by\n"
        f"{day},m0003,{name[a_mentees[0]]},60,yes,4,csv mentor note,mentor\n"
        f"{day},m0004,{name[b_mentees[0]]},30,yes,2,csv mentee note,mentee\n")
    imported = run_in(demo_home, "import", "meetings", str(demo_home / "m.csv"))
    assert imported.exit_code == EXIT_OK, imported.output
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.items += [records.FeedbackItem(ATTENDED, "Who came", "attended", "textfield", "40|200", False, 5),
                  records.FeedbackItem(RATING, "Rating", "rating", "numeric", "1|5", False, 6)]
    site.save(config.emulator_state_path())
    return demo_home, day, (a, a_mentees), (b, b_mentees), name


def _respond(home: Path, *responses: tuple[int, int, dict[int, str]]) -> None:
    """Put ``responses`` (attempt id, respondent, values by item id) in the saved site's Meeting log."""
    config, site = _site(home)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[:] = [FeedbackCompleted(attempt, user, int(time.time()), values) for attempt, user, values in responses]
    site.save(config.emulator_state_path())


def _rows(home: Path, person: str, day: str) -> list[dict[str, Any]]:
    listed = run_in(home, "meetings", "list", "--person", person, "--format", "json")
    assert listed.exit_code == EXIT_OK, listed.output
    rows = json.loads(listed.output)
    return [r for r in (rows if isinstance(rows, list) else rows["meetings"]) if r["date"] == day]


def _feedback(home: Path) -> Any:
    """The run's feedback step on the saved site (its result); the site is saved back after."""
    config, site = _site(home)
    store = Store(config.store_path())
    try:
        with open_moodle(config, site=site) as conn:
            return feedback_step(conn.api, config, store, datetime.now(UTC).date(), {})
    finally:
        store.close()


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_a_response_over_a_file_meeting_stores_no_second_row_and_is_said(held) -> None:
    home, day, (a, a_mentees), (b, b_mentees), name = held
    _respond(home,
             (401, a, {6: day, 7: "45", ATTENDED: name[a_mentees[1]], RATING: "5"}),  # a_mentees[0] counted absent
             (402, b, {6: day, 7: "50", ATTENDED: "", RATING: "5"}))  # the whole circle: b_mentees[0] stated
    step = _feedback(home)
    # one meeting, one row: the file's, stored first
    (only_a,) = _rows(home, name[a_mentees[0]], day)
    assert (only_a["minutes"], only_a["source"]) == (60, "csv"), only_a
    (only_b,) = _rows(home, name[b_mentees[0]], day)
    assert (only_b["minutes"], only_b["source"]) == (30, "csv"), only_b
    # the response's other meetings are stored as usual
    (other,) = _rows(home, name[a_mentees[1]], day)
    assert (other["minutes"], other["source"]) == (45, "feedback"), other
    # said: the response (attempt) whose meeting the file holds, the day and the file's line; no name in the log
    said = " ".join(step.summary.split())
    assert step.state == "partial", said
    assert "response (attempt 402): meeting: recorded elsewhere: an imported meetings file (m.csv:3) already has a " \
           f"meeting of {day} this response logs" in said, said
    assert "attempt 401" not in said  # its only clash is a mentee it counted absent by not naming them
    assert f"user #{b}'s response (attempt 402)" in step.logged and "m0004" not in step.logged
    assert step.counts["problems"] == 1
    again = _feedback(home)  # said before: a known input problem, still listed; still one row
    assert again.state == "ok" and "1 response still not stored since" in again.summary, again.summary
    assert len(_rows(home, name[b_mentees[0]], day)) == 1


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_a_response_repeating_the_file_meeting_is_not_stored_twice_nor_said(held) -> None:
    home, day, (a, a_mentees), _b, name = held
    _respond(home, (403, a, {6: day, 7: "60", ATTENDED: name[a_mentees[0]], RATING: "4"}))  # as m.csv has it
    step = _feedback(home)
    assert (step.state, step.counts["problems"]) == ("ok", 0), step.summary
    (only,) = _rows(home, name[a_mentees[0]], day)
    assert only["source"] == "csv", only
