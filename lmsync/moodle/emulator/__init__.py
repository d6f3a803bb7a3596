"""A stateful Moodle 4.5 for demos and tests: same functions, same semantics, same error bodies.

Public entry points: :class:`Site` (state, :mod:`.state`; its records in :mod:`.records`),
:func:`handle` (one REST request, :mod:`.protocol`), :class:`EmulatorAdapter` (in-process
``requests`` transport, :mod:`.adapter`), :func:`make_server` / :func:`serve_in_background` (HTTP,
:mod:`.server`), :class:`RandomFaults` (fault injection, including the slow-Moodle kind "late":
see :mod:`.faults`), the cost model :data:`MOODLE45` with its worker pool :class:`Workers`
(:mod:`.cost`: a site that costs like Moodle), the site builders in :mod:`.demo`
(``seed_lived_in``) and the second series' set-up in :mod:`.series2`. The functions themselves
live one module per Moodle component in :mod:`.functions`, registered in
:mod:`.functions.registry`. It imports nothing from the client side of ``lmsync.moodle``: it
answers raw HTTP.
"""

from lmsync.moodle.emulator.adapter import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.cost import MOODLE45, CostModel, Workers, cost_model
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
from lmsync.moodle.emulator.protocol import handle
from lmsync.moodle.emulator.server import make_server, serve_in_background
from lmsync.moodle.emulator.state import Site, TokenInfo

__all__ = [
    "DEMO_TOKEN",
    "EMULATOR_URL",
    "LIMITED_TOKEN",
    "MOODLE45",
    "SUSPENDED_TOKEN",
    "CostModel",
    "EmulatorAdapter",
    "RandomFaults",
    "SimulatedCrash",
    "Site",
    "TokenInfo",
    "Workers",
    "build_demo_site",
    "build_scaled_site",
    "cost_model",
    "fail_once",
    "handle",
    "make_server",
    "seed_lived_in",
    "serve_in_background",
    "site_from_recording",
]
