"""A stateful Moodle 4.5 for demos and tests: same functions, same semantics, same error bodies.

Public entry points: :class:`Site` (state), :func:`handle` (one REST request),
:class:`EmulatorAdapter` (in-process ``requests`` transport), :func:`serve` /
:func:`serve_in_background` (HTTP), :class:`RandomFaults` (fault injection, including the slow-Moodle
kind "late": see :mod:`.faults`), the site builders in :mod:`.demo` (``seed_lived_in``) and the
second series' set-up in :mod:`.series2`. It imports nothing from the client side of ``lmsync.moodle``: it answers raw HTTP.
"""

from lmsync.moodle.emulator.demo import (
    DEMO_TOKEN,
    LIMITED_TOKEN,
    SUSPENDED_TOKEN,
    build_demo_site,
    build_scaled_site,
    seed_lived_in,
    site_from_recording,
)
from lmsync.moodle.emulator.faults import RandomFaults, SimulatedCrash, fail_once
from lmsync.moodle.emulator.server import (
    EMULATOR_URL,
    EmulatorAdapter,
    handle,
    serve,
    serve_in_background,
)
from lmsync.moodle.emulator.state import Site, TokenInfo

__all__ = [
    "DEMO_TOKEN",
    "EMULATOR_URL",
    "LIMITED_TOKEN",
    "SUSPENDED_TOKEN",
    "EmulatorAdapter",
    "RandomFaults",
    "SimulatedCrash",
    "Site",
    "TokenInfo",
    "build_demo_site",
    "build_scaled_site",
    "fail_once",
    "handle",
    "serve",
    "seed_lived_in",
    "serve_in_background",
    "site_from_recording",
]
