"""A database password in a configuration file others may read (tester round 94b, 7).

``[store] url = "postgresql+psycopg://lms:secret@host/db"`` in a 0644 ``lmsync.toml`` was accepted
without a word, and ``lmsync doctor`` said "no problems", while a token file open to others is refused
(``lmsync.token_file``). Refusing the configuration would stop deployments that run that way today, so
it is said instead: ``lmsync doctor`` fails its ``store url`` check, with the fix, and every command warns
once on stderr (``lmsync.cli.output.open_password_notice``). The password itself is never in either.
"""

from __future__ import annotations

import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from lmsync.config import Config
from lmsync.token_file import open_to

#: Query keys of a PostgreSQL URL that carry a secret (``lmsync.secrets.redact`` masks the same).
_SECRET_KEYS = ("password", "sslpassword")


@dataclass(frozen=True)
class OpenPassword:
    """The configuration ``file`` holds a ``[store] url`` with a password and its ``mode`` lets others read it."""

    file: Path
    mode: int

    @property
    def detail(self) -> str:
        """What is wrong, as a token file open to others is said (``read_token_file``)."""
        return (f"store.url: {self.file} holds the store's database password and is open to {open_to(self.mode & (stat.S_IRGRP | stat.S_IROTH))} "
                f"(mode {stat.S_IMODE(self.mode):o}); only its owner may read it")

    @property
    def fix(self) -> str:
        return (f"chmod 600 {self.file} (owned by the account that runs lmsync), or take the password out of it: "
                "set the whole URL in LMSYNC_STORE_URL in lmsync's environment, or keep the password in that "
                "account's ~/.pgpass (chmod 600) and write [store] url without it")


def url_has_password(url: str) -> bool:
    """Whether ``url`` carries a password: in its user part (``user:secret@host``) or its query
    (``?password=secret``, ``sslpassword``). An empty password (``user:@host``) is none."""
    try:
        parts = urlsplit(url.strip())
        if parts.password:
            return True
    except ValueError:  # a malformed port or netloc: the store says so when it opens
        return "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]
    return any(key.lower() in _SECRET_KEYS and value for key, value in parse_qsl(parts.query))


def open_password(config: Config) -> OpenPassword | None:
    """The configuration file ``config`` was read from when its own ``[store] url`` (the file's, whatever
    ``LMSYNC_STORE_URL`` says) holds a password and its group or every user may read it; None otherwise, or
    when there is no file or it cannot be read again. Raises nothing."""
    file = config.source
    if file is None:
        return None
    try:
        mode = file.stat().st_mode
        if not mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
        store = tomllib.loads(file.read_text(encoding="utf-8-sig")).get("store")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    url = store.get("url") if isinstance(store, dict) else None
    return OpenPassword(file, mode) if isinstance(url, str) and url_has_password(url) else None
