"""What a PostgreSQL server that answered refuses the store's role: errors an admin must fix (exit 2), and doctor's check.

A role that may only read the store (a coordinator's or an auditor's) made ``lmsync health``, ``meetings add``,
``import``, ``person erase``, ``nudge`` and ``grades push`` end with a traceback, and a run's step say ``failed``
with the driver's text, exit 1; a role without CREATE on its schema, a view named like one of lmsync's tables, or
a ``search_path`` naming no schema that exists passed doctor and then failed the first run, the last two as
"cannot be reached ... check that the database server runs", exit 1, so a daemon retried for ever (tester round
124, 3, 6 and 7). The server answered each time: ``refusal`` turns its refusal (by SQLSTATE) into a
:class:`~lmsync.errors.ConfigError` naming the store (no password), the missing privilege or the object in the
way, and the fix; ``watch`` makes a store's engine raise it in place of the driver's error; ``doctor_problem``
asks the server the same questions, read-only, in one query. SQLite is untouched.
"""

from __future__ import annotations

import getpass
import logging
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from lmsync.errors import ConfigError
from lmsync.secrets import redact

#: SQLSTATEs of a refusal: insufficient_privilege (``permission denied for ...``, ``must be owner of ...``);
#: a relation of lmsync's name that is not lmsync's table (duplicate_table, duplicate_object, wrong_object_type);
#: no schema to create in (invalid_schema_name).
PRIVILEGE = "42501"
IN_THE_WAY = ("42P07", "42710", "42809")
NO_SCHEMA = "3F000"

_OTHER_ROLE = "or set [store] url (LMSYNC_STORE_URL) to the service's role"


def schema_of(url: URL) -> str:
    """The schema the store's tables are in, as far as ``url`` says: the first of ``search_path`` in its
    ``options`` (``-csearch_path=prog``), else ``public`` (PostgreSQL's default)."""
    options = url.query.get("options", "")
    for part in (options if isinstance(options, str) else " ".join(options)).replace("-c ", "-c").split():
        if part.lower().startswith("-csearch_path="):
            first = part.split("=", 1)[1].split(",")[0].strip().strip('"')
            if first and first != "$user":
                return first
    return "public"


def role_of(url: URL, orig: Any = None) -> str:
    """The role the server refused: the driver's connection's user when it still has one, else ``url``'s user,
    else libpq's default (the operating system's user)."""
    try:
        user = orig.pgconn.user if orig is not None and orig.pgconn is not None else None
    except Exception:  # a closed connection no longer says
        user = None
    if isinstance(user, bytes) and user:
        return user.decode(errors="replace")
    return url.username or getpass.getuser()


def refusal(orig: Any, url: URL, where: str, schema: str | None = None) -> ConfigError | None:
    """The admin's error for the driver's error ``orig`` on the store ``where`` (the URL as messages show it), or
    None when it is no refusal of ``refusal``'s kinds (module doc). ``schema``: the session's current schema when
    known (SQLAlchemy's ``default_schema_name``: a search_path set on the role or database, not in the URL, included),
    else the URL's (``schema_of``)."""
    state = getattr(orig, "sqlstate", None)
    lines = str(orig).strip().splitlines()
    reason = redact(lines[0]) if lines else "no reason given"
    if state == PRIVILEGE:
        words = reason.lower()
        kind = next((k for k in ("schema", "database") if f"for {k}" in words), "owner" if "must be owner" in words else "tables")
        schema = reason.rsplit(" ", 1)[-1].strip('"') if kind == "schema" else (schema or schema_of(url))
        return _privilege(reason, kind, url, where, role_of(url, orig), schema)
    if state in IN_THE_WAY:
        return ConfigError(
            f"the store {where} cannot be made there: {reason}: the database already holds a view, sequence or other "
            "object of the name of one of lmsync's tables, and it is not lmsync's table",
            hint="point [store] url (LMSYNC_STORE_URL) at a database (or a schema: ?options=-csearch_path%3DNAME) of "
                 "lmsync's own, or drop or rename that object if nothing uses it",
        )
    if state == NO_SCHEMA:
        return ConfigError(
            f"the store {where} has no schema to make its tables in: {reason} (the search_path names no schema "
            "that exists, or none the role may use)",
            hint=f"if the schema exists, GRANT USAGE, CREATE ON SCHEMA NAME TO {role_of(url, orig)} (as its owner); "
                 "else fix search_path in [store] url's options (or the role's or database's search_path), or "
                 "create that schema: CREATE SCHEMA NAME AUTHORIZATION ROLE",
        )
    return None


def _privilege(reason: str, kind: str, url: URL, where: str, role: str, schema: str) -> ConfigError:
    """The error for a privilege ``role`` lacks: on the ``schema`` (to make the store), the ``database`` (to connect),
    ``owner`` (to migrate), else on the store's ``tables`` and sequences (to write)."""
    if kind == "schema":
        return ConfigError(
            f"the store {where} refuses the role {role}: {reason}: it needs USAGE and CREATE on schema {schema} to make "
            "and migrate the store's tables",
            hint=f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {role} (as the schema's owner), or give the role a "
                 f"database of its own (createdb -O {role} NAME), {_OTHER_ROLE}",
        )
    if kind == "database":
        return ConfigError(
            f"the store {where} refuses the role {role}: {reason}: it needs CONNECT on the database",
            hint=f"GRANT CONNECT ON DATABASE {url.database or 'NAME'} TO {role}, {_OTHER_ROLE}",
        )
    if kind == "owner":
        return ConfigError(
            f"the store {where} refuses the role {role}: {reason}: only the role that owns the store's tables can "
            "change them (a migration)",
            hint="run a command that writes (e.g. lmsync sync) once as the role that owns the tables (the "
                 "service's role), then go on with this one",
        )
    return ConfigError(  # a table or a sequence: a role that may read the store but not write it
        f"the store {where} refuses the role {role}: {reason}: it needs SELECT, INSERT, UPDATE and DELETE on the "
        "store's tables and USAGE on their sequences (a role that may only read cannot run a command that writes)",
        hint=f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}; GRANT USAGE ON ALL "
             f"SEQUENCES IN SCHEMA {schema} TO {role} (as the tables' owner), {_OTHER_ROLE}; a read-only role can "
             "still read (queue list, health --as-of, report)",
    )


def watch(engine: Engine, url: URL, where: str) -> Engine:
    """``engine``, whose refusals (``refusal``) are raised as the admin's ConfigError in place of the driver's
    error (SQLAlchemy's ``handle_error`` hook); returns it."""

    driver_log = logging.getLogger("psycopg")
    if not any(isinstance(f, _PipelineAborted) for f in driver_log.filters):
        driver_log.addFilter(_PipelineAborted())

    @event.listens_for(engine, "handle_error")
    def _refused(context: Any) -> ConfigError | None:
        return refusal(context.original_exception, url, where, getattr(context.dialect, "default_schema_name", None))

    return engine


class _PipelineAborted(logging.Filter):
    """Drops psycopg's second word on a batch a refused statement aborted ("error ignored terminating <Pipeline
    ...>: pipeline aborted", a warning printed above the admin's one line): the first error is raised all the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.args[-1] if isinstance(record.args, tuple) and record.args else None
        return not (str(record.msg).startswith("error ignored terminating") and str(said) == "pipeline aborted")


#: lmsync's table names that are not a table, the store's tables this role may not change, and its sequences it
#: may not use, in the schema the store is in (one query; tester round 124, 3, 6 and 7).
_ASKED = text("""
SELECT current_schema() AS schema, current_user AS role,
       has_schema_privilege(current_schema(), 'USAGE') AND has_schema_privilege(current_schema(), 'CREATE') AS can_create,
       ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname = ANY(:names) AND c.relkind NOT IN ('r', 'p')
             ORDER BY 1) AS not_tables,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname = ANY(:names) AND c.relkind IN ('r', 'p')) AS tables,
       ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname = ANY(:names) AND c.relkind IN ('r', 'p')
               AND NOT (has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT')
                        AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE'))
             UNION ALL
             SELECT s.relname::text FROM pg_class s
               JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
               JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE s.relkind = 'S' AND n.nspname = current_schema() AND t.relname = ANY(:names)
               AND CASE WHEN s.relkind = 'S' THEN NOT has_sequence_privilege(s.oid, 'USAGE') ELSE false END
             ORDER BY 1) AS unwritable
""").bindparams(bindparam("names"))


def doctor_problem(url: URL, where: str, names: list[str]) -> tuple[str, str] | None:
    """What a writing run on the PostgreSQL store at ``url`` would be refused, as doctor's failure (detail, fix),
    or None. ``names``: lmsync's table names. Asked read-only on a connection of its own (the store doctor opened
    reads an empty database through an in-memory copy). Checks: a schema to create in; on a database without
    lmsync's tables, USAGE and CREATE on it and no other object of lmsync's table names; with them, SELECT,
    INSERT, UPDATE and DELETE on each and USAGE on their sequences. None too when the server cannot be asked
    (doctor opened the store just before, and said so had it failed)."""
    from lmsync.store.pg_session import connect_args

    engine = create_engine(url, poolclass=NullPool, hide_parameters=True, connect_args=connect_args(url))
    try:
        with engine.connect() as conn:
            row = conn.execute(_ASKED, {"names": names}).one()
            conn.rollback()
    except DBAPIError:  # the server went away since doctor opened the store: nothing more to say here
        return None
    finally:
        engine.dispose()
    refused: ConfigError | None
    if row.schema is None:
        refused = refusal(_Said(NO_SCHEMA, "no schema has been selected to create in"), url, where)
    elif row.not_tables:
        refused = refusal(_Said(IN_THE_WAY[0], f'relation "{row.not_tables[0]}" is not a table'), url, where)
    elif not row.tables and not row.can_create:
        refused = _privilege(f"no CREATE on schema {row.schema}", "schema", url, where, row.role, row.schema)
    elif row.unwritable:
        more = ", ..." if len(row.unwritable) > 3 else ""
        refused = _privilege(f"it may not write {len(row.unwritable)} of the store's tables and sequences "
                             f"({', '.join(row.unwritable[:3])}{more})", "tables", url, where, row.role, row.schema)
    else:
        return None
    assert refused is not None
    return refused.message, refused.hint or ""


class _Said:
    """A refusal doctor found by asking, in the shape of the driver's error ``refusal`` reads."""

    pgconn = None

    def __init__(self, sqlstate: str, said: str) -> None:
        self.sqlstate, self._said = sqlstate, said

    def __str__(self) -> str:
        return self._said


def store_refused(url: URL, where: str) -> tuple[str, str] | None:
    """``doctor_problem`` for the PostgreSQL store at ``url`` (``where``: as messages show it), lmsync's tables its
    names."""
    from lmsync.store.schema import metadata

    return doctor_problem(url, where, [*metadata.tables, "alembic_version"])
