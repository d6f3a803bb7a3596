"""Tester round 115a, 1, 2, 3 and 7: the queue items of a mentor's circle held, re-matched and moved back.

m0005 is away from 16 Feb (``[sync] away_mentor_hold_days`` 14): their pairs' items, fading since 15 Feb, are paused
on hold, then as no longer in the programme once the hold ends and the mentees are re-matched (2 Mar).

- 1: ``queue done --outcome closed`` on such an item said "if they come back to the same circle, nobody is nudged about
  them"; a pair made again later is a new pair, judged, nudged and queued (README), and the message says so.
- 2: ``queue list --format json`` gave a paused item's ``last_seen`` as the day it was paused, a day its pair was
  left out of the judgement; it is the last day health judged the pair fading, as "last flagged" reads.
- 3: m0005 back, their mentees moved back to them by hand: each is a new pair, judged with a new pair's grace. The old
  items turned ``recovered`` (an acknowledged one) or were closed "(the pair recovered)" (a ``met`` one) though the
  two never met; now lmsync closes them (outcome ``made_again``) saying the pair was made again as a new pair.
- 7: a coordinator's note written while the item was paused showed after lmsync's later "back in the programme on
  DAY", as if written after it; the notes stay in the order written.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import programme_settings
from lmsync.store import pairings

CONFIG = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
          '[store]\npath = "prog.db"\n[sync]\naway_mentor_hold_days = 14\n'
          '[health]\ncoordinators = ["m0001", "m0002"]\nfading_gap_factor = 2.6\n')


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 10) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code in (0, 2), done.output  # 2: fading pairs
    return done.stdout


def _held_and_rematched(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All pairs fading on 15 Feb (no meeting since 4 Jan); m0005 / s0013 acknowledged; m0005 away from 16 Feb;
    the hold over on 2 Mar, the mentees re-matched; ``queue list --format json`` of 3 Mar kept as queue.json."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", "--note", "called mentor", hour=11)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "m0005", hour=8)
    for day in (date(2027, 2, 16), date(2027, 2, 20), date(2027, 3, 2), date(2027, 3, 3)):
        _run(monkeypatch, day, "run", hour=9)
    (cli_home / "queue.json").write_text(_run(monkeypatch, date(2027, 3, 3), "queue", "list", "--format", "json",
                                              hour=12))


def _row(cli_home: Path, mentee: str) -> dict:
    listing = json.loads((cli_home / "queue.json").read_text())
    return next(r for r in listing if (r["mentor"]["username"], r["mentee"]["username"]) == ("m0005", mentee))


def test_round_115a_1_closing_a_paused_item_says_a_pair_made_again_is_new(cli_home: Path, monkeypatch):
    _held_and_rematched(cli_home, monkeypatch)
    assert _row(cli_home, "s0047")["status"] == "gone"
    said = _run(monkeypatch, date(2027, 3, 3), "queue", "done", "m0005", "s0047", "--outcome", "closed", hour=12)
    assert "nobody is nudged about them" not in said, said  # old
    assert "made again later" in said and "it is a new pair, judged, nudged and queued like any other" in said, said


def test_round_115a_2_a_paused_items_last_seen_is_the_last_day_judged_fading(cli_home: Path, monkeypatch):
    _held_and_rematched(cli_home, monkeypatch)
    for mentee in ("s0013", "s0014"):  # acknowledged, and open: paused on 16 Feb, last judged fading on 15 Feb
        row = _row(cli_home, mentee)
        assert row["status"] == "gone" and row["last_seen"] == "2027-02-15", row  # old: 2027-02-16
    listing = _run(monkeypatch, date(2027, 3, 3), "queue", "list", hour=12)
    line = next(ln for ln in listing.splitlines() if ln.startswith("Camille Okafor (m0005) / Dmitri Quinn (s0014)"))
    assert "(paused on 2027-02-16)" in line, line  # the text still says when it was paused


def test_round_115a_3_a_moved_back_pairs_old_item_is_closed_as_made_again(cli_home: Path, monkeypatch):
    _held_and_rematched(cli_home, monkeypatch)
    _run(monkeypatch, date(2027, 3, 3), "queue", "done", "m0005", "s0051", "--outcome", "met", hour=12)
    _run(monkeypatch, date(2027, 3, 5), "emulator", "edit", "restore", "m0005", hour=8)
    _run(monkeypatch, date(2027, 3, 5), "run", hour=9)
    for mentee in ("s0013", "s0014", "s0051"):
        _run(monkeypatch, date(2027, 3, 6), "emulator", "edit", "move", mentee, "--to", "m0005", hour=8)
    _run(monkeypatch, date(2027, 3, 6), "run", hour=9)
    listing = _run(monkeypatch, date(2027, 3, 6), "queue", "list", hour=12)
    assert not [ln for ln in listing.splitlines() if "(m0005)" in ln and "recovered" in ln], listing  # old: s0013
    for mentee in ("s0013", "s0014", "s0051"):
        shown = _run(monkeypatch, date(2027, 3, 6), "pair", "show", "m0005", mentee, hour=12)
        assert "since 2027-03-06" in shown, shown  # the probe: moved back, a new pair
        assert "the pair recovered" not in shown, shown  # old: s0051's met item closed "(the pair recovered)"
        # in words since tester round 116, 9
        assert "outcome made again as a new pair (closed by lmsync)" in shown and "closed 2027-03-06" in shown, shown
        assert shown.count("the pair was made again as a new pair on 2027-03-06; this item was of the earlier "
                           "pairing") == 1, shown
    # the new pair is judged and queued as any other once it fades (a new pair's grace, 21 days, then 2.6 x 14)
    _run(monkeypatch, date(2027, 4, 20), "run", hour=9)
    again = _run(monkeypatch, date(2027, 4, 20), "queue", "list", hour=12)
    assert [ln for ln in again.splitlines() if ln.startswith("Camille Okafor (m0005) / Chloe Ahmed (s0013)")
            and "item open since 2027-04-" in ln], again


def test_round_115a_7_a_note_written_while_paused_stays_before_back_in_the_programme(cli_home: Path, monkeypatch):
    """s0013 away from 16 Feb (their place held); the coordinator acknowledges with a note on 17 Feb; back on 18 Feb."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "s0013", hour=8)
    _run(monkeypatch, date(2027, 2, 16), "run", hour=9)
    _run(monkeypatch, date(2027, 2, 17), "queue", "ack", "m0005", "s0013", "--note", "called mentor", hour=11)
    _run(monkeypatch, date(2027, 2, 18), "emulator", "edit", "restore", "s0013", hour=8)
    _run(monkeypatch, date(2027, 2, 18), "run", hour=9)
    listing = json.loads(_run(monkeypatch, date(2027, 2, 18), "queue", "list", "--format", "json", hour=12))
    row = next(r for r in listing if (r["mentor"]["username"], r["mentee"]["username"]) == ("m0005", "s0013"))
    note = row["note"]
    assert note.startswith("paused by lmsync on 2027-02-16: the pair is on hold"), note
    # old: "...; back in the programme on 2027-02-18 / called mentor"
    assert note.endswith(" / called mentor / back in the programme on 2027-02-18"), note
    shown = _run(monkeypatch, date(2027, 2, 18), "health", "--as-of", "2027-02-17", hour=12)
    assert "on hold" in shown, shown  # the pause is still read back from the note, ended on the 18th
