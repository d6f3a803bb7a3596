"""Tester round 123b, 1: ``lmsync person erase 0`` (or ``000``, ``id:0``) deleted every survey answer naming no one.

The store keeps ``about_id`` 0 for an answer about no one relationship (every Feedback answer, every imported answer
without ``about``), and a key of ASCII digits was a Moodle id, 0 included: "user #0 (not in the course)" was erased,
and with them every such answer and score (paper answers imported with ``lmsync import surveys`` gone for good).
No Moodle user has id 0: ``0`` and ``000`` are looked up as a username, idnumber or email like any other key, ``id:0``
is refused as ``id:abc`` is (``person_keys.moodle_id``), and the store's erasure and export never take an id below 1
for a person (``lmsync.store.surveys``, ``lmsync.store.rater_counts.instruments_naming``).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT, InputError
from lmsync.service.person_keys import moodle_id
from lmsync.service.privacy import resolve
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.rater_counts import instruments_naming
from lmsync.store.surveys import erase_person, export_person
from tests.flows.conftest import run_in
from tests.flows.test_new_admin_part1 import S0005, roster_with_idnumber_66
from tests.flows.test_tester_round_77b_erasure import _at

TOML = """[programme]
name = "mentor-2026"
[waves]
programme_start = 2026-09-01
[waves.windows]
T1 = { start = 2026-11-01, end = 2027-01-31 }
[instruments.paper]
items = ["q1", "q2"]
scale_min = 1
scale_max = 5
grade_name = "paper"
"""

CSV = ("respondent,date,instrument,item,value\ns0001,2026-12-01,paper,q1,4\ns0001,2026-12-01,paper,q2,5\n"
       "s0002,2026-12-01,paper,q1,2\ns0002,2026-12-01,paper,q2,3\n")


def test_zero_is_no_moodle_id() -> None:
    for zero in ("0", "000", " 0 ", "0" * 19):
        assert moodle_id(zero) is None, zero
    assert moodle_id("1") == 1 and moodle_id("007") == 7


@pytest.mark.parametrize("who", ["0", "000"])
def test_zero_naming_nobody_is_refused(who: str) -> None:
    with pytest.raises(InputError, match="matches nobody"):
        resolve(roster_with_idnumber_66(), who)


@pytest.mark.parametrize("who", ["id:0", "ID:000"])
def test_id_zero_is_refused_as_id_abc_is(who: str) -> None:
    with pytest.raises(InputError, match=r"a Moodle id is a number \(id:66\)"):
        resolve(roster_with_idnumber_66(), who)


def test_zero_is_an_idnumber_like_any_other_key() -> None:
    roster = roster_with_idnumber_66()
    roster[S0005] = dataclasses.replace(roster[S0005], idnumber="000")
    assert resolve(roster, "000") == S0005 and resolve(roster, "idnumber:000") == S0005


@pytest.fixture
def home(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo course synced on 2026-12-07 with four paper answers naming no one imported."""
    (demo_home / "lmsync.toml").write_text(TOML)
    _at(monkeypatch, date(2026, 12, 7))
    assert run_in(demo_home, "sync").exit_code == 0
    (demo_home / "paper.csv").write_text(CSV)
    imported = run_in(demo_home, "import", "surveys", str(demo_home / "paper.csv"))
    assert imported.exit_code == 0, imported.output
    assert _answers(demo_home) == 4
    return demo_home


def _store(home: Path) -> Store:
    return Store(load_config(home / "lmsync.toml", environ={}).store_path())


def _answers(home: Path) -> int:
    return int(_store(home).rows(select(func.count()).select_from(schema.survey_answers))[0][0])


@pytest.mark.parametrize("command", [("person", "erase", "0", "--yes"), ("person", "erase", "000", "--yes"),
                                     ("person", "erase", "id:0", "--yes"),
                                     ("person", "erase", "0", "--while-enrolled", "--yes"),
                                     ("person", "export", "000"), ("person", "export", "id:0"),
                                     ("pair", "show", "000"), ("queue", "ack", "000", "s0020")])
def test_no_command_takes_zero_for_a_person(home: Path, command: tuple[str, ...]) -> None:
    result = run_in(home, *command)
    assert result.exit_code == EXIT_INPUT, (result.exit_code, result.output)
    assert "matches nobody" in result.output or "a Moodle id is a number (id:66)" in result.output, result.output
    assert "user #0" not in result.output and "Traceback" not in result.output
    assert _answers(home) == 4
    assert 0 not in erased_on(_store(home))


def test_the_store_never_erases_or_exports_the_answers_naming_no_one(home: Path) -> None:
    store = _store(home)
    assert instruments_naming(store, "mentor-2026", 0) == set()
    exported = export_person(store, 0)
    assert not exported["survey_answers"] and not exported["survey_scores"], json.dumps(exported, default=str)
    counts = erase_person(store, 0, on=date(2026, 12, 7))
    assert not any(counts.values()), counts
    assert _answers(home) == 4 and 0 not in erased_on(store)
