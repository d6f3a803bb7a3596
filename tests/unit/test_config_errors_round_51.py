"""Tester round 51, 7: a TOML syntax error says what to correct, never echoing a secret."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError


@pytest.mark.parametrize(("line", "said", "hidden"), [
    ("programme_start = 2026-13-01", "2026-13-01 is not a day of the calendar", None),
    ("programme_start = 2026-02-30", "2026-02-30 is not a day of the calendar", None),
    ("capacity == 3", "correct line 4 of the file: capacity == 3", None),
    ('url == "postgresql://lmsync:s3cret@db/lmsync"', "correct line 4 of the file (not shown here", "s3cret"),
])
def test_a_toml_syntax_error_points_at_its_line(tmp_path, line, said, hidden):
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "p"\n[waves]\n{line}\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    shown = str(refused.value)
    assert "not valid TOML" in shown and said in shown
    assert hidden is None or hidden not in shown


@pytest.mark.parametrize(("url", "said"), [
    ("postgresql://lmsync:s3cret@db:notaport/lmsync", "its port is not a number"),
    ("postgresql://lmsync:s3cret@db:99999/lmsync", "its port 99999 is not one (1-65535)"),
])
def test_round_51b_11_a_store_url_with_a_bad_port_says_so_in_words(url, said):
    from lmsync.store.unreachable import store_url

    with pytest.raises(ConfigError) as refused:
        store_url(url)
    shown = str(refused.value)
    assert said in shown and "s3cret" not in shown and "int()" not in shown


def test_round_59_7_a_daily_cap_of_1_is_refused_with_the_way_on(tmp_path):
    """A cap of 1 never fitted a pair's two people, so no nudge was ever sent, with "left for tomorrow" daily."""
    path = tmp_path / "lmsync.toml"
    path.write_text("[nudges]\ndaily_cap = 1\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    said = str(error.value) + " " + (error.value.hint or "")
    assert "daily_cap" in said and "give 2 or more, or 0 to switch nudges off" in said
    path.write_text("[nudges]\ndaily_cap = 2\n")
    assert load_config(path, environ={}).nudges.daily_cap == 2
