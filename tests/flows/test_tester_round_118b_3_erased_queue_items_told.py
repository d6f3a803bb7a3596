"""Tester round 118b, 3: a coordinator's queue items an erasure removes are told in their next digest, once.

A coordinator acknowledged an item (`lmsync queue ack MENTOR MENTEE`: "I am on it") and followed it; erasing the
mentee (`lmsync person erase`) took it, and the pair's other items, from the queue without a word: `queue list` no
longer showed it and no digest said so. The erasure now keeps, per coordinator following any (the item's owner, or
whom it escalated to), a count naming no pair (``store.queue_ends``), and that coordinator's next digest sent says it
once: how many items, how many of them acknowledged, and the day, never whose. Open items removed are counted too.
Their export lists neither the erased person nor the item.

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes (programme
``mentoring-2026``) and `[health] coordinators = ["coorda"]` (a manager), synced on 2026-10-10 and run on 2026-12-10,
when every pair without a meeting is fading and queued for coorda.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import erase, run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import _at
from tests.flows.test_tester_round_117c_2_erased_mentors_hold_end_told import _digests

HEAD = "Queue items removed by an erasure since your last digest"
ACKED, OPEN = ("m0001", "s0008"), ("m0001", "s0020")  # two of m0001's pairs, both fading and coorda's on 2026-12-10


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The programme run on 2026-12-10 (a digest sent to coorda), coorda acknowledging m0001/s0008, then s0008 and
    s0020 unenrolled and erased at 10:00 and 11:00 that day."""
    run(cli_home, "init", "--no-input")
    config = cli_home / "lmsync.toml"
    config.write_text(config.read_text().replace("[health]\n", '[health]\ncoordinators = ["coorda"]\n', 1))
    run(cli_home, "emulator", "edit", "join", "coorda", "--role", "manager")
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, date(2026, 12, 10), hour=9)
    run(cli_home, "run", "--allow-mass-nudge")
    assert "Newly in your queue" in _digests(cli_home)[-1], _digests(cli_home)[-1][:500]
    run(cli_home, "queue", "ack", *ACKED, "--note", "Called them")
    listed = json.loads(run(cli_home, "queue", "list", "--format", "json").stdout)
    states = {row["mentee"]["username"]: (row["state"], row["owner"]) for row in listed}
    assert states["s0008"] == ("awaiting_outcome", "coorda") and states["s0020"] == ("open", "coorda"), states
    for hour, mentee in ((10, ACKED[1]), (11, OPEN[1])):
        run(cli_home, "emulator", "edit", "unenrol", mentee)
        _at(monkeypatch, date(2026, 12, 10), hour=hour)
        erase(cli_home, mentee)
    return cli_home


def _ids(home: Path, *usernames: str) -> set[int]:
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    return {uid for uid, u in site.users.items() if u.username in usernames}


def test_round_118b_3_the_next_digest_says_the_coordinators_removed_items_once_naming_no_one(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(_digests(home))
    _at(monkeypatch, date(2026, 12, 11), hour=9)
    run(home, "run")
    told = _digests(home)[before:]
    assert len(told) == 1, told
    part = told[0].partition(HEAD)[2]
    assert part, told[0][-3000:]
    part = part.split("\n\n", 1)[0]
    assert part.startswith(" (2; `lmsync person erase` took them"), part
    assert ("- 2 queue items you were following (1 acknowledged, 1 open) were removed by an erasure on 2026-12-10"
            in part), part
    assert "lmsync keeps nothing about them" in part, part
    for name in ("s0008", "s0020", "m0001", "Called them"):  # names no one, ties no one to the erased people
        assert name not in part, part
    # said once: the next digest, if any, does not say it again
    _at(monkeypatch, date(2026, 12, 12), hour=9)
    run(home, "run")
    assert not any(HEAD in text for text in _digests(home)[before + 1:]), _digests(home)[before + 1:]


def test_round_118b_3_the_coordinators_export_lists_neither_the_erased_people_nor_their_items(home: Path) -> None:
    data = json.loads(run(home, "person", "export", "coorda").output)
    erased = _ids(home, "s0008", "s0020")
    assert len(erased) == 2
    assert not [row for row in data["queue_coordinated"] if {row["mentor_id"], row["mentee_id"]} & erased]
    assert data["queue_coordinated"], "coorda's other items are still theirs"
    assert [(r["coordinator"], r["day"], r["items"], r["acknowledged"]) for r in data["queue_ends"]] == [
        ("coorda", "2026-12-10", 1, 1), ("coorda", "2026-12-10", 1, 0)]
    assert {key for r in data["queue_ends"] for key in r} == {  # no person's id, no pair's
        "id", "programme", "coordinator", "day", "items", "acknowledged", "journal_mark"}
