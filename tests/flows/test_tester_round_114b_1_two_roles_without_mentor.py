"""Tester round 114b, 1 and 8, on the built-in emulator: a mentee who is given a mentor role too (two roles in Moodle)
and taken out of their circle is left out of matching until an admin decides (``[matching] dual_role``), as
`lmsync match` and `lmsync plan` say, with their fix (take one of the two roles away in Moodle, or set
``dual_role = "mentee"``). `lmsync health` and the coordinators' digest named them among the mentees without a mentor
with the advice for a mentee no mentor has room for ("raise a mentor's capacity or add a mentor"), and the report
counted them nowhere ("mentees in the course,59", "share of mentees matched,100%"). Now health, every part of the
digest that names mentees without a mentor, and the report give match's reason and fix (the same words, from
``two_roles``) and count them; and match's log counts them among the unmatched, as its table does (8).
"""

from __future__ import annotations

import csv
import html
import json
from datetime import date
from typing import Any

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service.emulator_edit import course_of, second_role, set_field, set_suspended
from lmsync.service.mentees_alone import WHAT_TO_DO
from lmsync.service.two_roles import FIX, TWO_ROLES_LEFT_OUT
from tests.flows.conftest import run_in
from tests.flows.test_cycle import setup
from tests.flows.test_mentees_without_mentor_named import _circles, _flat, _label, _ok, _on, _runner

CONFIG = ('[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[waves]\nprogramme_start = 2026-12-07\n'
          '[health]\ncoordinators = ["m0012"]\n')
#: what match says of them, and their fix (``lmsync match``'s unmatched reason and warning)
MATCH_SAYS = f"{TWO_ROLES_LEFT_OUT}; {FIX}"


def _digests(home: Any) -> list[str]:
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    return [_flat(html.unescape(str(m["text"]))) for m in site.messages]


def test_health_digest_and_report_give_a_two_role_mentee_without_a_mentor_match_s_fix(cli_home: Any,
                                                                                      monkeypatch: Any) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(home, "run")
    _on(monkeypatch, date(2026, 12, 8))
    _ok(home, "emulator", "edit", "role", "s0005", "teacher")
    _ok(home, "emulator", "edit", "move", "s0005", "--out")
    _ok(home, "run")
    match = _flat(_ok(home, "match"))
    assert f"unmatched: {TWO_ROLES_LEFT_OUT}" in match and "1 unmatched" in match, match  # what match says
    health = _flat(_ok(home, "health"))
    assert f"(1 mentee(s) in the course without a mentor: Jonah Ahmed (s0005) ({MATCH_SAYS}))" in health, health
    assert WHAT_TO_DO not in health, health  # not "raise a mentor's capacity"
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert [p["username"] for p in data["mentees_without_mentor"]] == ["s0005"], data["mentees_without_mentor"]
    assert [p["username"] for p in data["mentees_left_out_two_roles"]] == ["s0005"]
    (digest,) = [t for t in _digests(home) if "Newly without a mentor" in t]
    assert (f"Newly without a mentor since your last digest: 1 mentee(s) in the course without a mentor: "
            f"Jonah Ahmed (s0005) ({MATCH_SAYS}).") in digest, digest
    assert WHAT_TO_DO not in digest, digest
    _ok(home, "report", "--format", "csv", "--out", str(home / "rep"))
    with (home / "rep" / "summary.csv").open(newline="") as f:
        summary = dict(csv.reader(f))
    assert summary["mentees in the course"] == "60", summary  # they are counted, and not as matched
    assert summary["share of mentees matched"] == "98%", summary
    assert summary[f"of which without a mentor, with {TWO_ROLES_LEFT_OUT}"] == "1", summary


def test_a_mentee_without_a_mentor_and_a_two_role_one_are_each_given_their_own_fix(cli_home: Any,
                                                                                  monkeypatch: Any) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(home, "run")
    _on(monkeypatch, date(2026, 12, 8))
    _ok(home, "emulator", "edit", "role", "s0005", "teacher")
    _ok(home, "emulator", "edit", "move", "s0005", "--out")
    _ok(home, "emulator", "edit", "join", "s9001", "--name", "Nia Newcomer")  # joined, no sync since
    health = _flat(_ok(home, "health"))
    assert (f"(1 mentee(s) in the course without a mentor: Nia Newcomer (s9001) ({WHAT_TO_DO}); 1 more mentee(s) in "
            f"the course without a mentor: Jonah Ahmed (s0005) ({MATCH_SAYS}))") in health, health


def test_tester_round_114b_8_match_logs_the_unmatched_its_output_counts(cli_home: Any, monkeypatch: Any) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(home, "run")
    _on(monkeypatch, date(2026, 12, 8))
    _ok(home, "emulator", "edit", "role", "s0005", "teacher")
    _ok(home, "emulator", "edit", "move", "s0005", "--out")
    done = run_in(home, "--log-level", "info", "--log-format", "json", "match")
    assert done.exit_code == 0, done.output
    assert "1 unmatched" in done.output, done.output
    (logged,) = [json.loads(line) for line in done.output.splitlines()
                 if line.startswith("{") and json.loads(line).get("event") == "matched"]
    assert logged["unmatched"] == 1, logged


def test_the_digest_gives_a_two_role_mentee_an_ended_hold_left_alone_match_s_fix(tmp_path: Any,
                                                                                monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site, "[sync]\naway_mentor_hold_days = 2\n")
    mentors = {m: v for m, v in _circles(site).items() if site.users[m].username.startswith("m")}
    away = next(m for m in sorted(mentors) if len(mentors[m]) >= 3)
    for mentor, mentees in mentors.items():  # every mentor full
        set_field(site, mentor, "mentorcapacity", str(len(mentees)))
    course = course_of(site, config.programme.course)
    two, *others = sorted(mentors[away])
    second_role(site, course, two, "teacher")  # a mentee with a mentor role too
    set_suspended(site, course, away, True)
    digests = _runner(site, config, cases, monkeypatch)
    digests(1)
    digests(2)  # the hold's last day
    ended = digests(3)
    assert len(ended) == 2, ended
    for text in ended:
        flat = _flat(text)
        assert (f"Left without a mentor when their mentor's hold ended (1; {MATCH_SAYS}): - {_label(site, two)}: "
                f"their mentor {_label(site, away)} away since") in flat, text
        assert f"Left without a mentor when their mentor's hold ended ({len(others)}; the match found" in flat, text
        assert flat.count(_label(site, two)) == 1, text
