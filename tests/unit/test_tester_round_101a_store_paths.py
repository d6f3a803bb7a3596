"""Tester round 101a: store paths that crashed, slipped past a refusal, or lost a store.

1. ``sqlite:///a%00b.db`` (a ``[store] url`` or ``LMSYNC_STORE_URL``) and ``store copy --to sqlite:///c%00d.db``
   ended in a ``ValueError: embedded null byte`` traceback; ``[store] path`` holding a NUL was already refused.
2. ``[store] path = "~nosuchuser/x.db"`` ended in ``RuntimeError: Could not determine home directory``.
4. A store whose name ends in ``.lock`` was its own lock file: taking the lock emptied it.
8. ``sqlite:///%24HOME/x.db`` got past the ``$NAME`` refusal and made a folder named ``$HOME``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError, InputError
from lmsync.service.copy_target import copy_target
from lmsync.service.runtime import lock_for, lock_path
from lmsync.store.db import Store

TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def _file(tmp_path: Path, more: str = "") -> Path:
    path = tmp_path / "lmsync.toml"
    path.write_text(TOML + more)
    return path


def _refused(tmp_path: Path, environ_or_file: str, key: str, value: str) -> ConfigError:
    """The ConfigError of loading ``[store] key = value`` written in the file, or set as ``LMSYNC_STORE_<KEY>``."""
    if environ_or_file == "file":
        path, environ = _file(tmp_path, f'[store]\n{key} = "{value}"\n'), {}
    else:
        path, environ = _file(tmp_path), {f"LMSYNC_STORE_{key.upper()}": value}
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ)
    return caught.value


@pytest.mark.parametrize("environ_or_file", ["file", "environment"])
def test_round_101a_1_a_percent_escaped_nul_in_a_store_url_is_refused_at_load(tmp_path: Path,
                                                                              environ_or_file: str) -> None:
    refused = _refused(tmp_path, environ_or_file, "url", "sqlite:///a%00b.db")
    assert "store.url" in refused.message and "holds a NUL character" in refused.message, refused


def test_round_101a_1_store_copy_to_a_url_with_a_nul_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        copy_target("sqlite:///c%00d.db")
    assert "NUL character" in caught.value.message, caught.value
    assert list(tmp_path.iterdir()) == []


def test_round_101a_8_a_percent_escaped_variable_in_a_store_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_file(tmp_path), environ={"LMSYNC_STORE_URL": "sqlite:///%24HOME/x.db"})
    assert caught.value.message.startswith("environment: LMSYNC_STORE_URL (store.url): names $HOME"), caught.value


@pytest.mark.parametrize("environ_or_file", ["file", "environment"])
def test_round_101a_2_a_home_of_no_known_user_is_a_configuration_error(tmp_path: Path, environ_or_file: str) -> None:
    refused = _refused(tmp_path, environ_or_file, "path", "~nosuchuser-lmsync/x.db")
    assert refused.message.startswith("store.path: '~nosuchuser-lmsync/x.db' begins with '~nosuchuser-lmsync'")
    assert "begin it with ~/" in (refused.hint or "")


@pytest.mark.sqlite_only("a SQLite store file named x.lock")
def test_round_101a_4_a_store_named_dot_lock_is_never_its_own_lock_file(tmp_path: Path) -> None:
    store = tmp_path / "st.lock"
    Store(store).close()  # an lmsync store of that name
    before = store.read_bytes()
    config = load_config(_file(tmp_path), environ={"LMSYNC_STORE_PATH": str(store)})
    assert lock_path(config) == tmp_path / "st.lock.lock"
    with lock_for(config):
        pass
    assert store.read_bytes() == before  # taking the lock emptied it
    other = load_config(_file(tmp_path), environ={"LMSYNC_STORE_PATH": str(tmp_path / "prog.db")})
    assert lock_path(other) == tmp_path / "prog.lock"  # every other store keeps its lock's name
