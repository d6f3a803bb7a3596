"""Tester round 117c, 4: coordinators are told when an erasure's meetings left grades written as 0.

Erasing a mentor takes their meetings with them, and lmsync writes the attendance grades of their mentees that no
meeting backs any more as 0 (the gradebook items, and the assignment with the comment "no meetings counted";
``lmsync.domain.grades_unbacked``, ``lmsync.domain.assign_unbacked``). Only `grades plan` and the erase question said
so: the run's grades line said "grades ok 33 grade(s), 19 assignment grade(s)" and no digest was sent, so a
coordinator never learned that mentees who attended every meeting now show 0. The run's grades line (and its JSON),
`lmsync grades push`, and the coordinators' next digest, once, say it now, never naming the erased person.

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes (programme
``mentoring-2026``), `[grades] assignment = "Mentoring attendance"` and `[health] coordinators = ["coorda"]`
(a manager), synced on 2026-10-10; a meeting each for m0009/s0026 and m0001/s0008, run on 2026-11-10.
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import erase, run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import MEETINGS, _at

GRADED = date(2026, 11, 10)


def _digests(home: Path) -> list[str]:
    """The texts of the messages coorda was sent, oldest first."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    coorda = next(uid for uid, u in site.users.items() if u.username == "coorda")
    return [str(m["text"]) for m in site.messages if m["useridto"] == coorda]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The programme run on 2026-11-10 (grades written, a digest sent), then m0009 erased (the clock stays there)."""
    run(cli_home, "init", "--no-input")
    config = cli_home / "lmsync.toml"
    text = config.read_text().replace("[grades]\n", '[grades]\nassignment = "Mentoring attendance"\n', 1)
    config.write_text(text.replace("[health]\n", '[health]\ncoordinators = ["coorda"]\n', 1))
    run(cli_home, "emulator", "edit", "join", "coorda", "--role", "manager")
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, GRADED, hour=9)
    (cli_home / "good.csv").write_text(MEETINGS)
    run(cli_home, "import", "meetings", "good.csv")
    run(cli_home, "run", "--allow-mass-nudge")
    run(cli_home, "emulator", "edit", "unenrol", "m0009")
    run(cli_home, "sync")  # the mentor is found away: their circle is held
    erase(cli_home, "m0009")
    return cli_home


WHY = ("no meeting backs them any more (the meetings were taken back: a Feedback meeting-log response corrected "
       "or deleted in Moodle, `lmsync meetings remove`, or an erasure), and Moodle's web services cannot empty a "
       "grade; a teacher may grade them by hand in Moodle, and lmsync then leaves that grade alone")


def _grades_step(output: str) -> dict[str, Any]:
    """The grades step of a run's JSON (``--log-format json``: one object per step)."""
    return next(step for line in output.splitlines() if line.startswith("{")
                and (step := json.loads(line)).get("step") == "grades")


def test_round_117c_4_the_run_and_the_next_digest_say_grades_were_written_as_0(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digests(home)
    assert not any("written as 0" in text for text in before), before
    _at(monkeypatch, date(2026, 11, 11), hour=9)
    step = _grades_step(run(home, "run", "--log-format", "json").output)
    # s0026's three meeting grades, and the assignment grades of m0009's four mentees (s0026 among them)
    assert step["summary"] == ("3 grade(s), 4 assignment grade(s) in 4 request(s); 7 of them (4 people) written as "
                               f"0: {WHY}"), step
    assert step["counts"]["unbacked_zero_grades"] == 7 and step["counts"]["unbacked_zero_people"] == 4, step
    told = _digests(home)[len(before):]
    assert len(told) == 1, told
    digest = _flat(html.unescape(told[0]).replace("<br />", " "))
    assert ("Meeting grades written as 0 since your last digest (4 people; their grades read 0 in Moodle's gradebook): "
            f"{WHY}.") in digest, digest
    assert "m0009" not in digest and "(s0" not in digest, digest  # nobody is named, the erased mentor least of all
    # said once: the next run writes nothing as 0, and its line and the next digest say nothing of it
    _at(monkeypatch, date(2026, 11, 12), hour=9)
    again = run(home, "run", "--log-format", "json")
    assert "written as 0" not in again.output and "unbacked_zero" not in again.output, again.output
    assert not any("written as 0" in text for text in _digests(home)[len(before) + 1:]), _digests(home)


def test_round_117c_4_grades_push_says_grades_were_written_as_0(home: Path) -> None:
    pushed = _flat(run(home, "grades", "push").output)
    assert f"3 grades, 0 item details, 4 assignment grades 7 of them (4 people) written as 0: {WHY}" in pushed, pushed
    again = run(home, "grades", "push").output
    assert "written as 0" not in again, again
