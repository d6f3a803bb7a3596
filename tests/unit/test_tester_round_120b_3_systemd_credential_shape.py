"""Tester round 120b, 3: a token file its group can read was accepted whenever ``CREDENTIALS_DIRECTORY`` named its
folder: mode 0640 too (systemd never makes it), and a 0440 file whose real group can read it (no ACL). Only the
exact shape systemd's ``LoadCredential=`` writes passes now: 0440, owned by root, the group bits an ACL's mask with
no group let in (``lmsync.systemd_credential``)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from lmsync.errors import ConfigError
from lmsync.token_file import read_token_file

TOKEN = "0123456789abcdef0123456789abcdef"
UNDEFINED = 0xFFFFFFFF  # the id of an ACL entry that names no one (the owner's, the mask's, others')


def _acl(*, group_read: bool = False, named_group: int | None = None) -> bytes:
    """systemd's ACL (``user::r``, ``user:65534:r``, ``group::---``, ``mask::r``, ``other::---``), in the
    ``system.posix_acl_access`` format; ``group_read`` lets the owning group read, ``named_group`` adds a group
    entry that reads."""
    entries = [(0x01, 4, UNDEFINED), (0x02, 4, 65534), (0x04, 4 if group_read else 0, UNDEFINED),
               (0x10, 4, UNDEFINED), (0x20, 0, UNDEFINED)]
    if named_group is not None:
        entries.insert(3, (0x08, 4, named_group))
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


def _credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    creds = tmp_path / "cred"
    creds.mkdir()
    token = creds / "token"
    token.write_text(TOKEN)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    return token


def _as_systemd_makes_it(token: Path, acl: bytes) -> None:
    """``token`` owned by root, 0400, then the ACL (mode 0440 as ``stat`` shows it); skipped where that cannot be
    made (not root, no ACLs on this file system)."""
    if os.geteuid() != 0 or not hasattr(os, "setxattr"):
        pytest.skip("making a root-owned file with an ACL needs root on Linux")
    os.chown(token, 0, 0)
    token.chmod(0o400)
    try:
        os.setxattr(token, "system.posix_acl_access", acl)
    except OSError as exc:
        pytest.skip(f"no POSIX ACLs here: {exc}")
    assert token.stat().st_mode & 0o777 == 0o440


def _refusal(token: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        read_token_file(token)
    assert TOKEN not in str(caught.value) + (caught.value.hint or "")
    return caught.value.message


def test_a_0640_token_file_is_refused_even_where_credentials_directory_names_its_folder(tmp_path, monkeypatch):
    token = _credentials(tmp_path, monkeypatch)
    token.chmod(0o640)
    message = _refusal(token)
    assert message.startswith(f"moodle.token_file: {token} is open to its group (mode 640); only its owner may read it")
    assert "CREDENTIALS_DIRECTORY names its folder, but it is not systemd's credential copy: mode 640" in message


def test_a_0440_token_file_its_real_group_reads_is_refused_where_credentials_directory_names_its_folder(
        tmp_path, monkeypatch):
    token = _credentials(tmp_path, monkeypatch)
    token.chmod(0o440)  # no ACL: the group bits are the file's group's
    message = _refusal(token)
    assert f"{token} is open to its group (mode 440)" in message
    assert f"it has no ACL, so its group (gid {token.stat().st_gid}) really can read it" in message
    with pytest.raises(ConfigError) as caught:
        read_token_file(token)
    assert caught.value.hint == f"chmod 600 {token}"  # the fix, as before


def test_the_copy_systemd_makes_is_accepted_only_in_its_folder(tmp_path, monkeypatch):
    token = _credentials(tmp_path, monkeypatch)
    _as_systemd_makes_it(token, _acl())
    assert read_token_file(token).reveal() == TOKEN
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    assert "is open to its group (mode 440)" in _refusal(token)


@pytest.mark.parametrize("acl", [_acl(group_read=True), _acl(named_group=4242)], ids=["owning group", "named group"])
def test_an_acl_that_lets_a_group_read_is_refused(tmp_path, monkeypatch, acl):
    token = _credentials(tmp_path, monkeypatch)
    _as_systemd_makes_it(token, acl)
    assert "its ACL lets a group read it" in _refusal(token)


def test_a_copy_owned_by_another_user_than_root_is_refused(tmp_path, monkeypatch):
    token = _credentials(tmp_path, monkeypatch)
    _as_systemd_makes_it(token, _acl())
    os.chown(token, 65534, 0)  # chown keeps the ACL (it clears set-id bits only)
    assert token.stat().st_mode & 0o777 == 0o440
    assert "owned by uid 65534, and systemd's copies are root's" in _refusal(token)
