"""Tester round 97b, 7: a site's default port, written out, made its store another site's.

A store bound to ``https://moodle.example.edu``, opened with ``[moodle] url`` (or LMSYNC_MOODLE_URL)
``https://moodle.example.edu:443``, was refused as belonging to another site (exit 2); so was ``http://host:80/``.
The scheme's default port is no port, a port is its number (``:018981`` is ``:18981``), and a host's trailing dot
(its fully qualified form) is none; another port, host or path is still another site.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config, load_config
from lmsync.errors import ConfigError
from lmsync.service.stores import open_store, same_site

SITE = "https://moodle.example.edu"


@pytest.mark.parametrize("other", [
    "https://moodle.example.edu:443", "https://moodle.example.edu:443/", "http://moodle.example.edu:80/",
    "http://moodle.example.edu", "https://moodle.example.edu./", "https://MOODLE.example.edu.:443",
])
def test_the_default_port_or_a_trailing_dot_is_the_same_site(other: str) -> None:
    assert same_site(SITE, other) and same_site(other, SITE)


def test_a_port_is_its_number() -> None:
    assert same_site("https://moodle.example.edu:018981/moodle", "http://moodle.example.edu:18981/moodle/")


@pytest.mark.parametrize("other", [
    "https://moodle.example.edu:8443", "http://moodle.example.edu:443", "https://moodle.example.edu:18981",
    "https://moodle.example.org", "https://moodle.example.edu/other", "emulator", "https://moodle.example.edu:x",
])
def test_another_port_host_or_path_is_another_site(other: str) -> None:
    assert not same_site(SITE, other)


def _config(tmp_path: Path, url: str, name: str) -> Config:
    path = tmp_path / name
    path.write_text(f'[moodle]\nurl = "{url}"\n[programme]\ncourse = "MENTOR-2026"\n[store]\npath = "{tmp_path / "b.db"}"\n')
    return load_config(path, environ={})


def test_a_store_bound_without_the_port_opens_under_the_default_port(tmp_path: Path) -> None:
    from datetime import date

    from lmsync.domain.meetings import Meeting
    from lmsync.store.meetings import MeetingRepository

    store = open_store(_config(tmp_path, SITE, "a.toml"))
    MeetingRepository(store, "p").save([(Meeting(date(2026, 3, 2), 5, 9, 30, True, "csv"), "x")])  # it holds data
    store.close()
    for number, url in enumerate(["https://moodle.example.edu:443", "http://moodle.example.edu:80/"]):
        again = open_store(_config(tmp_path, url, f"{number}.toml"))
        bound = again.binding()
        again.close()
        assert bound is not None and bound.site == SITE  # the binding kept, not rebound
    with pytest.raises(ConfigError, match="belongs to site https://moodle.example.edu"):
        open_store(_config(tmp_path, "https://moodle.example.edu:8443", "other.toml"))
