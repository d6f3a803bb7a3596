"""The report's mentees of circles held while their mentor is away, by the plan's own rule (tester round 100b, 5).

The report counted every active mentee of a circle whose mentor is away (``health_gone.away_circle_mentees``) as
held, while the plan holds only the circles ``away_mentors.holds`` holds: not one whose away mentor was erased
(``erased_away``: "is no longer held: its mentor, away, was erased"), nor one whose hold is over. After an
erasure the summary said "of which in a circle held while its mentor is away, 3" beside a plan re-matching those
three. The report now asks ``holds`` which circles are held, as the sync does.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.service.away_mentors import holds
from lmsync.service.circle_records import deleted_circles
from lmsync.service.health_gone import away_circle_mentees
from lmsync.service.observe import Snapshot
from lmsync.store.db import Store


def held_circle_mentees(config: Config, store: Store, snapshot: Snapshot) -> frozenset[int]:
    """Moodle ids of the active mentees (``away_circle_mentees``) of the circles the plan holds while their mentor
    is away (``holds(...).until``, its circles deleted in Moodle read as the sync reads them). Read-only; raises
    what the store raises."""
    programme = config.programme.name
    held = holds(config, store, snapshot.observation, deleted_circles(store, programme, snapshot)).until
    members = {m for g in snapshot.observation.groups if mentor_of_idnumber(programme, g.idnumber) in held
               for m in g.members}
    return away_circle_mentees(programme, snapshot) & members
