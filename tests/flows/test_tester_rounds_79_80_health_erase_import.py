"""Tester rounds 79 (6, 11) and 80 (3): a store that is not there, an erased person's export, withheld import rows.

79, 6. `lmsync health` with `[store] path` mistyped (or before any sync) made a new empty store there, with its
       folder and lock, and judged (and queued) every pair as new. It is refused now, as the views of what a
       store holds are (exit 3), and makes nothing; `lmsync sync` and `lmsync run` still make a new store.
79, 11. An export of someone already erased printed the empty lists without a word that they were erased
        (`erased_on` sat among them): one line now says so.
80, 3. `lmsync import meetings` listed rows it withheld (about someone erased) among those "dated when their pair
       did not exist: kept", with `meetings remove` as the advice. They are counted as withheld now (and, since
       tester round 112b, 5, named by file and line as withheld, never among the rows kept).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_INPUT
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.service.programme_settings import programme_today
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
ERASED_ON = date(2026, 12, 4)


def _at(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The clock at noon UTC on ``day``."""
    monkeypatch.setattr(programme_settings, "clock",
                        lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))


def said(result: Any) -> str:
    return " ".join(result.output.split())


def _pairs(home: Path) -> list[tuple[str, str]]:
    """(mentor, mentee) usernames: the first mentee of each circle of ``home``'s saved emulator site."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    out = []
    for group in sorted(site.groups.values(), key=lambda g: g.id):
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and (mentees := sorted(group.members - {mentor})):
            out.append((site.users[mentor].username, site.users[mentees[0]].username))
    return out


def test_round_79_6_health_with_no_store_at_the_configured_path_is_refused_and_makes_nothing(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = demo_home / "stat" / "mentor-2026.db"  # a mistyped folder
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    refused = run_in(demo_home, "health")
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert f"health: there is no store at {typo}" in said(refused), refused.output
    assert "`lmsync sync` or `lmsync run` makes the store" in said(refused), refused.output
    assert "Pair health on" not in refused.output and "Traceback" not in refused.output
    assert not typo.parent.exists()  # no store, lock or folder made
    # a read-only view of another day still only warns (tester round 38, 1), and makes nothing either
    assert run_in(demo_home, "health", "--as-of", "2026-12-01").exit_code == 0
    assert not typo.parent.exists()
    # where the store is, health runs and records as before; `sync` makes a new store as before
    monkeypatch.delenv("LMSYNC_STORE_PATH")
    assert run_in(demo_home, "sync").exit_code == 0
    recorded = run_in(demo_home, "health")
    assert recorded.exit_code == 0 and "Pair health on" in recorded.output, recorded.output


def test_round_79_11_an_export_of_someone_erased_says_they_were(demo_home: Path) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    _mentor, mentee = _pairs(demo_home)[0]
    kept = run_in(demo_home, "person", "export", mentee)
    assert kept.exit_code == 0 and "was erased" not in kept.output, kept.output  # not said of someone not erased
    assert run_in(demo_home, "person", "erase", mentee, "--while-enrolled", "--yes").exit_code == 0
    day = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    exported = run_in(demo_home, "person", "export", mentee)
    assert exported.exit_code == 0, exported.output
    assert f'"erased_on": "{day}"' in exported.stdout  # the JSON stays as the README describes it
    assert f"({mentee}) was erased from this store on {day}" in said(exported), exported.output
    assert "was erased" in exported.stderr  # the command's line: on stderr
    note = json.loads(exported.stdout)["erased_note"]  # and the file handed on says it too (tester round 83, 7)
    assert note.startswith(f"erased from this store on {day}:") and "holds only what was stored since" in note
    assert "erased_note" not in json.loads(kept.stdout)


def test_round_80_3_rows_withheld_about_someone_erased_are_not_listed_as_kept(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's order: a mentee erased while enrolled, a later sync recording their pair again from the next
    day, then a meetings file with a row about them dated before the erasure (withheld) and one of another pair
    dated before it began (kept, and said)."""
    _at(monkeypatch, ERASED_ON)
    assert run_in(demo_home, "sync").exit_code == 0
    (m1, s1), (m2, s2) = _pairs(demo_home)[:2]
    assert run_in(demo_home, "person", "erase", s1, "--while-enrolled", "--yes").exit_code == 0
    _at(monkeypatch, ERASED_ON + timedelta(days=2))
    assert run_in(demo_home, "sync").exit_code == 0  # the erased mentee's pair is recorded again from the next day
    early = (ERASED_ON - timedelta(days=30)).isoformat()  # before both pairs began, and before the erasure
    both = demo_home / "both.csv"
    both.write_text(f"date,mentor,mentee,minutes,attended\n{early},{m1},{s1},30,yes\n{early},{m2},{s2},30,yes\n")
    imported = run_in(demo_home, "import", "meetings", both.name)  # as typed in its folder (122c, 2)
    assert imported.exit_code == 0, imported.output
    assert "1 added" in imported.stdout and "1 withheld (about people erased" in imported.stdout
    assert "warning: 1 meeting(s) dated when their pair did not exist" in said(imported), imported.output
    assert "\n  rows: both.csv:3\n" in imported.stdout and "both.csv:2" not in said(imported).split("did not exist")[1]
    assert "withheld rows: both.csv:2" in said(imported), imported.output  # named as withheld (round 112b, 5)
    only = demo_home / "only.csv"
    only.write_text(f"date,mentor,mentee,minutes,attended\n{early},{m1},{s1},45,yes\n")
    withheld = run_in(demo_home, "import", "meetings", only.name)
    assert withheld.exit_code == 0, withheld.output
    assert "0 added" in withheld.stdout and "1 withheld (about people erased" in withheld.stdout
    assert "did not exist" not in withheld.output and "meetings remove" not in withheld.output, withheld.output
    assert "withheld rows: only.csv:2" in said(withheld) and s1 not in withheld.output  # no person named (112b, 5)


def test_round_81_6_a_later_meeting_of_an_erased_pair_is_not_said_never_to_have_been_a_pair(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erased, then a meeting dated after the erasure and before any sync saw the pair again: refused (the pair is
    not known), but not as "were never a mentoring pair", which was false (tester round 81, 6)."""
    _at(monkeypatch, ERASED_ON)
    assert run_in(demo_home, "sync").exit_code == 0
    (m1, s1), (m2, s2) = _pairs(demo_home)[:2]
    assert run_in(demo_home, "person", "erase", s1, "--while-enrolled", "--yes").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "move", s1, "--out").exit_code == 0  # out of the circle since
    _at(monkeypatch, ERASED_ON + timedelta(days=2))
    later = demo_home / "later.csv"
    later.write_text(f"date,mentor,mentee,minutes,attended\n{ERASED_ON + timedelta(days=1)},{m1},{s1},30,yes\n")
    refused = run_in(demo_home, "import", "meetings", str(later))
    assert refused.exit_code == EXIT_INPUT, refused.output
    assert "one of them was erased from this store" in said(refused) and "never a" not in refused.output
    other = demo_home / "other.csv"  # a pair that never was, nobody erased: said as before
    other.write_text(f"date,mentor,mentee,minutes,attended\n{ERASED_ON},{m2},{_pairs(demo_home)[2][1]},30,yes\n")
    assert "were never a mentoring pair" in said(run_in(demo_home, "import", "meetings", str(other)))
