"""``lmsync moodle``: write the files that set up the Moodle side in two minutes.

``plugin`` writes the local_lmsync plugin zip (the pre-built ``lmsync`` external service),
``role-preset`` the role definition to import; plugin_config/SETUP.md walks through the rest.
Neither needs a configuration file or a connection to Moodle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lmsync.cli import OutPath, examples
from lmsync.errors import InputError
from lmsync.moodle_side.plugin import write_plugin_zip
from lmsync.moodle_side.requirements import required_capabilities, required_functions, role_spec, service_spec
from lmsync.moodle_side.role_preset import write_role_preset
from lmsync.service.out_files import check_out, own_files

F = TypeVar("F", bound=Callable[..., Any])


def _out_option(default: str, what: str) -> Callable[[F], F]:
    """``--out PATH``: where to write ``what`` (default ``default`` in the working folder), and ``--force``."""
    out = click.option(
        "--out",
        type=OutPath(dir_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=f"Where to write {what}.",
    )
    force = click.option("--force", is_flag=True, help="Overwrite --out if it exists (never a store or a configuration).")
    return lambda f: out(force(f))


def _check(out: Path, force: bool, command: str) -> None:
    """The ``--out`` every other command checks (``out_files.check_out``: a file that exists only with
    ``--force``, never a store or SQLite database, a folder that exists), and never a ``.toml``: both
    commands wrote over lmsync's store and ``lmsync.toml`` without a word, and a missing folder was a
    traceback with exit 1 (tester round 76, 1 and 2)."""
    if out.suffix.lower() == ".toml":
        raise InputError(f"--out {out}: a configuration file, not the {command} output",
                         hint=f"give --out another file, e.g. the default of `lmsync moodle {command}`")
    # nor the token file (or store) the configuration names, --force or not (tester round 85a, 2)
    own = own_files(getattr(click.get_current_context().find_root().obj, "config_path", None))
    check_out(out, force=force, again=f"lmsync moodle {command} --out {out} --force", own=own)


@click.group("moodle", epilog=examples("lmsync moodle plugin --out local_lmsync.zip"))
def command() -> None:
    """Files for the Moodle side: the lmsync plugin and the web-service role preset."""


@command.command("plugin", epilog=examples("lmsync moodle plugin --out local_lmsync.zip"))
@_out_option("local_lmsync.zip", "the plugin zip")
def plugin(out: Path, force: bool) -> None:
    """Write the local_lmsync plugin, which declares the lmsync external service."""
    _check(out, force, "plugin")
    write_plugin_zip(out)
    service = service_spec()
    click.echo(
        f"wrote {out}: plugin local_lmsync, service '{service.shortname}' with "
        f"{len(required_functions())} functions (authorised users only)"
    )
    click.echo("install it: Site administration > Plugins > Install plugins > upload the zip")


@command.command("role-preset", epilog=examples("lmsync moodle role-preset --out lmsync_role.xml"))
@_out_option("lmsync_role.xml", "the role preset XML")
@click.option(
    "--allow-assign",
    "allow_assign",
    multiple=True,
    metavar="ROLE",
    help="Shortname of a role lmsync may assign (repeatable; default: the mentor-of-user role "
    "from plugin_config).",
)
def role_preset(out: Path, force: bool, allow_assign: tuple[str, ...]) -> None:
    """Write the lmsync web-service role as a preset to import in Define roles."""
    _check(out, force, "role-preset")
    write_role_preset(out, list(allow_assign) if allow_assign else None)
    role = role_spec()
    click.echo(
        f"wrote {out}: role '{role.shortname}' with {len(required_capabilities())} capabilities, "
        f"context {', '.join(role.contextlevels)}"
    )
    click.echo("import it: Site administration > Users > Permissions > Define roles > Add a new role")
