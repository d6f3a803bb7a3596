"""Where Moodle and the store are: ``[moodle]`` and ``[store]`` (part of ``lmsync.config``).

Both name things that carry secrets (a web-service token, a database password), so their checks
never repeat a refused value: a web-service request URL holding ``?wstoken=`` and a token given as
the token file (tester round 12, 1 and 2) are refused by what they look like, not echoed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from lmsync.config_lines import folder_tail
from lmsync.config_moodle_url import (
    PASSWORD_FIX,
    PASSWORD_PROBLEM,
    fragment_problem,
    moodle_url_has_password,
    site_address_problem,
)
from lmsync.config_sections import Section
from lmsync.errors import ConfigError
from lmsync.store.url_forms import sqlite_url_file, url_refusal

#: A Moodle web-service token: 32 hexadecimal characters (``md5(uniqid(...))``, lib/externallib.php).
TOKEN_SHAPE = re.compile(r"[0-9a-fA-F]{32}")


class MoodleConfig(Section):
    """Where Moodle is. No ``url`` means the built-in emulator."""

    url: str | None = Field(None, description="the site's address (https://...); none: the built-in emulator")
    token_file: Path | None = Field(
        None, description="file holding the web-service token, readable only by lmsync's user (or LMSYNC_TOKEN)"
    )
    timeout_seconds: float = Field(30.0, gt=0, le=3600, description="seconds to wait for one answer from Moodle")
    retry_deadline_seconds: float = Field(
        120.0, description="seconds to keep retrying a read after network errors before giving up (at most 15 while the "
        "site has not answered yet and the connection is refused or the host unknown)"
    )
    batch_budget: int = Field(
        2000, ge=10, le=4500, description="form variables per request (PHP's max_input_vars is 5000)"
    )
    page_size: int = Field(500, ge=1, description="people read per request when listing a course's enrolments")
    max_parallel: int = Field(
        3,
        strict=True,  # tester finding 12: `true` was read as 1
        ge=1,
        le=16,
        description=(
            "requests sent to Moodle at once (1-16) for independent writes (welcome posts to different circles, "
            "members, grades of different items, messages to different people); group creates in one "
            "course always go one at a time; 1 turns the pool off"
        ),
    )
    verify_tls: bool = Field(True, description="check the site's TLS certificate (turn off only for a test site)")

    @field_validator("token_file", mode="before")
    @classmethod
    def _refuse_empty_token_file(cls, value: Any) -> Any:
        if value is not None and str(value).strip() in ("", "."):
            raise ValueError("is empty: give the path of the file holding the token, or leave token_file out "
                             "and set LMSYNC_TOKEN")  # it read ". is a directory" (tester round 6, 13)
        if value is not None and TOKEN_SHAPE.fullmatch(Path(str(value).strip()).name) and not Path(str(value)).exists():
            # a token pasted at init's "token file" prompt was then printed by every run (tester round 12, 2)
            raise ValueError("looks like a web-service token, not a file name: put the token in a file readable "
                             "only by lmsync's user (chmod 600) and give that file's path; then make a new token "
                             "in Moodle if this one was saved in a file anyone else can read")
        return value

    @field_validator("url")
    @classmethod
    def _strip_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():  # not the emulator: an empty address is a mistake (tester round 4, 7)
            raise ValueError("is empty: set the site's address (https://...), or leave url out to use the "
                             "built-in emulator")
        if moodle_url_has_password(value):  # sent as HTTP basic authentication; never repeated (lmsync.config_moodle_url)
            raise ValueError(f"{PASSWORD_PROBLEM}: {PASSWORD_FIX}")
        value = value.strip().rstrip("/")
        scheme, sep, rest = value.strip().partition("://")  # a scheme is case-insensitive (RFC 3986, 3.1): HTTP://host
        if sep and scheme.lower() in ("http", "https"):  # was refused (tester round 87b, 8b); kept lower case from here
            value = f"{scheme.lower()}://{rest}"
        elif value.lower() in ("http:", "https:"):  # http:// with its slashes stripped (tester round 97b, 8a)
            raise ValueError("is not a web address: it names no host (https://moodle.school.example)")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        # the web-service test URL (.../server.php?wstoken=...) put the token in every request line and
        # error (tester round 12, 1); the value is never repeated here
        if "#" in value and "?" not in value and "/webservice/" not in value.lower():  # tester round 97b, 8b
            raise ValueError(fragment_problem(value.partition("#")[2]))
        if "?" in value or "#" in value or "/webservice/" in value.lower():
            raise ValueError("is the address of a web-service request, not the site's: give the site's address "
                             "only (https://moodle.school.example, or with the folder Moodle lives in), and the "
                             "token in token_file; if the address held ?wstoken=, make a new token in Moodle")
        if (problem := site_address_problem(value)) is not None:  # a port that is none (tester round 96b, 4)
            raise ValueError(problem)
        if value.lower().endswith(".php"):  # a page copied from the browser: doctor then failed with a 404 (85a, 10)
            page = value.rsplit("/", 2)[-2:]
            raise ValueError(f"is the address of a Moodle page (.../{'/'.join(page)}), not the site's: give the site's "
                             "address only (https://moodle.school.example, or with the folder Moodle lives in)")
        return value


class StoreConfig(Section):
    """lmsync's own store (a SQLite file, or PostgreSQL with url): meetings, surveys, the write journal, health."""

    path: Path | None = Field(
        None, description="the SQLite file (default: $XDG_STATE_HOME/lmsync/<programme name>.db)"
    )
    url: str | None = Field(
        None,
        description=(
            "a database URL instead of the SQLite file, e.g. postgresql+psycopg://lmsync@db.school.example/lmsync"
            " (PostgreSQL: several daemons or hosts share one store, and the programme lock becomes a PostgreSQL"
            " advisory lock); keep the password out of the file: set LMSYNC_STORE_URL from a secret"
        ),
    )

    @field_validator("path", mode="before")
    @classmethod
    def _refuse_empty_path(cls, value: Any) -> Any:
        if value is not None and not str(value).strip():  # a traceback (tester round 12, 7)
            raise ValueError("is empty: give the SQLite file's path, or leave path out for the default "
                             "($XDG_STATE_HOME/lmsync/<programme name>.db)")
        if value is not None and (tail := folder_tail(str(value))):  # "sub/..": a folder made, then refused (105a, 7)
            raise ValueError(f"ends with {tail!r}, so it names a folder, not a store file: give the SQLite file inside "
                             "it, e.g. <folder>/lmsync.db")
        if value is not None and str(value).endswith(("/", os.sep)):  # was made as a file named so (round 82a, 9)
            raise ValueError("ends with a '/', so it names a folder: give the SQLite file inside it, e.g. <folder>/lmsync.db")
        return value

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        """PostgreSQL or a SQLite file (not in memory: tester round 95b, store copy 1); the value (it may hold
        a password) is never repeated (tester round 12, 6). The rule: ``lmsync.store.url_forms``."""
        if value is not None and (reason := url_refusal(value)) is not None:
            raise ValueError(reason)
        return value


def refuse_empty_store_url(data: dict[str, Any], source: str, env_names: dict[tuple[str, ...], str],
                           in_file: dict[str, Any]) -> None:
    """Raise ``ConfigError`` (exit 2) when the environment variable in ``env_names`` (``LMSYNC_STORE_URL``) sets
    ``[store] url`` empty in the merged ``data``: "is set but empty", and to unset it for ``[store]`` of the file
    (``source``; ``in_file``: its own tables, whose url is never repeated: it may hold a password), as an empty
    ``LMSYNC_MOODLE_URL`` is told (``config_moodle_url.refuse_moodle_url``). Before, the generic "must be a
    PostgreSQL URL ..." (tester round 97b, 8e)."""
    store, own = data.get("store"), in_file.get("store")
    variable = env_names.get(("store", "url"))
    if not variable or not isinstance(store, dict) or not isinstance(store.get("url"), str) or store["url"].strip():
        return
    own = own if isinstance(own, dict) else {}
    there = ("its url there" if own.get("url") is not None else "its path there" if own.get("path") is not None
             else "none there: the SQLite file at the default path")
    raise ConfigError(
        f"environment: {variable} is set but empty ([store] url)",
        hint=f"set {variable} to the store's database URL (postgresql+psycopg://user@host/database, or "
             f"sqlite:///path), or unset it to use [store] of {source} ({there})",
    )


def emulator_site_path(url: str | None, store_path: Path, programme: str) -> Path:
    """Where the built-in emulator's site of a configuration with no ``[moodle] url`` is kept: the file
    ``<programme>.emulator.json`` beside the store's file, which is the file of a ``sqlite:///`` ``[store] url`` when
    there is one (``url_forms.sqlite_url_file``: relative to the current folder, as SQLite opens it), else
    ``store_path`` (``[store] path``, or the default, in ``$XDG_STATE_HOME/lmsync/emulator/`` with no ``[moodle] url``:
    a PostgreSQL url's site is kept there too). Before, a ``sqlite:///`` url's site was kept in the demo's folder,
    where ``lmsync demo`` then refused it and two folders with different urls shared one site (tester round 100a, 6).
    """
    file = sqlite_url_file(url) if url is not None else None
    return Path(file or store_path).with_name(f"{programme}.emulator.json")
