"""Tester round 97b, 8a, 8b and 8e: a configuration check names what is wrong with the address it refuses.

8a: ``LMSYNC_MOODLE_URL=http://`` said "must start with http:// or https://", though it does: it names no host.
8b: ``http://h:1#frag`` said "is the address of a web-service request": the fragment is what is wrong.
8e: ``LMSYNC_STORE_URL=`` said "must be a PostgreSQL URL ...": it is set but empty, as ``LMSYNC_MOODLE_URL=`` says.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError


@pytest.fixture
def config_file(tmp_path: Any) -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text("")
    return path


@pytest.mark.parametrize("url", ["http://", "https:///", "HTTP://"])
def test_a_moodle_url_of_a_scheme_alone_names_no_host(config_file: Any, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file, environ={"LMSYNC_MOODLE_URL": url})
    assert "LMSYNC_MOODLE_URL (moodle.url): is not a web address: it names no host" in caught.value.message
    assert "must start with" not in caught.value.message


@pytest.mark.parametrize(("url", "shown"), [("http://h:1#frag", "(#frag)"), ("https://h/moodle/#", "(#)"),
                                            ("https://h#" + "ab12" * 8, "(#...)")])
def test_a_moodle_url_with_a_fragment_names_the_fragment(config_file: Any, url: str, shown: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file, environ={"LMSYNC_MOODLE_URL": url})
    said = caught.value.message
    assert f"ends with a fragment {shown}" in said and "remove it" in said and "web-service request" not in said
    assert "ab12ab12" not in said  # a token-like fragment is not repeated


def test_a_web_service_request_with_a_fragment_is_still_called_one(config_file: Any) -> None:
    with pytest.raises(ConfigError, match="web-service request"):
        load_config(config_file, environ={"LMSYNC_MOODLE_URL": "https://h/webservice/rest/server.php#x"})


def test_an_empty_lmsync_store_url_is_set_but_empty(config_file: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file, environ={"LMSYNC_STORE_URL": ""})
    assert caught.value.message == "environment: LMSYNC_STORE_URL is set but empty ([store] url)"
    assert caught.value.hint and "unset it to use [store] of" in caught.value.hint
    assert "(none there: the SQLite file at the default path)" in caught.value.hint


def test_an_empty_store_url_in_the_file_is_called_empty(config_file: Any) -> None:
    config_file.write_text('[store]\nurl = " "\n')
    with pytest.raises(ConfigError, match=r"store.url \(line 2\): is empty"):
        load_config(config_file, environ={})
