"""Tester round 78, 4, 7 and 11: `lmsync person erase` on the demo's played term (round 77b's set-up) and on a
store file of zero bytes.

4. A suspended mentor erased with `--while-enrolled` was not told that their circle's group idnumber (which
   holds their Moodle id) stays on the group and in lmsync's journal, as other mentors were; and the journal
   tied the erased mentor's id (in the idnumber) to their mentees' ids, again after the next run.
7. `person erase` asked its question about the enrolment before it refused a store file of zero bytes, and
   `lmsync run` left a lock file beside the empty store it refused.
11. A mentee's erasure question promised that their mentor's grades change, also when the mentor's survey
   answers came from Moodle Feedback (naming no one): those stay the mentor's, and no grade made from them changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN
from tests.flows.test_tester_round_77b_erasure import erase, query, run, user_id
from tests.flows.test_tester_round_77b_erasure import home as home  # noqa: F401  (fixture)
from tests.flows.test_tester_round_77b_erasure import played as played  # noqa: F401  (fixture)

#: The term is the demo's SQLite store, copied and read back with sqlite3 (as round 77b's tests).
pytestmark = pytest.mark.sqlite_only("the term is the demo's SQLite store, copied and read with sqlite3")

NOTE = "their circle's group idnumber {} holds their Moodle id: it stays on the group in Moodle"


def idnumber_of(home: Path, mentor: str) -> str:
    return f"lmsync:mentoring-2026:mentor:{user_id(home, mentor)}"


def journal_keys(home: Path) -> list[str]:
    return [key for (keys,) in query(home, "SELECT op_keys FROM journal") for key in json.loads(keys)]


def ties(home: Path, idnumber: str) -> list[str]:
    """The journal's membership keys of the circle ``idnumber`` that name a member by Moodle id."""
    return [k for k in journal_keys(home) if k.startswith(("add_member:", "remove_member:"))
            and k.split(":", 1)[1].rpartition(":")[0] == idnumber and k.rpartition(":")[2].isdigit()]


def groups_of(home: Path) -> list[dict[str, Any]]:
    site = json.loads((home / "mentoring-2026.emulator.json").read_text())
    groups = site["groups"]
    return list(groups.values() if isinstance(groups, dict) else groups)


# --- 78, 4 ----------------------------------------------------------------------------------------------------


def test_round_78_4_a_suspended_mentor_erased_again_after_the_next_run_is_told_the_idnumber_stays(home: Path) -> None:
    """Erased while suspended, the next run re-matched the circle's members (the hold ended with the erasure) and
    journalled the removals under the idnumber; erased again, the result said only "this store holds nothing about
    Chloe Xu (m0004)", nothing of the idnumber still on the group in Moodle and in the journal."""
    idnumber = idnumber_of(home, "m0004")
    run(home, "emulator", "edit", "suspend", "m0004")
    first = erase(home, "m0004", "--while-enrolled").output
    assert NOTE.format(idnumber) in first, first
    ran = run(home, "run", ok=False).output
    assert "Traceback" not in ran and "run " in ran, ran[-2000:]
    assert any(g.get("idnumber") == idnumber for g in groups_of(home))  # still on the group in Moodle
    again = erase(home, "m0004", "--while-enrolled").output
    assert NOTE.format(idnumber) in again, again
    assert "in lmsync's record of what it wrote in Moodle" in again, again  # the journal names it too
    assert "this store holds nothing about" not in again, again


def test_round_78_4_the_erasure_leaves_the_idnumber_in_the_journal_tied_to_no_member(home: Path) -> None:
    """The journal kept ``add_member:<idnumber>:<mentee id>`` for each of the erased mentor's mentees: the pairs
    the erasure took from the pairing history, there to be read. The idnumber stays (lmsync's proof that it made
    the group, as the note says); the members' ids beside it go."""
    idnumber = idnumber_of(home, "m0004")
    mentees = {user_id(home, u) for u in ("s0015", "s0042", "s0057", "s0060")}
    assert {int(k.rpartition(":")[2]) for k in ties(home, idnumber)} >= mentees  # the set-up: the pairs are there
    others = [k for k in ties(home, idnumber_of(home, "m0009"))]
    run(home, "emulator", "edit", "suspend", "m0004")
    erase(home, "m0004", "--while-enrolled")
    assert ties(home, idnumber) == []
    keys = journal_keys(home)
    assert f"create_group:{idnumber}" in keys and f"add_member:{idnumber}:erased" in keys
    assert ties(home, idnumber_of(home, "m0009")) == others  # another mentor's circle keeps its keys
    # a mentee's export no longer lists a journal row of the erased mentor's circle
    exported = json.loads(run(home, "person", "export", "s0015").stdout)
    assert not [k for row in exported["journal"] for k in row["keys"] if idnumber in k]


def test_round_78_4_the_next_run_journals_no_removal_tying_the_erased_mentor_to_a_mentee(home: Path) -> None:
    """The next run ends the erased mentor's hold and takes the mentees out of the circle: its journal entry
    named each removal ``remove_member:<idnumber>:<mentee id>``, tying the erased mentor to their mentees again.
    It names each ``remove_member:<idnumber>:erased`` (``apply.SyncFamily.keys``)."""
    idnumber = idnumber_of(home, "m0004")
    run(home, "emulator", "edit", "suspend", "m0004")
    erase(home, "m0004", "--while-enrolled")
    before = journal_keys(home).count(f"remove_member:{idnumber}:erased")
    run(home, "run", ok=False)
    assert ties(home, idnumber) == []
    assert journal_keys(home).count(f"remove_member:{idnumber}:erased") > before  # the removals were journalled


# --- 78, 7 ----------------------------------------------------------------------------------------------------


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args], input=stdin)


@pytest.fixture
def empty_store(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator programme's store made by a sync, then emptied (0 bytes, as a failed restore leaves it) with
    no lock file beside it (the restore brought the store file alone)."""
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_REPORT_PATH", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert invoke("sync").exit_code == 0
    path = cli_home / "state" / "lmsync" / "emulator" / "mentoring-2026.db"
    path.write_bytes(b"")
    path.with_suffix(".lock").unlink()
    return path


def beside(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.stem) and p.suffix != ".json")


@pytest.mark.sqlite_only("a SQLite store file of zero bytes")
def test_round_78_7_person_erase_refuses_an_empty_store_before_asking_anything(empty_store: Path) -> None:
    """The question about the enrolment came first ("... Erase everything ...? [y/N]"), and only a yes met the
    refusal; with --yes too, the refusal is all there is, and nothing is made beside the store."""
    for extra in ((), ("--yes",)):
        result = invoke("person", "erase", "s0001", "--while-enrolled", *extra, stdin="y\n")
        said = " ".join(result.output.split())
        assert result.exit_code == EXIT_ADMIN, result.output
        assert f"the store {empty_store} is not an lmsync store: the file is empty (0 bytes)" in said, said
        assert "[y/N]" not in result.output and "Erase everything" not in said and "still enrolled" not in said, said
        assert empty_store.stat().st_size == 0 and beside(empty_store) == [empty_store.name]


@pytest.mark.sqlite_only("a SQLite store file of zero bytes")
def test_round_78_7_a_run_refused_for_an_empty_store_leaves_no_lock_file(empty_store: Path) -> None:
    """`lmsync run` refused the store (exit 2) and left ``mentoring-2026.lock`` beside it; ``sync`` and ``health``
    went the same way. A lock file already there stays (the run takes the lock, then the store refuses)."""
    for args in (("run",), ("sync",), ("health",)):
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN and "the file is empty (0 bytes)" in result.output, (args, result.output)
        assert beside(empty_store) == [empty_store.name], args
    lock = empty_store.with_suffix(".lock")
    lock.write_bytes(b"")
    result = invoke("run")
    assert result.exit_code == EXIT_ADMIN and "the file is empty (0 bytes)" in result.output, result.output
    assert lock.exists() and lock.stat().st_size == 0  # as it was: the run's pid goes with the lock
    empty_store.unlink()  # where no file is, a new store is made (taking the circles over when told: 89b, 1)
    assert invoke("sync", "--store-takes-over").exit_code == 0 and empty_store.stat().st_size > 0 and lock.exists()


# --- 78, 11 ---------------------------------------------------------------------------------------------------


def question(home: Path, who: str) -> str:
    asked = run(home, "person", "erase", who, stdin="n\n").output
    assert "nothing erased" in asked, asked
    return " ".join(asked.split("[y/N]")[0].split())


def answers_of(home: Path, respondent: int) -> list[tuple[Any, ...]]:
    return query(home, "SELECT instrument, answer_date, item, value, about_id FROM survey_answers "
                       "WHERE respondent_id = ? ORDER BY 1, 2, 3, 5", respondent)


def scores_of(home: Path, respondent: int) -> list[tuple[Any, ...]]:
    return query(home, "SELECT instrument, wave, total, about_id FROM survey_scores WHERE respondent_id = ? "
                       "ORDER BY 1, 2, 4", respondent)


def test_round_78_11_a_mentees_erasure_promises_no_change_of_grades_made_from_feedback_answers(home: Path) -> None:
    """s0026's mentor m0009 answered the mentor's satisfaction form naming no one (as a Moodle Feedback form
    does): the question said m0009 loses "their own survey answers about this person (...; grades made from them
    change at the next push)". The erasure keeps every answer and score of m0009's, so no grade made from them
    can change: the question says so."""
    mentor = user_id(home, "m0009")
    answers, scores = answers_of(home, mentor), scores_of(home, mentor)
    assert answers and all(about == 0 for *_rest, about in answers)  # the set-up: they name no one
    run(home, "emulator", "edit", "unenrol", "s0026")
    asked = question(home, "s0026")
    assert "grades made from them change" not in asked, asked
    assert ("those they gave name no one (a Moodle Feedback form's), so they stay theirs and no grade made from "
            "them changes") in asked, asked
    erase(home, "s0026")
    assert answers_of(home, mentor) == answers and scores_of(home, mentor) == scores


def test_round_78_11_a_mentees_erasure_says_the_answers_naming_them_go_and_their_grades_change(
    home: Path, tmp_path: Path,
) -> None:
    """The other case: m0009 also answered about s0026 by name (an import's about column). Those answers go with
    s0026, and the grades made from them are held as Moodle shows them (tester round 122b, 3): said, beside the
    answers naming no one, which stay."""
    mentor, mentee = user_id(home, "m0009"), user_id(home, "s0026")
    kept = answers_of(home, mentor)
    about = tmp_path / "about.csv"
    about.write_text("respondent,date,instrument,item,value,about\n" + "".join(
        f"m0009,2026-11-20,relationship_satisfaction_mentor,rs{i},2,s0026\n" for i in range(1, 6)))
    imported = run(home, "import", "surveys", str(about))
    assert "5 added" in imported.output, imported.output
    assert len(answers_of(home, mentor)) == len(kept) + 5
    run(home, "emulator", "edit", "unenrol", "s0026")
    asked = question(home, "s0026")
    assert ("their own survey answers about this person (a mentor's rating of the relationship; a grade made from "
            "them that Moodle's gradebook shows stays as it is, `held` at every push, and none is published where "
            "none was, `withheld`, so that no push gives the erased answers away: to clear one, do so in Moodle's "
            "gradebook); their answers that name no one (a Moodle Feedback form's) stay theirs, "
            "and no grade made from those changes") in asked, asked
    erase(home, "s0026")
    assert answers_of(home, mentor) == kept
    assert not [s for s in scores_of(home, mentor) if s[-1] == mentee]
