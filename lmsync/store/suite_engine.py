"""Test-only: the suite's PostgreSQL pass puts every SQLite store it opens in PostgreSQL (issue 12).

Nothing here acts unless the environment holds ``LMSYNC_TEST_STORE=postgresql``, a variable
of the ``LMSYNC_TEST_*`` family that configuration never reads (lmsync.config skips it) and
no deployment sets; the test suite's PostgreSQL pass does (README, Development; tests/conftest.py).
With it on, ``LMSYNC_TEST_POSTGRES_URL`` (the test database) and ``LMSYNC_TEST_STORE_RUN``
(a token naming the running test, prefixing every schema made so its teardown drops them)
must be set too, or opening a store raises RuntimeError.

``Store(target)`` passes its target through ``redirect``: a SQLite path becomes one schema of
the test database. The file at the path is then a one-line marker naming that schema, written
by the first writing open (owner-only, as a store file is); reopening the path finds the same
schema and its data, and deleting the file forgets the store, as deleting a SQLite file does.
A read-only open of a missing path gets a fresh empty schema and writes no file. ``:memory:``
gets a fresh schema per writing open. A database URL is left alone. A path holding a real
SQLite file is refused: a test about SQLite itself is marked ``sqlite_only`` and skips.
"""

from __future__ import annotations

import os
import uuid
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SWITCH = "LMSYNC_TEST_STORE"
DATABASE = "LMSYNC_TEST_POSTGRES_URL"
RUN = "LMSYNC_TEST_STORE_RUN"
#: The first line of a marker file; the schema's name follows it.
MARKER = "lmsync test store in PostgreSQL, schema "
#: Every schema the switch makes is named ``<PREFIX><run token>_<random>``.
PREFIX = "lmsync_s_"


class OutsideTheSuite(RuntimeError):
    """The switch left on outside the test suite (no run token): the CLI prints this one line and
    exits 2, as for any error with an ``exit_code``, instead of a traceback (tester finding FIX-C 6)."""

    exit_code = 2


def _outside() -> OutsideTheSuite:
    return OutsideTheSuite(
        f"{SWITCH}=postgresql is set, but it is a test-only variable (the test suite's PostgreSQL pass, which "
        f"also sets {RUN} per test): unset {SWITCH} (`unset {SWITCH}`) and run lmsync again"
    )


def active() -> bool:
    """Whether the suite's PostgreSQL pass is on (``LMSYNC_TEST_STORE=postgresql``)."""
    return os.environ.get(SWITCH) == "postgresql"


def lock_salt() -> str:
    """``""``, or (the switch on) ``":"`` and the running test's token: an advisory lock's key is the programme's
    and the test's, so the suite's tests run side by side (``pytest -n``) on one database without holding each
    other's programme lock, while the processes one test starts share it (they inherit its token)."""
    if not active():
        return ""
    if not os.environ.get(RUN):  # the switch left on outside the suite: refused, never a deployment's key changed
        raise _outside()
    return f":{os.environ[RUN]}"


def redirect(target: Path | str, *, read_only: bool = False) -> Path | str:
    """``target`` itself, or (switch on, a SQLite target) the URL of the schema standing for it.

    Raises RuntimeError when the switch is on without its database or run token, or when the
    path holds a real SQLite file.
    """
    if not active():
        return target
    if not os.environ.get(RUN):
        raise _outside()
    raw = str(target)
    if "://" in raw:
        if not raw.partition("://")[0].startswith("sqlite"):
            return target  # another database's URL, left alone unparsed: Store itself names its mistakes
        raw = make_url(raw).database or ":memory:"
    if raw in ("", ":memory:"):
        return target if read_only else schema_url(new_schema())
    path = Path(raw)
    if path.exists():
        return schema_url(_marked_schema(path))
    schema = new_schema()
    if not read_only:
        schema = _mark(path, schema)
    return schema_url(schema)


def new_schema() -> str:
    """Create a fresh empty schema named for the running test; returns its name."""
    run = os.environ.get(RUN)
    if not run:
        raise _outside()
    name = f"{PREFIX}{run}_{uuid.uuid4().hex[:8]}"
    with _admin().begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    return name


def schema_url(schema: str) -> str:
    """The test database's URL with ``schema`` as the only schema its connections see."""
    url = make_url(_database())
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def drop_schemas(database: str, prefix: str, *, wait: str = "10s") -> int:
    """Drop every schema of ``database`` (a URL) whose name starts with ``prefix``, with what it
    holds; returns the count.

    Waits at most ``wait`` (a PostgreSQL interval, e.g. ``"50ms"``) for a lock held by a
    connection still open, then raises OperationalError (nothing dropped).
    """
    with _admin_for(database).begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{wait}'")
        names = conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"), {"p": prefix}
        ).scalars().all()
        for name in names:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    return len(names)


def _database() -> str:
    url = os.environ.get(DATABASE)
    if not url:
        raise RuntimeError(f"{SWITCH}=postgresql needs {DATABASE}, the test database's URL")
    return url


@cache
def _admin_for(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, hide_parameters=True)


def _admin() -> Engine:
    return _admin_for(_database())


def _marked_schema(path: Path) -> str:
    try:
        line = path.read_text(encoding="utf-8").strip()
    except (UnicodeDecodeError, IsADirectoryError):
        line = ""
    if not line.startswith(MARKER):
        raise RuntimeError(
            f"{path} is a real SQLite file, but {SWITCH}=postgresql keeps every store in PostgreSQL:"
            " mark a test about SQLite itself @pytest.mark.sqlite_only(reason)"
        )
    return line[len(MARKER) :]


def _mark(path: Path, schema: str) -> str:
    """Write the marker naming ``schema`` at ``path``; a concurrent opener that won keeps its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _marked_schema(path)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f"{MARKER}{schema}\n")
    return schema
