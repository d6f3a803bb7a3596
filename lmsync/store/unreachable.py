"""The errors for a PostgreSQL store that cannot be opened, and the URL as messages show it.

A server that does not answer is exit 1 (tester round 12, 6: a 143-line traceback): the next run may
find it up again (a daemon backs off). A store lmsync can reach but not use (an unknown role or
database, a refused password, a host name that does not resolve, a bad ``sslmode``) is exit 2: only an
admin can fix it, and a daemon should not back off for six hours (tester round 20, 2). Messages name
the store by ``shown_url``: no password, in the user part or in the query (round 20, 4).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from lmsync.errors import ConfigError, PartialFailure
from lmsync.secrets import redact
from lmsync.store.pg_refusals import refusal

#: Query parameters of a PostgreSQL URL that carry a secret (libpq's connection keywords).
SECRET_PARAMETERS = ("password", "sslpassword")

#: The driver's words for a store that answers but refuses this configuration.
_ADMIN_MUST_ACT = (
    "does not exist", "password authentication failed", "no password supplied", "invalid sslmode",
    "invalid connection option", "failed to resolve host", "could not translate host name",
    "name or service not known", "is not allowed to log in", "permission denied",
)


def shown_url(url: URL) -> str:
    """``url`` for messages and logs, every password as ``<redacted>``, as the token and Moodle's URL
    are shown (tester round 27, 8: ``***`` here, ``<redacted>`` there)."""
    secret = {k: "REDACTED" for k in url.query if k.lower() in SECRET_PARAMETERS}
    shown = (url.update_query_dict(secret) if secret else url).render_as_string(hide_password=True)
    return shown.replace(":***@", ":<redacted>@").replace("=REDACTED", "=<redacted>")


def refuse_ambiguous(url: URL, text: str = "") -> None:
    """Refuse a URL whose password holds a bare ``@``: everything after its first ``@`` became the
    host name, and the driver's error then printed the rest of the password (tester round 20, 4); in
    the query (``?password=a@b``) the URL was split at that ``@`` instead (round 22, 2)."""
    if (url.host and "@" in url.host) or (url.username and "@" in url.username) or "@" in text.partition("?")[2]:
        raise ConfigError(
            "[store] url (LMSYNC_STORE_URL): the password holds '@', which ends the password in a URL, so "
            "the rest of it was read as the host name",
            hint="write each '@' of the password as %40 (URL-encoding), e.g. postgresql+psycopg://lmsync:pa%40ss@db/lmsync",
        )


def unreachable(exc: DBAPIError, url: URL) -> PartialFailure | ConfigError:
    """The error saying which store could not be opened, why (the driver's first line, every
    password masked), and what to check: exit 2 when the server answered and refused, else exit 1."""
    lines = str(exc.orig).strip().splitlines() or ["no reason given"]
    reason = lines[0]
    secrets = [url.password or "", *(str(url.query[k]) for k in url.query if k.lower() in SECRET_PARAMETERS)]
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "<redacted>")
    where = shown_url(url)
    if (refused := refusal(exc.orig, url, where)) is not None:  # a privilege, an object in the way (round 124, 6, 7)
        return refused
    if any(words in reason.lower() for words in _ADMIN_MUST_ACT):
        return ConfigError(
            f"the store {where} cannot be opened: {reason}",
            hint="fix [store] url (LMSYNC_STORE_URL), or the role, database or password on the PostgreSQL server",
        )
    return PartialFailure(
        f"the store {where} cannot be reached: {reason}",
        hint="check that the database server runs and that [store] url (LMSYNC_STORE_URL) names it",
    )


def store_url(target: Path | str) -> URL | None:
    """The database URL ``target`` names, or None for a SQLite path (or ``:memory:``)."""
    text = str(target)
    if "://" not in text:
        return None
    try:
        url = make_url(text)
    except (ValueError, ArgumentError) as exc:  # a port that is no number: a traceback (tester round 22, 4)
        said = "its port is not a number" if "int()" in str(exc) else redact(str(exc))  # round 51b, 11: Python's words
        raise ConfigError(f"[store] url (LMSYNC_STORE_URL) is not a database URL: {said}",
                          hint="write it as postgresql://USER@HOST:PORT/DATABASE (the port a number, e.g. 5432)") from None
    if url.port is not None and not 0 < url.port < 65536:  # 99999 was taken, to fail later as unreachable
        raise ConfigError(f"[store] url (LMSYNC_STORE_URL) is not a database URL: its port {url.port} is not one "
                          "(1-65535)", hint="PostgreSQL listens on 5432 unless its server says otherwise")
    url = url.set(drivername=url.drivername.lower())  # a scheme is case-blind: SQLITE:// was a traceback (98b, 3)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    refuse_ambiguous(url, text)
    return url


def is_postgres(target: Path | str | None) -> bool:
    """Whether ``target`` names a PostgreSQL database (``[store] url``)."""
    url = store_url(target) if target is not None else None
    return url is not None and url.get_backend_name() == "postgresql"


def opened_target(target: Path | str) -> Path | str:
    """What ``Store`` opens for ``target``: the file a ``sqlite://`` URL names, as SQLite opens it (``sqlite:///a.db``
    is ``a.db`` in the current folder, ``sqlite:////srv/a.db`` is ``/srv/a.db``; ``sqlite://`` alone is
    ``:memory:``), else ``target`` unchanged (a path, or a PostgreSQL URL). One rule for the store the commands open
    and the one ``lmsync doctor`` describes: doctor read ``sqlite:////srv/a.db`` as the path ``sqlite:/srv/a.db``
    (tester round 95b, 1). Raises ConfigError for a URL that is none (``store_url``)."""
    url = store_url(target)
    if url is None or url.get_backend_name() != "sqlite":
        return target
    return url.database or ":memory:"
