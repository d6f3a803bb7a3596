"""PHP array syntax for Moodle's REST form bodies, both ways.

Moodle's REST server reads ``$_POST``, which PHP builds from keys such as
``groups[0][name]``. The client encodes nested Python values into that flat list;
the emulator decodes the list back, so both sides agree on one definition.
Counting the flat leaves is also how batches stay under PHP's ``max_input_vars``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

FormPairs = list[tuple[str, str]]

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART_RE = re.compile(r"\[([^\[\]]*)\]")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _walk(prefix: str, value: Any, out: FormPairs) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if item is None:
                continue  # an absent optional field, not an empty string
            _walk(f"{prefix}[{key}]", item, out)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk(f"{prefix}[{index}]", item, out)
    else:
        out.append((prefix, _scalar(value)))


def encode(params: Mapping[str, Any]) -> FormPairs:
    """Flatten ``{"groups": [{"name": "A"}]}`` into ``[("groups[0][name]", "A")]``.

    ``None`` values are left out (Moodle treats a missing optional key as "not given",
    while an empty string would be a value); booleans become ``1``/``0``.
    """
    out: FormPairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (Mapping, list, tuple)):
            _walk(key, value, out)
        else:
            out.append((key, _scalar(value)))
    return out


def count_vars(params: Mapping[str, Any]) -> int:
    """How many POST variables ``params`` becomes: what ``max_input_vars`` counts."""
    return len(encode(params))


def _listify(node: Any) -> Any:
    """Turn dicts whose keys are 0..n-1 into lists, as PHP arrays read in Moodle's validators."""
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        keys = list(converted)
        if keys and all(k.isdigit() for k in keys):
            indices = sorted(int(k) for k in keys)
            if indices == list(range(len(indices))):
                return [converted[str(i)] for i in indices]
        return converted
    return node


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested values from PHP-style keys, the way PHP fills ``$_POST``.

    A later duplicate key overwrites an earlier one, as in PHP. A key PHP would not
    parse as an array is kept as a plain name.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY_RE.match(key)
        if not match:
            root[key] = value
            continue
        parts = [match.group(1), *_PART_RE.findall(match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":  # PHP's append syntax: a[]=x
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    listed: dict[str, Any] = _listify(root)
    return listed

