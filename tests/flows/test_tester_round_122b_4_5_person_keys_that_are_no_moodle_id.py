"""Tester round 122b (4, 5): a person key that cannot be a Moodle id is never taken as one.

4. ``lmsync person export 20260000123456789012`` (a mistyped 20-digit student number naming nobody; likewise
   ``id:2026...``, ``person erase N --yes``, ``meetings list --person N``) ended in ``OverflowError: Python int too
   large to convert to SQLite INTEGER``, exit 1 with a traceback. A number outside a signed 64-bit integer is no
   Moodle id: it is looked up as an idnumber, username or email like any other key and, naming nobody, refused
   (exit 3) with the fix; ``id:N`` out of range is refused as ``id:abc`` is ("a Moodle id is a number").
5. ``lmsync person export '٥'`` (or ``'５'``) exported Moodle id 5, ``id:٦٦`` id 66: Python's ``str.isdigit`` and
   ``int`` take Unicode digits. A Moodle id is ASCII digits only (``person_keys.moodle_id``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT, InputError
from lmsync.moodle.emulator.state import Site
from lmsync.service.person_keys import MAX_ID, moodle_id
from lmsync.service.privacy import resolve
from tests.flows.conftest import run_in
from tests.flows.test_new_admin_part1 import M0001, S0005, roster_with_idnumber_66

LONG = "20260000123456789012"  # 20 digits: beyond a signed 64-bit integer


def test_a_moodle_id_is_ascii_digits_within_64_bits() -> None:
    assert moodle_id("66") == 66 and moodle_id(" 66 ") == 66 and moodle_id(str(MAX_ID)) == MAX_ID
    for not_an_id in (str(MAX_ID + 1), LONG, "٥", "５", "٦٦", "6٦", "", "-1", "abc", "1.5", "0" * 30 + "1"):
        assert moodle_id(not_an_id) is None, not_an_id


@pytest.mark.parametrize("who", [LONG, "٥", "５", "٦٦"])
def test_a_key_that_is_no_moodle_id_naming_nobody_is_refused(who: str) -> None:
    with pytest.raises(InputError, match="matches nobody"):
        resolve(roster_with_idnumber_66(), who)


@pytest.mark.parametrize("who", [f"id:{LONG}", f"id:{MAX_ID + 1}", "id:٦٦", "ID:٥", "id:５"])
def test_id_before_a_key_that_is_no_moodle_id_is_refused_as_id_abc_is(who: str) -> None:
    with pytest.raises(InputError, match=r"a Moodle id is a number \(id:66\)"):
        resolve(roster_with_idnumber_66(), who)


def test_such_a_key_is_an_idnumber_username_or_email_like_any_other() -> None:
    roster = roster_with_idnumber_66()
    roster[S0005] = dataclasses.replace(roster[S0005], idnumber=LONG)  # RosterUser is slotted (issue 15)
    assert resolve(roster, LONG) == S0005 and resolve(roster, f"idnumber:{LONG}") == S0005
    roster[S0005] = dataclasses.replace(roster[S0005], idnumber="٦٦")  # not Moodle id 66 (m0001): the idnumber
    assert resolve(roster, "٦٦") == S0005
    assert resolve(roster, "66") != S0005 and resolve(roster, "id:66") == M0001
    assert resolve(roster, str(MAX_ID)) == MAX_ID  # the largest id: someone whose account is gone


def _idnumber(home: Path, username: str, value: str) -> None:
    """Give ``username`` the idnumber ``value`` on ``home``'s saved emulator site."""
    path = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    next(u for u in site.users.values() if u.username == username).idnumber = value
    site.save(path)


@pytest.mark.parametrize("command", [("person", "export", LONG), ("person", "erase", LONG, "--yes"),
                                     ("meetings", "list", "--person", LONG), ("person", "export", f"id:{LONG}"),
                                     ("pair", "show", LONG), ("person", "export", "٥"), ("person", "export", "５"),
                                     ("person", "export", "id:٦٦"), ("meetings", "list", "--person", "٥"),
                                     ("person", "erase", "٥", "--while-enrolled", "--yes")])
def test_every_command_refuses_it_exit_3_without_a_traceback(demo_home: Path, command: tuple[str, ...]) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    result = run_in(demo_home, *command)
    assert result.exit_code == EXIT_INPUT, (result.exit_code, result.output, result.exception)
    assert "matches nobody" in result.output or "a Moodle id is a number (id:66)" in result.output, result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output


def test_a_real_20_digit_idnumber_and_a_unicode_digit_idnumber_are_found(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    _idnumber(demo_home, "s0003", LONG)
    exported = run_in(demo_home, "person", "export", LONG)
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["username"] == "s0003"
    assert run_in(demo_home, "meetings", "list", "--person", LONG).exit_code == 0  # theirs (none yet), no crash
    _idnumber(demo_home, "s0003", "٦٦")  # Moodle id 66 is m0001: the key names s0003 by idnumber only
    exported = run_in(demo_home, "person", "export", "٦٦")
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["username"] == "s0003"
