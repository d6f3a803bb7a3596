"""``say``: the commands' messages on the terminal, with people's text made visible.

A message can carry a name, a department or an answer (a plan, a warning, an error naming a
cell). ``say`` prints it through :func:`lmsync.visible.visible`, so a control or
bidirectional formatting character in that text prints as its escape instead of acting on the
terminal; line breaks stay. Views go through ``lmsync.cli.echo_view``, whose text renderer does
the same per cell.
"""

from __future__ import annotations

import click

from lmsync.visible import visible


def say(message: str = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo(message, err=err, nl=nl)`` with control characters other than line breaks
    written as escapes (``"\\x1b"``). JSON text stays JSON: an escape it gains means the same."""
    click.echo(visible(message, keep="\n"), err=err, nl=nl)
