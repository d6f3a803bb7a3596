"""Tester round 122b, 1 (HARM): a whole-circle Meeting-log note naming an erased mentee came back.

m0001 logged a meeting of the whole circle (``attended`` = ``all``) dated between ``[meetings] start`` and lmsync's
first sync, with a note naming s0008: it was stored on each mentee's pair, s0008's too. Erasing s0008 took the note
off the others' copies, but the erasure remembered the days s0008 was in the circle from the pairing history only,
which begins at the first sync: the mentor's edit of that response (a typo fixed), and a new whole-circle response of
the next day, stored the note naming s0008 again on every other mentee's row. Now every day s0008's pair counted
meetings is remembered: the days of their stored meetings, and every day before the history began for their first
recorded pair (a response of such a day, even one before ``[meetings] start``, is stored on it). A note of another
circle of those days, and one of a day after the erasure, stay.

The days are ahead of the wall clock, as the tester's faketime, with the helpers of tester round 111b, 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lmsync.config import load_config
from lmsync.errors import EXIT_OK
from lmsync.store import grade_items, messages, published_grades, queue_made_again, snapshots  # noqa: F401
from lmsync.store.db import Store
from lmsync.store.schema import meetings
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import (
    ATTENDED,
    BASE,
    RATING,
    _feedback_line,
    _ids,
    _on,
    _respond,
    _site,
)

START = BASE - timedelta(days=40)  # [meetings] start: meetings from then count, the history begins on BASE
TOML = f"""[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
[store]
path = "prog.db"
[meetings]
feedback = "Meeting log"
cadence_days = 14
person_key = "username"
start = {START.isoformat()}
[meetings.items]
minutes = "meeting_minutes"
date = "meeting_date"
notes = "notes"
attended = "attended"
rating = "rating"
"""
NOTES = 9  # the Meeting log's notes item
# the store modules above take ``db.now_iso`` by name: imported here, before ``_on`` patches it, so that none keeps
# this test's clock for the tests after it (a first import under the patch did: "the system clock went back")


def _edit(home: Path, attempt: int, note: str, sent: date) -> None:
    """The respondent edits response ``attempt``'s note, saving it at 18:00 UTC of ``sent``."""
    config, site = _site(home)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    response = next(c for c in log.completeds if c.id == attempt)
    response.values[NOTES] = note
    response.timemodified = int((datetime.combine(sent, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)).timestamp())
    site.save(config.emulator_state_path())


def _notes(home: Path, mentor: int) -> dict[tuple[date, int], str | None]:
    """(day, mentee) -> the note of each Feedback meeting row of ``mentor``'s."""
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())
    try:
        rows = store.rows(select(meetings.c.meeting_date, meetings.c.mentee_id, meetings.c.notes)
                          .where(meetings.c.mentor_id == mentor, meetings.c.source == "feedback"))
        return {(date.fromisoformat(r.meeting_date), r.mentee_id): r.notes for r in rows}
    finally:
        store.close()


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_122b_1_a_circle_note_of_a_day_before_the_first_sync_stays_off_once_edited(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    for name in ("LMSYNC_CONFIG", "LMSYNC_STORE_PATH", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    (home / "lmsync.toml").write_text(TOML)
    _on(monkeypatch, BASE)
    assert run_in(home, "sync").exit_code == EXIT_OK  # lmsync's first sync: the pairing history begins
    ids = _ids(home)
    mentor, erased, other = ids["m0001"], ids["s0008"], ids["m0003"]
    day = BASE - timedelta(days=10)  # after [meetings] start, before the first sync
    _respond(home,
             (101, "m0001", day, {7: "45", ATTENDED: "all", RATING: "4", NOTES: "talked about s0008's exams"}),
             (103, "m0003", day, {7: "45", ATTENDED: "all", RATING: "4", NOTES: "another circle's note"}))
    _on(monkeypatch, BASE + timedelta(days=1))
    read = _feedback_line(run_in(home, "run"))
    assert read.startswith("feedback ok "), read
    before = _notes(home, mentor)
    assert before[(day, erased)] == "talked about s0008's exams"  # stored on the erased mentee's pair too
    circle = sorted(mentee for d, mentee in before if d == day and mentee != erased)
    assert len(circle) >= 2, before

    _on(monkeypatch, BASE + timedelta(days=2))
    assert run_in(home, "emulator", "edit", "unenrol", "s0008").exit_code == EXIT_OK
    assert run_in(home, "sync").exit_code == EXIT_OK
    erasing = run_in(home, "person", "erase", "s0008", "--yes")
    assert erasing.exit_code == EXIT_OK, erasing.output
    assert all(_notes(home, mentor)[(day, m)] is None for m in circle)  # taken off the others' copies, as before

    # the mentor fixes a typo; whole-circle responses of the next day and of a day before [meetings] start are first
    # read after the erasure; one dated after the erasure is new
    _edit(home, 101, "talked about s0008's exams (edited)", BASE + timedelta(days=3))
    early, after = START - timedelta(days=5), BASE + timedelta(days=3)
    _respond(home,
             (102, "m0001", day + timedelta(days=1), {7: "30", ATTENDED: "all", RATING: "4", NOTES: "s0008 upset"}),
             (104, "m0001", early, {7: "30", ATTENDED: "all", RATING: "4", NOTES: "s0008 before the start"}),
             (105, "m0001", after, {7: "30", ATTENDED: "all", RATING: "4", NOTES: "a new meeting"}))
    _on(monkeypatch, BASE + timedelta(days=4))
    again = _feedback_line(run_in(home, "run"))
    assert again.startswith("feedback ok "), again
    now = _notes(home, mentor)
    for when in (day, day + timedelta(days=1), early):
        assert {m: now.get((when, m), "missing") for m in circle} == dict.fromkeys(circle), (when, now)
    assert all(now[(after, m)] == "a new meeting" for m in circle), now  # after the erasure: new, kept
    assert not any(mentee == erased for _, mentee in now), now
    kept = _notes(home, other)
    assert kept and all(note == "another circle's note" for note in kept.values()), kept  # another circle's
