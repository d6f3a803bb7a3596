"""``[moodle] url`` as the file and the environment give it, refused before validation when it cannot be used.

Two refusals, each a ``ConfigError`` (exit 2) naming where the value was set and never repeating it:

* an explicitly empty url (``url = ""``, ``LMSYNC_MOODLE_URL=``): it once meant the built-in emulator, so
  a run on demo data exited 0 (tester round 4, 7). Leaving the key out still means the emulator.
* a url holding a password (``https://user:secret@moodle.school.edu``; tester finding, a Moodle url with a
  password in a 0644 lmsync.toml, said by nothing). lmsync signs in to Moodle with the web-service token
  alone; ``requests`` takes a URL's ``user:password`` as HTTP basic authentication and sent the password
  with every call, a thing lmsync neither needs nor supports (no site in front of Moodle asking for it is
  documented). Refused rather than warned of, as ``[store] url``'s password is (``lmsync.config_password``),
  because no deployment can need it: the url without it works the same. The file's own url is refused even
  when ``LMSYNC_MOODLE_URL`` overrides it (the password is still in the file), as the store's is judged.
  ``MoodleConfig``'s url check refuses it too, for a configuration not read from a file
  (``moodle_url_has_password``), and ``lmsync init --url`` before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from lmsync.config_lines import line_of
from lmsync.errors import ConfigError

#: A run of hexadecimal characters as long as a web-service token (``config_sites.TOKEN_SHAPE``).
_TOKEN_RUN = re.compile(r"[0-9a-fA-F]{32}")

#: What is wrong with a url holding a password, after the place that set it.
PASSWORD_PROBLEM = ("holds a password or user name (user:password@ before the host name): lmsync signs in to Moodle with "
                    "the web-service token alone and does not support HTTP basic authentication in front of "
                    "Moodle, yet the password would be sent to the site with every request")
#: The fix for it.
PASSWORD_FIX = ("write the site's address alone, without a user name or password (https://moodle.school.example, "
                "or with the folder Moodle lives in); the token goes in [moodle] token_file or LMSYNC_TOKEN. "
                "Then change that password if others could read where it was written")


def moodle_url_has_password(url: str) -> bool:
    """Whether ``url`` holds a user name or password before its host (``https://user:secret@host``), also when
    the password holds a ``/``, ``?`` or ``#`` that ends the host part for a URL parser (``https://user:pa/ss@host``),
    or the scheme is missing. Any ``@`` counts, read as NFKC reads it: a user name alone can hide a password
    (``https://admin%3Asecret@host``, an encoded ``:``), and a full-width ``＠`` made ``urlsplit`` raise with the
    password in its message, printed in a traceback (tester round 96b, 3 and 4); a Moodle site's address never
    holds one. Raises nothing."""
    rest = unicodedata.normalize("NFKC", url.strip())
    rest = rest.partition("://")[2] if "://" in rest else rest
    return "@" in rest


def site_address_problem(url: str) -> str | None:
    """Why ``url`` (an http(s) address without a user name) names no site lmsync can reach, or None: a host
    part ``urlsplit`` cannot read, or a port that is no number from 1 to 65535 (``https://host:secret``,
    ``https://host:443:x`` were taken, and the address then printed in errors and stored; tester round 96b, 4).
    Never repeats the address. Raises nothing."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        port = -1
    if port == -1 or port == 0:
        return ("holds a host part no web address can hold (after the host name, ':' must be followed by a port "
                "number from 1 to 65535): give the site's address only (https://moodle.school.example, or with "
                "the folder Moodle lives in)")
    if not parts.hostname:
        return "names no host: give the site's address (https://moodle.school.example)"
    return None


def fragment_problem(fragment: str) -> str:
    """Why a site address ending in ``#fragment`` (``fragment``: the text after the ``#``) is refused: it names
    no part of a site lmsync can reach, and "the address of a web-service request" named nothing the admin
    wrote (tester round 97b, 8b). The fragment is shown unless it may hold a token (32 hexadecimal characters,
    or the word token) or is longer than 40 characters. Raises nothing."""
    shown = f"#{fragment}" if len(fragment) <= 40 and "token" not in fragment.lower() and not _TOKEN_RUN.search(fragment) else "#..."
    return (f"ends with a fragment ({shown}), which names a place on a web page, not a site: remove it and give the "
            "site's address only (https://moodle.school.example, or with the folder Moodle lives in)")


def _url_of(tables: dict[str, Any]) -> Any:
    moodle = tables.get("moodle")
    return moodle.get("url") if isinstance(moodle, dict) else None


def refuse_moodle_url(data: dict[str, Any], source: str, env_names: dict[tuple[str, ...], str], text: str,
                      in_file: dict[str, Any]) -> None:
    """Raise ``ConfigError`` when the merged ``data`` sets ``[moodle] url`` empty, or when the file's own
    tables (``in_file``) or the environment variable in ``env_names`` set it holding a password.
    ``source``: the file's name; ``text``: its content (for the line)."""
    url, own = _url_of(data), _url_of(in_file)
    variable = env_names.get(("moodle", "url"))
    number = line_of(text, ("moodle", "url"))
    in_source = f"{source}: moodle.url{f' (line {number})' if number else ''}"
    if isinstance(own, str) and moodle_url_has_password(own):
        raise ConfigError(f"{in_source} {PASSWORD_PROBLEM}", hint=PASSWORD_FIX)
    if variable and isinstance(url, str) and moodle_url_has_password(url):
        raise ConfigError(f"environment: {variable} ([moodle] url) {PASSWORD_PROBLEM}",
                          hint=PASSWORD_FIX.replace("write the site's", f"set {variable} to the site's"))
    if not isinstance(url, str) or url.strip():
        return
    if variable:  # the file's own url, not "none there" when it sets one (tester round 84, 8)
        there = "none there: the built-in emulator" if own is None else f"there: {own}" if str(own).strip() else "empty there too"
        raise ConfigError(
            f"environment: {variable} is set but empty ([moodle] url)",
            hint=f"set {variable} to the site's address (https://...), or unset it to use [moodle] url "
            f"of {source} ({there})",
        )
    raise ConfigError(
        f"{in_source} is empty",
        hint=f"set url to the site's address (https://...), or remove the url line from {source} "
        "to use the built-in emulator",
    )
