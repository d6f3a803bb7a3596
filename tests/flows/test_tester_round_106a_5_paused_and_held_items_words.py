"""A queue item on hold is not said gone, and an item taken up again says so (after tester round 105a, 1; 106a, 5).

A pair whose mentee's place (or mentor's circle) is held while they are away (``[sync] away_mentor_hold_days``) has
its item paused on hold. Left over from 105a, 1: ``lmsync health`` (text and JSON ``paused_not_in_programme``) and the
run's health line counted and listed it as "paused (the pair is no longer in the programme)", ``lmsync pair show``
said "open, paused D (the pair is not in the programme; nothing is due)" and the coordinator's digest listed it under
"Paused, the pair no longer in the programme". Each now says on hold, who is away and until when, counted apart.

Tester round 106a, 5: a mentee taken out of the circle by hand (``emulator edit move --out``) had their pair's item
paused, "the pair is no longer in the programme"; the next sync put them back, and ``queue list`` showed the item
fading and due again beside that note alone, so a coordinator read that the pair was gone. The pause note now
ends "; back in the programme on DAY", once.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0012"]\n'
MENTOR, MENTEE = "m0009", "s0037"
HELD = ("the mentee has been away since 2027-02-11 (enrolment or account suspended); their place in the circle is "
        "held until 2027-02-24")
OUT = "the mentee is no longer in the mentor's circle"


def _on(monkeypatch: Any, day: date, minutes: int = 0) -> None:
    """09:00 UTC (and ``minutes``) on ``day`` for the programme's clock and the store's instants (the tester's
    faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9, minutes=minutes)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _line(home: Any, mentee: str = MENTEE) -> str:
    return next(line for line in _ok(home, "queue", "list").splitlines() if f"({mentee})" in line)


def _other(home: Any) -> tuple[str, str]:
    """(mentor, mentee) usernames of a queued pair apart from the tester's, neither the coordinator."""
    items = json.loads(_ok(home, "queue", "list", "--format", "json"))
    return next((i["mentor"]["username"], i["mentee"]["username"]) for i in items
                if MENTOR != i["mentor"]["username"] != "m0012" and i["mentee"]["username"] != MENTEE)


def _digest(home: Any, since: int) -> str:
    """The plain text of the messages sent to the coordinator m0012 after the first ``since`` of the site's."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    to = next(u.id for u in site.users.values() if u.username == "m0012")
    sent = [m["text"] for m in site.messages[since:] if m["useridto"] == to]
    assert len(sent) == 1, sent
    return html.unescape(sent[0].removeprefix("<p>").removesuffix("</p>").replace("<br />\n", "\n"))


def _messages(home: Any) -> int:
    return len(Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path()).messages)


@pytest.fixture
def queued(cli_home: Any, monkeypatch: Any) -> Any:
    """The tester's programme: synced on 2026-12-07, every pair fading and queued on 2027-02-10."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2026, 12, 7))
    _ok(cli_home, "sync")
    _on(monkeypatch, date(2027, 2, 10))
    _ok(cli_home, "run", "--allow-mass-nudge")
    assert " fading " in _line(cli_home)
    return cli_home


def test_round_105a_1_health_and_the_run_count_and_list_an_item_on_hold_apart(queued: Any, monkeypatch: Any) -> None:
    """One item on hold (its mentee's place held), one no longer in the programme (a mentee taken out by hand,
    health run before any sync): each counted and listed under its own words, JSON apart."""
    home = queued
    gone_mentor, gone_mentee = _other(home)
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    (line,) = [line for line in _ok(home, "run").splitlines() if line.startswith("health")]
    assert ", 1 queue item(s) on hold while someone is away, 1 of them by this run" in line, line
    assert "no longer in the programme" not in line, line
    _on(monkeypatch, date(2027, 2, 11), minutes=30)
    _ok(home, "emulator", "edit", "move", gone_mentee, "--out")
    text = _ok(home, "health")
    assert (f"1 queue item(s) on hold while someone is away: Ben Ibrahim (m0009) / Yusuf Santos (s0037) ({HELD} "
            "([sync] away_mentor_hold_days); on hold since 2027-02-11).") in text, text
    gone = next(line for line in text.splitlines() if line.startswith("1 queue item(s) paused: "))
    assert f"({gone_mentee}) ({OUT}; paused by this run)" in gone and MENTEE not in gone, gone
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert (data["paused_not_in_programme"], data["paused_on_hold"], data["paused_by_this_run"]) == (1, 1, 0), data
    _on(monkeypatch, date(2027, 2, 12))  # the run's sync puts the one taken out back: the held one alone is paused
    (line,) = [line for line in _ok(home, "run").splitlines() if line.startswith("health")]
    assert ", 1 queue item(s) on hold while someone is away" in line, line
    assert "paused (the pair is no longer in the programme)" not in line and "by this run" not in line, line
    assert f"({gone_mentor}) / " in _line(home, gone_mentee) and "  fading  " in _line(home, gone_mentee)


def test_round_105a_1_the_coordinators_digest_lists_an_item_on_hold_apart(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    before = _messages(home)
    _ok(home, "run")
    digest = _digest(home, before)
    assert "Paused, the pair no longer in the programme" not in digest, digest
    assert (f"On hold while someone is away (1; nothing is due, and `lmsync queue done` takes no outcome on them, "
            f"until they are back):\n- Ben Ibrahim (m0009) / Yusuf Santos (s0037): {HELD} ([sync] "
            "away_mentor_hold_days); since 2027-02-11") in digest, digest


def test_round_105a_1_pair_show_says_an_item_on_hold_is_on_hold_and_until_when(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    _ok(home, "run")
    shown = _ok(home, "pair", "show", MENTOR, MENTEE)
    state = next(line for line in shown.splitlines() if line.startswith("  opened 2027-02-10"))
    assert (f"  opened 2027-02-10 (on hold): open, on hold since 2027-02-11 ({HELD} ([sync] away_mentor_hold_days); "
            "nothing is due until they are back), owner m0012") in state, state
    assert "not in the programme" not in state, state
    (item,) = json.loads(_ok(home, "pair", "show", MENTOR, MENTEE, "--format", "json"))["queue"]
    assert item["status"] == "on_hold" and item["due"] is None, item  # as queue list says it


def test_round_106a_5_an_item_taken_up_again_says_its_pair_is_back(queued: Any, monkeypatch: Any) -> None:
    """The tester's steps: taken out by hand, health pauses the item; the next run's sync puts the mentee back in the
    same circle and health takes the item up again: its pause note says since when the pair is back, once."""
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "move", MENTEE, "--out")
    _ok(home, "health")
    paused = f"paused by lmsync on 2027-02-11: the pair is no longer in the programme ({OUT})"
    assert "  gone  " in _line(home) and _line(home).endswith(f"note: {paused}")
    _on(monkeypatch, date(2027, 2, 12))
    _ok(home, "run")
    line = _line(home)
    assert "  fading  " in line and line.endswith(f"note: {paused}; back in the programme on 2027-02-12"), line
    _on(monkeypatch, date(2027, 2, 13))
    _ok(home, "run")
    assert _line(home).count("back in the programme") == 1, _line(home)
    assert f"note: {paused}; back in the programme on 2027-02-12" in _ok(home, "pair", "show", MENTOR, MENTEE)


def test_round_106a_5_an_item_on_hold_taken_up_again_says_its_pair_is_back(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    _ok(home, "run")
    _on(monkeypatch, date(2027, 2, 13))
    _ok(home, "emulator", "edit", "restore", MENTEE)
    _ok(home, "run")
    line = _line(home)
    assert "  fading  " in line and line.endswith(
        f"note: paused by lmsync on 2027-02-11: the pair is on hold: {HELD} ([sync] away_mentor_hold_days); back in "
        "the programme on 2027-02-13"), line
