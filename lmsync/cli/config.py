"""``lmsync config reference``: every configuration key, generated from the models."""

from __future__ import annotations

from pathlib import Path

import click

from lmsync.cli import OutPath, examples
from lmsync.config_reference import reference_markdown
from lmsync.errors import InputError
from lmsync.service.out_files import check_out, own_files


@click.group("config", epilog=examples("lmsync config reference > CONFIGURATION.md"))
def command() -> None:
    """The configuration: its reference (every section and key)."""


@command.command(
    "reference",
    epilog=examples("lmsync config reference", "lmsync config reference --out CONFIGURATION.md"),
)
@click.option("--out", type=OutPath(dir_okay=False, path_type=Path), default=None,
              help="Write the Markdown here instead of printing it.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists (like `lmsync init --force`).")
@click.pass_context
def reference_command(ctx: click.Context, out: Path | None, force: bool) -> None:
    """Every section and key with its type, default, environment variable and meaning, as Markdown."""
    text = reference_markdown()
    if out is None:
        click.echo(text, nl=False)
        return
    if out.suffix.lower() == ".toml":  # tester round 29, 4: it replaced lmsync.toml with Markdown
        raise InputError(f"--out {out}: the reference is Markdown, not a configuration",
                         hint="give --out a .md file, e.g. --out CONFIGURATION.md")
    # never lmsync's own files, --force or not: it wrote 31 KB of Markdown over the token (tester round 85a, 2)
    own = own_files(getattr(ctx.obj, "config_path", None))
    check_out(out, force=force, again=f"lmsync config reference --out {out} --force", own=own)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")
