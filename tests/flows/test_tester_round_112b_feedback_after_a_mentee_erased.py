"""Tester round 112b, 1 to 3: reading the "Meeting log" Feedback after a mentee was erased.

1 (HARM). m0004 logged a circle meeting naming one mentee as there (response 401, ``attended`` = that mentee); the
others were stored as having missed it. Erasing the mentee named (with or without ``--while-enrolled``) and running
again said "0 row(s) stored, 3 removed": the read left the whole response out because it named only someone
erased, so the missed-meeting records of three mentees nobody erased were lost for good (and a programme with only
that response refused the read, advising to lower ``[sync] min_source_fraction``). Only the erased person's row goes;
the others stay as the response says, and a re-read keeps them unchanged.

2. A mentee erased and then back in a circle sent a response about a meeting dated before the erasure: every run
said "respondent: is in no mentoring pair" with a fix (``meetings add``) that is refused. The response is about
their erased pairs: withheld, counted, never said.

3. The erased person's row from a mentor's response was not counted as withheld (``withheld=0``).

The days are ahead of the wall clock, as the tester's faketime, with the helpers of tester round 111b, 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lmsync.errors import EXIT_OK
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

TOML = """[programme]
name = "prog-x"
course = "MENTOR-2026"
mentor_roles = ["editingteacher", "teacher"]
mentee_roles = ["student"]
[store]
path = "store.db"
[waves]
programme_start = 2026-09-01
[meetings]
feedback = "Meeting log"
person_key = "username"
[meetings.items]
attended = "attended"
rating = "rating"
notes = "notes"
minutes = "meeting_minutes"
date = "meeting_date"
"""


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's programme synced on BASE."""
    for name in ("LMSYNC_CONFIG", "LMSYNC_STORE_PATH", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    (cli_home / "lmsync.toml").write_text(TOML)
    _on(monkeypatch, BASE)
    assert run_in(cli_home, "sync").exit_code == EXIT_OK
    return cli_home


def _circle(home: Path, mentor: str) -> list[str]:
    """The usernames of ``mentor``'s mentees in their circle, in order."""
    ids = _ids(home)
    names = {v: k for k, v in ids.items()}
    _, site = _site(home)
    group = next(g for g in site.groups.values() if ids[mentor] in g.members)
    return sorted(names[u] for u in group.members if names[u].startswith("s"))


def _sent_on(home: Path, attempt: int, day: date) -> None:
    """Move response ``attempt``'s submission to 18:00 UTC of ``day`` (the tester sent it after the erasure)."""
    config, site = _site(home)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    response = next(c for c in log.completeds if c.id == attempt)
    response.timemodified = int((datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)).timestamp())
    site.save(config.emulator_state_path())


def _rows_of(home: Path, mentor: str) -> list[str]:
    """``meetings list --person MENTOR``'s lines, spaces as one."""
    result = run_in(home, "meetings", "list", "--person", mentor)
    assert result.exit_code == EXIT_OK, result.output
    return [" ".join(line.split()) for line in result.output.splitlines() if line.strip()]


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
@pytest.mark.parametrize("while_enrolled", [True, False])
def test_round_112b_1_3_erasing_the_mentee_named_keeps_the_others_missed_meetings(
    home: Path, monkeypatch: pytest.MonkeyPatch, while_enrolled: bool
) -> None:
    circle = _circle(home, "m0004")
    named, others = circle[0], circle[1:]
    assert len(others) >= 2, circle
    day = BASE + timedelta(days=25)
    _respond(home,
             (401, "m0004", day, {7: "40", ATTENDED: named, RATING: "4", 9: "circle meeting"}),
             (402, "m0001", day, {7: "40", ATTENDED: "all", RATING: "5", 9: "other circle"}),
             (403, "m0003", day, {7: "40", ATTENDED: "all", RATING: "5", 9: "third circle"}))
    _on(monkeypatch, BASE + timedelta(days=26), hour=10)
    first = _feedback_line(run_in(home, "run"))
    assert first.startswith("feedback ok "), first
    _on(monkeypatch, BASE + timedelta(days=27), hour=10)
    if not while_enrolled:
        assert run_in(home, "emulator", "edit", "unenrol", named).exit_code == EXIT_OK
        assert run_in(home, "sync").exit_code == EXIT_OK
    erase = ["person", "erase", named, "--yes", *(["--while-enrolled"] if while_enrolled else [])]
    assert run_in(home, *erase).exit_code == EXIT_OK
    before = _rows_of(home, "m0004")
    assert sum(1 for line in before if any(o in line for o in others)) == len(others), before

    _on(monkeypatch, BASE + timedelta(days=28), hour=10)
    after = _feedback_line(run_in(home, "run"))
    assert after.startswith("feedback ok "), after
    assert " 0 removed" in after or "removed" not in after, after  # the others' rows stay
    assert "1 withheld (about people erased)" in after, after  # 3: the erased mentee's row, counted
    assert _rows_of(home, "m0004") == before  # unchanged: their attendance as the response says (missed)
    again = _feedback_line(run_in(home, "run"))
    assert again.startswith("feedback ok ") and "1 withheld (about people erased)" in again, again
    assert _rows_of(home, "m0004") == before


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
@pytest.mark.parametrize("while_enrolled", [True, False])
def test_round_112b_2_an_erased_mentees_own_earlier_response_is_withheld_when_they_are_back(
    home: Path, monkeypatch: pytest.MonkeyPatch, while_enrolled: bool
) -> None:
    who = "s0026"
    erased = BASE + timedelta(days=19)
    _on(monkeypatch, erased, hour=9)
    if not while_enrolled:
        assert run_in(home, "emulator", "edit", "unenrol", who).exit_code == EXIT_OK
        assert run_in(home, "sync").exit_code == EXIT_OK
    _on(monkeypatch, erased, hour=10)
    erase = ["person", "erase", who, "--yes", *(["--while-enrolled"] if while_enrolled else [])]
    assert run_in(home, *erase).exit_code == EXIT_OK
    _on(monkeypatch, erased + timedelta(days=1), hour=9)
    if not while_enrolled:
        assert run_in(home, "emulator", "edit", "join", who, "--role", "student").exit_code == EXIT_OK
    assert run_in(home, "sync").exit_code == EXIT_OK
    _respond(home, (201, who, erased - timedelta(days=5), {7: "30", ATTENDED: "yes", RATING: "4"}))
    _sent_on(home, 201, erased + timedelta(days=1))
    _on(monkeypatch, erased + timedelta(days=2), hour=10)
    for _ in range(2):
        line = _feedback_line(run_in(home, "run"))
        assert line.startswith("feedback ok "), line
        assert "is in no mentoring pair" not in line and "attempt 201" not in line, line
        assert "1 withheld (about people erased)" in line, line


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_112b_1_a_programme_with_only_that_response_is_not_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With only m0004's response, the read was refused ("it would remove 2 of the 2 meetings row(s)") and the
    advice was to lower [sync] min_source_fraction, which would have deleted them."""
    named = _circle(home, "m0004")[0]
    _respond(home, (401, "m0004", BASE + timedelta(days=25), {7: "40", ATTENDED: named, RATING: "4", 9: "circle meeting"}))
    _on(monkeypatch, BASE + timedelta(days=26), hour=10)
    assert _feedback_line(run_in(home, "run")).startswith("feedback ok ")
    _on(monkeypatch, BASE + timedelta(days=27), hour=10)
    assert run_in(home, "person", "erase", named, "--yes", "--while-enrolled").exit_code == EXIT_OK
    before = _rows_of(home, "m0004")
    _on(monkeypatch, BASE + timedelta(days=28), hour=10)
    result = run_in(home, "run")
    line = _feedback_line(result)
    assert line.startswith("feedback ok ") and "0 removed, 1 withheld" in line, result.output  # nudges may hold: exit 2
    assert "refused" not in result.output and "min_source_fraction" not in result.output, result.output
    assert _rows_of(home, "m0004") == before
