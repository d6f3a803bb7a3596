"""Tester round 111b, 2: after erasing a mentor, their mentees' own meeting-log answers about meetings with them
were flagged as broken, not withheld, with a fix that cannot work.

The tester's programme (m0001's circle s0008, s0020, s0027) logged its meetings in the "Meeting log" Feedback: m0001
for the whole circle, s0008 and s0020 each once. After ``emulator edit unenrol m0001`` and ``person erase m0001
--yes``, ``lmsync run`` said "feedback partial ... 2 warning(s): ... s0008's response (attempt 102): respondent: is in
no mentoring pair; ... s0020's response (attempt 105): ..." with "fix: ... records the meeting with `lmsync meetings
add`", which refuses a meeting with an erased mentor; every later run listed them again as "still not stored". The
erasure took the pairs of those days, so the answers are about the erased mentor: withheld, as README says, counted
and not said. An answer dated after the erasure by someone in no pair that day is still said.

The days are ahead of the wall clock, and the store's instants dated by the same clock, as the tester's faketime.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_OK
from lmsync.moodle.emulator import records
from lmsync.moodle.emulator.state import FeedbackCompleted, Site
from lmsync.service import programme_settings
from lmsync.store import db, journal, pairings, queue, surveys
from lmsync.store import meetings as stored_meetings
from tests.flows.conftest import run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # the tester's 2026-10-01: ahead of every instant written
TOML = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
peer_mentor_cohort = "peer-mentors-2026"
forum = "Mentoring circles"
[store]
path = "prog.db"
[meetings]
feedback = "Meeting log"
cadence_days = 14
person_key = "username"
start = 2026-09-01
[meetings.items]
minutes = "meeting_minutes"
date = "meeting_date"
[waves]
programme_start = 2026-09-01
[grades]
itemnumber_base = 1000
"""
ATTENDED, RATING = 50, 51  # the items the tester added to the Meeting log


def _on(monkeypatch: pytest.MonkeyPatch, day: date, hour: int = 9) -> None:
    """``hour`` UTC on ``day`` for the programme's clock and the store's instants (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (db, pairings, journal, queue, surveys, stored_meetings):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _site(home: Path) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _ids(home: Path) -> dict[str, int]:
    return {u.username: u.id for u in _site(home)[1].users.values()}


def _respond(home: Path, *responses: tuple[int, str, date, dict[int, str]]) -> None:
    """Add ``responses`` (attempt id, respondent's username, meeting day, values by item id) to the saved site's
    Meeting log, each sent at 18:00 UTC of its day, its day in ``meeting_date`` (item 6)."""
    config, site = _site(home)
    ids = {u.username: u.id for u in site.users.values()}
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    if not any(i.id == ATTENDED for i in log.items):
        log.items += [records.FeedbackItem(ATTENDED, "Attended", "attended", "textfield", "40|200", False, 5),
                      records.FeedbackItem(RATING, "Rating", "rating", "numeric", "1|5", False, 6)]
    for attempt, who, day, values in responses:
        sent = int((datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)).timestamp())
        log.completeds.append(FeedbackCompleted(attempt, ids[who], sent, {6: day.isoformat(), **values}))
    site.save(config.emulator_state_path())


def _feedback_line(result: Any) -> str:
    """The run's feedback line, its spaces as one."""
    line = next((ln for ln in result.output.splitlines() if ln.startswith("feedback ")), "")
    return " ".join(line.split())


@pytest.fixture
def logged(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's programme synced on BASE, its meeting log read four weeks on: m0001's two whole-circle
    responses, s0008's and s0020's own."""
    for name in ("LMSYNC_CONFIG", "LMSYNC_STORE_PATH", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    (cli_home / "lmsync.toml").write_text(TOML)
    _on(monkeypatch, BASE)
    assert run_in(cli_home, "sync").exit_code == EXIT_OK
    ids = _ids(cli_home)
    config, site = _site(cli_home)
    circle = next(g for g in site.groups.values() if ids["m0001"] in g.members)
    assert {ids["s0008"], ids["s0020"]} <= circle.members, "the tester's circle"
    _respond(cli_home,
             (101, "m0001", BASE + timedelta(days=4), {7: "45", ATTENDED: "all", RATING: "4", 9: "a circle note"}),
             (102, "s0008", BASE + timedelta(days=11), {7: "30", ATTENDED: "yes", RATING: "2"}),
             (104, "m0001", BASE + timedelta(days=25), {7: "50", ATTENDED: "all", RATING: "4"}),
             (105, "s0020", BASE + timedelta(days=18), {7: "50", ATTENDED: "yes", RATING: "5"}))
    _on(monkeypatch, BASE + timedelta(days=27))
    read = run_in(cli_home, "run")
    assert "is in no mentoring pair" not in read.output, _feedback_line(read)
    return cli_home


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_2_a_mentees_answers_about_an_erased_mentor_are_withheld_not_flagged(
    logged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = logged
    erased_on = BASE + timedelta(days=29)
    _on(monkeypatch, erased_on)
    assert run_in(home, "emulator", "edit", "unenrol", "m0001").exit_code == EXIT_OK
    assert run_in(home, "person", "erase", "m0001", "--yes").exit_code == EXIT_OK
    _on(monkeypatch, erased_on, hour=10)
    first = _feedback_line(run_in(home, "run"))
    # all four responses are about the erased mentor: withheld, counted, none said as broken, no fix offered
    assert first.startswith("feedback ok "), first
    assert "4 withheld (about people erased)" in first, first
    assert "is in no mentoring pair" not in first and "warning" not in first and "meetings add" not in first, first
    _on(monkeypatch, erased_on + timedelta(days=1))
    later = _feedback_line(run_in(home, "run"))
    assert later.startswith("feedback ok ") and "still not stored" not in later, later
    assert "4 withheld (about people erased)" in later, later

    # an answer dated after the erasure by someone in no pair that day is still said
    _on(monkeypatch, erased_on + timedelta(days=2))
    assert run_in(home, "emulator", "edit", "unenrol", "s0008").exit_code == EXIT_OK
    run_in(home, "sync")
    _respond(home, (107, "s0008", erased_on + timedelta(days=3), {7: "20", ATTENDED: "yes"}))
    _on(monkeypatch, erased_on + timedelta(days=4))
    after = _feedback_line(run_in(home, "run"))
    assert after.startswith("feedback partial "), after
    assert "(attempt 107): respondent: is in no mentoring pair" in after, after
    assert "attempt 102" not in after and "attempt 105" not in after, after
