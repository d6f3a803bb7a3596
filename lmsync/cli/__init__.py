"""The ``lmsync`` command: a thin shell over ``lmsync.service``.

Each command module parses options, calls one use case and renders the result. This
module gives every command the same language:

* the global options (``--config``, ``--log-format``, ``--log-level``) work before or after
  the subcommand (``lmsync doctor --log-format json``);
* an error becomes one message and the exit code of ``lmsync.errors.EXIT_CODES`` (0 ok,
  1 partial, 2 an admin must act, 3 bad input, 4 locked), never a traceback; under
  ``--log-format json`` that message is one JSON line on stderr;
* ``lmsync`` (or a group such as ``lmsync queue``) alone prints its help and exits 0;
* every command's help ends with examples (``EXAMPLES`` below, unless the command has its own).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import click

from lmsync import __version__
from lmsync.config import Config, load_config
from lmsync.errors import EXIT_INPUT, EXIT_OK, LmsyncError
from lmsync.log import configure
from lmsync.secrets import redact

# Command modules, each exposing a click command or group (or a list of them) called ``command``.
COMMANDS = [
    "lmsync.cli.init",
    "lmsync.cli.config",
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
    "lmsync.cli.report",
]

LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]

#: Examples shown at the end of each command's help (a command with "Example" in its own
#: epilog keeps that). A test fails when a command has neither.
EXAMPLES: dict[str, list[str]] = {
    "init": ["lmsync init", "lmsync init --url https://moodle.example.edu --course MENTOR-2026 --token-file /etc/lmsync/token"],
    "config": ["lmsync config reference > CONFIGURATION.md"],
    "config reference": ["lmsync config reference", "lmsync config reference --out CONFIGURATION.md"],
    "doctor": ["lmsync doctor", "lmsync doctor --config /etc/lmsync/lmsync.toml --log-format json"],
    "emulator": ["lmsync emulator serve --port 8765 --state demo.json"],
    "emulator serve": ["lmsync emulator serve --port 8765 --state demo.json",
                       "lmsync emulator serve --cost moodle45 --workers 4"],
    "emulator reset": ["lmsync emulator reset --state demo.json"],
    "match": ["lmsync match", "lmsync match --people people.csv --format csv > match.csv"],
    "plan": ["lmsync plan", "lmsync plan --out plan.json --allow-delete"],
    "apply": ["lmsync plan --out plan.json && lmsync apply plan.json"],
    "sync": ["lmsync sync --dry-run", "lmsync sync --wait --log-format json"],
    "daemon": ["lmsync daemon --interval 15m --log-format json"],
    "demo": ["lmsync demo"],
    "grades": ["lmsync grades plan --out grades.json && lmsync grades push grades.json"],
    "grades plan": ["lmsync grades plan", "lmsync grades plan --out grades.json"],
    "grades push": ["lmsync grades push", "lmsync grades push grades.json"],
    "meetings": ["lmsync meetings list --person s0006"],
    "meetings add": ["lmsync meetings add --date 2026-10-05 --mentor t0001 --mentee s0006 --minutes 40"],
    "meetings list": ["lmsync meetings list", "lmsync meetings list --person s0006@example.org --since 2026-09-01"],
    "import": ["lmsync import meetings meetings.csv"],
    "import meetings": ["lmsync import meetings meetings.csv"],
    "import surveys": ["lmsync import surveys surveys.csv"],
    "moodle": ["lmsync moodle plugin --out local_lmsync.zip"],
    "moodle plugin": ["lmsync moodle plugin --out local_lmsync.zip"],
    "moodle role-preset": ["lmsync moodle role-preset --out lmsync_role.xml"],
    "person": ["lmsync person export s0006 --out s0006.json"],
    "person export": ["lmsync person export s0006 --out s0006.json", "lmsync person export s0006@example.org"],
    "person erase": ["lmsync person erase s0006 --yes"],
    "health": ["lmsync health", "lmsync health --format json --as-of 2026-12-01"],
    "nudge": ["lmsync nudge --dry-run", "lmsync nudge"],
    "queue": ["lmsync queue list"],
    "queue list": ["lmsync queue list", "lmsync queue list --format json"],
    "queue ack": ["lmsync queue ack t0001 s0006 --note 'called both, meeting Friday'"],
}


@dataclass
class AppContext:
    config_path: str | None
    log_format: str
    log_level: str = "info"
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            from lmsync.service.moodle import newcomer_defaults

            self._config = newcomer_defaults(load_config(self.config_path))
        return self._config


def _json_wanted(ctx: click.Context | None) -> bool:
    """Whether errors should be JSON: the parsed option, else what the command line or env asks."""
    app = ctx.find_object(AppContext) if ctx is not None else None
    if app is not None:
        return app.log_format == "json"
    return _sniff_log_format(_ARGS) == "json"


_ARGS: list[str] = []  # the command line being parsed, for errors raised before --log-format is read


def _sniff_log_format(args: Sequence[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--log-format" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--log-format="):
            return arg.split("=", 1)[1]
    return os.environ.get("LMSYNC_LOG_FORMAT", "console")


def fatal_json(error: str, message: str, exit_code: int, hint: str | None = None) -> str:
    """One JSON line for a fatal error (keys as in lmsync's structlog JSON lines)."""
    record: dict[str, Any] = {
        "event": "lmsync.fatal",
        "level": "error",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "error": error,
        "message": redact(message),
        "exit_code": exit_code,
    }
    if hint:
        record["hint"] = redact(hint)
    return json.dumps(record, ensure_ascii=False)


def _fail(ctx: click.Context | None, error: str, message: str, code: int, hint: str | None = None) -> NoReturn:
    if _json_wanted(ctx):
        click.echo(fatal_json(error, message, code, hint), err=True)
    else:
        text = message if not hint else f"{message}\n  fix: {hint}"
        click.echo(f"error: {redact(text)}", err=True)
    raise click.exceptions.Exit(code)


class LmsyncGroup(click.Group):
    """Turns errors into one clear message (or JSON line) and the documented exit code."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if parent is None:
            _ARGS[:] = args
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            self._usage(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            self._usage(exc)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own exits (--help, Abort) keep their meaning
        except LmsyncError as exc:
            _fail(ctx, type(exc).__name__, exc.message, exc.exit_code, exc.hint)
        except Exception as exc:  # Moodle errors and friends, mapped by exit_code if they carry one
            code = getattr(exc, "exit_code", None)
            if code is None:
                if _json_wanted(ctx):
                    _fail(ctx, type(exc).__name__, f"unexpected error: {exc}", 1)
                raise
            _fail(ctx, type(exc).__name__, str(exc), int(code))

    @staticmethod
    def _usage(exc: click.UsageError) -> NoReturn:
        """A group alone prints its help (exit 0); any other usage error is bad input (exit 3)."""
        no_args = getattr(click.exceptions, "NoArgsIsHelpError", None)
        if no_args is not None and isinstance(exc, no_args) and exc.ctx is not None:
            click.echo(exc.ctx.get_help())
            raise click.exceptions.Exit(EXIT_OK) from None
        if _json_wanted(exc.ctx):
            click.echo(fatal_json("UsageError", exc.format_message(), EXIT_INPUT), err=True)
            raise click.exceptions.Exit(EXIT_INPUT) from None
        raise BadInput(exc.format_message(), ctx=exc.ctx) from None


class BadInput(click.UsageError):
    """A usage error (unknown option, bad value): bad input, exit 3 (``lmsync.errors``)."""

    exit_code = EXIT_INPUT


def _app(ctx: click.Context) -> AppContext | None:
    return ctx.find_object(AppContext)


def _set_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.config_path = value
        app._config = None


def _set_log_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.log_format = value
        configure(app.log_format, app.log_level)


def _set_log_level(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.log_level = value.lower()
        configure(app.log_format, app.log_level)


CONFIG_HELP = "Configuration file (default ./lmsync.toml; LMSYNC_CONFIG)."
LOG_FORMAT_HELP = "console for people at a terminal, json for daemons (LMSYNC_LOG_FORMAT)."
LOG_LEVEL_HELP = "Log level (LMSYNC_LOG_LEVEL)."


def global_options() -> list[click.Option]:
    """The global options as a subcommand takes them: no defaults, so they override only when given."""
    return [
        click.Option(["--config", "lmsync_config"], default=None, expose_value=False, callback=_set_config,
                     metavar="FILE", help=CONFIG_HELP),
        click.Option(["--log-format", "lmsync_log_format"], type=click.Choice(["console", "json"]), default=None,
                     expose_value=False, callback=_set_log_format, help=LOG_FORMAT_HELP),
        click.Option(["--log-level", "lmsync_log_level"], type=click.Choice(LOG_LEVELS, case_sensitive=False),
                     default=None, expose_value=False, callback=_set_log_level, help=LOG_LEVEL_HELP),
    ]


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command below ``group`` with its path (``("queue", "ack")``), groups included."""
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, (*path, name))


def _examples_epilog(lines: list[str]) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(cls=LmsyncGroup, no_args_is_help=True)
@click.version_option(__version__, prog_name="lmsync")
@click.option("--config", "config_path", envvar="LMSYNC_CONFIG", default=None, metavar="FILE", help=CONFIG_HELP)
@click.option(
    "--log-format",
    type=click.Choice(["console", "json"]),
    envvar="LMSYNC_LOG_FORMAT",
    default="console",
    show_default=True,
    help=LOG_FORMAT_HELP,
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    envvar="LMSYNC_LOG_LEVEL",
    default="info",
    show_default=True,
    help=LOG_LEVEL_HELP,
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None, log_format: str, log_level: str) -> None:
    """Keep a mentoring programme alive inside the Moodle the school already runs.

    The global options work before or after the command (`lmsync doctor --log-format json`).
    Exit codes: 0 ok, 1 partial failure, 2 an admin must act, 3 bad input, 4 another run
    holds the lock.

    \b
    Examples:
      lmsync demo
      lmsync init
      lmsync doctor --log-format json
    """
    configure(log_format, log_level.lower())
    ctx.obj = AppContext(config_path=config_path, log_format=log_format, log_level=log_level.lower())


def _register() -> None:
    for entry in COMMANDS:
        name, _, attr = entry.partition(":")
        module = importlib.import_module(name)
        found = getattr(module, attr or "command")
        for command in found if isinstance(found, list) else [found]:
            main.add_command(command)
    for path, command in walk(main):
        taken = {opt for p in command.params for opt in getattr(p, "opts", [])}
        command.params.extend(o for o in global_options() if not set(o.opts) & taken)
        if isinstance(command, click.Group):
            command.no_args_is_help = True
        if "Example" not in (command.epilog or "") and " ".join(path) in EXAMPLES:
            command.epilog = _examples_epilog(EXAMPLES[" ".join(path)])


_register()
