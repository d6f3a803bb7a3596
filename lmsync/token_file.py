"""Reading ``[moodle] token_file``: private, a file, UTF-8, the token alone (issue 11).

Every mistake is named locally (a directory, a file others can read, UTF-16, quotes or
``token=...``) instead of being sent to Moodle and answered with a bare ``invalidtoken``;
the token itself never appears in a message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lmsync.errors import ConfigError
from lmsync.secrets import Token
from lmsync.systemd_credential import in_credentials_directory, not_the_credential_copy


def read_token_file(path: Path, named: str = "moodle.token_file", key: str = "[moodle] token_file") -> Token:
    """The token in ``path``; raises ``ConfigError`` naming what is wrong with the file. ``named`` begins each
    message and ``key`` is what a fix points at the file: ``LMSYNC_MOODLE_TOKEN_FILE (moodle.token_file)`` and
    ``LMSYNC_MOODLE_TOKEN_FILE`` when the environment set the path (``Config.load_token``), as doctor names it
    (tester round 129, 3: the deploy/ units set it only so, and the errors sent the admin to a key not in the file)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise _missing(path, named) from None
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise ConfigError(
            f"{named}: {path} is a directory, not a file",
            hint=f"point {key} at the file holding the token (e.g. {path / 'token'}, chmod 600)",
        )
    if mode & (stat.S_IRWXG | stat.S_IRWXO) and (why := _not_a_credential(path, status)) is not None:
        raise ConfigError(
            f"{named}: {path} is open to {open_to(mode)} (mode {stat.S_IMODE(mode):o}); only its owner may read it"
            + why,
            hint=(f"a systemd credential is read from within its unit, where CREDENTIALS_DIRECTORY names {path.parent} "
                  "(never chmod it)" if path.resolve().parts[1:3] == ("run", "credentials")  # tester round 31
                  else f"chmod 600 {path}"),
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise ConfigError(
            f"{named}: {path} is not UTF-8 text{' (it is UTF-16)' if utf16 else ''}",
            hint=f"save {path} as plain UTF-8 or ASCII text holding only the token",
        ) from None
    if not text.strip():
        raise ConfigError(f"{named}: {path} is empty",
                          hint=f"write the token (from Site administration > Server > Web services > Manage tokens) to {path}")
    return token_from(f"{named} {path}", text)


def _missing(path: Path, named: str) -> ConfigError:
    """``path`` does not exist, said where it was looked for, with a fix line as every other error has (tester
    round 39, 5). A relative path written in the configuration file is the file's folder's (``config_lines.
    anchor_paths``); set by ``LMSYNC_MOODLE_TOKEN_FILE``, the current folder's, which the fix line said was the
    configuration file's folder (tester round 89b, 8a)."""
    env = os.environ.get("LMSYNC_MOODLE_TOKEN_FILE", "").strip()
    where = "" if path.is_absolute() else f" (looked for at {os.path.abspath(path)})"
    write = "write the token (from Site administration > Server > Web services > Manage tokens) to that file, chmod 600"
    if env and path in (Path(env), Path(env).expanduser()):
        return ConfigError(
            f"{named}: {path} does not exist{where}",
            hint=f"{write}, or set LMSYNC_MOODLE_TOKEN_FILE to the file holding it (set by environment, a relative "
                 "path is read from the current folder)",
        )
    return ConfigError(
        f"{named}: {path} does not exist{where}",
        hint=f"{write}, or point [moodle] token_file at the file holding it (a relative path written in the "
             "configuration file is read from that file's folder)",
    )


def token_from(source: str, text: str) -> Token:
    """The token in ``text``, cleaned by :func:`lmsync.secrets.clean_token_text` (issue 11)."""
    from lmsync.secrets import clean_token_text

    try:
        return Token(clean_token_text(text, source))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def open_to(mode: int) -> str:
    """Who besides the owner a file's ``mode`` lets in, in words (tester round 24, 8: 640 is its group); also
    said of a configuration file holding a database password (``lmsync.config_password``, tester round 94b, 7)."""
    group, others = bool(mode & stat.S_IRWXG), bool(mode & stat.S_IRWXO)
    return "its group and every user" if group and others else "its group" if group else "every user"


def _not_a_credential(path: Path, status: os.stat_result) -> str | None:
    """None when ``path`` is systemd's credential copy, accepted though ``stat`` shows its group read (an ACL's mask:
    ``lmsync.systemd_credential``, tester round 120b, 3: 0640, or a 0440 file its real group reads, passed whenever
    ``CREDENTIALS_DIRECTORY`` named its folder); otherwise what the refusal adds after "only its owner may read it":
    "" outside that folder, or a sentence saying why the file is not that copy."""
    if not in_credentials_directory(path):
        return ""
    why = not_the_credential_copy(path, status)
    return None if why is None else f". CREDENTIALS_DIRECTORY names its folder, but it is not systemd's credential copy: {why}"
