"""Where a key of a TOML configuration file is written: the line a validation error points at.

``tomllib`` keeps no positions, so a configuration error used to name only the key
(``matching.triad_juniors``); an admin with a long file wants the line too, as a malformed CSV
row names its line. This reads the text line by line: table headers (``[a.b]``, ``[[a]]``) and
``key =`` lines (bare, quoted or dotted keys). Multi-line strings and arrays are skipped only as
far as their lines do not look like ``key =``; the answer is a pointer for a person, never
used to change anything.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lmsync.errors import ConfigError

_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_HEADER = re.compile(rf"^\[\[?\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_SPLIT = re.compile(rf"{_PART}")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _SPLIT.findall(dotted))


def line_of(text: str, loc: Sequence[object]) -> int | None:
    """The 1-based line where ``loc`` (a pydantic error location such as ``("matching",
    "weights", "year")`` or ``("health", "coordinators", 0)``) is written in ``text``, or where
    the nearest enclosing key or table is (a missing key: its table's header); None when
    nothing of it is in the text (a default, or a value set by the environment)."""
    keys = tuple(str(p) for p in loc if not isinstance(p, int))
    table: tuple[str, ...] = ()
    found: dict[tuple[str, ...], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if header := _HEADER.match(line):
            table = _parts(header.group(1))
            found.setdefault(table, number)
        elif key := _KEY.match(line):
            found.setdefault(table + _parts(key.group(1)), number)
    for length in range(len(keys), 0, -1):
        if keys[:length] in found:
            return found[keys[:length]]
    return None


#: The keys whose value is a file path (section, key).
FILE_PATHS = (("moodle", "token_file"), ("store", "path"), ("report", "path"))


def anchor_paths(data: dict[str, Any], folder: Path) -> None:
    """Make the relative ``FILE_PATHS`` written in a configuration file relative to the file's
    ``folder``, in place (``~`` expanded), as an admin reads them: ``cd elsewhere && lmsync --config
    ../lmsync.toml`` opened another, empty store and planned everything anew (tester round 5, 4).
    Values from the environment are not in ``data`` yet and keep the shell's meaning."""
    for section, key in FILE_PATHS:
        table = data.get(section)
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, str) and value.strip():
            path = home_expanded(value.strip(), f"{section}.{key}")
            table[key] = str(path if path.is_absolute() else folder / path) + _kept_tail(value)  # type: ignore[index]


def home_expanded(value: str, key: str) -> Path:
    """``value`` as a path, a leading ``~`` or ``~user`` expanded. Raises ConfigError naming ``key`` (``store.path``)
    for a ``~user`` whose home folder is not known: it was a RuntimeError traceback (tester round 101a, 2)."""
    try:
        return Path(value).expanduser()
    except RuntimeError:
        user = value[1:].split("/", 1)[0]
        raise ConfigError(
            f"{key}: {value!r} begins with '~{user}', and no home folder of a user {user!r} is known here",
            hint="write the path out in full, or begin it with ~/ for the home folder of the user lmsync runs as",
        ) from None


def expand_home(data: dict[str, Any]) -> None:
    """``~`` at the start of a ``FILE_PATHS`` value expanded to the home folder, in place: one set by environment
    (``LMSYNC_STORE_PATH="~/x.db"``, quoted, or under systemd's ``Environment=``, where no shell expands it) made a
    folder named ``~`` in the current folder (tester round 98b, 4). A file's values are expanded already
    (``anchor_paths``); a relative one stays relative to the current folder."""
    for section, key in FILE_PATHS:
        table = data.get(section)
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, str) and value.strip().startswith("~"):
            table[key] = str(home_expanded(value.strip(), f"{section}.{key}")) + _kept_tail(value)  # type: ignore[index]


def folder_tail(value: str) -> str:
    """``"."`` or ``".."`` when the path ``value`` ends with that name (``"sub/.."``, ``"."``), else ``""``: such a path
    names a folder whatever is there. ``[store] path = "newdir/sub/.."`` made ``newdir/sub`` and a lock file, then
    failed as "cannot be written" (tester round 105a, 7)."""
    last = value.strip().rsplit("/", 1)[-1]
    return last if last in (".", "..") else ""


def _kept_tail(value: str) -> str:
    """What ``pathlib`` drops of ``value`` and the key's check needs: a folder's ``/`` (tester round 82a, 9) or a
    final ``/.`` (``Path("sub/.")`` is ``sub``; tester round 105a, 7)."""
    return "/" if value.strip().endswith("/") else "/." if folder_tail(value) == "." else ""


def near_key(model: Any, loc: Sequence[object]) -> str | None:
    """The key of the same table that an unknown key ``loc`` most likely meant (``quiet_hour`` ->
    ``quiet_hours``), or None. ``model``: the configuration's root pydantic model; tables keyed by
    a chosen name (``[instruments.<name>]``) are followed through their value type. A pointer for
    a person, as ``line_of`` is (tester round 8, 8: a typo was named without the near miss)."""
    import difflib
    from typing import get_args, get_origin

    from pydantic import BaseModel

    root = model
    for part in [str(p) for p in loc if not isinstance(p, int)][:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            if get_origin(model) is dict:  # a table of named sections: this part is the name
                model = get_args(model)[1]
                continue
            return None
        model = field.annotation
        if get_origin(model) is not dict and not (isinstance(model, type) and issubclass(model, BaseModel)):
            model = next((a for a in get_args(model) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    keys = list(getattr(model, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.75) if keys and loc else []
    if close:
        return str(close[0])
    return _in_another_table(root, loc)


def _in_another_table(root: Any, loc: Sequence[object]) -> str | None:
    """``[health] grace_days`` for ``meetings.grace_days``: a key of another top-level table, written under
    the wrong one (tester round 69, 10: "unknown key meetings.grace_days" said nothing of where it goes)."""
    from pydantic import BaseModel

    if len(loc) not in (1, 2):  # a key of a table, or one written before any table header
        return None
    table, key = (loc[0], loc[1]) if len(loc) == 2 else (None, loc[0])
    for name, field in getattr(root, "model_fields", {}).items():
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        if name != table and key in model.model_fields:
            return f"[{name}] {key}"
        for inner, sub in model.model_fields.items():  # a sub-table: [matching.weights] stickiness (pass 72, 5)
            kind = sub.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel) and key in kind.model_fields:
                return f"[{name}.{inner}] {key}"
    return None


#: A whole-file rule's message that starts with the key it is about (``health.satisfaction_instruments:
#: unknown instrument(s) ...``): the error then names that key's line, not "the file" (tester round 8, 8).
_NAMED_KEY = re.compile(r"^([a-z_]+(?:\.[A-Za-z0-9_-]+)+): ")


def key_named_in(message: str) -> tuple[tuple[str, ...], str]:
    """``(key path, rest of the message)`` when ``message`` starts with a dotted key, else ``((), message)``."""
    named = _NAMED_KEY.match(message)
    return (tuple(named.group(1).split(".")), message[named.end():]) if named else ((), message)


_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_SECRET = re.compile(r"token|passw|secret|url|dsn|://|@|[0-9a-f]{32}", re.IGNORECASE)
_DATE_LIKE = re.compile(r"(?<![\w.:-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w:])")


def toml_error_hint(text: str, message: str) -> str | None:
    """What to fix for a TOML syntax error (``tomllib``'s ``message`` names the line and column): a date
    that is no real day (``2026-13-01``: tomllib says only "Expected newline", tester round 51, 7), else
    the line as written, so the admin sees what the parser stopped at. None when the line is unknown.
    The hint shows the line unless it may hold a secret (a URL, a token, a password)."""
    found = _AT.search(message)
    lines = text.splitlines()
    if found is None or not 1 <= int(found.group(1)) <= len(lines):
        return None
    line = lines[int(found.group(1)) - 1].strip()
    if _SECRET.search(line):  # a database URL with its password, a pasted token: never echoed (config_sites)
        return f"correct line {found.group(1)} of the file (not shown here: it may hold a password or token)"
    for year, month, day in _DATE_LIKE.findall(line.split("#", 1)[0]):
        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            return (f"{year}-{month}-{day} is not a day of the calendar: a date is YYYY-MM-DD, with a month "
                    f"01-12 and a day that month has, and two digits each (line: {line})")
    return f"correct line {found.group(1)} of the file: {line}"
