"""Tester round 122c, 2: an import's problems named the file by its base name only.

``lmsync import meetings oct/register.csv`` with a bad row said ``register.csv:2: minutes: ...``; coordinators keep
each month's export in its own folder under the same name, so what is said names the file as it was given
(``oct/register.csv:2``): problems on the console and under ``--log-format json`` (``{"file", "line", ...}``), for
meetings and surveys, and the notes naming this file's rows. The file's identity stays its name: the store's import
log and each row's origin keep ``register.csv``, and a later file of that name is "an earlier file named ...".
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT
from lmsync.store.db import Store
from lmsync.store.schema import imports, meetings
from tests.flows.conftest import mentee_of, run_in

HEADER = "date,mentor,mentee,minutes,attended\n"


def _fatal(stderr: str) -> dict[str, object]:
    (fatal,) = [json.loads(line) for line in stderr.splitlines() if '"lmsync.fatal"' in line]
    return fatal


def test_a_meetings_problem_names_the_file_as_given(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    (demo_home / "oct").mkdir()
    day = (date.today() - timedelta(days=1)).isoformat()
    (demo_home / "oct" / "register.csv").write_text(f"{HEADER}{day},m0001,{mentee_of(demo_home, 'm0001')},45 min,yes\n")
    refused = run_in(demo_home, "import", "meetings", "oct/register.csv")
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert "oct/register.csv: 1 problem, nothing was imported" in refused.output, refused.output
    assert "  oct/register.csv:2: minutes: '45 min' is not a whole number of minutes" in refused.output
    logged = run_in(demo_home, "--log-format", "json", "import", "meetings", "oct/register.csv")
    problems = _fatal(logged.stderr)["problems"]
    assert problems == [{"file": "oct/register.csv", "line": 2, "field": "minutes",
                         "reason": "<value> is not a whole number of minutes"}], problems


def test_a_stored_file_keeps_its_name_and_the_notes_name_the_path(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0001")
    before = (date.today() - timedelta(days=3)).isoformat()  # before the pair the sync made today: kept, said
    for month in ("sept", "oct"):
        (demo_home / month).mkdir()
        (demo_home / month / "register.csv").write_text(f"{HEADER}{before},m0001,{mentee},45,yes\n")
    stored = run_in(demo_home, "import", "meetings", "sept/register.csv")
    assert stored.exit_code == 0, stored.output
    assert stored.output.startswith("sept/register.csv: 1 row, 1 added"), stored.output
    assert "\n  rows: sept/register.csv:2\n" in stored.output, stored.output  # the pair did not exist that day
    (demo_home / "oct" / "register.csv").write_text(HEADER + f"{date.today().isoformat()},m0001,{mentee},30,yes\n")
    again = run_in(demo_home, "import", "meetings", "oct/register.csv")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("oct/register.csv: 1 row, 1 added"), again.output
    # the identity is the name: the earlier file of that name is named by its name, its row by its origin
    assert "an earlier file named register.csv stored are not in this one (register.csv:2)" in " ".join(
        again.output.split()), again.output
    store = Store(load_config(demo_home / "lmsync.toml", environ={}).store_path())
    try:
        assert {r.file_name for r in store.rows(select(imports.c.file_name))} == {"register.csv"}
        assert {r.origin for r in store.rows(select(meetings.c.origin))} == {"register.csv:2"}
    finally:
        store.close()


def test_a_surveys_problem_names_the_file_as_given(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    (demo_home / "oct").mkdir()
    (demo_home / "oct" / "surveys.csv").write_text("respondent,date,instrument,item,value\n"
                                                   "s0001,2026-13-45,general_self_efficacy,gse1,3\n")
    refused = run_in(demo_home, "import", "surveys", "oct/surveys.csv")
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert "  oct/surveys.csv:2: date: " in refused.output, refused.output
    logged = run_in(demo_home, "--log-format", "json", "import", "surveys", "oct/surveys.csv")
    assert {p["file"] for p in _fatal(logged.stderr)["problems"]} == {"oct/surveys.csv"}  # type: ignore[attr-defined]


def test_a_file_that_is_not_csv_text_is_named_as_given_too(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    (demo_home / "oct").mkdir()
    (demo_home / "oct" / "register.csv").write_bytes(HEADER.encode() + b"2026-10-07,m0001,s0001,45,\xff\n")
    refused = run_in(demo_home, "import", "meetings", "oct/register.csv")
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert "oct/register.csv:2: not UTF-8 text" in refused.output, refused.output
