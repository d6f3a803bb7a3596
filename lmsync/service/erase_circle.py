"""A mentor's circle after their erasure: its group idnumber holds their Moodle id (tester pass 70, 3; round 78, 4).

The circle's group carries ``lmsync:<programme>:mentor:<id>`` in Moodle, and the store's journal and its record
of the circles it made (``created_objects``) name it: lmsync's proof that it made the group. An erasure leaves
both until the group is deleted, and its result says so (``kept_note``). That note was worked out after the
erasure, from the journal alone, and said only when the erasure deleted something: a suspended mentor erased
``--while-enrolled``, whose circle the next run emptied (journalling the removals under the idnumber), was
erased again with nothing left to delete and nothing said of the idnumber still on the group and in the store
(tester round 78, 4). It is now worked out before anything is deleted, from Moodle's groups
(``privacy.Identity.own_circle``) and from the store, and said whatever the erasure deleted.

The idnumber stays in the journal, as the note says; the Moodle ids of the circle's members beside it do not.
A membership key (``add_member:<idnumber>:<member>``, ``remove_member:...``) ties the erased mentor to each of
their mentees, as the pairing history the erasure deletes did: the erasure writes ``:erased`` in the member's
place (``untie``), as it does in the keys naming the erased person themself (tester round 78, 4). The next
run's removals from that circle would tie them again (``remove_member:<idnumber>:<mentee id>``): the sync
journals them untied too (``ErasedCircles``, read by ``apply.SyncFamily``; tester round 78, 4).
"""

from __future__ import annotations

from dataclasses import dataclass

from lmsync.config import Config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.errors import LmsyncError
from lmsync.service.runtime import store_session
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.journal import CIRCLE, Journal
from lmsync.store.pairings import PairingHistory

#: The journal's operation kinds whose keys are ``<kind>:<circle idnumber>:<member's Moodle id>``.
MEMBERSHIP_KINDS = ("add_member", "remove_member")
#: What an erasure writes in place of a Moodle id in an operation key.
ERASED = "erased"


@dataclass(frozen=True)
class KeptCircle:
    """Where a mentor's circle idnumber (``idnumber``) stays after their erasure: on a group of the programme
    course (``on_group``: Moodle's, lmsync does not rename it), in the store (``in_store``: its journal or its
    record of the circles it made, lmsync's proof that it made the group), or both."""

    idnumber: str
    on_group: bool
    in_store: bool


def kept_circle(config: Config, user_id: int, own_circle: str | None) -> KeptCircle | None:
    """Where ``user_id``'s circle idnumber stays after their erasure, worked out before it (tester round 78, 4):
    ``own_circle`` is the idnumber of the course's group naming them its mentor (``Identity.own_circle``), the
    store is read read-only. ``None`` when neither holds it (they led no circle). Raises nothing: a store that
    cannot be read counts as holding nothing (the erasure itself then says why)."""
    idnumber = mentor_group_idnumber(config.programme.name, user_id)
    try:
        with store_session(config, read_only=True) as store:
            in_store = names_circle(store, config.programme.name, idnumber)
    except (LmsyncError, OSError):
        in_store = False
    on_group = own_circle == idnumber
    return KeptCircle(idnumber, on_group, in_store) if on_group or in_store else None


def names_circle(store: Store, programme: str, idnumber: str) -> bool:
    """Whether the store's journal (an operation key) or its record of what it made in Moodle (a circle's
    ``<idnumber>#<group id>``, its welcome discussion's ``<idnumber>``) names the circle ``idnumber``."""
    journal = Journal(store, programme)
    if any(key == idnumber or key.endswith(f":{idnumber}") or f":{idnumber}:" in key
           for entry in journal.keyed_entries() for key in entry.keys):
        return True
    return any(key == idnumber or key.startswith(f"{idnumber}#")
               for kind in (CIRCLE, "discussion") for key in journal.created(kind))


def untie(key: str, idnumber: str) -> str:
    """``key`` with the member's Moodle id replaced by ``erased`` when it is a membership key of the circle
    ``idnumber`` (``add_member:<idnumber>:12`` -> ``add_member:<idnumber>:erased``), else ``key`` as it is."""
    kind, _, rest = key.partition(":")
    group, _, member = rest.rpartition(":")
    if kind in MEMBERSHIP_KINDS and group == idnumber and member != ERASED:
        return f"{kind}:{idnumber}:{ERASED}"
    return key


@dataclass(frozen=True)
class ErasedCircles:
    """The circles of erased mentors, as a sync journals its removals from them (tester round 78, 4).

    ``erased``: the Moodle ids of everyone erased (``erasures.erased_on``); ``open_pairs``: (mentor, mentee)
    of the pairing history's open rows. Read once, where ``SyncFamily`` is built (``run_sync`` builds it each
    round, after following Moodle's pairs), so every chunk it sends, and a refused chunk's halves, get the
    same keys."""

    programme: str
    erased: frozenset[int]
    open_pairs: frozenset[tuple[int, int]]

    @classmethod
    def read(cls, store: Store, programme: str) -> ErasedCircles:
        """The store's erasures and open pairs (two reads). Raises what the store raises."""
        return cls(programme, frozenset(erased_on(store)), frozenset(PairingHistory(store, programme).open_pairs()))

    def removal_key(self, key: str, group: str, member: int) -> str:
        """The journal key of the removal ``key`` (``remove_member:<group>:<member>``): ``untie(key, group)``
        when ``group`` is the circle of an erased mentor and the pairing history holds no open pair of that
        mentor and ``member``, else ``key`` as it is. Such a key names no member, so a crashed run's removal
        records no leave (``sync.record_settled_pairings``): with no open pair there is none to record. An
        open pair (the mentor came back and was paired again) keeps its key, whose leave is recorded."""
        mentor = mentor_of_idnumber(self.programme, group)
        if mentor is None or mentor not in self.erased or (mentor, member) in self.open_pairs:
            return key
        return untie(key, group)


def kept_note(kept: KeptCircle) -> str:
    """The erasure's note on where their circle's idnumber stays (``kept``), for the command to print."""
    where = " and ".join([*(["on the group in Moodle"] if kept.on_group else []),
                          *(["in lmsync's record of what it wrote in Moodle (its proof that it made the group)"]
                            if kept.in_store else [])])
    until = (" until the group is deleted (`lmsync sync --allow-delete` once the circle is no longer needed)"
             if kept.on_group else "; the group is no longer in the programme course")
    return f"note: their circle's group idnumber {kept.idnumber} holds their Moodle id: it stays {where}{until}"
