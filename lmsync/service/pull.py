"""Pull: the programme's people as matching sees them, read from the configured Moodle.

The same path the sync takes (active roster, peer-mentor cohort, existing pairs from
lmsync's circles), so ``lmsync match`` shows exactly what the next sync would do.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.domain.people import People
from lmsync.service.desire import people_from_snapshot
from lmsync.service.jobs import session
from lmsync.service.observe import observe


def load_people(config: Config) -> People:
    with session(config) as (conn, _store):
        snapshot = observe(conn.api, config)
    people, _warnings = people_from_snapshot(snapshot, config)
    return people
