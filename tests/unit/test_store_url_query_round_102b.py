"""Tester round 102b, 6: ``[store] url = "sqlite:///q.db?mode=ro"`` left ``?mode=ro`` off without a word, and the
store was opened and written as usual.

A query (``?...``) or a fragment (``#...``) in a ``sqlite:///`` url is now refused at load (exit 2), naming the
setting and where it was set (the file's line, or ``LMSYNC_STORE_URL``), with the fix; a PostgreSQL url keeps its
query (``sslmode``), and a file whose name holds ``?`` or ``#`` is still named, percent-escaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, ConfigError
from lmsync.store.url_forms import sqlite_url_file, sqlite_url_for, url_refusal


@pytest.mark.parametrize("url", ["sqlite:///q.db?mode=ro", "sqlite:////srv/q.db?cache=shared", "sqlite:///q.db#ro",
                                 "sqlite:///q.db?", "SQLITE:///q.db?mode=ro"])
def test_a_query_or_fragment_in_a_sqlite_store_url_of_the_file_is_refused(tmp_path: Path, url: str):
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "m-2026"\n[store]\nurl = "{url}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.exit_code == EXIT_ADMIN
    text = str(caught.value)
    assert f"{path}: store.url (line 4): holds a query (?...) or a fragment (#...)" in text
    assert "take it off (sqlite:///path), lmsync opens its store read-write by itself" in text


def test_a_query_in_a_sqlite_store_url_from_the_environment_names_the_variable(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no ./lmsync.toml
    with pytest.raises(ConfigError) as caught:
        load_config(None, environ={"LMSYNC_STORE_URL": "sqlite:///q.db?mode=ro"})
    assert str(caught.value).startswith("environment: LMSYNC_STORE_URL (store.url): holds a query")


def test_a_postgresql_url_keeps_its_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={"LMSYNC_STORE_URL": "postgresql+psycopg://lmsync@db/lmsync?sslmode=require"})
    assert config.store.url == "postgresql+psycopg://lmsync@db/lmsync?sslmode=require"


def test_a_file_whose_name_holds_a_question_mark_is_still_named_escaped():
    url = sqlite_url_for("/srv/a?b#c.db")
    assert url_refusal(url) is None and sqlite_url_file(url) == "/srv/a?b#c.db"
