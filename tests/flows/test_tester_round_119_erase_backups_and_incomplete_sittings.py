"""Tester round 119, 1 and 2: what ``lmsync person erase`` says of the store's backups and of withheld figures.

1. A migration copies a SQLite store to ``<name>.db.bak-<from revision>`` beside it; the erasure deletes nothing
   there, and a rollback to that copy brings the erased person back. The question and the result named no backup:
   they name each one now (``erase_backups``), found by name only.
2. The question said every survey figure over answers "they were part of" is withheld for good, even when all the
   sittings the erasure deletes were incomplete, which are in no figure and withhold nothing (tester round 116, 1).
   It now speaks of complete answers, and says nothing is withheld when the erasure deletes no scored sitting.

The setup of round 116, 1 on the built-in emulator: a mentee's T0 sitting of 2 (incomplete) or 5 items.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from tests.flows.test_tester_round_77b_erasure import _at, run
from tests.flows.test_tester_round_94a_2_erasure_withholds_mentor_side import circles
from tests.flows.test_tester_round_116_1_erasing_an_incomplete_sitting import home as home  # noqa: F401
from tests.flows.test_tester_round_116_1_erasing_an_incomplete_sitting import import_on

WITHHELD_FOR_GOOD = "is withheld from then on, for good"
NOTHING_WITHHELD = "an incomplete sitting is in no survey figure, so no figure is withheld"


def _unenrolled(home: Path, mp: pytest.MonkeyPatch, items: int) -> str:
    """A mentee of a circle of at least four who answered ``items`` items of T0 (the others all five), unenrolled
    and synced on 2026-10-15; returns them."""
    mentor, mentees = next((m, e) for m, e in circles(home) if len(e) >= 4)
    erased = mentees[0]
    import_on(home, mp, date(2026, 9, 10), "t0.csv",
              [(e, "2026-09-05", mentor, items if e == erased else 5) for e in mentees])
    _at(mp, date(2026, 10, 15), hour=9)
    run(home, "emulator", "edit", "unenrol", erased)
    run(home, "sync")
    return erased


def _asked(home: Path, who: str) -> str:
    """The question ``person erase WHO`` asks, answered no, its spaces as one."""
    said = " ".join(run(home, "person", "erase", who, stdin="n\n").output.split())
    assert "nothing erased" in said, said
    return said


def test_round_119_1_erase_names_the_migrations_backup_beside_the_store(
    home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    erased = _unenrolled(home, monkeypatch, items=5)
    store = load_config(home / "lmsync.toml").store_path()
    assert "backup" not in _asked(home, erased)  # no backup: none named
    backup = store.with_name(f"{store.name}.bak-0018")  # as lmsync.store.migrate names it
    shutil.copy(store, backup)
    before = backup.read_bytes()
    asked = _asked(home, erased)
    holds = f"{backup} was copied from this store by a migration before the erasure and still holds what the store " \
            "held of this person then: delete it (a rollback to it would bring them back)"
    assert holds in asked and asked.index(holds) < asked.index("This cannot be undone"), asked
    done = " ".join(run(home, "person", "erase", erased, "--yes").output.split())
    assert "survey_answers" in done and f"note: {holds}" in done, done
    assert backup.read_bytes() == before  # named, never opened or changed


def test_round_119_2_erasing_only_incomplete_sittings_is_said_to_withhold_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    asked = _asked(home, _unenrolled(home, monkeypatch, items=2))
    assert WITHHELD_FOR_GOOD not in asked and NOTHING_WITHHELD in asked, asked
    assert "Their survey answers go, but none of those sittings is complete" in asked, asked


def test_round_119_2_erasing_a_complete_sitting_still_says_figures_are_withheld(
    home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    asked = _asked(home, _unenrolled(home, monkeypatch, items=5))
    assert NOTHING_WITHHELD not in asked and WITHHELD_FOR_GOOD in asked, asked
    assert "every survey figure over answers up to today that their complete answers (or others' complete answers " \
           "about them) were part of (their mentor's, and the programme-wide means" in asked, asked
