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
"""

from __future__ import annotations

import re
from typing import Any

from lmsync.config_lines import FILE_PATHS, line_of
from lmsync.errors import ConfigError

#: ``$NAME`` or ``${NAME}``, as a shell would expand it.
_VARIABLE = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")

#: The keys checked: the path settings and the store's url (its path part, SQLite only).
_KEYS = (*FILE_PATHS, ("store", "url"))


def variable_in(key: tuple[str, str], value: str) -> str | None:
    """The first ``$NAME`` or ``${NAME}`` written in the path setting ``key``'s ``value``, or None. For ``("store",
    "url")``, only a ``sqlite:`` url's path (before any ``?``) is looked at: a PostgreSQL url never."""
    if key == ("store", "url"):
        if not value.strip().lower().startswith("sqlite:"):
            return None
        value = value.strip()[len("sqlite:"):].partition("?")[0]
    found = _VARIABLE.search(value)
    return found.group(0) if found else None


def refuse_variables(data: dict[str, Any], source: str, env_names: dict[tuple[str, ...], str], text: str) -> None:
    """Raise ConfigError (exit 2) for the first path setting of the merged ``data`` holding an environment
    variable (module doc), named as other configuration errors are: ``{source}: store.path (line N)`` for the
    file ``source`` (``text``: its content), ``environment: LMSYNC_STORE_PATH (store.path)`` for a variable in
    ``env_names``. The value is not repeated (a url's), only the variable found in it. Source: tester round 99b, 6."""
    for key in _KEYS:
        table = data.get(key[0])
        value = table.get(key[1]) if isinstance(table, dict) else None
        if not isinstance(value, str) or (name := variable_in(key, value)) is None:
            continue
        dotted = ".".join(key)
        variable = env_names.get(key)
        shell = f"LMSYNC_{'_'.join(key).upper()}"
        example = f"sqlite:///{name}/..." if key == ("store", "url") else f"{name}/..."
        said = (f"names {name}, and lmsync does not expand environment variables in paths: a folder or file named "
                f"'{name}' would be made")
        if variable:
            raise ConfigError(
                f"environment: {variable} ({dotted}): {said}",
                hint=f"set {variable} to the path written out; systemd's Environment= and single quotes in a shell "
                     f"leave {name} as written, while a shell expands it in double quotes "
                     f"({variable}=\"{example}\")",
            )
        number = line_of(text, key)
        at = f" (line {number})" if number else ""
        raise ConfigError(
            f"{source}: {dotted}{at}: {said}",
            hint=f"write the path out in full, with what {name} stands for in its place, or leave it out of the file and "
                 f"set {shell} from your shell, which expands {name} ({shell}=\"{example}\")",
        )
