"""Tester round 117c, 3 and 5, on the built-in emulator: what `queue list` says of a paused item's pair, and what
`queue done --outcome met` says of an item that is not due.

m0001's pairs with s0008 and s0002 never meet until 10 Feb: both fading and queued on 8 Feb, `ok` again on 11 Feb.

- 3: s0008 suspended on 15 Feb, their item paused on hold: `queue list` (text and JSON) still gave the reason it was
  queued with ("no meeting since pairing 35 days ago"), while `pair show` had the meeting of 10 Feb and the `ok` of
  11 Feb; the same once the hold ended and the item was `gone`. It now shows the pair's last judgement before the
  pause: "last judged 2027-02-11: ok, recovered before the pause", JSON ``judged_status`` / ``judged_on``, and that
  judgement's reasons (none).
- 5: `met` on an item whose pair is ok again or on watch (never due) said "the item stays open, next due DAY"; the
  next run closed it, the pair no longer fading. It now says so.
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

CONFIG = ('[programme]\nname = "acktest"\ncourse = "MENTOR-2026"\nmentor_roles = ["teacher"]\n'
          'mentee_roles = ["student"]\nforum = "Mentoring circles"\n[store]\npath = "prog.db"\n'
          '[meetings]\ncadence_days = 7\nstart = 2027-01-04\n[health]\ncoordinators = ["coorda"]\n')
SILENT = {("m0001", "s0008"), ("m0001", "s0002")}


def _run(monkeypatch: pytest.MonkeyPatch, day: date, *args: str, hour: int = 9) -> str:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))
    done = CliRunner().invoke(main, ["--log-level", "warning", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    assert done.exit_code == 0, done.output
    return done.stdout


def _queued_then_ok(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paired on 4 Jan; every pair but m0001's two with s0008 and s0002 meets weekly from 8 Jan to 5 Feb; those two
    fading and queued on 8 Feb; all meet on 10 Feb; all ok on 11 Feb."""
    (home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 4), "emulator", "edit", "join", "coorda", "--role", "manager", hour=8)
    _run(monkeypatch, date(2027, 1, 4), "run")
    judged = json.loads(_run(monkeypatch, date(2027, 1, 4), "health", "--as-of", "2027-01-04", "--format", "json",
                             hour=10))
    pairs = [(p["mentor"], p["mentee"]) for p in judged["pairs"]]
    assert set(pairs) >= SILENT, pairs
    head = "date,mentor,mentee,minutes,attended\n"
    weekly = [date(2027, 1, 8) + timedelta(days=7 * n) for n in range(5)]
    (home / "weekly.csv").write_text(head + "".join(f"{d},{m},{s},30,yes\n" for d in weekly for m, s in pairs
                                                    if (m, s) not in SILENT))
    (home / "all.csv").write_text(head + "".join(f"2027-02-10,{m},{s},30,yes\n" for m, s in pairs))
    _run(monkeypatch, date(2027, 2, 6), "import", "meetings", "weekly.csv")
    assert "2 newly queued" in _run(monkeypatch, date(2027, 2, 8), "run")
    _run(monkeypatch, date(2027, 2, 10), "import", "meetings", "all.csv", hour=18)
    _run(monkeypatch, date(2027, 2, 11), "run")


def _item(monkeypatch: pytest.MonkeyPatch, day: date, mentee: str) -> tuple[str, dict]:
    """m0001 / ``mentee``'s item in `queue list` at ``day``: its text (its line and reasons under it) and JSON row."""
    text = _run(monkeypatch, day, "queue", "list", hour=12)
    lines = text.splitlines()
    (at,) = [n for n, line in enumerate(lines) if "(m0001) / " in line and f"({mentee})" in line]
    said = [lines[at]]
    for line in lines[at + 1:]:
        if not line.startswith("    - "):
            break
        said.append(line)
    (row,) = [r for r in json.loads(_run(monkeypatch, day, "queue", "list", "--format", "json", hour=12))
              if (r["mentor"]["username"], r["mentee"]["username"]) == ("m0001", mentee)]
    return "\n".join(said), row


def test_round_117c_3_a_paused_item_shows_its_pairs_last_judgement_not_the_reasons_it_was_queued_with(
        cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _queued_then_ok(cli_home, monkeypatch)
    _run(monkeypatch, date(2027, 2, 15), "emulator", "edit", "suspend", "s0008", hour=8)
    _run(monkeypatch, date(2027, 2, 15), "run")
    shown = _run(monkeypatch, date(2027, 2, 15), "pair", "show", "m0001", "s0008", hour=12)
    assert "2027-02-10   30 min  attended" in shown and "2027-02-11  ok" in shown, shown
    for day, status in ((date(2027, 2, 15), "on_hold"), (date(2027, 3, 15), "gone")):  # the hold over: gone
        if day.month == 3:
            _run(monkeypatch, day, "run")
        text, row = _item(monkeypatch, day, "s0008")
        assert row["status"] == status, row
        assert "no_first_meeting" not in text and "35 days" not in text, text  # old: the 8 Feb reason
        assert "  last judged 2027-02-11: ok, recovered before the pause" in text, text
        assert (row["judged_status"], row["judged_on"], row["reasons"]) == ("ok", "2027-02-11", []), row
        assert row["last_seen"] == "2027-02-08", row  # the last day judged fading, as the README says
    # an item not paused says nothing of it: its status is its pair's latest already
    _text, other = _item(monkeypatch, date(2027, 3, 15), "s0002")
    assert other["status"] == "fading" and other["judged_status"] is None and other["judged_on"] is None, other


def test_round_117c_3_a_pair_paused_at_risk_shows_that_judgement(
        cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paused the day after health judged it at risk: its last judgement is that one, with its reasons, not the
    fading one it was queued with."""
    _queued_then_ok(cli_home, monkeypatch)
    # 24 Feb: no meeting since 10 Feb (watch); 10 Mar: 28 days (at risk); suspended on 11 Mar
    for day in (date(2027, 2, 24), date(2027, 3, 10)):
        _run(monkeypatch, day, "run")
    _run(monkeypatch, date(2027, 3, 11), "emulator", "edit", "suspend", "s0008", hour=8)
    _run(monkeypatch, date(2027, 3, 11), "run")
    text, row = _item(monkeypatch, date(2027, 3, 11), "s0008")
    assert (row["status"], row["judged_status"], row["judged_on"]) == ("on_hold", "at_risk", "2027-03-10"), row
    assert "  last judged 2027-03-10: at risk" in text, text
    assert [r["code"] for r in row["reasons"]] == ["no_meeting"] and "[no_meeting]" in text, (row, text)
    assert "no_first_meeting" not in text, text


def test_round_117c_5_met_on_an_item_not_due_says_it_closes_once_the_pair_no_longer_fades(
        cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _queued_then_ok(cli_home, monkeypatch)
    said = _run(monkeypatch, date(2027, 2, 11), "queue", "done", "m0001", "s0008", "--outcome", "met", hour=12)
    assert "next due" not in said, said  # old: "the item stays open, next due 2027-03-08"
    assert ("met recorded; the item stays open, not due while the pair no longer fades (ok again), and the next "
            "`lmsync run` (or `lmsync health`) closes it unless it finds the pair fading again") in said, said
    _run(monkeypatch, date(2027, 2, 24), "run")  # no meeting for 14 days: on watch, no longer fading
    shown = _run(monkeypatch, date(2027, 2, 24), "pair", "show", "m0001", "s0008", hour=12)
    assert "closed 2027-02-24 (the pair recovered)" in shown, shown  # as it said
    _text, row = _item(monkeypatch, date(2027, 2, 24), "s0002")
    assert row["status"] == "watch" and row["due"] is None, row
    said = _run(monkeypatch, date(2027, 2, 24), "queue", "done", "m0001", "s0002", "--outcome", "met", hour=12)
    assert "next due" not in said, said
    assert "not due while the pair no longer fades (on watch: minor signals only), and the next `lmsync run`" in said
    _run(monkeypatch, date(2027, 2, 25), "run")
    shown = _run(monkeypatch, date(2027, 2, 25), "pair", "show", "m0001", "s0002", hour=12)
    assert "closed 2027-02-25 (the pair recovered)" in shown, shown
