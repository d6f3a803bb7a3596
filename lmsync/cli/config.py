"""``lmsync config reference``: every configuration key, generated from the models."""

from __future__ import annotations

from pathlib import Path

import click

from lmsync.config_reference import reference_markdown


@click.group("config")
def command() -> None:
    """The configuration: its reference (every section and key)."""


@command.command("reference")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the Markdown here instead of printing it.")
def reference_command(out: Path | None) -> None:
    """Every section and key with its type, default, environment variable and meaning, as Markdown."""
    text = reference_markdown()
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")
