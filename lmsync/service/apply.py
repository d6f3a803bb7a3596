"""Apply a plan: batched, journaled, interruptible between batches.

Each batch is journaled before it is sent (intent) and after (result). A batch whose
answer is lost is never re-sent blindly: apply stops with ``NeedsReobserve`` and the
caller observes Moodle again and re-plans, so a create that did happen is seen, not
duplicated; one that is not visible yet stays pending in the journal (it may still commit,
issue 10 point 10) and is not sent again until ``[sync] write_settle_seconds`` have passed. A batch Moodle refuses as a whole (one bad member fails them all, trap 26)
is split in halves until the offending item is isolated, for the idempotent operations.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.plan import APPLY_ORDER, Operation, Plan
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.batching import chunk_by_budget
from lmsync.moodle.errors import MoodleException, OutcomeUnknown, TransportError
from lmsync.store.journal import Journal

log = get_logger(__name__)

# Form variables one operation costs in its Moodle call (what max_input_vars counts).
VARS_PER_OP = {
    "create_grouping": 4,
    "create_group": 5,
    "update_group": 4,
    "unassign_grouping": 2,
    "assign_grouping": 2,
    "remove_member": 2,
    "add_member": 2,
    "post_welcome": 8,
    "delete_group": 1,
    "delete_duplicate_group": 1,
    "delete_duplicate_grouping": 1,
}
FUNCTION = {
    "create_grouping": "core_group_create_groupings",
    "create_group": "core_group_create_groups",
    "update_group": "core_group_update_groups",
    "unassign_grouping": "core_group_unassign_grouping",
    "assign_grouping": "core_group_assign_grouping",
    "remove_member": "core_group_delete_group_members",
    "add_member": "core_group_add_group_members",
    "post_welcome": "mod_forum_add_discussion",
    "delete_group": "core_group_delete_groups",
    "delete_duplicate_group": "core_group_delete_groups",
    "delete_duplicate_grouping": "core_group_delete_groupings",
}
# Kinds where re-sending an item is harmless (trap 16), so a refused batch may be bisected.
IDEMPOTENT = {
    "assign_grouping",
    "unassign_grouping",
    "remove_member",
    "add_member",
    "delete_group",
    "update_group",
    "delete_duplicate_group",
    "delete_duplicate_grouping",
}
ONE_PER_CALL = {"post_welcome", "create_grouping"}


class NeedsReobserve(Exception):
    """Moodle's state is uncertain after this batch: observe again before writing more."""


@dataclass
class ApplyReport:
    run_id: str
    written: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (operation key, errorcode)
    batches: int = 0
    stopped: bool = False
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.failed and not self.stopped


class Applier:
    def __init__(
        self,
        api: MoodleApi,
        journal: Journal,
        *,
        run_id: str,
        budget: int,
        course_id: int,
        group_ids: dict[str, int],
        grouping_ids: dict[str, int],
        forum_id: int | None,
        progress: Callable[[int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        max_items_per_call: int | None = None,
    ) -> None:
        self.max_items_per_call = max_items_per_call  # 1 = the naive client benchmarks compare with
        self.api = api
        self.journal = journal
        self.run_id = run_id
        self.budget = budget
        self.course_id = course_id
        self.group_ids = dict(group_ids)
        self.grouping_ids = dict(grouping_ids)
        self.forum_id = forum_id
        self.progress = progress or (lambda _n: None)
        self.should_stop = should_stop or (lambda: False)

    def apply(self, plan: Plan) -> ApplyReport:
        report = ApplyReport(self.run_id)
        started = time.monotonic()
        try:
            for kind in APPLY_ORDER:
                ops = plan.by_kind(kind)
                if not ops:
                    continue
                size = 1 if kind in ONE_PER_CALL else self.max_items_per_call
                chunks = (
                    [list(ops[i : i + size]) for i in range(0, len(ops), size)]
                    if size
                    else chunk_by_budget(ops, VARS_PER_OP[kind], self.budget)
                )
                kind_started = time.monotonic()
                for chunk in chunks:
                    if self.should_stop():
                        report.stopped = True
                        log.info("apply.stopped", run_id=self.run_id, before=kind)
                        return report
                    self._batch(kind, chunk, report)
                log.info(
                    "apply.step",
                    function=FUNCTION[kind],
                    count=len(ops),
                    requests=len(chunks),
                    seconds=round(time.monotonic() - kind_started, 3),
                )
        finally:
            report.seconds = time.monotonic() - started
        return report

    def _batch(self, kind: str, chunk: Sequence[Operation], report: ApplyReport) -> None:
        keys = [op.key for op in chunk]
        entry = self.journal.intent(self.run_id, FUNCTION[kind], kind, keys)
        report.batches += 1
        try:
            result = self._send(kind, chunk)
        except (OutcomeUnknown, TransportError) as exc:
            self.journal.finish(entry, "unknown", {"error": type(exc).__name__})
            raise NeedsReobserve(f"{FUNCTION[kind]}: {type(exc).__name__}") from exc
        except MoodleException as exc:
            self.journal.finish(entry, "failed", {"errorcode": exc.errorcode})
            if kind in IDEMPOTENT and len(chunk) > 1:
                middle = len(chunk) // 2
                self._batch(kind, chunk[:middle], report)
                self._batch(kind, chunk[middle:], report)
                return
            if kind in ("create_group", "create_grouping"):
                # The batch was rolled back and the group cache may now hold phantoms
                # (trap 27): look again with database reads before anything else.
                raise NeedsReobserve(f"{FUNCTION[kind]}: {exc.errorcode}") from exc
            for key in keys:
                report.failed.append((key, exc.errorcode or "unknown"))
            log.warning("apply.refused", function=FUNCTION[kind], errorcode=exc.errorcode, items=len(chunk))
            return
        self.journal.finish(entry, "ok", result)
        report.written[kind] += len(chunk)
        self.progress(len(chunk))

    def _group(self, idnumber: str) -> int:
        return self.group_ids[idnumber]

    def _send(self, kind: str, chunk: Sequence[Any]) -> Any:
        api = self.api
        if kind == "create_grouping":
            (op,) = chunk
            groupings = api.create_groupings(
                [{"courseid": self.course_id, "name": op.name, "idnumber": op.idnumber, "description": op.description}]
            )
            self.grouping_ids[op.idnumber] = groupings[0].id
            return {"ids": [groupings[0].id]}
        if kind == "create_group":
            created = api.create_groups(
                [
                    {"courseid": self.course_id, "name": op.name, "idnumber": op.idnumber, "description": op.description}
                    for op in chunk
                ]
            )
            for group in created:
                self.group_ids[group.idnumber] = group.id
            return {"ids": [g.id for g in created]}
        if kind == "update_group":
            api.update_groups(
                [{"id": self._group(op.idnumber), "name": op.name, "description": op.description} for op in chunk]
            )
            return None
        if kind == "unassign_grouping":
            api.unassign_grouping(
                [{"groupingid": self.grouping_ids[op.grouping], "groupid": self._group(op.group)} for op in chunk]
            )
            return None
        if kind == "assign_grouping":
            api.assign_grouping(
                [{"groupingid": self.grouping_ids[op.grouping], "groupid": self._group(op.group)} for op in chunk]
            )
            return None
        if kind == "remove_member":
            api.delete_group_members([{"groupid": self._group(op.group), "userid": op.user_id} for op in chunk])
            return None
        if kind == "add_member":
            api.add_group_members([{"groupid": self._group(op.group), "userid": op.user_id} for op in chunk])
            return None
        if kind == "post_welcome":
            (op,) = chunk
            if self.forum_id is None:
                raise NeedsReobserve("the programme forum is missing")
            discussion = api.add_discussion(
                self.forum_id, op.subject, op.message, groupid=self._group(op.group), options={"discussionsubscribe": True}
            )
            self.journal.remember_created("discussion", op.group, discussion.discussionid)
            return {"discussion": discussion.discussionid}
        if kind == "delete_group":
            api.delete_groups([self._group(op.group) for op in chunk])
            return None
        if kind == "delete_duplicate_group":  # by id: the copy that stays carries the same idnumber
            api.delete_groups([op.group_id for op in chunk])
            return None
        if kind == "delete_duplicate_grouping":
            api.delete_groupings([op.grouping_id for op in chunk])
            return None
        raise ValueError(f"unknown operation kind {kind}")
