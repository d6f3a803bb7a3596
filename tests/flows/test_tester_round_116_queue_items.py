"""Tester round 116, 8, 9 and 10: queue items of a moved-back pair, and ``queue ack`` on an item that has met.

m0005 is away from 16 Feb (``[sync] away_mentor_hold_days`` 14): their pairs' items, fading since 15 Feb, are paused
on hold, then as no longer in the programme once the hold ends and the mentees are re-matched (2 Mar). m0005 is back
on 5 Mar; on 6 Mar their mentees are moved back to them by hand: each is a new pair (``domain.pair_moved_back``).

- 9: ``pair show`` did not say a moved-back pair's span was a new pair, as it says after a closure, and showed a
  ``made_again`` item's outcome as the bare code; it says both in words (JSON keeps ``made_again``).
- 10: a moved-back pair no health run judged during its grace days (only the sync ran), found fading by the first
  run after them, took its old item up again (``updated``, the earlier pairing's item shown fading), as the close
  of such an item ran in the pause step, after queueing. The old item is now closed as ``made_again`` first and
  the new pair queued on its own.
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


def _moved_back(cli_home: Path, monkeypatch: pytest.MonkeyPatch, *, run_on_move: bool) -> None:
    """All pairs fading on 15 Feb; m0005 / s0013 acknowledged; m0005 away from 16 Feb, the hold over on 2 Mar and the
    mentees re-matched; m0005 back on 5 Mar; s0013, s0014 moved back to m0005 on 6 Mar, then ``run`` that day (with
    ``run_on_move``) or only ``sync``."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "sync")
    _run(monkeypatch, date(2027, 2, 15), "health")
    _run(monkeypatch, date(2027, 2, 15), "queue", "ack", "m0005", "s0013", "--note", "called mentor", hour=11)
    _run(monkeypatch, date(2027, 2, 16), "emulator", "edit", "suspend", "m0005", hour=8)
    for day in (date(2027, 2, 16), date(2027, 3, 2), date(2027, 3, 3)):
        _run(monkeypatch, day, "run", hour=9)
    _run(monkeypatch, date(2027, 3, 5), "emulator", "edit", "restore", "m0005", hour=8)
    _run(monkeypatch, date(2027, 3, 5), "run", hour=9)
    for mentee in ("s0013", "s0014"):
        _run(monkeypatch, date(2027, 3, 6), "emulator", "edit", "move", mentee, "--to", "m0005", hour=8)
    _run(monkeypatch, date(2027, 3, 6), "run" if run_on_move else "sync", hour=9)


def _items(cli_home: Path, monkeypatch: pytest.MonkeyPatch, day: date, mentee: str) -> list[dict]:
    listing = json.loads(_run(monkeypatch, day, "queue", "list", "--format", "json", hour=12))
    return [r for r in listing if (r["mentor"]["username"], r["mentee"]["username"]) == ("m0005", mentee)]


def test_round_116_10_a_moved_back_pair_first_judged_fading_gets_a_new_item(cli_home: Path, monkeypatch):
    _moved_back(cli_home, monkeypatch, run_on_move=False)
    said = _run(monkeypatch, date(2027, 4, 20), "run", hour=9)
    for mentee in ("s0013", "s0014"):  # s0013's item acknowledged, s0014's open, both paused since 16 Feb
        shown = _run(monkeypatch, date(2027, 4, 20), "pair", "show", "m0005", mentee, hour=12)
        assert "the pair was made again as a new pair on 2027-03-06; this item was of the earlier pairing" in shown, (
            shown)  # old: taken up again, "back in the programme on 2027-04-20"
        assert "back in the programme" not in shown, shown
        (item,) = _items(cli_home, monkeypatch, date(2027, 4, 20), mentee)  # the new pair's, queued that day
        assert item["status"] == "fading" and item["since"] == "2027-04-20", item
        assert "earlier pairing" not in (item["note"] or ""), item
    assert "fading" in said, said


def test_round_116_9_pair_show_says_a_moved_back_pair_is_new_and_its_old_items_outcome_in_words(cli_home: Path,
                                                                                               monkeypatch):
    _moved_back(cli_home, monkeypatch, run_on_move=True)
    shown = _run(monkeypatch, date(2027, 3, 6), "pair", "show", "m0005", "s0014", hour=12)
    # old: "..., since 2027-03-06" with no word of a new pair
    assert ("since 2027-03-06 (made again after the mentee was paired with another mentor from 2027-03-02, while the "
            "pair was apart: a new pair)") in shown, shown
    assert "outcome made_again" not in shown, shown  # old: the bare code
    assert "closed 2027-03-06, owner m0002, outcome made again as a new pair (closed by lmsync), note:" in shown, shown
    data = json.loads(_run(monkeypatch, date(2027, 3, 6), "pair", "show", "m0005", "s0014", "--format", "json",
                           hour=12))
    assert [i["outcome"] for i in data["queue"]] == ["made_again"], data["queue"]  # the stored word, for scripts
