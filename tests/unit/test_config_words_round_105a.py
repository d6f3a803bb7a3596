"""Tester round 105a, 10: configuration errors in lmsync's words, at the right line. A bound said as "must be 0 or
more" (pydantic: "Input should be greater than or equal to 0"), a date with a time of day as "a day such as ...,
without a time" (pydantic: "Datetimes provided to dates should have zero time"), and a ``[waves]`` problem at the
line of the window or key it is about, not at ``[waves]`` (or line 1, or no line at all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError


def _refused(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    path = tmp_path / "lmsync.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    return str(caught.value)


@pytest.mark.parametrize(("text", "said"), [
    ("[waves]\ndays_before = -1\n", "waves.days_before (line 2): must be 0 or more"),
    ("[waves]\ndays_after = 400\n", "waves.days_after (line 2): must be 366 or less"),
    ("[matching]\ndefault_capacity = -1\n", "matching.default_capacity (line 2): must be 0 or more"),
    ("[matching]\ntriad_juniors = 0\n", "matching.triad_juniors (line 2): must be 1 or more"),
])
def test_a_bound_is_said_in_lmsync_words(tmp_path: Path, text: str, said: str) -> None:
    message = _refused(tmp_path, text)
    assert said in message and "Input should be" not in message


def test_a_bound_set_by_the_environment_is_said_so_too(tmp_path: Path) -> None:
    message = _refused(tmp_path, "", {"LMSYNC_MATCHING_DEFAULT_CAPACITY": "-2"})
    assert "LMSYNC_MATCHING_DEFAULT_CAPACITY (matching.default_capacity): must be 0 or more" in message


def test_a_date_with_a_time_of_day_asks_for_the_day_alone(tmp_path: Path) -> None:
    message = _refused(tmp_path, "[waves]\nprogramme_start = 2026-09-01\n[waves.windows.T0]\nstart = 2026-09-01T10:00:00\n"
                                 "end = 2026-10-01\n")
    assert ("waves.windows.T0.start (line 4): has a time of day: write a day such as 2026-09-01, without a time"
            in message), message
    assert "Datetimes provided" not in message


@pytest.mark.parametrize(("text", "said"), [
    # the window written below [waves]: was "waves (line 1)"
    ("[waves]\nprogramme_start = 2026-09-01\n\n[waves.windows.T0]\nstart = 2026-11-01\nend = 2026-10-01\n",
     "waves.windows.T0 (line 4): ends (2026-10-01) before it starts (2026-11-01)"),
    ("[waves]\nwindows = { T0 = { start = 2026-11-01, end = 2026-10-01 } }\n", "waves.windows.T0 (line 2): ends"),
    # no [waves] header: was "waves:" with no line at all
    ("# waves\n[waves.windows.T0]\noffset_months = 3\n",
     "waves.windows.T0 (line 2): offset_months needs [waves] programme_start"),
    ("[waves]\n[waves.windows.T0]\nstart = 2026-09-01\nend = 2026-10-01\n[waves.windows.T1]\nstart = 2026-09-15\n"
     "end = 2026-10-15\n", "waves.windows.T1 (line 5): waves T0 (2026-09-01 to 2026-10-01) and T1 (2026-09-15 to "
     "2026-10-15) overlap"),
    ("[waves]\nbaseline = \"T9\"\n[waves.windows.T0]\nstart = 2026-09-01\nend = 2026-10-01\n",
     "waves.baseline (line 2): 'T9' is not one of the windows"),
])
def test_a_waves_problem_is_at_the_line_of_what_it_is_about(tmp_path: Path, text: str, said: str) -> None:
    assert said in _refused(tmp_path, text)


def test_good_waves_still_load_in_order(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text("[waves]\nprogramme_start = 2026-09-01\n[waves.windows]\nT6 = { start = 2027-02-15, end = 2027-03-31 }"
                    "\nT0 = { offset_months = 0 }\nT3 = { offset_months = 3 }\n")
    waves = load_config(path, environ={}).waves.to_waves()
    assert [w.name for w in waves] == ["T0", "T3", "T6"]
