"""A click group's command table that imports each command's module on first use (issue 15, start-up)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import cast

import click


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's command table that imports each command's module on first use (issue 15, start-up).

    ``table`` maps a name to (``module[:attribute]``, short help) as ``COMMANDS`` does. Names,
    ``in`` and ``len`` import nothing; reading a command (``[name]``, ``get``, ``items()``)
    imports its module once and hands the command to ``prepare(name, command)``. Commands
    added with ``add_command`` are kept as given. Raises ``LookupError`` when a module lacks
    the command its entry names (a wrong table, caught by the tests).
    """

    def __init__(self, table: Mapping[str, tuple[str, str]], prepare: Callable[[str, click.Command], None]) -> None:
        self._table = dict(table)
        self._prepare = prepare
        self._commands: dict[str, click.Command | None] = dict.fromkeys(table)  # None: not imported yet

    def loaded(self, name: str) -> click.Command | None:
        """The command if it has been imported (or added), else None; never imports."""
        return self._commands.get(name)

    def short_help(self, name: str) -> str:
        """The table's short help for ``name`` ("" for a command added by hand)."""
        return self._table.get(name, ("", ""))[1]

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._commands:
            raise KeyError(name)
        command = self._commands[name]
        if command is None:
            command = self._commands[name] = self._import(name)
            self._prepare(name, command)
        return command

    def _import(self, name: str) -> click.Command:
        module_name, _, attr = self._table[name][0].partition(":")
        found = getattr(importlib.import_module(module_name), attr or "command")
        for command in found if isinstance(found, list) else [found]:
            if command.name == name:
                return cast(click.Command, command)
        raise LookupError(f"{self._table[name][0]} has no command named {name!r}")

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._commands))

    def __len__(self) -> int:
        return len(self._commands)

    def __contains__(self, name: object) -> bool:
        return name in self._commands
