"""Tester round 97b, 2: ``lmsync apply`` given a file that is not UTF-8 (UTF-16 text, a store's SQLite file)
ended in a ``UnicodeDecodeError`` traceback, exit 1. Bad input (exit 3), naming the file, what it is and the fix;
``grades push`` says the same."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.errors import EXIT_INPUT

from .conftest import run_in

UTF16 = "\ufeff{}".encode("utf-16-le")  # what an editor's "save as Unicode" writes: b"\xff\xfe{\x00}\x00"


def _refused(result: Any) -> str:
    assert result.exit_code == EXIT_INPUT, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return " ".join(result.output.split())


def test_apply_refuses_a_utf16_file_saying_it_is_not_utf8(demo_home: Any) -> None:
    (demo_home / "u16.json").write_bytes(UTF16)
    said = _refused(run_in(demo_home, "apply", "u16.json"))
    assert "u16.json: not an lmsync plan: it is UTF-16 text, not UTF-8" in said
    assert "`lmsync plan --out plan.json`" in said and "save it as UTF-8 again" in said


def test_apply_refuses_bytes_that_are_no_text_naming_the_first(demo_home: Any) -> None:
    (demo_home / "bin.json").write_bytes(b'{"format": "\xf6"}')
    said = _refused(run_in(demo_home, "apply", "bin.json"))
    assert "bin.json: not an lmsync plan: it is not UTF-8 text (byte 0xf6 at offset 12)" in said


@pytest.mark.sqlite_only("the store given as the plan is a SQLite file")
def test_apply_refuses_a_store_saying_it_is_a_sqlite_database(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    from lmsync.config import load_config

    store = load_config(demo_home / "lmsync.toml", environ={}).store_path()
    said = _refused(run_in(demo_home, "apply", str(store)))
    assert f"{store}: not an lmsync plan: it is a SQLite database" in said
    assert "--force" not in said and "`lmsync plan --out plan.json`" in said


def test_grades_push_refuses_a_utf16_file_the_same_way(demo_home: Any) -> None:
    (demo_home / "u16.json").write_bytes(UTF16)
    said = _refused(run_in(demo_home, "grades", "push", "u16.json"))
    assert "u16.json: not an lmsync grades plan: it is UTF-16 text, not UTF-8" in said
    assert "`lmsync grades plan --out grades.json`" in said


def test_a_utf8_byte_order_mark_is_no_part_of_the_plan(demo_home: Any) -> None:
    """An editor that saves UTF-8 with a byte-order mark: the plan is read as lmsync wrote it."""
    assert run_in(demo_home, "plan", "--out", "plan.json").exit_code == 0
    (demo_home / "bom.json").write_bytes(b"\xef\xbb\xbf" + (demo_home / "plan.json").read_bytes())
    result = run_in(demo_home, "apply", "bom.json")
    assert result.exit_code == 0, result.output
