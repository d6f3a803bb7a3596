"""Environment variables written into path settings (``$HOME``, ``${XDG_STATE_HOME}``): refused at load.

lmsync does not expand environment variables in paths, and so ``[store] path = "$HOME/envstore.db"`` made a
folder named ``$HOME`` beside the configuration file and a new, empty store in it, exit 0 (tester round 99b,
6). A value set by the environment is refused too: systemd's ``Environment=`` and a shell's single quotes
leave ``$HOME`` as written, with the same result. ``~`` is not a variable: it is the home folder
(``config_lines.anchor_paths``, ``config_lines.expand_home``).

The rule covers the path settings (``config_lines.FILE_PATHS``: ``[store] path``, ``[report] path``,
``[moodle] token_file``; the emulator's state file is beside the store) and the path part of a ``sqlite:`` ``[store]
url``; never a PostgreSQL url, whose password may hold a ``$``. Only ``$`` followed by a name (a letter or
``_``), or ``${NAME}``, is a variable: ``p$`` or ``a$1`` is taken as written.

Its sibling ``refuse_unusable_paths`` refuses, over the same settings, what no file name can be: a NUL character
(``path = "s.db\\u0000x"``: ``lmsync sync`` ended in a ``ValueError: embedded null byte`` traceback while ``doctor``
said the store was fine; tester round 100a, 10), and ``LMSYNC_STORE_PATH`` or ``LMSYNC_MOODLE_TOKEN_FILE`` set but
empty, said with its fix (round 100a, 15b: the error had no "fix:" line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lmsync.config_lines import FILE_PATHS, line_of
from lmsync.errors import ConfigError

#: ``$NAME`` or ``${NAME}``, as a shell would expand it.
_VARIABLE = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")

#: The keys checked: the path settings and the store's url (its path part, SQLite only).
_KEYS = (*FILE_PATHS, ("store", "url"))


def _url_file(value: str) -> str:
    """The file a ``sqlite:`` url names, decoded as SQLite opens it (``url_forms.sqlite_url_file``), or ``""``."""
    from lmsync.store.url_forms import sqlite_url_file

    return sqlite_url_file(value) or ""


def variable_in(key: tuple[str, str], value: str) -> str | None:
    """The first ``$NAME`` or ``${NAME}`` written in the path setting ``key``'s ``value``, or None. For ``("store",
    "url")``, only a ``sqlite:`` url's path (before any ``?``) is looked at: a PostgreSQL url never."""
    if key == ("store", "url"):
        if not value.strip().lower().startswith("sqlite:"):
            return None
        decoded = _url_file(value)  # %24HOME is a $HOME to SQLite too (tester round 101a, 8)
        value = value.strip()[len("sqlite:"):].partition("?")[0] + "\n" + decoded
    found = _VARIABLE.search(value)
    return found.group(0) if found else None


def _settings(data: dict[str, Any]) -> Iterator[tuple[tuple[str, str], str]]:
    """``(key, value)`` of each ``_KEYS`` setting of the merged ``data`` that holds a string."""
    for key in _KEYS:
        table = data.get(key[0])
        value = table.get(key[1]) if isinstance(table, dict) else None
        if isinstance(value, str):
            yield key, value


def _where(key: tuple[str, str], variable: str | None, source: str, text: str) -> str:
    """A setting named as configuration errors name one: ``environment: LMSYNC_STORE_PATH (store.path)`` for one set
    by ``variable``, else ``{source}: store.path (line N)`` (``text``: the file's content)."""
    dotted = ".".join(key)
    if variable:
        return f"environment: {variable} ({dotted})"
    number = line_of(text, key)
    return f"{source}: {dotted}" + (f" (line {number})" if number else "")


def refuse_variables(data: dict[str, Any], source: str, env_names: dict[tuple[str, ...], str], text: str) -> None:
    """Raise ConfigError (exit 2) for the first path setting of the merged ``data`` holding an environment
    variable (module doc), named as other configuration errors are: ``{source}: store.path (line N)`` for the
    file ``source`` (``text``: its content), ``environment: LMSYNC_STORE_PATH (store.path)`` for a variable in
    ``env_names``. The value is not repeated (a url's), only the variable found in it. Source: tester round 99b, 6."""
    for key, value in _settings(data):
        if (name := variable_in(key, value)) is None:
            continue
        variable = env_names.get(key)
        shell = f"LMSYNC_{'_'.join(key).upper()}"
        example = f"sqlite:///{name}/..." if key == ("store", "url") else f"{name}/..."
        said = (f"names {name}, and lmsync does not expand environment variables in paths: a folder or file named "
                f"'{name}' would be made")
        where = _where(key, variable, source, text)
        if variable:
            raise ConfigError(
                f"{where}: {said}",
                hint=f"set {variable} to the path written out; systemd's Environment= and single quotes in a shell "
                     f"leave {name} as written, while a shell expands it in double quotes "
                     f"({variable}=\"{example}\")",
            )
        raise ConfigError(
            f"{where}: {said}",
            hint=f"write the path out in full, with what {name} stands for in its place, or leave it out of the file and "
                 f"set {shell} from your shell, which expands {name} ({shell}=\"{example}\")",
        )


#: The path settings an empty environment variable is refused for, with what the path is of. ``[report] path``
#: empty is no report file, which is allowed.
_EMPTY_REFUSED = {("store", "path"): ("the store's SQLite file", "the default store"),
                  ("moodle", "token_file"): ("the web-service token file", "LMSYNC_TOKEN")}


def refuse_unusable_paths(data: dict[str, Any], source: str, env_names: dict[tuple[str, ...], str], text: str) -> None:
    """Raise ConfigError (exit 2) for the first path setting of the merged ``data`` (``_KEYS``: a ``sqlite:`` url
    only) holding a NUL character, named as ``refuse_variables`` names one: ``{source}: store.path (line N)`` for
    the file (``text``: its content), the variable for one in ``env_names``; then for ``LMSYNC_STORE_PATH`` or
    ``LMSYNC_MOODLE_TOKEN_FILE`` set but empty, with the fix: set it, or unset it to use the file's value (module
    doc). Source: tester round 100a, 10 (a traceback, exit 1) and 15b (no fix)."""
    for key, value in _settings(data):
        variable = env_names.get(key)
        if key == ("store", "url") and value.strip().lower().startswith("sqlite:"):
            value += _url_file(value)  # %00 is a NUL to SQLite too: a traceback (tester round 101a, 1)
        if "\0" in value and (key != ("store", "url") or value.strip().lower().startswith("sqlite:")):
            raise ConfigError(f"{_where(key, variable, source, text)}: holds a NUL character (\\u0000), which no file "
                              "name can hold", hint="write the path without it (an editor or a script put it there?)")
        if variable and key in _EMPTY_REFUSED and not value.strip():
            raise ConfigError(
                f"{_where(key, variable, source, text)}: is empty",
                hint=f"set {variable} to the path of {_EMPTY_REFUSED[key][0]}, or unset it to use [{key[0]}] {key[1]} "
                     f"of {source} (or, with none there, {_EMPTY_REFUSED[key][1]})",
            )
