"""A refused import under ``--log-format json``: the fatal line lists each problem as
``{"file", "line", "field", "reason"}`` (the console prints them one a line; the JSON line said
only how many and on which lines). A cell's value (a name, an answer) is never in it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from lmsync.errors import EXIT_INPUT
from tests.flows.test_cli_language import home as home  # noqa: F401  (fixture)
from tests.flows.test_cli_language import programme as programme  # noqa: F401  (fixture)
from tests.flows.test_cli_language import run


def _programme_store() -> None:
    """The demo programme's store, made as a first sync makes it: an import into no store is refused (94a, 4)."""
    from lmsync.config import load_config
    from lmsync.service.moodle import newcomer_defaults
    from lmsync.store.db import Store

    Store(newcomer_defaults(load_config(None)).store_path()).close()


def _fatal(stderr: str) -> dict[str, Any]:
    (fatal,) = [json.loads(line) for line in stderr.splitlines() if '"lmsync.fatal"' in line]
    return fatal  # type: ignore[no-any-return]


def test_a_meeting_row_problem_is_listed_with_file_line_field_and_reason(programme: Any, home: Path) -> None:  # noqa: F811
    _config, mentor, mentee = programme
    _programme_store()
    csv = home / "attended_bad.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n2026-11-04,{mentor.username},{mentee.username},45,maybe\n")
    console = run("import", "meetings", csv.name)  # named as typed in its folder: as given (tester round 122c, 2)
    assert console.exit_code == EXIT_INPUT and "attended_bad.csv:2: attended: 'maybe' is not yes/no" in console.stderr
    result = run("--log-format", "json", "import", "meetings", csv.name)
    assert result.exit_code == EXIT_INPUT, result.output
    fatal = _fatal(result.stderr)
    assert fatal["error"] == "InputError" and "nothing was imported" in fatal["message"]
    attended = [p for p in fatal["problems"] if p["field"] == "attended"]
    assert attended == [{"file": "attended_bad.csv", "line": 2, "field": "attended",
                         "reason": "<value> is not yes/no (also 1/0, true/false)"}]
    assert all(set(p) == {"file", "line", "field", "reason"} for p in fatal["problems"])
    assert "maybe" not in result.stderr and mentor.fullname not in result.stderr  # a cell's value stays out


def test_a_header_problem_is_listed_with_its_column(home: Path) -> None:  # noqa: F811
    _programme_store()
    csv = home / "meetings.csv"
    csv.write_text("date,mentor,mentee,minuets,attended\n2026-11-04,m0001,s0008,45,yes\n")
    result = run("--log-format", "json", "import", "meetings", csv.name)
    assert result.exit_code == EXIT_INPUT, result.output
    problems = _fatal(result.stderr)["problems"]
    assert [(p["file"], p["line"], p["field"]) for p in problems] == [("meetings.csv", 1, ""), ("meetings.csv", 1, "")]
    reasons = [p["reason"] for p in problems]
    assert reasons[0].startswith("unknown column 'minuets' (allowed: ") and reasons[1] == "missing column minutes"


def test_a_survey_file_lists_its_problems_without_names_or_answers(programme: Any, home: Path) -> None:  # noqa: F811
    _config, mentor, mentee = programme
    _programme_store()
    csv = home / "surveys.csv"
    csv.write_text(
        "respondent,date,instrument,item,value\n"
        f"{mentee.fullname},2026-11-04,no_such_form,q1,7\n"
        f"{mentee.username},2026-13-45,no_such_form,q1,7\n"
    )
    result = run("--log-format", "json", "import", "surveys", str(csv))
    assert result.exit_code == EXIT_INPUT, result.output
    problems = _fatal(result.stderr)["problems"]
    fields = {(p["line"], p["field"]) for p in problems}
    assert {(2, "respondent"), (2, "instrument"), (3, "date"), (3, "instrument")} <= fields
    assert next(p for p in problems if p["field"] == "respondent")["reason"] == "<value> matches nobody in the course"
    assert mentee.fullname not in result.stderr and "no_such_form" not in result.stderr


def test_a_logged_problem_masks_people_however_the_message_names_them() -> None:
    from lmsync.domain.meeting_clash import clash_message
    from lmsync.domain.meetings import Meeting
    from lmsync.service.csv_tables import ImportIssue, failed_import

    named = ImportIssue(4, "about", "'ada' (Ada O'Brien) was never in a mentoring pair with respondent \"o'x\" (Bo)")
    assert named.logged("f.csv")["reason"] == "<value> was never in a mentoring pair with respondent <value>"
    held = Meeting(date(2026, 11, 4), 7, 8, 40, True, "feedback")
    clash = ImportIssue(5, "minutes", clash_message(held, "ada", "bo"))
    assert clash.logged("f.csv")["reason"] == (
        "the Feedback log already has a meeting of <value> and <value> on 2026-11-04 (40 min, attended); "
        "change it in Moodle's Feedback or remove that response"
    )
    error = failed_import("f.csv", [clash, named])
    assert [p["line"] for p in error.problems] == [4, 5] and "ada" not in json.dumps(error.problems)
    assert "ada" in error.message  # a person at the terminal still reads who


def test_round_25_7b_an_apostrophe_of_the_prose_is_no_quoted_value() -> None:
    from lmsync.service.csv_tables import ImportIssue

    issue = ImportIssue(3, "mentee", "'s0042' (Ada Lovelace) is in the mentor's circle of 'm0007' (Bo Li), not the mentee's")
    assert issue.logged("f.csv")["reason"] == "<value> is in the mentor's circle of <value>, not the mentee's"
