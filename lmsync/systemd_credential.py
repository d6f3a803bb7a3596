"""systemd's credential copy of the token file: the one group-readable mode lmsync accepts (tester round 120b, 3).

A token file its group can read is refused (``lmsync.token_file``), except the copy systemd hands a unit at
``$CREDENTIALS_DIRECTORY/<id>``. systemd's ``LoadCredential=``, ``LoadCredentialEncrypted=``, ``SetCredential=``
and ``ImportCredential=`` all write that copy the same way (``write_credential`` in systemd's
``src/core/exec-credential.c``; systemd.exec(5), "Credentials"): the service manager (root, for the system
manager) creates the file, writes it, ``fchmod(0400)``, and, when the unit runs as another user, adds the POSIX
ACL entry ``user:<uid>:r``. ``stat`` then shows the ACL's mask (``r``) in the group bits, mode 0440, while the
owning group's own entry (``group::``) grants nothing. Where the file system has no ACLs (ramfs) systemd
``chown``s the file to the unit's user instead, and it stays 0400, which the owner-only rule accepts anyway; a
user manager's unit runs as the manager's user, whose 0400 copy needs no ACL either.

So a group-readable token file is that copy only when all of these hold, and anything else is refused as
before (0640, which systemd never makes; a 0440 file without an ACL, which its real group reads; a file a
stray ``CREDENTIALS_DIRECTORY`` names, which turned the check off for its folder):

- it is directly inside the folder ``$CREDENTIALS_DIRECTORY`` names;
- its mode is exactly 0440: no write or execute bit for anyone, nothing for others, no special bits;
- it is owned by root (uid 0), as the system manager writes it;
- its ``system.posix_acl_access`` attribute (Linux) is there and lets no group in: the owning group's entry and
  every named group's grant nothing, so the group bits are only the mask of the entries for users.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

#: The extended attribute Linux keeps a file's access ACL in, and its format: a little-endian version (2), then
#: entries of (tag: u16, permissions: u16, id: u32). Tags (acl/libacl.h): 0x01 the owner, 0x02 a named user,
#: 0x04 the owning group, 0x08 a named group, 0x10 the mask, 0x20 others.
ACL_XATTR = "system.posix_acl_access"
_ACL_VERSION = 2
_ENTRY = struct.Struct("<HHI")
_GROUP_TAGS = (0x04, 0x08)


def in_credentials_directory(path: Path) -> bool:
    """Whether ``path`` is directly inside the folder ``$CREDENTIALS_DIRECTORY`` names (links resolved); False
    when the variable is unset or empty. Raises nothing (a folder that cannot be resolved: False)."""
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if not creds:
        return False
    try:
        return path.resolve().parent == Path(creds).resolve()
    except (OSError, RuntimeError):
        return False


def not_the_credential_copy(path: Path, st: os.stat_result) -> str | None:
    """None when ``path`` (``st``: its ``stat``) has the exact shape of systemd's credential copy (module doc);
    otherwise why not, in words that follow "it is not systemd's credential copy: ", naming modes and ids, never
    the file's content.
    Call it only for a file ``in_credentials_directory``. Raises nothing."""
    mode = stat.S_IMODE(st.st_mode)
    if mode != 0o440:
        return f"mode {mode:o}, and systemd's copies show 440 (0400 and an ACL entry letting the unit's user read)"
    if st.st_uid != 0:
        return f"owned by uid {st.st_uid}, and systemd's copies are root's"
    groups = _acl_group_permissions(path)
    if groups is None:
        return (f"it has no ACL, so its group (gid {st.st_gid}) really can read it, while systemd's copies show "
                "440 only through an ACL entry letting the unit's user read")
    if groups:
        return "its ACL lets a group read it, as systemd's copies never do"
    return None


def _acl_group_permissions(path: Path) -> int | None:
    """The permission bits that ``path``'s access ACL gives any group (the owning group's entry, named groups'),
    or'ed together; None when it has no ACL or it cannot be read or parsed (not Linux, no ACL support)."""
    getxattr = getattr(os, "getxattr", None)
    if getxattr is None:
        return None
    try:
        raw = getxattr(path, ACL_XATTR)
    except OSError:  # ENODATA: no ACL; ENOTSUP: none on this file system
        return None
    if len(raw) < 4 or (len(raw) - 4) % _ENTRY.size or struct.unpack_from("<I", raw)[0] != _ACL_VERSION:
        return None
    given = 0
    for offset in range(4, len(raw), _ENTRY.size):
        tag, permissions, _ = _ENTRY.unpack_from(raw, offset)
        if tag in _GROUP_TAGS:
            given |= permissions & 0o7
    return given
