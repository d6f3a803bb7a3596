"""Pull: the programme's people as matching sees them, read from the configured Moodle.

The same path the sync takes (active roster, peer-mentor cohort, existing pairs from
lmsync's circles), so ``lmsync match`` shows exactly what the next sync would do.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.service.established import pair_standing
from lmsync.service.observe import observe
from lmsync.service.roster import RosterPeople, people_from_snapshot
from lmsync.service.runtime import session


def load_people(config: Config) -> RosterPeople:
    """The people, plus warnings about them (suspended accounts, two roles, typed values).

    Pins and forbids are not applied here (``run_match`` applies them once).
    """
    with session(config, read_only=True) as (conn, store):  # match is a read: it writes nothing
        snapshot = observe(conn.api, config, forum=False)  # matching needs no forum reads (issue 15)
        # a mentee in two circles is kept with their established pair, as the sync keeps them (FIX-C)
        return people_from_snapshot(snapshot, config, pair_standing(store, config.programme.name))
