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
