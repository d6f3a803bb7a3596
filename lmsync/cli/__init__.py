"""The ``lmsync`` command: a thin shell over ``lmsync.service``.

Each command module parses options, calls one use case and renders the result. This
module gives every command the same language:

* the global options (``--config``, ``--log-format``, ``--log-level``) work before or after
  the subcommand (``lmsync doctor --log-format json``);
* an error becomes one message and the exit code of ``lmsync.errors.EXIT_CODES`` (0 ok,
  1 partial, 2 an admin must act, 3 bad input, 4 locked), never a traceback; under
  ``--log-format json`` that message is one JSON line on stderr;
* ``lmsync`` (or a group such as ``lmsync queue``) alone prints its help and exits 0;
* every command's help ends with examples (its ``epilog``, written with ``examples`` below).
* a command's module is imported only when that command is used (``COMMANDS``, ``LazyGroup``):
  ``lmsync --help`` and completion import none, ``lmsync match`` only ``lmsync.cli.match``
  (issue 15, start-up).
"""

from __future__ import annotations

import copy
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from gettext import gettext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from lmsync import __version__
from lmsync.allocator import hold_mmap_threshold
from lmsync.cli.exiting import ExitsAtOnce
from lmsync.cli.lazy import LazyCommands
from lmsync.cli.output import EnvChoice, config_named, say
from lmsync.errors import EXIT_INPUT, EXIT_OK, ConfigError, InputError, LmsyncError
from lmsync.file_kinds import not_a_file
from lmsync.home_paths import home_path, home_path_or_as_given
from lmsync.secrets import redact
from lmsync.store.problems import admin_problem

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from lmsync.config import Config
    from lmsync.render.views import View

#: Every command: name -> (``module`` or ``module:attribute``, short help). The attribute
#: (default ``command``) is a click command or group, or a list of them; the one whose name is
#: the key is used. A module is imported only when its command runs, its help is shown or it is
#: completed past its name (issue 15, start-up), so ``lmsync --help`` and shell completion take
#: the short help from here; a test checks it against each command's own.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("lmsync.cli.init",
             "Write a commented lmsync.toml from the shipped example, with values from flags or prompts."),
    "config": ("lmsync.cli.config", "The configuration: its reference (every section and key)."),
    "doctor": ("lmsync.cli.doctor", "Check the Moodle site against plugin_config: web services, token, functions, "
               "capabilities, course set-up."),
    "emulator": ("lmsync.cli.emulator", "A stateful Moodle 4.5 emulator (demo site: MENTOR-2026 before lmsync ran)."),
    "match": ("lmsync.cli.match",
              "Match mentees to mentors: the best total score, each pair explained, existing pairs kept."),
    "plan": ("lmsync.cli.sync", "Show what a sync would change in Moodle, without changing anything."),
    "apply": ("lmsync.cli.sync", "Apply a saved plan as lmsync plans it now; refused if Moodle changed or the file was edited."),
    "sync": ("lmsync.cli.sync", "Plan and apply in one go (for cron); converges after any earlier failure."),
    "daemon": ("lmsync.cli.sync",
               "Run the whole cycle (`lmsync run`) every INTERVAL until SIGTERM; stops cleanly between batches."),
    "demo": ("lmsync.cli.sync", "Run a whole sync against the built-in emulator's demo site, then show that a "
             "re-run changes nothing."),
    "grades": ("lmsync.cli.grades", "Attendance, meeting and survey figures as grade items lmsync owns."),
    "meetings": ("lmsync.cli.meetings",
                 "Meetings between mentors and mentees (also read from the meeting-log Feedback activity)."),
    "import": ("lmsync.cli.meetings:import_command",
               "Import CSV files: all of a file or nothing; importing a file again stores nothing twice."),
    "moodle": ("lmsync.cli.moodle_side",
               "Files for the Moodle side: the lmsync plugin and the web-service role preset."),
    "person": ("lmsync.cli.people", "Export or erase everything lmsync stores about one person."),
    "health": ("lmsync.cli.health",
               "Which pairs are fading (coordinator view); stores today's snapshot and queues fading pairs."),
    "nudge": ("lmsync.cli.health", "Message both people of each at-risk or fading pair (at most once per interval)."),
    "queue": ("lmsync.cli.health", "The coordinator queue: fading pairs waiting for a person."),
    "report": ("lmsync.cli.report",
               "Meetings, pair health, surveys, matching and the programme evaluation, in one report."),
    "run": ("lmsync.cli.cycle",
            "Run the whole cycle once: sync, Feedback, grades, health, nudges, digest (and the report)."),
    "pair": ("lmsync.cli.pair", "One pair's history (coordinator view)."),
    "store": ("lmsync.cli.store", "The programme's store: copy it into a new store (SQLite to PostgreSQL)."),
}

LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


@dataclass
class AppContext:
    config_path: str | None
    log_format: str
    log_level: str = "info"
    #: ``config_path`` came from ``--config`` on the command line, not from ``LMSYNC_CONFIG``.
    config_given: bool = False
    _config: Config | None = field(default=None, repr=False)

    def config_file(self) -> str | None:
        """``config_path`` (None: neither given) with a leading ``~`` read as the home folder; raises ``InputError``
        naming ``--config``, or ``ConfigError`` naming ``LMSYNC_CONFIG``, for an unknown ``~user`` (``home_paths``)."""
        if self.config_path is None:
            return None
        given = self.config_given
        return home_path(self.config_path, "--config" if given else "LMSYNC_CONFIG", InputError if given else ConfigError)

    def config(self) -> Config:
        if self._config is None:
            from lmsync.config import load_config  # pydantic: imported when a command needs it

            if self.config_given and self.config_path is not None:
                refuse_config_argument(self.config_file() or self.config_path)
            # from LMSYNC_CONFIG: load_config reads it there, and names it in its errors (tester round 100a, 15a)
            config = load_config(self.config_file() if self.config_given else None)
            if config.source is None:  # no file: maybe the newcomer's demo (the Moodle client is heavy)
                from lmsync.service.moodle import newcomer_defaults

                config = newcomer_defaults(config)
            from lmsync.cli.output import open_password_notice

            open_password_notice(config, self.log_format)  # a password others may read, said (tester round 94b, 7)
            self._config = config
        return self._config


def refuse_config_argument(path: str) -> None:
    """:class:`InputError` (exit 3) when ``--config`` names no file, a folder, or a device, named pipe or socket
    (from ``os.stat`` alone, never opened: a pipe hung the command, tester round 100a, 1): a wrong command-line argument, as
    the README's exit code table has it (it was a ``ConfigError``, exit 2; tester round 99b, 8c). The same path
    from ``LMSYNC_CONFIG`` is the deployment's configuration: ``load_config`` refuses it, exit 2."""
    file = Path(path)
    if file.is_dir():
        raise InputError(f"--config {path}: a directory, not a configuration file",
                         hint="give --config the path of the .toml file itself")
    if (refused := not_a_file(file, f"--config {path}")) is not None:  # a named pipe hung (tester round 100a, 1)
        raise InputError(refused, hint="give --config the path of the .toml file itself")
    if not file.exists():
        raise InputError(f"--config {path}: no such configuration file",
                         hint=f"check the path; `lmsync init --out {shlex.quote(path)}` writes one there, or copy "
                              "lmsync.example.toml")


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
            return args[i + 1].lower()  # a choice in any letter case (tester round 90a, 9)
        if arg.startswith("--log-format="):
            return arg.split("=", 1)[1].lower()
    return os.environ.get("LMSYNC_LOG_FORMAT", "console").lower()


def fatal_json(
    error: str, message: str, exit_code: int, hint: str | None = None, problems: Sequence[Mapping[str, Any]] = ()
) -> str:
    """One JSON line for a fatal error (keys as in lmsync's structlog JSON lines); ``problems``: a
    refused file's, each ``{"file", "line", "field", "reason"}`` (``LmsyncError.problems``)."""
    record: dict[str, Any] = {
        "event": "lmsync.fatal", "level": "error", "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "error": error, "message": redact(message), "exit_code": exit_code,
    }
    if hint:
        record["hint"] = redact(hint)
    if problems:
        record["problems"] = [
            {**p, "reason": redact(str(p["reason"]))} if "reason" in p else dict(p) for p in problems
        ]
    return json.dumps(record, ensure_ascii=False)


def _fail(
    ctx: click.Context | None, error: str, message: str, code: int, hint: str | None = None, summary: str | None = None,
    problems: Sequence[Mapping[str, Any]] = (),
) -> NoReturn:
    """Print the error and exit with ``code``. Under JSON logs the line carries ``summary`` (counts
    and ids) instead of a ``message`` that names people (tester finding 13: logs carry ids, not
    names); a person at a terminal still reads the whole message on stderr."""
    message, hint = config_named(ctx, message), config_named(ctx, hint) if hint else hint  # round 82a, 8
    text = message if not hint else f"{message}\n  fix: {hint}"
    if _json_wanted(ctx):
        click.echo(fatal_json(error, message if summary is None else summary, code, hint, problems), err=True)
        if summary is not None and sys.stderr.isatty():
            say(f"error: {redact(text)}", err=True)
    else:
        say(f"error: {redact(text)}", err=True)
    raise click.exceptions.Exit(code)


def exit_code_for(exc: Exception) -> int:
    """The exit code the command line gives ``exc`` (``LmsyncGroup.invoke``): lmsync's own error its code; a
    read-only or damaged store or state folder 2 (``admin_problem``); else the code it carries, or 1."""
    if isinstance(exc, LmsyncError):
        return exc.exit_code
    problem = admin_problem(exc)
    return problem.exit_code if problem is not None else int(getattr(exc, "exit_code", 1))


class LmsyncGroup(ExitsAtOnce):
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
        except LmsyncError as exc:  # a bad LMSYNC_LOG_LEVEL/LMSYNC_LOG_FORMAT: exit 2 (EnvChoice, tester round 129, 4)
            _fail(parent, type(exc).__name__, exc.message, exc.exit_code, exc.hint)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            self._usage(exc)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own exits (--help, Abort) keep their meaning
        except LmsyncError as exc:
            _fail(ctx, type(exc).__name__, _said(exc), exc.exit_code, exc.hint, exc.summary, exc.problems)
        except Exception as exc:  # Moodle errors and friends, mapped by exit_code if they carry one
            problem = admin_problem(exc)  # a read-only or damaged store: exit 2, not a traceback (round 20, 2)
            if problem is not None:
                _fail(ctx, type(exc).__name__, problem.message, problem.exit_code, problem.hint)
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


def _said(exc: LmsyncError) -> str:
    """``exc``'s message, a connection failure's in a few words (``ConnectionFailed.said``), as
    `lmsync doctor` says it, not urllib3's pool and retry text (tester round 39, 3)."""
    from lmsync.moodle.errors import ConnectionFailed

    return exc.said if isinstance(exc, ConnectionFailed) else exc.message


class BadInput(click.UsageError):
    """A usage error (unknown option, bad value): bad input, exit 3 (``lmsync.errors``)."""

    exit_code = EXIT_INPUT


def _app(ctx: click.Context) -> AppContext | None:
    return ctx.find_object(AppContext)


def _set_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.config_path, app.config_given = home_path_or_as_given(value), True  # '~/c.toml' (tester round 102b, 3)
        app._config = None


def _set_log_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.log_format = value
        _configure_logging(app.log_format, app.log_level)


def _set_log_level(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = _app(ctx)
    if value is not None and app is not None:
        app.log_level = value.lower()
        _configure_logging(app.log_format, app.log_level)


def _configure_logging(log_format: str, log_level: str) -> None:
    """``lmsync.log.configure``, imported when a command runs: help and completion need no structlog."""
    from lmsync.log import configure

    configure(log_format, log_level)


CONFIG_HELP = "Configuration file (default ./lmsync.toml; LMSYNC_CONFIG)."
LOG_FORMAT_HELP = "console for people at a terminal, json for daemons (LMSYNC_LOG_FORMAT)."
LOG_LEVEL_HELP = "Log level (LMSYNC_LOG_LEVEL)."


def global_options() -> list[click.Option]:
    """The global options as a subcommand takes them: no defaults, so they override only when given."""
    return [
        click.Option(["--config", "lmsync_config"], default=None, expose_value=False, callback=_set_config,
                     metavar="FILE", help=CONFIG_HELP),
        click.Option(["--log-format", "lmsync_log_format"], type=click.Choice(["console", "json"], case_sensitive=False), default=None,
                     expose_value=False, callback=_set_log_format, help=LOG_FORMAT_HELP),
        click.Option(["--log-level", "lmsync_log_level"], type=click.Choice(LOG_LEVELS, case_sensitive=False),
                     default=None, expose_value=False, callback=_set_log_level, help=LOG_LEVEL_HELP),
    ]


FORMAT_HELP = "text for people, json for programs, csv for spreadsheets (table: the old name of text)."


def _format(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return "text" if value == "table" else value


#: ``--format text|json|csv``, the one output option of every command that prints data (issue 12,
#: "Views once"); ``table`` is still taken as ``text`` so existing scripts keep working. The value
#: goes to the command as ``fmt``; ``echo_view`` prints a view with it.
FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "table"], case_sensitive=False), default="text",
                      show_default=True, callback=_format, help=FORMAT_HELP)

#: ``--force`` of a command whose ``--out`` writes a file (``lmsync.service.out_files.check_out``:
#: an existing file is replaced only with it; the store never is). The value goes in as ``force``.
FORCE_OUT = click.option("--force", is_flag=True, help="Replace the --out file if it exists.")

class OutPath(click.Path):
    """``--out``'s type, every command's: a ``Path``, refusing an empty one (click would read ``""`` as the current
    folder: tester round 5, 3); a leading ``~`` or ``~user`` is the home folder (``home_paths.home_path``, InputError
    naming ``--out`` for an unknown user: a folder named ``~`` was asked for, tester round 102b, 3)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            raise InputError("--out is empty", hint="give --out the file (or, with --format csv, the folder) to write")
        value = home_path(value, "--out") if isinstance(value, str) else value
        return super().convert(value, param, ctx)


#: ``--allow-mass-nudge`` of ``lmsync run`` and ``lmsync nudge``: send what the first-run guard
#: ([nudges] first_run_max_share) holds. The value goes to the command as ``allow_mass_nudge``.
def allow_mass_nudge(more: str = "") -> Callable[[Any], Any]:
    """``--allow-mass-nudge``; ``more`` adds what the command does besides (run: the held digest)."""
    return click.option("--allow-mass-nudge", is_flag=True, help="Send even when this store, which has never nudged, "
                        f"would nudge many pairs ([nudges] first_run_max_share).{more}")


#: ``--store-takes-over`` of ``lmsync run`` and ``lmsync grades push``: write the grades that a store which
#: never paired the programme's circles nor wrote grades holds (``lmsync.service.grades_hold``).
STORE_TAKES_OVER = click.option(
    "--store-takes-over",
    is_flag=True,
    help="This store replaces a lost one: take over the circles an earlier lmsync made in the course though the "
    "store has no record of them, and write grades though it never paired them; without it such a store writes "
    "neither (exit 2).",
)


def echo_view(ctx: click.Context, view: View, fmt: str) -> None:
    """Print ``view`` (``lmsync.render.views``) as ``fmt``; a format it cannot take is an ``InputError``
    naming the command (``lmsync.render.formats``, imported here so ``lmsync --help`` does not)."""
    from lmsync.render.formats import render

    click.echo(render(view, fmt, ctx.command_path), nl=fmt != "csv")


def save_plan(out: Path, text: str, next_step: str, fmt: str) -> None:
    """Write a saved plan (JSON ``text``) readable by its owner only, and say so and ``next_step``:
    on stderr when stdout carries ``--format json`` or ``csv``, so it stays parseable."""
    from lmsync.service.private_files import write_private  # owner-only from its first byte (round 77b, 6)
    write_private(out, text)
    click.echo(f"saved to {out}; {next_step}", err=fmt != "text")


class LazyGroup(LmsyncGroup):
    """``lmsync`` itself: commands from ``COMMANDS``, each imported only when used.

    ``lmsync --help`` and shell completion of a command name use the table's short help, so
    they import no command module; running, completing past or asking the help of a command
    imports its module alone. Each command gets the global options and its examples when it
    is imported (``prepare``).
    """

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(lazy or {}, prepare)

    def _brief(self, name: str) -> click.Command | None:
        """The command if imported, else a stand-in carrying the table's short help."""
        commands = self.commands
        if not isinstance(commands, LazyCommands) or name not in commands:
            return self.commands.get(name)
        return commands.loaded(name) or click.Command(name, help=commands.short_help(name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's command list, from the table's short help for commands not imported yet."""
        rows = [(name, cmd) for name in self.list_commands(ctx) if (cmd := self._brief(name)) and not cmd.hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section(gettext("Commands")):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Command names (with short help) and options, without importing any command module."""
        from click.shell_completion import CompletionItem

        results = [
            CompletionItem(name, help=cmd.get_short_help_str())
            for name in self.list_commands(ctx)
            if name.startswith(incomplete) and (cmd := self._brief(name)) and not cmd.hidden
        ]
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results


def prepare(name: str, command: click.Command) -> None:
    """Ready an imported command and its subcommands: the global options, help alone."""
    tree = [command, *(cmd for _, cmd in walk(command, (name,)))] if isinstance(command, click.Group) else [command]
    for cmd in tree:
        taken = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        cmd.params.extend(o for o in global_options() if not set(o.opts) & taken)
        if isinstance(cmd, click.Group):
            cmd.no_args_is_help = True


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command below ``group`` with its path (``("queue", "ack")``), groups included."""
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, (*path, name))


def examples(*lines: str) -> str:
    """A command's help epilog listing ``lines`` as examples (given where the command is defined;
    a test fails when a command has none)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(cls=LazyGroup, lazy=COMMANDS, no_args_is_help=True)
@click.version_option(__version__, prog_name="lmsync")
@click.option("--config", "config_path", envvar="LMSYNC_CONFIG", default=None, metavar="FILE", help=CONFIG_HELP)
@click.option(
    "--log-format",
    type=EnvChoice(["console", "json"], case_sensitive=False),
    envvar="LMSYNC_LOG_FORMAT",
    default="console",
    show_default=True,
    help=LOG_FORMAT_HELP,
)
@click.option(
    "--log-level",
    type=EnvChoice(LOG_LEVELS, case_sensitive=False),
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
    _configure_logging(log_format, log_level.lower())
    hold_mmap_threshold(command=ctx.invoked_subcommand)  # the syncing commands': a 50,000-user sync's peak (issue 15)
    from click.core import ParameterSource

    given = ctx.get_parameter_source("config_path") is ParameterSource.COMMANDLINE  # not LMSYNC_CONFIG (99b, 8c)
    config_path = home_path_or_as_given(config_path) if config_path else config_path  # '~/c.toml' (tester round 102b, 3)
    ctx.obj = AppContext(config_path=config_path, log_format=log_format, log_level=log_level.lower(), config_given=given)


# The entry of the ``lmsync`` console script and of ``python -m lmsync``: ``main`` that, having ended, ends the process
# without Python's teardown when nothing is left to close (``lmsync.cli.exiting``). A program that calls ``main()``
# itself (click's test runner, a probe catching ``SystemExit``) keeps its process. A copy, not a wrapper function: a
# frame more under every command once slowed ``lmsync match`` by a third (``ExitsAtOnce``).
console = copy.copy(main)
console.ends_at_once = True
