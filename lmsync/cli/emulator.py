"""``lmsync emulator``: run the built-in Moodle emulator for demos and local testing.

``serve`` answers Moodle's REST protocol on a local port (state saved to ``--state`` after each
write, so a demo survives restarts); with ``--cost moodle45 --workers N`` it costs like Moodle
(the recording site's per-request and per-item times, :mod:`lmsync.moodle.emulator.cost`) and
answers at most N requests at once. ``reset`` writes a fresh demo site to the state file.
"""

from __future__ import annotations

import errno
from pathlib import Path

import click

from lmsync.cli import examples
from lmsync.errors import ConfigError
from lmsync.moodle.emulator import DEMO_TOKEN, Site, build_demo_site, cost_model
from lmsync.moodle.emulator.cost import COST_MODELS
from lmsync.moodle.emulator.server import REST_PATH, make_server


@click.group("emulator", epilog=examples("lmsync emulator serve --port 8765 --state demo.json"))
def command() -> None:
    """A stateful Moodle 4.5 emulator (demo site: MENTOR-2026 before lmsync ran)."""


@command.command(
    "serve",
    epilog=examples(
        "lmsync emulator serve --port 8765 --state demo.json",
        "lmsync emulator serve --cost moodle45 --workers 4",
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (1-65535; 0: any free port, shown when it starts).")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="State file: loaded if present (else the demo site), saved after every write.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site when no state exists.")
@click.option("--cost", "cost", type=click.Choice(["none", *COST_MODELS]), default="none", show_default=True,
              help="Charge each request what Moodle takes for it: moodle45 = Moodle 4.5.6 as timed on the "
                   "recording site (about 20 ms per request, ~4 ms per member added, ~1-4 ms per group "
                   "created; ../shared/moodle/TIMINGS.md). none answers at once.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Answer at most N requests at once, like N PHP workers (1 serialises). Default: no limit.")
def serve_command(host: str, port: int, state: Path | None, seed: int, cost: str, workers: int | None) -> None:
    """Serve the emulator until interrupted.

    For benchmarks, --cost moodle45 --workers 4 costs like a Moodle 4.5 behind four PHP workers.
    """
    site = Site.load(state) if state is not None and state.exists() else build_demo_site(seed)
    if state is not None and not state.exists():
        site.save(state)
    try:
        server = make_server(site, host=host, port=port, state_path=state, verbose=True,
                             cost=cost_model(cost), workers=workers)
    except OSError as exc:  # tester finding: a port in use (or a host not ours) is one line, not a traceback
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is already in use",
                              hint="pick another with --port (or stop what listens there)") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="pick another --host or --port") from None
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    click.echo(f"Moodle emulator at http://{bound_host}:{bound_port}  (REST: {REST_PATH})")
    click.echo(f"token: {DEMO_TOKEN}  (the emulator's own demo token, not a secret)")
    click.echo(f"state: {state if state is not None else 'in memory only'}")
    click.echo(f"cost: {cost}; workers: {workers if workers is not None else 'no limit'}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@command.command("reset", epilog=examples("lmsync emulator reset --state demo.json"))
@click.option("--state", "state", required=True, type=click.Path(dir_okay=False, path_type=Path), help="State file to overwrite.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site.")
def reset_command(state: Path, seed: int) -> None:
    """Overwrite the state file with a fresh demo site."""
    build_demo_site(seed).save(state)
    click.echo(f"reset {state} to the demo site (seed {seed})")
