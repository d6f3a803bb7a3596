"""Tester round 105a, 1: `queue done` on a held mentee's pair was accepted, and the pair then left monitoring.

A mentee away (enrolment suspended) keeps their place for ``[sync] away_mentor_hold_days`` and health leaves their
pair out meanwhile, pausing its open item. `queue list` showed that item ``gone``, "the pair is no longer in the
programme"; `queue done ... --outcome closed` on it was accepted, and once the mentee came back on time to the same
circle `pair show` said "ended by a coordinator": never judged nor nudged again. While the hold runs the item shows
on hold, is never due, and `queue done` refuses every outcome on it, writing nothing; back, it is taken up again.
The same holds for a pair whose mentor is away, their circle held.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n[health]\ncoordinators = ["m0012"]\n'
MENTOR, MENTEE = "m0009", "s0037"


def _on(monkeypatch: Any, day: date) -> None:
    """09:00 UTC on ``day`` for the programme's clock and the instants the store records (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _ok(home: Any, *args: str) -> str:
    done = run_in(home, *args)
    assert done.exit_code == 0, done.output
    return str(done.output)


def _line(home: Any) -> str:
    return next(line for line in _ok(home, "queue", "list").splitlines() if f"({MENTEE})" in line)


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


@pytest.mark.parametrize(("away", "said"), [
    (MENTEE, "the mentee has been away since 2027-02-11 (enrolment or account suspended); their place in the circle "
             "is held until 2027-02-24"),
    (MENTOR, "the mentor has been away since 2027-02-11; their circle is held as it is until 2027-02-24"),
], ids=["mentee", "mentor"])
def test_round_105a_1_a_held_pairs_item_is_on_hold_and_takes_no_outcome(queued: Any, monkeypatch: Any, away: str,
                                                                       said: str) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", away)
    _ok(home, "run")
    line = _line(home)
    assert f"  on hold  item open since 2027-02-10  (paused on 2027-02-11): {said}" in line, line
    assert "no longer in the programme" not in line and "  gone  " not in line and "  due 2" not in line, line
    (item,) = [i for i in json.loads(_ok(home, "queue", "list", "--format", "json"))
               if i["mentee"]["username"] == MENTEE]
    assert item["status"] == "on_hold" and item["due"] is None and item["overdue_days"] == 0, item
    before = (home / "st" / "tq.db").read_bytes()
    for outcome in ("closed", "no_action", "met", "rematched"):
        refused = run_in(home, "queue", "done", MENTOR, MENTEE, "--outcome", outcome)
        assert refused.exit_code == 3, refused.output
        assert f"on hold: the {'mentee' if away == MENTEE else 'mentor'} ({away}) has been away since 2027-02-11" \
            in refused.output, refused.output
        assert "so its item is paused and takes no outcome until they are back" in refused.output, refused.output
    assert (home / "st" / "tq.db").read_bytes() == before, "a refused outcome wrote nothing"
    # back on time: the pair is judged and nudged again, its item taken up as it was
    _on(monkeypatch, date(2027, 2, 13))
    _ok(home, "emulator", "edit", "restore", away)
    _ok(home, "run")
    shown = _ok(home, "pair", "show", MENTOR, MENTEE)
    assert "ended by a coordinator" not in shown, shown
    line = _line(home)
    assert "  fading  item open since 2027-02-10  (last flagged 2027-02-13)" in line, line
    assert "next due " in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "met")


def test_round_105a_1_closed_on_a_held_mentees_pair_is_refused_and_the_pair_goes_on_once_back(
        queued: Any, monkeypatch: Any) -> None:
    """The tester's steps: the closure was accepted, and the mentee back on time found their pair ended for good."""
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    _ok(home, "run")
    closed = run_in(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    assert closed.exit_code == 3 and "closed recorded" not in closed.output, closed.output
    _on(monkeypatch, date(2027, 2, 13))
    _ok(home, "emulator", "edit", "restore", MENTEE)
    _ok(home, "run")
    assert "ended by a coordinator" not in _ok(home, "pair", "show", MENTOR, MENTEE)
    assert "  fading  " in _line(home)


def test_round_105a_1_an_item_paused_on_hold_says_gone_once_the_hold_is_over(queued: Any, monkeypatch: Any) -> None:
    """The hold over with the mentee still away, the next sync takes them out: the item, paused on hold, is noted as
    gone from that day, with why, once; `queue done` takes an outcome on it again."""
    home = queued
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + "[sync]\naway_mentor_hold_days = 2\n")
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    _ok(home, "run")
    assert "  on hold  " in _line(home)
    for day in (13, 14):
        _on(monkeypatch, date(2027, 2, day))
        _ok(home, "run")
    line = _line(home)
    assert "  gone  item open since 2027-02-10  (paused on 2027-02-11): the mentee is no longer active" in line, line
    assert line.count("paused by lmsync on 2027-02-13: the pair is no longer in the programme (") == 1, line
    assert "paused by lmsync on 2027-02-14" not in line, line
    assert "closed recorded" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")


def test_round_107a_3_an_acknowledged_item_of_a_pair_on_hold_shows_on_hold(queued: Any, monkeypatch: Any) -> None:
    """Tester round 107a, 3: an item acknowledged before its mentee went away showed `fading ... acknowledged,
    awaiting outcome` with no hold, yet `queue done` refused it as on hold, with no hint why in the list."""
    home = queued
    _ok(home, "queue", "ack", MENTOR, MENTEE, "--note", "called the mentor")
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTEE)
    _ok(home, "run")
    line = _line(home)
    assert "  on hold  " in line and "acknowledged 2027-02-10, awaiting outcome" in line, line
    assert "their place in the circle is held until 2027-02-24" in line and "  due 2" not in line, line
    (item,) = [i for i in json.loads(_ok(home, "queue", "list", "--format", "json"))
               if i["mentee"]["username"] == MENTEE]
    assert item["status"] == "on_hold" and item["state"] == "awaiting_outcome", item
    refused = run_in(home, "queue", "done", MENTOR, MENTEE, "--outcome", "met")
    assert refused.exit_code == 3 and "on hold: the mentee (s0037)" in refused.output, refused.output
