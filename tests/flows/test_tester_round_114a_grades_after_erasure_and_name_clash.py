"""Tester round 114a, 4 and 5: the gradebook after an erasure, and a foreign item named like lmsync's.

4 (privacy). After erasing a mentee, their mentor's grades still carried the erased meetings (`lmsync_meetings`,
`lmsync_minutes` made only from them) and `grades plan` said "no changes": the mentor, with no meeting left, had no
figure, so nothing was planned, and a mentor is in no course grade report, so their grade was not even read. Such a
grade is written as 0 now (Moodle's web services cannot empty a grade), named in the plan, and the erasure says the
partners' grades are recomputed at the next push. The erased person's own grades stay, as the erasure says.

5. A teacher's manual item `lmsync_minutes` and a forum item `lmsync_meetings` added after lmsync's items exist:
`grades push PLAN.json` said nothing of them, where the run's grades line named both. It names them as the run does.

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes (programme
``mentoring-2026``), synced on 2026-10-10.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.records import GradeItem
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import pairings, queue
from tests.flows.test_tester_round_77b_erasure import erase, run

MEETINGS = """date,mentor,mentee,minutes,attended
2026-10-15,m0009,s0026,40,yes
2026-10-12,m0001,s0008,30,yes
"""
DAY = date(2026, 10, 20)


def _at(monkeypatch: pytest.MonkeyPatch, day: date, hour: int) -> None:
    """``hour`` UTC on ``day`` for the clock and for the instants the pairing history and the queue record."""
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: moment)
    for module in (pairings, queue):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": moment.isoformat(timespec=timespec))


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Circles synced on 2026-10-10, a meeting each for m0009/s0026 and m0001/s0008, their grades pushed from a
    saved plan on 2026-10-20 (the clock stays there)."""
    run(cli_home, "init", "--no-input")  # the tester's configuration: `lmsync init`'s, on the emulator
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, DAY, hour=9)
    (cli_home / "good.csv").write_text(MEETINGS)
    run(cli_home, "import", "meetings", "good.csv")
    run(cli_home, "grades", "plan", "--out", "g.json")
    run(cli_home, "grades", "push", "g.json")
    return cli_home


def _site(home: Path) -> tuple[Site, Path]:
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    return Site.load(path), path


def _grades(home: Path, name: str) -> dict[str, float | None]:
    """username -> the final grade lmsync's item ``name`` (on the programme's forum) holds."""
    site, _ = _site(home)
    item = next(i for i in site.grade_items.values() if i.itemname == name and i.itemnumber and i.itemnumber >= 1000)
    return {site.users[uid].username: g.finalgrade for uid, g in item.grades.items()}


def test_round_114a_4_a_partners_grades_made_only_from_erased_meetings_are_written_as_0_and_planned(
    home: Path,
) -> None:
    before_meetings, before_minutes = _grades(home, "lmsync_meetings"), _grades(home, "lmsync_minutes")
    assert before_meetings["m0009"] == 1.0 and before_minutes["m0009"] == 40.0, (before_meetings, before_minutes)
    run(home, "emulator", "edit", "unenrol", "s0026")
    erased = " ".join(erase(home, "s0026").output.split())
    assert ("the meeting grades lmsync published for the people they met (attendance, meetings, minutes) are "
            "recomputed without the erased meetings at the next `lmsync grades push`") in erased, erased
    planned = " ".join(run(home, "grades", "plan").output.split())
    assert "no changes" not in planned, planned
    assert ("lmsync_meetings: 1 grade(s) lmsync published have no meeting left behind them (erased, or taken back "
            "with `lmsync meetings remove`): written as 0") in planned, planned
    assert "lmsync_minutes: 1 grade(s) lmsync published have no meeting left behind them" in planned, planned
    ran = run(home, "run", ok=False).output
    grades = next(line for line in ran.splitlines() if line.startswith("grades"))
    assert grades.split()[1] == "ok" and grades.split()[2] == "2", grades
    meetings, minutes = _grades(home, "lmsync_meetings"), _grades(home, "lmsync_minutes")
    assert meetings["m0009"] == 0.0 and minutes["m0009"] == 0.0, (meetings, minutes)  # nothing of s0026's left
    assert meetings["m0001"] == 1.0 and minutes["s0008"] == 30.0  # the others' figures as they were
    assert meetings["s0026"] == 1.0 and minutes["s0026"] == 40.0  # the erased person's own: Moodle's, kept
    again = run(home, "grades", "plan").output
    assert "no changes" in again and "written as 0" not in again, again


def _foreign_items(home: Path) -> tuple[int, int]:
    """A forum item ``lmsync_meetings`` on another forum and a teacher's manual item ``lmsync_minutes``, added in
    the emulator's state after lmsync's items exist (as the tester did); their Moodle ids."""
    site, path = _site(home)
    forum = next(f for f in site.forums.values() if f.name == "Programme notices")
    made = []
    for name, kind in (("lmsync_meetings", "mod"), ("lmsync_minutes", "manual")):
        item_id = site.next_id("grade_items")
        site.grade_items[item_id] = GradeItem(
            id=item_id, courseid=2, itemtype=kind, itemmodule="forum" if kind == "mod" else None,
            iteminstance=forum.id if kind == "mod" else 0, itemnumber=0, cmid=forum.cmid if kind == "mod" else None,
            itemname=name, idnumber="", grademax=100.0)
        made.append(item_id)
    site.save(path)
    return made[0], made[1]


def test_round_114a_5_grades_plan_and_a_saved_plans_push_name_foreign_items_sharing_lmsyncs_names(
    home: Path,
) -> None:
    forum_item, manual_item = _foreign_items(home)
    site, _ = _site(home)
    mine = {i.itemname: (i.itemnumber, i.id) for i in site.grade_items.values() if i.itemnumber and i.itemnumber >= 1000}
    for said in (run(home, "grades", "plan", "--out", "g2.json").output, run(home, "grades", "push", "g2.json").output,
                 run(home, "grades", "push").output):
        text = " ".join(said.split())
        number, item_id = mine["lmsync_meetings"]
        assert (f"lmsync_meetings: lmsync's grade item (itemnumber {number}, id {item_id}) and a grade item lmsync did not make "
                f"(id {forum_item}: a teacher's or another tool's; lmsync never touches it) have the same name") in text, text
        number, item_id = mine["lmsync_minutes"]
        assert (f"lmsync_minutes: lmsync's grade item (itemnumber {number}, id {item_id}) and a grade item lmsync did not make "
                f"(id {manual_item}: a teacher's or another tool's; lmsync never touches it)") in text, text
    ran = next(line for line in run(home, "run", ok=False).output.splitlines() if line.startswith("grades"))
    assert f"(id {forum_item}:" in ran and f"(id {manual_item}:" in ran, ran  # as the run's line says them
