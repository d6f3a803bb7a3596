"""``lmsync meetings remove`` (tester round 6, 7): a meeting imported with a mistyped date could not
be taken back; re-importing it as missed counted against the pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_INPUT


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--log-level", "warning", *args], input=input)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert _run("sync").exit_code == 0
    first = json.loads(_run("match", "--format", "json").stdout)["assignments"][0]
    return first["mentor"], first["mentee"]


def _dates(mentee: str) -> list[str]:
    rows = json.loads(_run("meetings", "list", "--person", mentee, "--format", "json").stdout)
    return [r["date"] for r in (rows["meetings"] if isinstance(rows, dict) else rows)]


def test_tester_round_6_7_a_mistyped_meeting_is_shown_then_removed(pair: tuple[str, str], tmp_path: Path) -> None:
    mentor, mentee = pair
    wrong = tmp_path / "t1.csv"
    wrong.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-03,{mentor},{mentee},60,yes\n")
    right = tmp_path / "t2.csv"
    right.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-30,{mentor},{mentee},60,yes\n")
    assert _run("import", "meetings", str(wrong)).exit_code == 0
    assert _run("import", "meetings", str(right)).exit_code == 0
    assert _dates(mentee) == ["2026-10-03", "2026-10-30"]

    args = ("meetings", "remove", "--date", "2026-10-03", "--mentor", mentor, "--mentee", mentee)
    declined = _run(*args, input="n\n")
    assert declined.exit_code == 0 and "60 min, attended (from csv)" in declined.stdout
    assert "nothing removed" in declined.stdout and _dates(mentee) == ["2026-10-03", "2026-10-30"]
    unanswered = _run(*args, input="")
    assert unanswered.exit_code == EXIT_INPUT and "--yes" in unanswered.output
    swapped = _run("meetings", "remove", "--date", "2026-10-03", "--mentor", mentee, "--mentee", mentor, "--yes")
    assert swapped.exit_code == EXIT_INPUT and "--mentor and --mentee look swapped" in swapped.output
    removed = _run(*args, "--yes")
    assert removed.exit_code == 0 and "removed 1 meeting(s)" in removed.stdout
    assert "importing that file again brings it back: correct the file too" in removed.stdout  # round 16, 2
    assert _dates(mentee) == ["2026-10-30"]
    again = _run(*args, "--yes")
    assert again.exit_code == EXIT_INPUT and "no stored meeting of this pair on 2026-10-03" in again.output
    ambiguous = _run("meetings", "remove", "--date", "3/10/2026", "--mentor", mentor, "--mentee", mentee, "--yes")
    assert ambiguous.exit_code == EXIT_INPUT and "reads both day-first and month-first" in ambiguous.output
    bad = _run("meetings", "remove", "--date", "30/02/2026", "--mentor", mentor, "--mentee", mentee, "--yes")
    assert bad.exit_code == EXIT_INPUT and bad.output.startswith("error: --date:"), bad.output
    # a slash date reads as meetings add reads it (tester round 7, 7)
    assert _run("import", "meetings", str(wrong)).exit_code == 0
    slash = _run("meetings", "remove", "--date", "03/10/2026", "--mentor", mentor, "--mentee", mentee, "--yes")
    assert slash.exit_code == EXIT_INPUT and "reads both" in slash.output
    day_first = _run("meetings", "remove", "--date", "31/10/2026", "--mentor", mentor, "--mentee", mentee, "--yes")
    assert day_first.exit_code == EXIT_INPUT and "no stored meeting of this pair on 2026-10-31" in day_first.output


def test_tester_round_6_7_a_meeting_read_from_the_feedback_log_is_not_removed(pair: tuple[str, str]) -> None:
    """The next Feedback read would bring it back: the admin deletes the response in Moodle instead."""
    from datetime import date

    from lmsync.config import load_config
    from lmsync.domain.meetings import Meeting
    from lmsync.service.directory import read_roster_of, resolve_person
    from lmsync.service.moodle import newcomer_defaults
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository

    mentor, mentee = pair
    config = newcomer_defaults(load_config(None))
    roster = read_roster_of(config)
    store = Store(config.store_path())
    try:
        meeting = Meeting(date(2026, 10, 7), resolve_person(roster, mentor), resolve_person(roster, mentee), 30, True,
                          "feedback")
        MeetingRepository(store, config.programme.name).save([(meeting, "feedback:2:1")])
    finally:
        store.close()
    refused = _run("meetings", "remove", "--date", "2026-10-07", "--mentor", mentor, "--mentee", mentee, "--yes")
    assert refused.exit_code == EXIT_INPUT and "read from the Feedback meeting log" in refused.output
    assert "Show responses" in refused.output and _dates(mentee) == ["2026-10-07"]


def test_round_77_1_the_question_holds_no_lock_a_scheduled_run_goes_on(
    pair: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``meetings remove`` question left open at a terminal held the programme lock: every scheduled run
    exited 4 behind it until someone answered. The question is asked without the lock."""
    mentor, mentee = pair
    meeting = tmp_path / "m.csv"
    meeting.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-03,{mentor},{mentee},60,yes\n")
    assert _run("import", "meetings", str(meeting)).exit_code == 0
    during: list[int] = []

    def answer(*_args: object, **_kwargs: object) -> bool:
        during.append(_run("sync").exit_code)  # cron's run, while the coordinator reads the question
        return True

    monkeypatch.setattr("click.confirm", answer)
    removed = _run("meetings", "remove", "--date", "2026-10-03", "--mentor", mentor, "--mentee", mentee)
    assert during == [0] and removed.exit_code == 0 and "removed 1 meeting(s)" in removed.stdout
    assert _dates(mentee) == []
