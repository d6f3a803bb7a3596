"""Tester round 111a, 1 (and 3): an acknowledged queue item was never paused when its pair ended.

A coordinator acknowledged m0005 / s0013's item on 15 Feb; m0005's enrolment was suspended on 16 Feb, their circle
held until 1 Mar, then re-matched (s0013 to another mentor). The three unacknowledged items of the circle were paused
(on hold, then gone), but the acknowledged one stayed ``fading`` in ``lmsync queue list`` as a live pair, was left out
of health's "queue item(s) paused", was listed under the digest's "Back from away ... active again" when m0005 came
back, and ``queue done --outcome met`` on it said "the item stays open, next due ...". And while on hold, health said
it was on hold since the day it was acknowledged, not since the mentor went away (3). Now it is paused like any
other item, its acknowledgement kept and said, and taken up again if the pair comes back in time.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = 14\n'
          '[health]\ncoordinators = ["m0001", "m0002"]\nfading_gap_factor = 2.6\n')
PAIR = "Camille Okafor (m0005) / Chloe Ahmed (s0013)"
ACKED = "acknowledged 2027-02-15, awaiting outcome"


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _line(listing: str, pair: str = PAIR) -> str:
    return next(line for line in listing.splitlines() if line.startswith(pair))


@pytest.fixture
def acked(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's flow to 16 Feb: circles made on 4 Jan, 60 pairs fading and queued on 15 Feb, m0005 / s0013's
    item acknowledged, m0005 suspended on 16 Feb and the sync holding their circle."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", hour=11)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "m0005", hour=9)
    _run(monkeypatch, date(2027, 2, 16), "sync")
    return cli_home


def test_round_111a_3_an_acknowledged_item_is_on_hold_since_the_mentor_went_away(acked, monkeypatch):
    health = _run(monkeypatch, date(2027, 2, 16), "health", hour=11)
    assert "4 queue item(s) on hold while someone is away" in health, health
    _run(monkeypatch, date(2027, 2, 17), "sync")
    health = _run(monkeypatch, date(2027, 2, 17), "health", hour=11)
    # on hold since the mentor went away, as the digest says, not since the ack
    assert (f"{PAIR} (the mentor has been away since 2027-02-16; their circle is held as it is until 2027-03-01 "
            "([sync] away_mentor_hold_days); on hold since 2027-02-16)") in health, health
    listed = _line(_run(monkeypatch, date(2027, 2, 17), "queue", "list", hour=12))
    assert "on hold" in listed and "(paused on 2027-02-16)" in listed and ACKED in listed, listed


def test_round_111a_1_an_acknowledged_item_is_paused_when_its_pair_ends(acked, monkeypatch):
    _run(monkeypatch, date(2027, 2, 16), "health", hour=11)
    _run(monkeypatch, date(2027, 3, 2), "sync")  # the hold over, m0005 still away: the circle re-matched
    health = _run(monkeypatch, date(2027, 3, 2), "health", hour=11)
    assert "4 queue item(s) paused: the pair is no longer in the programme" in health, health
    # the pair ended by the re-match, said first (tester round 113, 1)
    assert f"{PAIR} (the mentee is now in another mentor's circle; the mentor is no longer active in the course" \
        in health, health
    data = json.loads(_run(monkeypatch, date(2027, 3, 2), "health", "--as-of", "2027-03-02", "--format", "json",
                           hour=12))
    assert data["paused_not_in_programme"] == 4, {k: v for k, v in data.items() if "paused" in k}
    listing = _run(monkeypatch, date(2027, 3, 2), "queue", "list", hour=12)
    listed = _line(listing)
    assert listed.startswith(f"{PAIR}  gone  item open since 2027-02-15  (paused on 2027-02-16)  {ACKED}: the mentee "
                             "is now in another mentor's circle; the mentor is no longer active in the course"), listed
    # not shown fading as a live pair; its last judgement before the pause is said as such (tester round 117c, 3)
    assert "  fading  " not in listed and "last flagged" not in listed, listed
    assert "  last judged 2027-02-15: fading  " in listed, listed
    assert "1 acknowledged awaiting an outcome (1 of them paused)" in listing, listing.splitlines()[-1]
    item = next(i for i in json.loads(_run(monkeypatch, date(2027, 3, 2), "queue", "list", "--format", "json",
                                           hour=12)) if i["mentee"]["username"] == "s0013")
    assert (item["status"], item["state"]) == ("gone", "awaiting_outcome"), item


def _ended(monkeypatch: pytest.MonkeyPatch) -> None:
    """On to 8 Mar: the hold over on 2 Mar with m0005 still away (their mentees re-matched), m0005 back on 8 Mar."""
    _run(monkeypatch, date(2027, 2, 16), "health", hour=11)
    _run(monkeypatch, date(2027, 3, 2), "sync")
    _run(monkeypatch, date(2027, 3, 2), "health", hour=11)
    _run(monkeypatch, date(2027, 3, 8), "emulator", "edit", "restore", "m0005", hour=9)


def test_round_111a_1_the_digest_lists_no_ended_acknowledged_pair_as_back(acked, monkeypatch):
    _ended(monkeypatch)
    path = load_config(acked / "lmsync.toml", environ={}).emulator_state_path()
    before = len(Site.load(path).messages)
    _run(monkeypatch, date(2027, 3, 8), "run", "--allow-mass-nudge")
    site = Site.load(path)
    coordinators = {uid for uid, u in site.users.items() if u.username in ("m0001", "m0002")}
    digests = [html.unescape(m["text"]).replace("<br />", "") for m in site.messages[before:]
               if m["useridto"] in coordinators and "lmsync digest" in m["text"]]
    assert len(digests) == 2, [m["text"][:80] for m in site.messages[before:]]
    for text in digests:
        back = text.split("Back from away (", 1)[1].split("\n\n", 1)[0]
        assert "Camille Okafor (m0005), mentor: away since 2027-02-16" in back, back
        assert "Chloe Ahmed (s0013)" not in back, back  # with m0003 since 2 Mar: not active again with m0005


def test_round_111a_1_an_outcome_on_the_ended_acknowledged_pair_says_it_is_paused(acked, monkeypatch):
    _ended(monkeypatch)
    said = _run(monkeypatch, date(2027, 3, 8), "queue", "done", "m0005", "s0013", "--outcome", "met", hour=12)
    assert "next due" not in said, said
    assert (f"{PAIR}: met recorded; the item stays open, paused: the pair is no longer in the programme (the mentee "
            "is now in another mentor's circle; the mentor is no longer active in the course") in said, said
    listed = _line(_run(monkeypatch, date(2027, 3, 8), "queue", "list", hour=13))
    assert "  gone  " in listed and " due " not in listed and "outcome met recorded 2027-03-08" in listed, listed


def test_round_111a_1_an_acknowledged_item_back_in_time_is_taken_up_again(acked, monkeypatch):
    """m0005 back on 20 Feb, within their hold: the acknowledged item, paused on hold, is the pair's again, its ack
    kept, its pause note saying when it came back."""
    _run(monkeypatch, date(2027, 2, 16), "health", hour=11)
    _run(monkeypatch, date(2027, 2, 20), "emulator", "edit", "restore", "m0005", hour=9)
    _run(monkeypatch, date(2027, 2, 20), "sync")
    health = _run(monkeypatch, date(2027, 2, 20), "health", hour=11)
    assert "queue item(s) on hold" not in health and "queue item(s) paused" not in health, health
    listed = _line(_run(monkeypatch, date(2027, 2, 20), "queue", "list", hour=12))
    assert listed.startswith(f"{PAIR}  fading  item open since 2027-02-15  ("), listed
    assert f"  {ACKED}  owner m0001" in listed, listed
    assert "; back in the programme on 2027-02-20" in listed, listed
