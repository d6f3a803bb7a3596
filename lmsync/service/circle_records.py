"""The store's record of the programme's circles, lmsync's proof that a group is its own (tester round 73, 1).

Every reader of the circles (sync, match, grades, health, the report, Feedback reads) observes
Moodle with :func:`circle_proof`: a group carrying a circle idnumber of this programme that the
store cannot prove it made is left alone as a teacher's group (``lmsync.domain.circle_proof``).
Only a sync records (:func:`record_circles`): a store with no record adopts the circles it finds,
as before, and from then on knows them by their Moodle ids.
"""

from __future__ import annotations

from lmsync.domain.circle_proof import CircleProof, last_recorded
from lmsync.domain.ownership import mentor_group_idnumber, mentor_of_idnumber
from lmsync.log import get_logger
from lmsync.service.established import deleted_circle_pairs
from lmsync.service.observe import Snapshot
from lmsync.store.db import Store
from lmsync.store.journal import Journal

log = get_logger(__name__)


def circle_proof(store: Store, programme: str) -> CircleProof:
    """What ``store`` proves of ``programme``'s circles (``Journal.circle_proof``): read only."""
    return Journal(store, programme).circle_proof()


def record_circles(store: Store, programme: str, snapshot: Snapshot, run_id: str) -> int:
    """Record the Moodle ids of the circles ``snapshot`` shows as lmsync's that the store has not
    recorded yet: those a store without a record adopts, and those found again by idnumber after a
    create's answer was lost (their id was never answered). Returns the rows written."""
    proof = snapshot.proof
    if proof is None:
        return 0
    new = [(g.idnumber, g.id) for g in snapshot.observation.groups
           if mentor_of_idnumber(programme, g.idnumber) is not None and g.id not in proof.recorded.get(g.idnumber, ())]
    if not new:
        return 0
    written = Journal(store, programme).remember_circles(new)
    log.info("sync.circles_recorded", run_id=run_id, circles=written, adopted=not proof.holds_circles)
    return written


def deleted_circles(store: Store, programme: str, snapshot: Snapshot) -> tuple[dict[int, int], dict[str, int]]:
    """The circles lmsync made that were deleted in Moodle, their pairs still open (tester round 73, 2):
    mentee -> mentor of those pairs (``established.deleted_circle_pairs``), and each circle's idnumber ->
    the Moodle id its group had (0: not recorded), for the plan to say so."""
    pairs = deleted_circle_pairs(store, programme, snapshot.observation)
    circles = {mentor_group_idnumber(programme, mentor) for mentor in pairs.values()}
    return pairs, dict(last_recorded(snapshot.proof or CircleProof(), circles))
