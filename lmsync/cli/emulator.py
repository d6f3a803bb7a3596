"""``lmsync emulator``: run the built-in Moodle emulator for demos and local testing.

``serve`` answers Moodle's REST protocol on a local port (state saved to ``--state`` after each
write, so a demo survives restarts); ``reset`` writes a fresh demo site to the state file.
"""

from __future__ import annotations

from pathlib import Path

import click

from lmsync.moodle.emulator import DEMO_TOKEN, Site, build_demo_site
from lmsync.moodle.emulator.server import REST_PATH, make_server


@click.group("emulator")
def command() -> None:
    """A stateful Moodle 4.5 emulator (demo site: MENTOR-2026 before lmsync ran)."""


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="State file: loaded if present (else the demo site), saved after every write.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site when no state exists.")
def serve_command(host: str, port: int, state: Path | None, seed: int) -> None:
    """Serve the emulator until interrupted."""
    site = Site.load(state) if state is not None and state.exists() else build_demo_site(seed)
    if state is not None and not state.exists():
        site.save(state)
    server = make_server(site, host=host, port=port, state_path=state, verbose=True)
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    click.echo(f"Moodle emulator at http://{bound_host}:{bound_port}  (REST: {REST_PATH})")
    click.echo(f"token: {DEMO_TOKEN}  (the emulator's own demo token, not a secret)")
    click.echo(f"state: {state if state is not None else 'in memory only'}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@command.command("reset")
@click.option("--state", "state", required=True, type=click.Path(dir_okay=False, path_type=Path), help="State file to overwrite.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site.")
def reset_command(state: Path, seed: int) -> None:
    """Overwrite the state file with a fresh demo site."""
    build_demo_site(seed).save(state)
    click.echo(f"reset {state} to the demo site (seed {seed})")
