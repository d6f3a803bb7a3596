"""Tester round 77b, 1-4: what an erasure left to be read, kept or re-created, on the demo's played term.

The tester's setup: ``lmsync demo``, its term's store copied to ``term.db`` with the demo's configuration,
then ``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 lmsync run``; the clock fixed on 2026-12-04 (both waves closed).
1. Erasing a mentee changed their mentor's "mean over 4 mentee(s)" to "mean over 3" in ``pair show`` and
   the report: 4 x 3.85 - 3 x 3.67 = 4.4, the erased mentee's rating, and all nine mentor qualities.
2. Erasing a mentor left their mentees' ratings of them credited to them: ``grades plan`` still worked out
   their received mean, and a push could overwrite the frozen one.
3. Erasing a mentor away restarted their circle's hold, and every sync wrote their absence again.
4. An erased coordinator still listed got a second digest that day, and queue items.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle as moodle_service
from lmsync.service import programme_settings
from lmsync.service.rater_checkpoints import RESPONDENT

#: The term is the demo's SQLite store, copied and read back with sqlite3: on the PostgreSQL pass the store is
#: redirected to an empty PostgreSQL schema and none of it is there.
pytestmark = pytest.mark.sqlite_only("the term is the demo's SQLite store, copied and read with sqlite3")

DAY = date(2026, 12, 4)  # the tester's day: the term ended 2026-11-24, both its waves are closed
WITHHELD = "withheld: who answered about this mentor changed after an erasure"
REPORT_WITHHELD = "withheld (who answered changed after an erasure)"
FILES = ("term.db", "lmsync.toml", "mentoring-2026.emulator.json")


def _at(mp: pytest.MonkeyPatch, day: date, hour: int = 12) -> None:
    mp.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
               + timedelta(hours=hour))


def _invoke(home: Path, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(home / "lmsync.toml"), *args],
                              input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tester's setup once: the demo's term in ``term.db``, run once on 2026-12-04."""
    base = tmp_path_factory.mktemp("term")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(base / "state"))
        for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL"):
            mp.delenv(name, raising=False)
        mp.setattr(moodle_service, "_announced", False)
        mp.chdir(base)
        _at(mp, DAY)
        demo = CliRunner().invoke(main, ["--log-level", "warning", "demo"], catch_exceptions=False)
        assert demo.exit_code == 0, demo.output[-2000:]
        state = base / "state" / "lmsync" / "emulator"
        shutil.copy(state / "mentoring-2026.demo.db", base / "term.db")
        toml = (state / "mentoring-2026.demo.toml").read_text()
        (base / "lmsync.toml").write_text(re.sub(r'(?m)^path = .*$', 'path = "term.db"', toml))
        mp.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
        ran = _invoke(base, "run")
        assert "run " in ran.output and "Traceback" not in ran.output, ran.output[-2000:]
    return base


@pytest.fixture
def home(played: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``played`` to change, the clock on 2026-12-04."""
    for name in FILES:
        shutil.copy(played / name, tmp_path / name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_CONFIG", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    monkeypatch.chdir(tmp_path)
    _at(monkeypatch, DAY)
    return tmp_path


def run(home: Path, *args: str, stdin: str | None = None, ok: bool = True) -> Any:
    result = _invoke(home, *args, stdin=stdin)
    if ok:
        assert result.exit_code == 0, (args, result.output[-3000:])
    return result


def query(home: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "term.db") as db:
        return list(db.execute(sql, params))


def user_id(home: Path, username: str) -> int:
    site = json.loads((home / "mentoring-2026.emulator.json").read_text())
    users = site["users"].values() if isinstance(site["users"], dict) else site["users"]
    return next(int(u["id"]) for u in users if u["username"] == username)


def table(folder: Path, name: str) -> list[list[str]]:
    with (folder / f"{name}.csv").open(newline="") as f:
        return list(csv.reader(f))


def mentee_line(output: str, wave: str) -> str:
    return next(line for line in output.splitlines() if f"mentee relationship_satisfaction_mentee {wave}:" in line)


def erase(home: Path, who: str, *extra: str) -> Any:
    return run(home, "person", "erase", who, "--yes", *extra)


# --- 77b, 1 -------------------------------------------------------------------------------------------------


def test_round_77b_1_an_erased_mentees_ratings_of_their_mentor_cannot_be_read_by_difference(home: Path) -> None:
    """`pair show m0009 s0009` said T0 `3.85 (mean over 4 mentee(s))`, then `3.67 (mean over 3)` once s0026 was
    erased (4 x 3.85 - 3 x 3.67 = 4.4, s0026's rating); `mentor_qualities_per_mentor.csv` gave all nine of their
    answers the same way. Every figure over the mentees' answers about that mentor is withheld, with no count."""
    before = run(home, "pair", "show", "m0009", "s0009").output
    assert re.search(r"T0: [\d.]+ \(mean over 4 mentee\(s\)", mentee_line(before, "T0")), before
    run(home, "report", "--out", "before", "--format", "csv")
    qualities = {tuple(row[:2]): row for row in table(home / "before", "mentor_qualities_per_mentor")}
    assert qualities[("T3", "m0009")][2] == "4"  # per closed wave (tester round 122b, 2): the demo's T3

    run(home, "emulator", "edit", "unenrol", "s0026")
    erase(home, "s0026")

    after = run(home, "pair", "show", "m0009", "s0009").output
    for wave in ("T0", "T3"):
        assert WITHHELD in mentee_line(after, wave), after
    assert "mean over 3" not in after
    shown = json.loads(run(home, "pair", "show", "m0009", "s0009", "--format", "json").output)
    mentee_side = [s for s in shown["satisfaction"] if s["side"] == "mentee"]
    assert mentee_side and all(s["score"] is None and s["over"] == 0 and s["withheld"] for s in mentee_side)
    run(home, "report", "--out", "after", "--format", "csv")
    now = {tuple(row[:2]): row for row in table(home / "after", "mentor_qualities_per_mentor")}
    assert now[("T3", "m0009")] == ["T3", "m0009", REPORT_WITHHELD, *[""] * 9]
    # the other mentors' figures stay as they were: nothing about them changed
    assert {k: v for k, v in now.items() if k[1] != "m0009"} == {k: v for k, v in qualities.items() if k[1] != "m0009"}
    satisfaction = {(r[0], r[2]): r for r in table(home / "after", "relationship_satisfaction")[1:]}
    assert satisfaction[("relationship_satisfaction_mentee", "T0")][3] == REPORT_WITHHELD  # 52 x m - 51 x m' too
    assert satisfaction[("relationship_satisfaction_mentor", "T0")] == {
        (r[0], r[2]): r for r in table(home / "before", "relationship_satisfaction")[1:]}[
        ("relationship_satisfaction_mentor", "T0")]
    assert REPORT_WITHHELD in {row[2] for row in table(home / "after", "mentor_qualities_overall")[1:]}
    # the gradebook's frozen means stay, as before; nothing pair show withheld is published later either
    assert "held: published value frozen" in run(home, "grades", "plan").output


def test_round_77b_1_the_store_keeps_no_link_from_the_erased_mentee_to_their_mentor(home: Path) -> None:
    """What lets the views know is a count for every mentor, taken before the erasure: no row for the erased
    mentee's mentor alone, none naming the erased mentee, no value."""
    erased, mentor = user_id(home, "s0026"), user_id(home, "m0009")
    run(home, "emulator", "edit", "unenrol", "s0026")
    erase(home, "s0026")
    counted = query(home, "SELECT mentor_id, instrument, counted_on, sittings FROM rater_counts")
    per_mentor: dict[int, int] = {}
    for who, instrument, day, _n in counted:
        assert day == DAY.isoformat()
        if RESPONDENT in instrument:  # a respondent's count of their own answers (tester round 117a, 1)
            assert who != erased
            continue
        per_mentor[who] = per_mentor.get(who, 0) + 1
    assert erased not in per_mentor and mentor in per_mentor
    mentors = {m for (m,) in query(home, "SELECT DISTINCT mentor_id FROM pairing_history")}
    assert mentors - {mentor} <= set(per_mentor)  # every mentor, the erased mentee's alike
    # as many rows each (0 and -1: the programme-wide counts, per wave too since tester round 108b, 3)
    assert len({n for who, n in per_mentor.items() if who > 0}) == 1
    columns = {c[1] for c in query(home, "PRAGMA table_info(rater_counts)")}
    assert columns == {"programme", "mentor_id", "instrument", "counted_on", "sittings"}
    # a mentor's export leaves the counts out, as it leaves out others' answers about them
    exported = json.loads(run(home, "person", "export", "m0009").stdout)
    assert "rater_counts" not in exported and any("counted at each erasure" in s for s in exported["never_exported"])


def test_round_77b_1_a_mentee_who_only_leaves_changes_no_figure(home: Path) -> None:
    """The same look after a mentee only left (unenrolled, not erased): their answers and pairing history stay,
    so the closed wave's figures stay as they were (the wave freeze); nothing is withheld."""
    before = mentee_line(run(home, "pair", "show", "m0009", "s0009").output, "T0")
    run(home, "emulator", "edit", "unenrol", "s0026")
    run(home, "sync")
    assert mentee_line(run(home, "pair", "show", "m0009", "s0009").output, "T0") == before


# --- 77b, 2 -------------------------------------------------------------------------------------------------


def test_round_77b_2_an_erased_mentor_is_credited_with_none_of_their_mentees_ratings(home: Path) -> None:
    """`lmsync grades plan | grep m0004` still showed `satisfaction-mentee-received-T0 for Chloe Xu (m0004) ...
    = 3.75` after her erasure: her mentees' answers (naming no one, as a Feedback form's) were credited to her
    through her circle. They stay her mentees' own, and count for her no more."""
    mentees = [user_id(home, u) for u in ("s0015", "s0042", "s0057", "s0060")]
    answers = query(home, "SELECT count(*) FROM survey_answers WHERE respondent_id IN (?, ?, ?, ?)", *mentees)
    run(home, "emulator", "edit", "unenrol", "m0004")
    run(home, "sync")
    erase(home, "m0004")
    plan = run(home, "grades", "plan").output
    assert "m0004" not in plan and "Chloe Xu" not in plan, plan
    assert query(home, "SELECT count(*) FROM survey_answers WHERE respondent_id IN (?, ?, ?, ?)", *mentees) == answers
    # back as a teacher, a push writes no mean of her, and stores none (the gradebook keeps the published one)
    run(home, "emulator", "edit", "join", "m0004", "--role", "teacher")
    run(home, "grades", "push")
    assert query(home, "SELECT count(*) FROM published_grades WHERE user_id = ?", user_id(home, "m0004")) == [(0,)]


def test_round_77b_2_a_mentors_erasure_asks_saying_what_their_mentees_lose(home: Path) -> None:
    """The question said the other side loses "their own survey answers about this person (a mentor's rating of
    the relationship ...)", true of a mentee's erasure only."""
    run(home, "emulator", "edit", "unenrol", "m0004")
    asked = run(home, "person", "erase", "m0004", stdin="n\n").output
    assert "a mentor's rating of the relationship" not in asked, asked
    assert "the survey answers they gave naming this person" in asked, asked
    assert "their answers that name no one" in asked and "count for no pair of the erased mentor" in asked, asked


def test_round_77b_2_a_mentees_erasure_still_says_what_their_mentor_loses(home: Path) -> None:
    run(home, "emulator", "edit", "unenrol", "s0026")
    asked = run(home, "person", "erase", "s0026", stdin="n\n").output
    # their answers name no one: none lost, said in a sentence that parses (tester round 99a, 7)
    assert "(so may be nudged again as if new), but no survey answer of theirs about this person (a mentor's rating of "\
        "the relationship" in " ".join(asked.split()), asked
    assert "their answers that name no one" not in asked
    # and what the report stops showing, for good (tester round 78, 2: one request ended the evaluation unsaid)
    assert "programme-wide means and evaluation of those waves in the report) is withheld from then on" in asked


# --- 77b, 3 -------------------------------------------------------------------------------------------------


def test_round_77b_3_erasing_a_mentor_away_ends_their_circles_hold_and_keeps_no_absence(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: "since 2026-12-04 ... stay until 2026-12-17"; erased on 12-14 and synced, "since 2026-12-14 ...
    until 2026-12-27", a `mentor_absences` row written again on every sync. The hold ends instead, said once by
    the plan, and nothing of hers is stored again."""
    mentor = user_id(home, "m0004")
    run(home, "emulator", "edit", "unenrol", "m0004")
    held = run(home, "sync").output
    assert "since 2026-12-04" in held and "until 2026-12-17" in held, held
    _at(monkeypatch, date(2026, 12, 14), hour=10)
    erase(home, "m0004")
    planned = run(home, "plan").output
    assert "2026-12-27" not in planned and "is no longer held: its mentor, away, was erased" in planned, planned
    run(home, "sync")
    run(home, "sync")
    assert query(home, "SELECT count(*) FROM mentor_absences WHERE mentor_id = ?", mentor) == [(0,)]
    exported = json.loads(run(home, "person", "export", "m0004").stdout)
    assert exported["mentor_absences"] == [] and exported["pairing_history"] == []


def test_round_77b_3_the_erase_question_says_an_away_mentors_hold_ends(home: Path) -> None:
    run(home, "emulator", "edit", "unenrol", "m0004")
    run(home, "sync")
    asked = run(home, "person", "erase", "m0004", stdin="n\n").output
    assert "Their circle is held while they are away (since 2026-12-04, until 2026-12-17)" in asked, asked
    assert "the erasure ends the hold" in asked and "re-matches its members" in asked, asked


# --- 77b, 4 -------------------------------------------------------------------------------------------------


def test_round_77b_4_an_erased_coordinator_still_listed_gets_no_digest_nor_item_and_the_run_says_so(
    home: Path,
) -> None:
    """`digest ok 1 digest(s) sent, 2 already sent today` after the coordinator's erasure: a second digest went
    to them, items were given to them again and new `digests` rows named them."""
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + '\n[health]\ncoordinators = ["m0011", "m0012"]\n')
    first = run(home, "run", "--allow-mass-nudge", ok=False).output
    assert re.search(r"digest\s+ok\s+2 digest\(s\) sent", first), first
    coordinator = user_id(home, "m0011")
    erase(home, "m0011", "--while-enrolled")
    again = run(home, "run", "--allow-mass-nudge", ok=False).output
    line = next(t for t in again.splitlines() if t.startswith("digest"))
    assert "0 digest(s) sent, 1 already sent today" in line, line
    assert re.match(r"digest\s+admin\s", line) and "exit 2" in again, again  # an admin acts (round 78, 6: ok, exit 0)
    assert "warning: m0011 erased (`lmsync person erase`) but still listed in [health] coordinators" in line, line
    assert sum("m0011 erased" in t for t in again.splitlines() if not t[:4].isdigit()) == 1  # the log line aside
    assert query(home, "SELECT count(*) FROM digests WHERE recipient_id = ?", coordinator) == [(0,)]
    assert query(home, "SELECT count(*) FROM queue_tracking WHERE lower(owner) = 'm0011'") == [(0,)]
    assert query(home, "SELECT count(*) FROM queue_tracking WHERE owner = 'm0012'")[0][0] > 0


def test_round_77b_4_the_erase_question_says_the_person_is_a_configured_coordinator(home: Path) -> None:
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + '\n[health]\ncoordinators = ["m0011", "m0012"]\n')
    asked = run(home, "person", "erase", "m0011", "--while-enrolled", stdin="n\n").output
    question = asked.split("[y/N]")[0]
    assert "They are listed in [health] coordinators of" in question, asked
    assert "while listed they get no digest and no queue item" in question, asked
