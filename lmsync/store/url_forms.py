"""Which database URLs may name a store: ``[store] url`` (``LMSYNC_STORE_URL``) and ``store copy --to``.

PostgreSQL (``postgresql://``, ``postgresql+psycopg://``, ``postgres://``) or a SQLite file
(``sqlite:///path``). Refused, with the reason (tester round 95b, store copy 1 and 2):

- another database or driver (``mysql://``, ``oracle://``, ``postgresql+asyncpg://``, ``https://``):
  ``store copy --to`` ended in a traceback naming a missing module, the password in the URL shown;
- an in-memory SQLite database (``sqlite://``, ``sqlite:///:memory:``): a store there, or a copy
  into one, is gone when the process ends, and ``store copy`` said "copied" with exit 0;
- ``sqlite://HOST/...``: SQLite has no host, so the host was dropped without a word and the file
  was made in the current folder;
- an empty URL, said so (not "must be a PostgreSQL URL"; tester round 97b, 8e);
- a SQLite URL whose path begins with ``~`` (``sqlite:///~/x.db``): SQLite does not expand ``~``, so a
  folder named ``~`` was made in the current folder (tester round 97b, 6), one ``rm -rf ~`` away from
  the home folder; ``store copy --to`` expanded it instead, into a file ``[store] url`` never reads;
- a SQLite URL with a query or a fragment (``sqlite:///q.db?mode=ro``, ``sqlite:///q.db#x``): the query was left
  off without a word, and the store opened and written as usual (tester round 102b, 6), and a fragment became
  part of the file's name; a ``?`` or ``#`` in a file's name is written ``%3F`` or ``%23`` (``sqlite_url_for``).
  A PostgreSQL URL keeps its query (``?sslmode=require``).

A SQLite URL names its file one way everywhere (``sqlite_url_file``): SQLAlchemy's ``make_url(text).database``, the
path with its percent-escapes decoded (``%20`` a space, ``%7E`` a ``~``) and the query (``?...``) left off, which is
the file SQLite opens. The ``~`` refusal judges that decoded path (``sqlite:///%7E/x.db`` made a folder named ``~``:
tester round 100a, 1), and ``store copy --to`` writes that file (it took ``%20`` literally: tester round 100a, 2).
``sqlite_url_for(path)`` is the URL naming ``path`` by that rule (a ``%`` or ``?`` in it escaped).

``url_refusal(text)`` is the reason, without the URL (it may hold a password), or None.
"""

from __future__ import annotations

from pathlib import Path

#: The URL schemes a store may have (the PostgreSQL ones are made ``postgresql+psycopg`` when opened).
POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")

#: The reason for a URL of another database or driver (the wording ``[store] url`` always had).
UNKNOWN = ("must be a PostgreSQL URL (postgresql+psycopg://user@host/database) or sqlite:///path; "
           "leave url out for the SQLite file")

#: The reason for an empty URL.
EMPTY = ("is empty: give a PostgreSQL URL (postgresql+psycopg://user@host/database) or sqlite:///path, or leave "
         "url out for the SQLite file")

#: The reason for an in-memory SQLite database.
IN_MEMORY = ("names an in-memory SQLite database (sqlite:// or sqlite:///:memory:), which is gone when lmsync "
             "exits: give a file, sqlite:///path (or a PostgreSQL URL)")

#: The reason for a SQLite URL with a host.
WITH_HOST = ("names a host in a SQLite URL (sqlite://HOST/...), and SQLite has none: write sqlite:///path "
             "(three slashes, then the file's path: four for an absolute path)")


#: Why a SQLite URL whose path begins with ``~`` is refused; :data:`TILDE` adds the fix for ``[store] url``.
TILDE_WHY = ("names a SQLite file under '~' (sqlite:///~/...), and SQLite URLs do not expand '~' (a folder named '~' "
             "would be made in the current folder)")
#: The reason for a SQLite URL whose path begins with ``~``.
TILDE = (f"{TILDE_WHY}: write the absolute path (sqlite:////home/you/lmsync.db), or leave url out and give the "
         "file as [store] path, where '~' is the home folder")


#: The reason for a SQLite URL with a query (``?...``) or a fragment (``#...``).
QUERY = ("holds a query (?...) or a fragment (#...) in a SQLite URL, which lmsync does not use (the file would be "
         "opened read-write whatever it says, and a #... made part of its name): take it off (sqlite:///path), "
         "lmsync opens its store read-write by itself; a '?' or '#' in the file's name is written %3F or %23")


def url_refusal(text: str) -> str | None:
    """Why ``text`` cannot name a store (module doc), or None when it may."""
    value = text.strip().lower()
    if not value:  # was UNKNOWN's "must be a PostgreSQL URL" (tester round 97b, 8e)
        return EMPTY
    if value.startswith(POSTGRES_SCHEMES):
        return None
    if not value.startswith("sqlite://"):
        return UNKNOWN
    rest = text.strip()[len("sqlite://"):]
    if rest and not rest.startswith("/"):
        return WITH_HOST
    if sqlite_in_memory(rest[1:]) or sqlite_in_memory(sqlite_url_file(text) or ":memory:"):  # %3Amemory%3A too
        return IN_MEMORY
    if (sqlite_url_file(text) or "").startswith("~"):  # decoded: %7E is a '~' too (tester round 100a, 1)
        return TILDE
    if "?" in rest or "#" in rest:  # ?mode=ro was dropped without a word (tester round 102b, 6)
        return QUERY
    return None


def sqlite_url_file(text: str) -> str | None:
    """The file a ``sqlite:///`` URL names, as SQLite opens it: SQLAlchemy's ``make_url(text).database``
    (percent-escapes decoded, the ``?query`` left off; relative to the current folder unless it begins with ``/``),
    e.g. ``sqlite:///a%20b.db?mode=ro`` -> ``a b.db``. None when ``text`` is no SQLite URL, or one SQLAlchemy
    cannot parse (the caller's own checks say why). The one rule for ``[store] url``, ``LMSYNC_STORE_URL``,
    ``store copy --to`` and where the store's emulator site is kept (tester round 100a, 2)."""
    if not text.strip().lower().startswith("sqlite:"):
        return None
    # not at import: `lmsync match` on a CSV loads no SQLAlchemy (issue 15, test_startup)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except (ValueError, ArgumentError):
        return None
    return url.database if url.get_backend_name().lower() == "sqlite" else None  # SQLITE:/// too (round 98b, 3)


def sqlite_url_for(path: Path | str) -> str:
    """The ``sqlite:///`` URL naming ``path`` by the rule of ``sqlite_url_file`` (which gives ``path`` back): an
    absolute path gets four slashes, and a ``%``, ``?`` or ``#`` in it is percent-escaped (``/srv/a%b.db`` ->
    ``sqlite:////srv/a%25b.db``), so a URL a message tells the user to use opens that very file."""
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path)).render_as_string()


def sqlite_in_memory(database: str) -> bool:
    """Whether ``database`` (a SQLite URL's path, or a path given for a store) is an in-memory database:
    empty, ``:memory:``, or a ``file:`` URI SQLite opens in memory (``mode=memory``, ``file::memory:``)."""
    path = database.partition("?")[0].strip()
    query = database.partition("?")[2].lower()
    return path in ("", ":memory:") or path.lower().startswith("file::memory:") or "mode=memory" in query
