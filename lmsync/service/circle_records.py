"""The store's record of the programme's circles, lmsync's proof that a group is its own (tester round 73, 1).

Every reader of the circles (sync, match, grades, health, the report, Feedback reads) observes
Moodle with :func:`circle_proof`: a group carrying a circle idnumber of this programme that the
store cannot prove it made is left alone as a teacher's group (``lmsync.domain.circle_proof``).
Only a sync records (:func:`record_circles`): a store with no record adopts the circles it finds, only when
told it replaces a lost store (``--store-takes-over``; :func:`refuse_take_over`), and from then on knows them
by their Moodle ids.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lmsync.config import Config
from lmsync.domain.circle_proof import CircleProof, disowned_mentors, last_recorded, made_as_another
from lmsync.domain.circle_waits import blocked_warnings, waiting_for_circles
from lmsync.domain.deleted_in_moodle import with_deleted_circles
from lmsync.domain.gone_circles import mentoring, with_mentors_gone
from lmsync.domain.ownership import grouping_idnumber, mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.people import People
from lmsync.domain.sync_state import Observation
from lmsync.errors import PlanError
from lmsync.log import get_logger
from lmsync.service.established import deleted_circle_pairs
from lmsync.service.observe import Snapshot
from lmsync.store.absences import MentorAbsences
from lmsync.store.db import Store
from lmsync.store.journal import GROUPING, Journal
from lmsync.store.pairings import PairingHistory

log = get_logger(__name__)


class TakeOverRefused(PlanError):
    """A store with no record of the programme's circles would take over those the course holds (exit 2)."""


def untaken_circles(snapshot: Snapshot, programme: str) -> int:
    """How many circles of ``programme`` the course holds that the observing store has no record of any of (a new
    or rebuilt store, or a mistyped ``[store] path``): what a sync would take over. 0 when the store holds a record,
    or when nothing observed proof (a read with no store)."""
    proof = snapshot.proof
    if proof is None or proof.holds_circles:
        return 0
    return sum(1 for g in snapshot.observation.groups if mentor_of_idnumber(programme, g.idnumber) is not None)


def take_over_words(count: int, store: str) -> str:
    """What a plan, a dry run and a refused sync say of ``untaken_circles`` (``store``: where it is, or "")."""
    return (f"the store{' ' + store if store else ''} has no record of this programme's circles, but the course holds {count} circle(s) an "
            "earlier lmsync made (their ID numbers say so)")


def refuse_take_over(snapshot: Snapshot, programme: str, store: str, *, takes_over: bool) -> None:
    """Raise ``TakeOverRefused`` (exit 2, before any write) when a sync or apply with a store that has no record
    would take over the course's circles and ``takes_over`` (``--store-takes-over``) was not given. Tester round
    89b, 1: a mistyped ``[store] path`` made a new store that took over every circle, a teacher's group the real
    store refused included (renamed it, removed its members, posted a welcome), exited 0, and left the real store
    refusing the groups it made since."""
    count = untaken_circles(snapshot, programme)
    if count and not takes_over:
        raise TakeOverRefused(
            f"{take_over_words(count, store)}: nothing was written",
            hint="point [store] path (or LMSYNC_STORE_PATH / [store] url) at the programme's store (a mistyped path?); "
                 "only if this store replaces a lost one, run `lmsync sync --store-takes-over` (or `lmsync run "
                 "--store-takes-over`) once",
        )


def circle_proof(store: Store, programme: str) -> CircleProof:
    """What ``store`` proves of ``programme``'s circles (``Journal.circle_proof``): read only."""
    return Journal(store, programme).circle_proof()


def record_circles(store: Store, programme: str, snapshot: Snapshot, run_id: str) -> int:
    """Record the Moodle ids of the circles ``snapshot`` shows as lmsync's that the store has not
    recorded yet: those a store without a record adopts, and those found again by idnumber after a
    create's answer was lost (their id was never answered). Returns the rows written. Records lmsync's grouping
    too when the store did not prove it by id (``grouping_proof``: adopted; tester round 117b, 1), not counted."""
    proof = snapshot.proof
    if proof is None:
        return 0
    grouping = snapshot.observation.grouping_id
    if grouping is not None and grouping not in proof.groupings:  # adopted: its proof from now on (117b, 1)
        Journal(store, programme).remember_created(GROUPING, f"{grouping_idnumber(programme)}#{grouping}", grouping)
    new = [(g.idnumber, g.id) for g in snapshot.observation.groups
           if mentor_of_idnumber(programme, g.idnumber) is not None and g.id not in proof.recorded.get(g.idnumber, ())]
    if not new:
        return 0
    written = Journal(store, programme).remember_circles(new)
    # taken over (not proof.holds_circles): said by the caller, once (SyncResult.taken_over; tester round 84, 7)
    log.info("sync.circles_recorded", run_id=run_id, circles=written, adopted=not proof.holds_circles)
    return written


def deleted_circles(store: Store, programme: str, snapshot: Snapshot) -> tuple[dict[int, int], dict[str, int]]:
    """The circles lmsync made that were deleted in Moodle, their pairs still open (tester round 73, 2), or
    ended while their mentor is away (tester round 74, 1): mentee -> mentor of those pairs
    (``established.deleted_circle_pairs``), and each circle's idnumber -> the Moodle id its group had (0: not
    recorded), for the plan to say so."""
    away = MentorAbsences(store, programme).since()
    pairs = deleted_circle_pairs(store, programme, snapshot.observation, away)
    circles = {mentor_group_idnumber(programme, mentor) for mentor in pairs.values()}
    return pairs, dict(last_recorded(snapshot.proof or CircleProof(), circles))


def blocked_pairs(store: Store, programme: str, observation: Observation,
                  shown: Collection[tuple[int, int]]) -> list[tuple[int, int]]:
    """The open pairs (mentor, mentee) that wait for a circle whose ID number a group lmsync never made holds
    (``circle_proof.disowned_mentors``; tester round 74, 2): the mentee active and in no circle ``shown``.
    A sync keeps them open, so the circle is made again with them once that group's ID number is changed."""
    blocked = disowned_mentors(observation, programme)
    if not blocked:
        return []
    placed = {mentee for _, mentee in shown}
    return [(mentor, mentee) for mentor, mentee in PairingHistory(store, programme).open_pairs()
            if mentor in blocked and mentee not in placed and mentee in observation.active_user_ids]


def with_circles_gone(
    people: People, observation: Observation, config: Config, deleted: Mapping[int, int], held: Collection[int],
    proof: CircleProof | None = None,
) -> tuple[People, list[str], dict[int, int]]:
    """``people`` with the pairs of circles deleted in Moodle (``deleted``: mentee -> mentor) as existing pairs
    (``with_deleted_circles``; tester round 73, 2), the mentors whose circle idnumber a group not lmsync's holds
    given no room, and the mentees who wait for such a circle while its mentor mentors here, or for a circle
    ``held`` while its mentor is away, left out of matching (``circle_waits``; tester round 74); the mentees
    of such a circle whose mentor is gone re-matched as for a mentor who left (``gone_circles``; tester round
    75); the warnings of the blocked ones, and the pairs (mentee -> mentor) of the mentors gone. None for a circle
    whose ID number a circle ``proof`` records as this store's holds (swapped or moved round in Moodle): the
    warning about that group says it (``circle_proof.made_as_another``; tester round 108a, 2)."""
    programme = config.programme.name
    blocked = disowned_mentors(observation, programme)
    waiting = {*held, *(blocked & mentoring(people))}  # a blocked mentor gone waits for nothing (tester round 75, 1)
    people = with_deleted_circles(people, deleted, blocked, triads=config.matching.structure == "triads")
    people, counts = waiting_for_circles(people, deleted, waiting)
    people, gone = with_mentors_gone(people, deleted, waiting)
    return people, blocked_warnings(programme, counts, blocked - made_as_another(observation, proof, programme)), gone
