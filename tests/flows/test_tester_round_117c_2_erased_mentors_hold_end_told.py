"""Tester round 117c, 2: when a mentor's erasure ends their circle's hold early, the coordinators' digest says so.

A mentor away (unenrolled) has their circle held; the digest said "Circles held while their mentor is away ...: away
since ..., held until ...". Erasing them ends the hold (the erase question says so) and the next sync re-matches the
circle's mentees, but the next digest said only who was newly without a mentor: nothing said the hold had ended, so a
coordinator, whose last words were "held until ...", believed the circle was still held. The erasure now keeps a
record naming no one (its day and the circle's mentee count: ``store.hold_ends``) and each coordinator's next digest
sent says it, once (``service.digest_hold_ends``).

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes (programme
``mentoring-2026``) and `[health] coordinators = ["coorda"]` (a manager), synced on 2026-10-10, run on 2026-11-10.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import erase, run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import _at

HEAD = "Holds ended early since your last digest"


def _digests(home: Path) -> list[str]:
    """The texts of the messages coorda was sent, oldest first, as plain text."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    coorda = next(uid for uid, u in site.users.items() if u.username == "coorda")
    return [html.unescape(str(m["text"])).replace("<br />", "").removeprefix("<p>").removesuffix("</p>")
            for m in site.messages if m["useridto"] == coorda]


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The programme run on 2026-11-10, m0009 unenrolled and their circle held in the run of 2026-11-11 (a digest
    sent saying so), then m0009 erased at 10:00 that day."""
    run(cli_home, "init", "--no-input")
    config = cli_home / "lmsync.toml"
    config.write_text(config.read_text().replace("[health]\n", '[health]\ncoordinators = ["coorda"]\n', 1))
    run(cli_home, "emulator", "edit", "join", "coorda", "--role", "manager")
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, date(2026, 11, 10), hour=9)
    run(cli_home, "run", "--allow-mass-nudge")
    run(cli_home, "emulator", "edit", "unenrol", "m0009")
    _at(monkeypatch, date(2026, 11, 11), hour=9)
    run(cli_home, "run")
    assert "Circles held while their mentor is away" in _digests(cli_home)[-1], _digests(cli_home)[-1]
    _at(monkeypatch, date(2026, 11, 11), hour=10)
    erase(cli_home, "m0009")
    return cli_home


def test_round_117c_2_the_digest_after_a_held_mentors_erasure_says_the_hold_ended_once(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(_digests(home))
    _at(monkeypatch, date(2026, 11, 12), hour=9)
    run(home, "run")
    told = _digests(home)[before:]
    assert len(told) == 1, told
    part = told[0].partition(HEAD)[2]
    assert part, told[0]
    part = part.split("\n\n", 1)[0]
    assert "2026-11-11" in part and "erase" in part, part
    assert "4 mentee(s)" in part, part  # m0009's circle in the demo: four mentees
    assert "m0009" not in part and "(s0" not in part, part  # names no one, the erased mentor least of all
    assert "held until" not in told[0], told[0]  # not said held any more
    # said once: the next day's digest, if any, does not say it again
    _at(monkeypatch, date(2026, 11, 13), hour=9)
    run(home, "run")
    assert not any(HEAD in text for text in _digests(home)[before + 1:]), _digests(home)[before + 1:]


def test_round_117c_2_the_record_names_no_one_and_no_export_shows_it(home: Path) -> None:
    from sqlalchemy import select

    from lmsync.store.db import Store
    from lmsync.store.schema import hold_ends

    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        rows = store.rows(select(hold_ends))
    finally:
        store.close()
    assert [(r.programme, r.day, r.mentees) for r in rows] == [("mentoring-2026", "2026-11-11", 4)], rows
    assert not {"mentor_id", "mentee_id", "user_id", "person_id"} & set(hold_ends.c.keys())
    exported = run(home, "person", "export", "s0026").output
    assert "hold_ends" not in exported, exported


def test_round_117c_2_each_coordinator_is_told_of_a_hold_end_after_their_last_digest_only() -> None:
    """A hold end recorded when the journal's latest entry was a coordinator's last digest (or a later one) is news to
    them; one before their last digest is not; never sent a digest, those of today and yesterday; not a coordinator
    (``[health] escalate_to`` only), none. The words name no one, and say a circle that held no mentee as such."""
    from lmsync.service.digest_hold_ends import HoldEndsTold
    from lmsync.store.hold_ends import HoldEnd

    recent, old = HoldEnd(date(2027, 2, 12), 6, 40), HoldEnd(date(2027, 1, 2), 0, 10)
    told = HoldEndsTold([old, recent], {1: 40, 2: 41, 3: 5}, frozenset({"a", "b", "c", "d"}), date(2027, 2, 13))
    assert told.ends_for("a", 1) == [recent]  # their last digest's entry is the erasure's mark: sent before it
    assert told.ends_for("b", 2) == []  # sent after it
    assert told.ends_for("c", 3) == [old, recent]
    assert told.ends_for("d", 4) == [recent]  # never sent one: today's and yesterday's only
    assert told.ends_for("e", 1) == [] and told.text("e", 1) == ""
    text = told.text("c", 3)
    assert text.startswith(f"\n\n{HEAD} (2; ") and "no longer held from 2027-02-12: its 6 mentee(s) are matched" in text
    assert "no longer held from 2027-01-02: it held no mentee" in text, text
