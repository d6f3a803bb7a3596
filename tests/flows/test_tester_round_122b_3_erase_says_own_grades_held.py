"""Tester round 122b, 3: the erase question said a mentor's own survey grades "change at the next push".

m0001 rated the relationship with each of their mentees (an import naming them, ``about``); the push published
m0001's own grade ``satisfaction-mentor-T0``. Erasing s0008, the question listed "their own survey answers about
this person (a mentor's rating of the relationship; grades made from them change at the next push)", but the push
then held that grade (README: "keeps the value already in Moodle (`held`), and gets none if none was published
(`withheld`)"). The question now says so, and how to clear it; the erasure's result lines say it again (``--yes``
asks nothing), and the push holds the grade as said.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_OK
from tests.flows.conftest import run_in

TODAY = datetime.now(UTC).date()
KEPT = ("that Moodle's gradebook shows stays as it is, `held` at every push, and none is published where none was, "
        "`withheld`, so that no push gives the erased answers away: to clear one, do so in Moodle's gradebook")
TOML = f"""[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
peer_mentor_cohort = "peer-mentors-2026"
[store]
path = "p.db"
[waves]
programme_start = {(TODAY - timedelta(days=100)).isoformat()}
[waves.windows.T0]
start = {(TODAY - timedelta(days=105)).isoformat()}
end = {(TODAY - timedelta(days=75)).isoformat()}
"""


def _spaced(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_122b_3_the_erase_question_says_a_mentors_own_grades_are_held(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    for name in ("LMSYNC_CONFIG", "LMSYNC_STORE_PATH", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    (home / "lmsync.toml").write_text(TOML)
    assert run_in(home, "sync").exit_code == EXIT_OK
    answered = (TODAY - timedelta(days=85)).isoformat()
    (home / "s.csv").write_text("respondent,date,instrument,item,value,about\n" + "".join(
        f"m0001,{answered},relationship_satisfaction_mentor,rs{i},{value},{mentee}\n"
        for mentee, value in (("s0008", 4), ("s0020", 2), ("s0027", 5)) for i in range(1, 6)))
    imported = run_in(home, "import", "surveys", str(home / "s.csv"))
    assert imported.exit_code == EXIT_OK and "15 added" in imported.output, imported.output
    pushed = run_in(home, "grades", "push")
    assert "satisfaction-mentor-T0" in pushed.output, pushed.output
    assert run_in(home, "emulator", "edit", "unenrol", "s0008").exit_code == EXIT_OK
    synced = run_in(home, "sync")
    assert synced.exit_code == EXIT_OK, synced.output

    asked = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(home / "lmsync.toml"), "person",
                                      "erase", "s0008"], input="n\n")
    question = _spaced(asked.output)
    assert asked.exit_code == EXIT_OK and "nothing erased" in question, question
    assert "change at the next push)" not in question, question
    assert ("their own survey answers about this person (a mentor's rating of the relationship; a grade made from "
            f"them {KEPT})") in question, question

    erased = run_in(home, "person", "erase", "s0008", "--yes")
    assert erased.exit_code == EXIT_OK, erased.output
    said = _spaced(erased.output)
    assert ("note: a grade their mentor's own survey answers about this person were part of (a mentor's rating of the "
            f"relationship) {KEPT}") in said, said  # said again once done
    after = run_in(home, "grades", "push")
    held = [line for line in after.output.splitlines() if "satisfaction-mentor-T0" in line]
    assert held and all(" held: " in line for line in held), after.output  # as said: held, not changed
