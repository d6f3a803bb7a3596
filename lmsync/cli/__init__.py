"""The ``lmsync`` command: a thin shell over ``lmsync.service``.

Each command module parses options, calls one use case and renders the result; errors
from the library become a message plus the documented exit code (0 ok, 1 partial
failure, 2 configuration or permission error).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from lmsync import __version__
from lmsync.config import Config, load_config
from lmsync.errors import LmsyncError
from lmsync.log import configure
from lmsync.secrets import redact

# Command modules, each exposing a click command or group (or a list of them) called ``command``.
COMMANDS = [
    "lmsync.cli.doctor",
    "lmsync.cli.emulator",
    "lmsync.cli.match",
    "lmsync.cli.sync",
    "lmsync.cli.grades",
    "lmsync.cli.meetings",
    "lmsync.cli.meetings:import_command",
    "lmsync.cli.moodle_side",
    "lmsync.cli.people",
    "lmsync.cli.health",
]


@dataclass
class AppContext:
    config_path: str | None
    log_format: str
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            from lmsync.service.moodle import newcomer_defaults

            self._config = newcomer_defaults(load_config(self.config_path))
        return self._config


class LmsyncGroup(click.Group):
    """Turns library errors into one clear message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own exits (--help, usage errors) keep their meaning
        except LmsyncError as exc:
            click.echo(f"error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # Moodle errors and friends, mapped by exit_code if they carry one
            code = getattr(exc, "exit_code", None)
            if code is None:
                raise
            click.echo(f"error: {redact(str(exc))}", err=True)
            sys.exit(code)


@click.group(cls=LmsyncGroup)
@click.version_option(__version__, prog_name="lmsync")
@click.option(
    "--config",
    "config_path",
    envvar="LMSYNC_CONFIG",
    default=None,
    help="Configuration file (default ./lmsync.toml; LMSYNC_CONFIG).",
)
@click.option(
    "--log-format",
    type=click.Choice(["console", "json"]),
    envvar="LMSYNC_LOG_FORMAT",
    default="console",
    show_default=True,
    help="console for people at a terminal, json for daemons.",
)
@click.option("--log-level", envvar="LMSYNC_LOG_LEVEL", default="info", show_default=True, help="Log level.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, log_format: str, log_level: str) -> None:
    """Keep a mentoring programme alive inside the Moodle the school already runs."""
    configure(log_format, log_level)
    ctx.obj = AppContext(config_path=config_path, log_format=log_format)


for _entry in COMMANDS:
    _name, _, _attr = _entry.partition(":")
    _module = importlib.import_module(_name)
    _found = getattr(_module, _attr or "command")
    for _command in _found if isinstance(_found, list) else [_found]:
        main.add_command(_command)
