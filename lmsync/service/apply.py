"""The sync family on the executor: groups, lmsync's grouping, members and welcome posts.

How each kind goes out (function, form variables per operation, whether a refused batch may
be bisected, which requests may go side by side); the protocol itself (journal before and
after, lost answer -> stop and re-observe, split a refused idempotent batch, the bounded pool)
is :mod:`lmsync.service.executor`'s. A lost answer ends the run with :class:`NeedsReobserve`:
the caller observes Moodle again and re-plans, so a create that did happen is seen, not
duplicated; one not visible yet stays pending in the journal (it may still commit, issue 10
point 10) and is not sent again until ``[sync] write_settle_seconds`` have passed.

Side by side (``[moodle] max_parallel``): member chunks, grouping links, welcome posts (one
circle each) and membership removals. One at a time: group creates, renames and deletes in
one course (each rebuilds the course's group cache, which Moodle serialises badly) and the
grouping.

Before its first write a family built with ``check_batches`` proves, with one read (two without the own
user id), that a request as large as ``[moodle] batch_budget`` reaches Moodle whole; a site whose PHP
``max_input_vars`` is lower raises ``RequestCut`` (exit 2) with nothing written. A create that answers fewer
groups than it sent raises the same; the groups Moodle did create are recorded as lmsync's circles. An
operation naming a group with no Moodle id yet asks to re-observe instead of failing (tester round 92b, 1).

A removal from an erased mentor's circle is journalled ``remove_member:<idnumber>:erased`` unless the
pairing history still pairs that mentor and member (``erase_circle.ErasedCircles``; tester round 78, 4).
Additions keep their keys: they are held while pending, matched key for key against the next plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from lmsync.domain.envelope import Envelope
from lmsync.domain.plan import Plan
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import RequestCut
from lmsync.moodle.input_vars import require_full_batch
from lmsync.service.erase_circle import ErasedCircles
from lmsync.service.executor import EACH, ExecReport, Executor, Kind, NeedsReobserve, OpFamily, Sent
from lmsync.store.journal import Journal

__all__ = ["FUNCTION", "KINDS", "ONE_PER_CALL", "VARS_PER_OP", "ApplyReport", "Applier", "NeedsReobserve", "SyncFamily", "SyncTargets"]

ApplyReport = ExecReport  # what a sync run wrote (the executor's report)


def _circle(chunk: Sequence[Any]) -> str:
    return str(chunk[0].group)


# Form variables per operation are what max_input_vars counts (trap 23); idempotent kinds are
# harmless to send again (trap 16), so a refused batch of them is bisected (trap 26).
KINDS: dict[str, Kind] = {
    "create_grouping": Kind("core_group_create_groupings", 4, one_per_call=True, reobserve_on_refusal=True),
    "update_grouping": Kind("core_group_update_groupings", 3, idempotent=True, one_per_call=True),
    "create_group": Kind("core_group_create_groups", 5, reobserve_on_refusal=True),  # trap 27
    "update_group": Kind("core_group_update_groups", 4, idempotent=True),
    "unassign_grouping": Kind("core_group_unassign_grouping", 2, idempotent=True, lane=EACH),
    "assign_grouping": Kind("core_group_assign_grouping", 2, idempotent=True, lane=EACH),
    "remove_member": Kind("core_group_delete_group_members", 2, idempotent=True, lane=EACH),
    "add_member": Kind("core_group_add_group_members", 2, idempotent=True, lane=EACH),
    "post_welcome": Kind("mod_forum_add_discussion", 8, one_per_call=True, lane=_circle),
    "delete_group": Kind("core_group_delete_groups", 1, idempotent=True),
    "delete_duplicate_group": Kind("core_group_delete_groups", 1, idempotent=True),
    "delete_duplicate_grouping": Kind("core_group_delete_groupings", 1, idempotent=True),
}
VARS_PER_OP = {kind: spec.vars_per_op for kind, spec in KINDS.items()}
FUNCTION = {kind: spec.function for kind, spec in KINDS.items()}
ONE_PER_CALL = {kind for kind, spec in KINDS.items() if spec.one_per_call}


class SyncTargets(TypedDict):
    """What sync writes to, as observed: the course, idnumber -> Moodle id of the groups and of
    lmsync's grouping that exist, and the programme forum's id (``None``: missing)."""

    course_id: int
    group_ids: dict[str, int]
    grouping_ids: dict[str, int]
    forum_id: int | None


class SyncFamily(OpFamily):
    """Sends sync operations; groups and the grouping are named by idnumber until Moodle gives ids.

    ``group_ids``/``grouping_ids`` (see :class:`SyncTargets`) are copied; creates add to them,
    on the executor's thread, before the next kind starts. The store's erasures and open pairs are
    read here, once (``ErasedCircles``): the journal keys of removals from erased mentors' circles.
    """

    name = "sync"
    kinds = KINDS

    def __init__(
        self, api: MoodleApi, journal: Journal, *, check_batches: bool = False, self_user_id: int | None = None,
        **targets: Unpack[SyncTargets],
    ) -> None:
        super().__init__(journal)
        self.api = api
        #: prove a full batch reaches Moodle before the first write (``self_user_id``: the token's user, read when None)
        self.check_batches, self.self_user_id = check_batches, self_user_id
        self._cut_created: dict[str, int] = {}  # what a create cut short did create, recorded by finish()
        self.course_id = targets["course_id"]
        self.group_ids = dict(targets["group_ids"])
        self.grouping_ids = dict(targets["grouping_ids"])
        self.forum_id = targets["forum_id"]
        self.erased_circles = ErasedCircles.read(journal.store, journal.programme)

    def keys(self, kind: str, chunk: Sequence[Any]) -> list[str]:
        """Journal keys of a chunk (:meth:`OpFamily.keys`); a removal from an erased mentor's circle names
        no member (``ErasedCircles.removal_key``; tester round 78, 4). The same chunk gets the same keys."""
        if kind != "remove_member":
            return super().keys(kind, chunk)
        return [self.erased_circles.removal_key(op.key, op.group, op.user_id) for op in chunk]

    def before(self, kind: str, chunk: Sequence[Any]) -> None:
        if kind == "post_welcome" and self.forum_id is None:
            raise NeedsReobserve("the programme forum is missing")
        unknown = self._unknown(kind, chunk)
        if unknown is not None:  # a create cut short, or not seen yet: was a KeyError (tester round 92b, 1)
            raise NeedsReobserve(f"{unknown} has no Moodle id yet")
        if self.check_batches:
            require_full_batch(self.api, self.self_user_id)  # once per transport; RequestCut: nothing written

    def _unknown(self, kind: str, chunk: Sequence[Any]) -> str | None:
        """The first group or grouping idnumber ``chunk`` names that has no Moodle id, or None."""
        for op in chunk:
            if kind in ("update_group", "update_grouping"):
                names = [(self.group_ids if kind == "update_group" else self.grouping_ids, op.idnumber)]
            elif kind in ("assign_grouping", "unassign_grouping"):
                names = [(self.group_ids, op.group), (self.grouping_ids, op.grouping)]
            elif kind in ("remove_member", "add_member", "post_welcome", "delete_group"):
                names = [(self.group_ids, op.group)]
            else:
                names = []
            for known, idnumber in names:
                if idnumber not in known:
                    return str(idnumber)
        return None

    def finish(self, entry: int, kind: str, chunk: Sequence[Any], state: str, result: Any) -> None:
        super().finish(entry, kind, chunk, state, result)
        if self._cut_created:  # a create cut short: the groups Moodle did create are lmsync's circles
            created, self._cut_created = self._cut_created, {}
            self.group_ids.update(created)
            self.journal.remember_circles(created.items())

    def accepted(self, kind: str, chunk: Sequence[Any], sent: Sent) -> None:
        refused = dict(sent.refused)  # circle joins and leaves Moodle took: the pairing history (issue 12)
        self.journal.record_pairings(kind, [op for i, op in enumerate(chunk) if i not in refused])
        if kind == "create_grouping":
            self.grouping_ids[chunk[0].idnumber] = sent.result["ids"][0]
        elif kind == "create_group":
            self.group_ids.update(sent.result["idnumbers"])
            self.journal.remember_circles(sent.result["idnumbers"].items())  # its proof (tester round 73, 1)
        elif kind == "post_welcome":
            self.journal.remember_created("discussion", chunk[0].group, sent.result["discussion"])

    def _group(self, idnumber: str) -> int:
        return self.group_ids[idnumber]

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:  # noqa: C901 - one branch per kind
        api = self.api
        if kind == "create_grouping":
            (op,) = chunk
            groupings = api.create_groupings(
                [{"courseid": self.course_id, "name": op.name, "idnumber": op.idnumber, "description": op.description}]
            )
            return Sent({"ids": [groupings[0].id]})
        if kind == "create_group":
            try:
                created = api.create_groups(
                    [
                        {"courseid": self.course_id, "name": op.name, "idnumber": op.idnumber, "description": op.description}
                        for op in chunk
                    ]
                )
            except RequestCut as exc:  # one at a time (no lane): finish() records them on this thread
                rows = [row for row in exc.rows if isinstance(row, dict) and isinstance(row.get("id"), int)]
                self._cut_created = {str(row["idnumber"]): row["id"] for row in rows if row.get("idnumber")}
                raise
            return Sent({"ids": [g.id for g in created], "idnumbers": {g.idnumber: g.id for g in created}})
        if kind == "update_grouping":
            (op,) = chunk
            api.update_groupings(
                [{"id": self.grouping_ids[op.idnumber], "name": op.name, "description": op.description,
                  **({"idnumber": op.idnumber} if op.idnumber_was is not None else {})}]  # put back: round 105a, 4
            )
        elif kind == "update_group":
            api.update_groups(  # a description left out is kept by Moodle (recorded core_group_update_groups/ok)
                [{"id": self._group(op.idnumber), "name": op.name, **({"description": op.description} if op.description else {}),
                  # an ID number changed in Moodle put back (tester round 103b, 2); else left out, so Moodle keeps it
                  **({"idnumber": op.idnumber} if op.idnumber_was is not None else {})}
                 for op in chunk]
            )
        elif kind in ("unassign_grouping", "assign_grouping"):
            links = [{"groupingid": self.grouping_ids[op.grouping], "groupid": self._group(op.group)} for op in chunk]
            (api.unassign_grouping if kind == "unassign_grouping" else api.assign_grouping)(links)
        elif kind == "remove_member":
            api.delete_group_members([{"groupid": self._group(op.group), "userid": op.user_id} for op in chunk])
        elif kind == "add_member":
            api.add_group_members([{"groupid": self._group(op.group), "userid": op.user_id} for op in chunk])
        elif kind == "post_welcome":
            (op,) = chunk
            assert self.forum_id is not None  # checked in before()
            discussion = api.add_discussion(
                self.forum_id, op.subject, op.message, groupid=self._group(op.group), options={"discussionsubscribe": True}
            )
            return Sent({"discussion": discussion.discussionid})
        elif kind == "delete_group":
            api.delete_groups([self._group(op.group) for op in chunk])
        elif kind == "delete_duplicate_group":  # by id: the copy that stays carries the same idnumber
            api.delete_groups([op.group_id for op in chunk])
        elif kind == "delete_duplicate_grouping":
            api.delete_groupings([op.grouping_id for op in chunk])
        else:
            raise ValueError(f"unknown operation kind {kind}")
        return Sent()


class Applier:
    """Applies a sync :class:`Plan` through ``executor``, whose family must be a :class:`SyncFamily`
    (``TypeError`` otherwise); raises :class:`NeedsReobserve` when a write's outcome is unknown (the
    caller observes Moodle again before writing more). The executor's settings (budget, parallel
    requests, items per call, progress, stop) are :class:`Executor`'s, given where it is built."""

    def __init__(self, executor: Executor) -> None:
        if not isinstance(executor.family, SyncFamily):
            raise TypeError(f"the applier runs the sync family, not {executor.family.name!r}")
        self.family = executor.family
        self.executor = executor

    def apply(self, plan: Plan) -> ApplyReport:
        report = self.executor.run(Envelope.of_sync_plan(plan))
        if report.lost is not None:
            raise NeedsReobserve(report.lost, report)
        return report
