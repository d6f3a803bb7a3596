"""Which Moodle to talk to: the configured site, or the built-in emulator.

With no ``[moodle] url`` lmsync runs against the emulator, whose site state persists in
the state directory, so ``lmsync sync`` then ``lmsync health`` see the same site, as they
would a real one. The state is saved only after a run that sent a write (a read never
writes, issue 11), and the first emulated connection of a process says on stderr that
this is the emulator, not a real site. Everything above this module sees only a ``MoodleApi``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token


@dataclass
class MoodleConnection:
    api: MoodleApi
    transport: Transport
    emulated: bool
    site: Any = field(default=None, repr=False)  # the emulator's Site when emulated
    adapter: Any = field(default=None, repr=False)  # the EmulatorAdapter when emulated

    @property
    def emulator_writes(self) -> int:
        """Write functions the emulator received on this connection (0 for a real site)."""
        if self.adapter is None:
            return 0
        from lmsync.moodle.emulator.server import is_write

        return sum(1 for function in self.adapter.calls if is_write(function))


_announced = False


def emulator_reason(config: Config) -> str:
    """Why lmsync runs the emulator: ``no configuration file`` or ``lmsync.toml sets no [moodle] url``."""
    return "no configuration file" if config.source is None else f"{config.source} sets no [moodle] url"


def announce_emulator(config: Config, *, stream: Any = None) -> bool:
    """Say once per process, on stderr, that lmsync runs the built-in emulator; True when it spoke.

    Under ``--log-format json`` it is one structured event (``emulator.in_use``, a JSON line with
    the reason, the store and the site file), so a log collector sees it; on a console, a plain loud line. Both name
    the emulator's site file in use (``emulator_site_file.site_words``: tester round 117b, 7).
    """
    from lmsync.log import get_logger, log_format
    from lmsync.service.emulator_site_file import site_file, site_words
    from lmsync.service.stores import shown_store

    global _announced
    if _announced:
        return False
    _announced = True
    why = emulator_reason(config)
    where = config.source if config.source is not None else "lmsync.toml"  # the file it reads (round 82a, 8)
    if log_format() == "json" and stream is None:
        get_logger(__name__).warning(
            "emulator.in_use", reason=why, store=shown_store(config), site=str(site_file(config)),
            message="running against the built-in Moodle emulator (demo data, not a real site); "
            f"set [moodle] url in {where} to use your Moodle",
        )
        return True
    print(
        f"warning: {why}: running against the built-in Moodle emulator (demo data, not a real site);"
        f" store {shown_store(config)}; {site_words(config)}. Set [moodle] url in {where} to use your Moodle.",
        file=stream or sys.stderr,
    )
    return True


def announced_elsewhere() -> None:
    """``announce_emulator`` stays silent from now on: the caller said it its own way (``lmsync demo`` with a real
    Moodle configured, where "sets no [moodle] url" was false: tester round 85a, 3)."""
    global _announced
    _announced = True


DEMO_PEER_COHORT = "peer-mentors-2026"


def newcomer_defaults(config: Config) -> Config:
    """With no configuration file and no Moodle, lmsync runs the emulator's demo programme.

    The demo site has a peer-mentor cohort; a newcomer who runs ``lmsync demo`` and then
    ``lmsync plan`` must see the same programme, so the cohort is filled in here, and only
    here: any configuration file, or a real Moodle, means the admin's settings stand as written.
    """
    if config.source is not None or not config.uses_emulator or config.programme.peer_mentor_cohort:
        return config
    programme = config.programme.model_copy(update={"peer_mentor_cohort": DEMO_PEER_COHORT})
    return config.model_copy(update={"programme": programme})


def refuse_token_without_site(config: Config, site: Any = None) -> None:
    """Raise ConfigError when ``LMSYNC_TOKEN`` is set and no ``[moodle] url`` is: a unit or pod whose
    configuration lost its url ran the emulator's demo site every 15 minutes, exit 0, as a token file
    without a url once did (tester round 69, 2; round 12, 5). Nothing when ``site`` is given (the demo
    and the tests bring their own emulator site) or a url is set."""
    if site is None and config.uses_emulator and os.environ.get("LMSYNC_TOKEN") is not None:
        raise ConfigError(
            f"LMSYNC_TOKEN is set, but {emulator_reason(config)}: the token would never be used and every "
            "command would run against the built-in emulator's demo site",
            hint="set [moodle] url to the Moodle site's address (or LMSYNC_MOODLE_URL); to try the emulator, "
                 "unset LMSYNC_TOKEN",
        )


def in_clear(url: str) -> bool:
    """Whether ``url`` is plain http to a host that is not this machine (nor the built-in emulator)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "http" or host in ("localhost", "emulator.lmsync.invalid") or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: resolved elsewhere


def emulator_site(config: Config) -> Any:
    """The persisted emulator site for this programme (``emulator_site_file.site_file``: its store's when the
    programme was renamed, tester round 117b, 7), or a fresh demo site."""
    from lmsync.moodle.emulator.demo import build_demo_site
    from lmsync.moodle.emulator.state import Site
    from lmsync.service.emulator_site_file import site_file

    path = site_file(config)
    if path.exists():
        return Site.load(path)
    return build_demo_site()


@contextmanager
def open_moodle(
    config: Config, *, site: Any = None, fault: Any = None, stop: Any = None
) -> Iterator[MoodleConnection]:
    """Yield a connection; the emulator's state is saved on the way out, even after an error.

    ``stop``: the run's stop request (``jobs.StopFlag``: asked, and waited on); a request to stop ends
    a call's retries at once (tester round 31, 1). Anything without ``wait`` is left out."""
    stop = stop if callable(getattr(stop, "wait", None)) else None
    moodle = config.moodle

    def transport_for(url: str, token: Token, **extra: Any) -> Transport:
        return Transport(
            url, token, timeout=moodle.timeout_seconds, deadline=moodle.retry_deadline_seconds,
            budget=moodle.batch_budget, **extra,
        )

    if config.uses_emulator:
        from lmsync.moodle.emulator.demo import DEMO_TOKEN
        from lmsync.moodle.emulator.server import EMULATOR_URL, EmulatorAdapter
        from lmsync.service.emulator_site_file import site_file

        refuse_token_without_site(config, site)
        announce_emulator(config)
        saved = site_file(config)  # the store's site after a rename, its own otherwise (tester round 117b, 7)
        if site is None:
            from lmsync.moodle.emulator.serving import refuse_if_served

            # a running `emulator serve` of this file would overwrite this run's writes (round 24, 3)
            refuse_if_served(saved, "what this command changes on the built-in emulator")
            site = emulator_site(config)
        session = requests.Session()
        adapter = EmulatorAdapter(site, fault=fault)
        session.mount(EMULATOR_URL, adapter)
        transport = transport_for(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None)
        conn = MoodleConnection(MoodleApi(transport), transport, emulated=True, site=site, adapter=adapter)
        try:
            yield conn
        finally:
            if conn.emulator_writes:  # a read leaves the emulator's saved state alone
                saved.parent.mkdir(parents=True, exist_ok=True)
                site.save(saved)
        return
    transport = transport_for(moodle.url or "", config.load_token(), pool_size=moodle.max_parallel, stop=stop,
                              verify_tls=moodle.verify_tls)  # per request, over a CA bundle's variable (round 106b, 1)
    if in_clear(moodle.url or ""):  # every run says it, not doctor alone (tester round 29, 3), once (106b, 7)
        from lmsync.log import warn_once

        warn_once(
            __name__, "moodle.unencrypted", moodle.url or "", host=urlsplit(moodle.url or "").hostname,
            hint="[moodle] url is plain http to another host: the token and every answer cross the network "
                 "unencrypted; use the site's https:// address",
        )
    yield MoodleConnection(MoodleApi(transport), transport, emulated=False)
