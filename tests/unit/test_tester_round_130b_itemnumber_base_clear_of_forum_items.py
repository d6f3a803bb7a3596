"""Tester round 130b: ``[grades] itemnumber_base = 1`` was accepted, and lmsync made its first grade item at the
forum's itemnumber 1, which Moodle keeps for whole-forum grading (0 for ratings): a teacher turning whole-forum
grading on or off renames, rescales or deletes the item there. The base is refused below 2, saying why, from the
file and from the environment alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, ConfigError

WHY = "must be 2 or more: a forum's itemnumbers 0 and 1 are Moodle's own"


def _write(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentoring-2026"\n[grades]\nitemnumber_base = {base}\n')
    return path


@pytest.mark.parametrize("base", ["-1", "0", "1"])
def test_a_base_on_moodles_own_forum_items_is_refused_saying_why(tmp_path: Path, base: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, base), environ={})
    assert caught.value.exit_code == EXIT_ADMIN
    assert "grades.itemnumber_base (line 4)" in str(caught.value) and WHY in str(caught.value)


def test_the_environment_is_refused_alike(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, "1000"), environ={"LMSYNC_GRADES_ITEMNUMBER_BASE": "1"})
    assert WHY in str(caught.value)


@pytest.mark.parametrize("base", ["2", "1000"])
def test_a_base_clear_of_them_loads(tmp_path: Path, base: str) -> None:
    assert load_config(_write(tmp_path, base), environ={}).grades.itemnumber_base == int(base)
