"""Tester round 112b (5, 6): an import's counted rows named by line; a mentor's unrated meeting listed as withheld.

5. The ``max_minutes`` warning of ``lmsync import meetings`` named no row (``w2.csv`` with a 500-minute row: only
   ``1 meeting(s) longer than [meetings] max_minutes (240)``), and rows withheld as about someone erased were only
   counted (``5 withheld``), while the "pair did not exist" warning names its rows (``rows: mv.csv:2``). Both name
   theirs now as FILE:LINE, the first ten, then ``and N more``.
6. ``lmsync meetings list`` showed a meeting the mentor logged without a rating as a blank rating
   (``rating_withheld: False``), though its help, its footer and the README say a meeting with no rating at all
   shows as ``withheld``: a blank cell was the one value ``withheld`` was not. It is ``withheld`` now.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.config import Config
from lmsync.service import meetings as service
from lmsync.store.db import Store
from lmsync.store.erasures import record_erasure

from .conftest import PAIRS, PEOPLE, Obj

HEADER = "date,mentor,mentee,minutes,attended"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``lmsync meetings ...`` / ``lmsync import ...`` against a store in ``tmp_path``, people from ``PEOPLE``, run
    from ``tmp_path``: a file named as typed there is named so (``w2.csv:3``; the path as given, tester round 122c, 2)."""
    from lmsync.cli.meetings import command, import_command

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    config = Config.model_validate({"store": {"path": str(tmp_path / "p.db")}})
    Store(tmp_path / "p.db").close()  # the store a first sync makes

    def invoke(group: str, *args: str) -> Any:
        return CliRunner().invoke({"meetings": command, "import": import_command}[group], list(args), obj=Obj(config))

    return invoke


def _days(count: int) -> list[str]:
    """``count`` distinct past days, oldest first."""
    today = date.today()
    return [(today - timedelta(days=count + 1 - i)).isoformat() for i in range(count)]


def test_round_112b_5_the_max_minutes_warning_names_its_rows_by_file_and_line(run: Any, tmp_path: Path) -> None:
    one = tmp_path / "w2.csv"
    (day,) = _days(1)
    one.write_text(f"{HEADER}\n{day},m0002,s0003,30,yes\n{day},m0001,s0001,500,yes\n", encoding="utf-8")
    result = run("import", "meetings", one.name)
    assert result.exit_code == 0, result.output
    warning = result.output.split("warning: 1 meeting(s) longer than [meetings] max_minutes (240)")[1]
    assert warning.splitlines()[1] == "  rows: w2.csv:3", result.output  # the line under it, as for a pair apart
    assert "w2.csv:2" not in result.output
    many = tmp_path / "long.csv"  # twelve: the first ten named, then "and 2 more"
    many.write_text(HEADER + "\n" + "".join(f"{d},m0001,s0002,300,yes\n" for d in _days(12)), encoding="utf-8")
    result = run("import", "meetings", many.name)
    assert result.exit_code == 0, result.output
    listed = ", ".join(f"long.csv:{line}" for line in range(2, 12))
    assert f"\n  rows: {listed} and 2 more" in result.output, result.output
    assert "long.csv:12" not in result.output and "long.csv:13" not in result.output


def test_round_112b_5_rows_withheld_as_about_someone_erased_are_named_by_file_and_line(
    run: Any, tmp_path: Path
) -> None:
    days = _days(13)
    store = Store(tmp_path / "p.db")
    record_erasure(store, 3, date.today())  # s0001, erased today: every earlier row about them is withheld
    store.close()
    rows = [f"{days[0]},m0002,s0003,30,yes"] + [f"{d},m0001,s0001,30,yes" for d in days[1:]]  # lines 2; 3 to 14
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("import", "meetings", path.name)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "12 withheld (about people erased" in result.output, result.output
    listed = ", ".join(f"register.csv:{line}" for line in range(3, 13))
    assert f"\n  withheld rows: {listed} and 2 more" in result.output, result.output
    assert "register.csv:2" not in result.output and "s0001" not in result.output
    few = tmp_path / "few.csv"  # under ten: all named, no "more"
    few.write_text(f"{HEADER}\n{days[0]},m0001,s0001,45,yes\n", encoding="utf-8")
    result = run("import", "meetings", few.name)
    assert result.exit_code == 0 and "1 withheld" in result.output, result.output
    assert "keeps them out)\n  withheld rows: few.csv:2\n" in result.output, result.output  # under the counts


def test_round_112b_6_a_meeting_the_mentor_logged_without_a_rating_lists_as_withheld(run: Any, tmp_path: Path) -> None:
    """The tester's row ``2026-09-16,m0001,s0008,30,yes,,talked,mentor``, beside a rated one of the mentor's."""
    unrated, rated = _days(2)
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER},rating,notes,rated_by\n{unrated},m0001,s0001,30,yes,,talked,mentor\n"
                    f"{rated},m0001,s0002,30,yes,4,,mentor\n", encoding="utf-8")
    assert run("import", "meetings", str(path)).exit_code == 0
    listed = run("meetings", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    shown = {r["date"]: r for r in json.loads(listed.output)}
    assert (shown[unrated]["rating"], shown[unrated]["rated_by"], shown[unrated]["rating_withheld"]) == (
        None, "mentor", True)
    assert (shown[rated]["rating"], shown[rated]["rating_withheld"]) == (4, False)  # the mentor's own: shown
    table = list(csv.DictReader(io.StringIO(run("meetings", "list", "--format", "csv").output)))
    assert [(r["rating"], r["rating_withheld"]) for r in table] == [("", "yes"), ("4", "no")]
    text = run("meetings", "list").output
    line = next(row for row in text.splitlines() if row.startswith(unrated))
    assert "withheld" in line, text
    assert "1 of them show the rating as withheld" in " ".join(text.split()), text


def test_round_112b_5_survey_answers_withheld_as_about_someone_erased_are_named_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lmsync import surveys`` says the same counts, so its withheld rows are named the same way."""
    from lmsync.cli.meetings import _report
    from lmsync.service.imports import ImportRules, import_surveys_file

    today = date(2026, 12, 20)
    settings = service.settings(Config.model_validate({"store": {"path": str(tmp_path / "p.db")}}))
    rows = [f"s0002,2026-09-05,general_self_efficacy,gse{i},3" for i in (1, 2)]
    rows += [f"s0001,2026-09-05,general_self_efficacy,gse{i},3" for i in (1, 2, 3)]  # lines 4 to 6: erased
    path = tmp_path / "answers.csv"
    path.write_text("respondent,date,instrument,item,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    store = Store.memory()
    try:
        record_erasure(store, 3, today)  # s0001
        monkeypatch.chdir(tmp_path)  # the file named as typed in its folder (tester round 122c, 2)
        result = import_surveys_file(store, settings.programme, Path(path.name), service.make_resolver(PEOPLE, "username"),
                                     settings.instruments, rules=ImportRules(today=today))
    finally:
        store.close()
    assert (result.counts.added, result.counts.withheld) == (2, 3)
    assert result.withheld_rows == ("answers.csv:4", "answers.csv:5", "answers.csv:6")
    assert "\n  withheld rows: answers.csv:4, answers.csv:5, answers.csv:6" in _report(result)
