"""``say``: the commands' messages on the terminal, with people's text made visible.

A message can carry a name, a department or an answer (a plan, a warning, an error naming a
cell). ``say`` prints it through :func:`lmsync.visible.visible`, so a control or
bidirectional formatting character in that text prints as its escape instead of acting on the
terminal; line breaks stay. Views go through ``lmsync.cli.echo_view``, whose text renderer does
the same per cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from lmsync.visible import visible


def say(message: str = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo(message, err=err, nl=nl)`` with control characters other than line breaks
    written as escapes (``"\\x1b"``). JSON text stays JSON: an escape it gains means the same."""
    click.echo(visible(message, keep="\n"), err=err, nl=nl)


def open_password_notice(config: Any, log_format: str) -> None:
    """Called where a command loads its configuration (once: ``AppContext.config`` keeps it): a warning on stderr when the file holds a ``[store] url`` password
    and others may read it (``lmsync.config_password``; tester round 94b, 7). The command still runs. Under
    ``--log-format json`` stderr is the log: a ``config.password_readable`` line (the path, the mode, the fix)."""
    from lmsync.config_password import open_password

    if (found := open_password(config)) is None:
        return
    if log_format == "json":
        from lmsync.log import get_logger

        get_logger(__name__).warning("config.password_readable", path=str(found.file),
                                     mode=f"{found.mode & 0o777:o}", hint=found.fix)
    else:
        say(f"warning: {found.detail}\n  fix: {found.fix}", err=True)


def config_named(ctx: click.Context | None, text: str) -> str:
    """``text`` (an error's message or fix) with ``lmsync.toml``, the default file hints name, read as the
    configuration file this command loaded: one run by ``--config``/``LMSYNC_CONFIG`` from another file was told
    to edit an ``lmsync.toml`` it does not have (tester round 82a, 8). Unchanged when no file was loaded (yet)."""
    app = ctx.find_root().obj if ctx is not None else None
    source = getattr(getattr(app, "_config", None), "source", None)
    if source is None or source.name == "lmsync.toml":
        return text
    return text.replace("lmsync.toml", str(source))


class EnvChoice(click.Choice):  # type: ignore[type-arg]
    """``click.Choice`` for a global option an ``LMSYNC_*`` variable may set. A bad value on the command line stays
    click's usage error (exit 3); one from the environment is the deployment's configuration: a
    :class:`~lmsync.errors.ConfigError` (exit 2) naming the variable and the values allowed, as every other
    ``LMSYNC_*`` variable's (``LMSYNC_LOG_LEVEL=warn`` in a unit exited 3, "bad input", tester round 129, 4; it was
    reported as "Invalid value for '--log-format'", an option nobody had given, tester round 85a, 10)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            from click.core import ParameterSource

            envvar = getattr(param, "envvar", None)
            if ctx is None or param is None or not param.name or not isinstance(envvar, str) \
                    or ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
                raise
            from lmsync.errors import ConfigError

            allowed = ", ".join(str(choice) for choice in self.choices)
            raise ConfigError(f"environment: {envvar}={value!r} is not a value it takes (one of {allowed})",
                              hint=f"set {envvar} to one of {allowed}, or unset it (the default: {param.default})"
                              ) from None


def csv_warnings(fmt: str, warnings: Iterable[str]) -> None:
    """A view's warnings on stderr when it is written as CSV: text shows them under the table and JSON in
    ``warnings``, and CSV has no place for them (README, output formats: notes that are not data go to stderr;
    tester round 40b, 2 for ``match``, 130b, 2 for ``plan`` and ``grades plan``, which dropped them)."""
    if fmt == "csv":
        for warning in warnings:
            say(f"warning: {warning}", err=True)
