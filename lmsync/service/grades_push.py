"""``lmsync grades push``: a grades plan sent through the executor, then read back and compared.

The grades family on the one executor (``lmsync.service.executor``): item details first,
chunked by variable count, each request journaled before and after; a creation is recorded
in the store before it is sent (issue 10, points 6 and 10). Moodle's grade functions fail
silently in many ways (traps 19-25), so what was sent is verified after.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lmsync.config import Config
from lmsync.domain.grade_items import TOLERANCE
from lmsync.domain.received_release import received_instruments, received_waves, window_key
from lmsync.errors import PartialFailure, PlanError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.executor import EACH, Executor, Kind, OpFamily, Refused, Sent
from lmsync.service.grade_state import GradeState, find_assignment, read_grade_state
from lmsync.service.grades_plan import PLAN_VERSION, GradesPlan
from lmsync.service.grades_zeroed import Zeroed, journal_result, positions
from lmsync.service.lock_watch import lock_lost
from lmsync.service.observe import find_course_id, read_roster
from lmsync.service.programme_settings import settings
from lmsync.service.run_ids import new_run_id
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.grade_items import GradeItemRecords
from lmsync.store.journal import Journal
from lmsync.store.meetings import SentAssignGrades, SentComments
from lmsync.store.published_grades import PublishedGrades

log = get_logger(__name__)

SOURCE = "lmsync"
UPDATE_GRADES = "core_grades_update_grades"
SAVE_ASSIGN_GRADES = "mod_assign_save_grades"


@dataclass
class PushReport:
    run_id: str
    requests: int = 0  # write requests sent
    reads: int = 0  # reads (re-observation and verification)
    grades: int = 0
    details: int = 0  # item details sent (created or changed items)
    assign_grades: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, errorcode or status)
    # (what, why): left as it is until an admin acts (tester finding 6: exit 2, not a retry): an item or
    # a grade this store cannot prove it wrote, duplicate items at one itemnumber
    left: list[tuple[str, str]] = field(default_factory=list)
    uncertain: bool = False  # a write's outcome is unknown: stop, re-plan later
    mismatches: list[str] = field(default_factory=list)
    verified: int = 0
    seconds: float = 0.0
    held: str | None = None  # nothing written: the plan's store_hold, without takes_over (tester round 14, 1)
    zeroed: Zeroed = field(default_factory=Zeroed)  # written as 0, no meeting behind them (tester round 117c, 4)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.left and not self.uncertain and not self.mismatches


def _item_lane(chunk: Sequence[Any]) -> int:
    return int(chunk[0].itemnumber)


class GradesFamily(OpFamily):
    """The grades family on the executor: ``core_grades_update_grades`` requests (as planned:
    details first, each below the budget), then ``mod_assign_save_grades`` chunks.

    Requests of different items go side by side; a later request of an item waits for its first
    (which carries the details) and is skipped when that one was refused: sent alone it would
    create a nameless item. A creation is recorded in the store before it is sent (issue 10
    point 6); a token, access or capability refusal stops the push (exit code 2).
    """

    name = "grades"
    kinds = {
        "update_grades": Kind(UPDATE_GRADES, one_per_call=True, lane=_item_lane, skip_lane_after_refusal=True),
        "assign_grades": Kind(SAVE_ASSIGN_GRADES, one_per_call=True, lane=EACH),
    }

    def __init__(self, api: MoodleApi, store: Store, plan: GradesPlan, report: PushReport) -> None:
        super().__init__(Journal(store, plan.programme))
        self.api = api
        self.store = store
        self.plan = plan
        self.report = report
        self.records = GradeItemRecords(store, plan.programme, plan.course_id, plan.activity_cmid)

    def failures(self, kind: str, chunk: Sequence[Any], reason: str) -> list[tuple[str, str]]:
        if kind == "update_grades":
            return [(f"item {op.itemnumber}", reason) for op in chunk]
        return [(f"assignment {op.assignment_id}", reason) for op in chunk]

    def before(self, kind: str, chunk: Sequence[Any]) -> None:
        (op,) = chunk
        if kind == "update_grades" and op.creates and op.idnumber is not None and op.metric is not None:
            # Recorded before sending: if the answer is lost, the next plan knows this creation may
            # still commit and does not send a second one (issue 10, point 10).
            self.records.sending(op.itemnumber, op.metric, op.idnumber)

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        (op,) = chunk
        plan = self.plan
        if kind == "update_grades":
            result = self.api.update_grades(
                SOURCE,
                plan.course_id,
                plan.component,
                plan.activity_cmid,
                op.itemnumber,
                [{"studentid": g.user_id, "grade": g.grade} for g in op.grades],
                itemdetails=op.itemdetails,
            )
            if not result.ok:
                raise Refused(result.refusal(), {"statuses": result.statuses})  # words, not "status [4]" (94b, 5)
            return Sent(journal_result({"grades": len(op.grades), "details": op.itemdetails is not None},
                                       positions(plan, kind, op)))
        self.api.save_assign_grades(
            op.assignment_id,
            [{"userid": g.user_id, "grade": g.grade, "comment": g.comment} for g in op.grades],
            grademax=op.grademax,
        )
        return Sent(journal_result({"grades": len(op.grades)}, positions(plan, kind, op)))

    def accepted(self, kind: str, chunk: Sequence[Any], sent: Sent) -> None:
        (op,) = chunk
        self.report.zeroed.add([op.grades[n].user_id for n in positions(self.plan, kind, op)])
        if kind == "update_grades":
            if op.adopts and op.idnumber is not None and op.metric is not None:
                self.records.sending(op.itemnumber, op.metric, op.idnumber, state="adopted")
            self.report.grades += len(op.grades)
            self.report.details += 1 if op.itemdetails else 0
            return
        SentComments(self.store, self.plan.programme).record(
            op.assignment_id, [(g.user_id, g.comment) for g in op.grades if g.comment is not None]
        )
        # the store's proof that these grades are its own (tester finding 1): the next plan rewrites a
        # grade only while Moodle still holds the one recorded here
        SentAssignGrades(self.store, self.plan.programme).record(
            op.assignment_id, [(g.user_id, g.grade) for g in op.grades]
        )
        self.report.assign_grades += len(op.grades)


def push_envelope(
    api: MoodleApi, store: Store, plan: GradesPlan, *, run_id: str, max_parallel: int = 1
) -> PushReport:
    """Send ``plan``'s requests through the executor; a lost answer, or the programme's lock lost between batches
    (tester round 120b, 1), stops the push (``uncertain``)."""
    report = PushReport(run_id)
    family = GradesFamily(api, store, plan, report)
    # between batches: stopped once the programme's lock is lost (lock_watch; tester round 120b, 1)
    done = Executor(family, run_id=run_id, max_parallel=max_parallel, should_stop=lock_lost).run(plan.envelope())
    report.requests = done.batches
    report.failed.extend(done.failed)
    report.uncertain = done.lost is not None or done.stopped  # stopped: nothing more read back nor recorded
    return report


def verify(plan: GradesPlan, state: GradeState) -> tuple[int, list[str]]:
    """Compare what the plan sent with what Moodle now holds (silent partial writes, trap 25)."""
    checked = 0
    mismatches: list[str] = []
    for request in plan.requests:
        found = state.at(request.itemnumber)
        if len(found) > 1:
            mismatches.append(f"item {request.itemnumber}: {len(found)} grade items at this itemnumber")
        seen = found[0] if len(found) == 1 else None
        if request.itemdetails and seen is not None:
            want = plan.item(request.itemnumber)
            if want is not None and (
                seen.itemname != want.itemname or abs(seen.grademax - want.grademax) > TOLERANCE
            ):
                mismatches.append(f"item {request.itemnumber}: details did not arrive")
        for g in request.grades:
            checked += 1
            got = seen.grades.get(g.user_id) if seen is not None else None
            if got is None or abs(got - g.grade) > TOLERANCE:
                mismatches.append(
                    f"item {request.itemnumber}, {plan.who(g.user_id)}: sent {g.grade:g}, read {got}"
                )
    for chunk in plan.assign_requests:
        for a in chunk:
            checked += 1
            got = state.assign_grades.get(a.user_id)
            if got is None or abs(got - a.grade) > TOLERANCE:
                mismatches.append(f"assignment, {plan.who(a.user_id)}: sent {a.grade:g}, read {got}")
    return checked, mismatches


def confirm_records(store: Store, plan: GradesPlan, state: GradeState) -> int:
    """Record the Moodle id of every item lmsync created or adopted that is now read back alone at
    its itemnumber with the recorded idnumber (after a push: a write, never during a plan)."""
    records = GradeItemRecords(store, plan.programme, plan.course_id, plan.activity_cmid)
    confirmed = 0
    for row in records.all():
        found = state.at(row.itemnumber)
        single = found[0] if len(found) == 1 else None
        if single is not None and single.idnumber == row.idnumber and single.id not in (None, row.item_id):
            assert single.id is not None
            records.confirm(row.itemnumber, single.id)
            confirmed += 1
    return confirmed


def freeze_received(store: Store, config: Config, plan: GradesPlan, observed: GradeState) -> int:
    """Record every received mean this push publishes, before it is sent, and every one the
    gradebook already shows (an earlier push's); refuse a plan that would change a recorded one.

    Source: tester finding FIX-A: a mean republished after one more mentee answered gives that
    rating away by difference, so the first published value is kept for good. A fresh plan already
    carries the recorded values (``compute_metrics``); a saved one made before a push recorded them
    may not, and is refused (``PlanError``). Returns how many values were recorded now.
    """
    s = settings(config)
    keys = received_waves(s.instruments.values(), s.waves)
    repo = PublishedGrades(store, plan.programme)
    known = repo.values()
    sending: dict[tuple[str, int], float] = {}
    for request in plan.requests:
        item = plan.item(request.itemnumber)
        key = item.key if item is not None else request.key
        if key in keys:
            sending.update({(key, g.user_id): g.grade for g in request.grades})
    stale = [k for k, value in sending.items() if k in known and abs(known[k] - value) > TOLERANCE]
    if stale:
        raise PlanError(
            f"the plan would change {len(stale)} published mentor mean(s) of mentees' ratings, frozen since it was made",
            hint="run `lmsync grades plan` again (a new plan keeps the published values)",
        )
    erased = erased_on(store)  # a mean shown of an erased mentor stays Moodle's: not recorded again (round 77b, 2)
    shown = [
        (item.key, user_id, grade)
        for item in plan.items
        if item.key in keys
        for found in observed.at(item.itemnumber)
        for user_id, grade in found.grades.items()
        if grade is not None and user_id not in erased
    ]
    values = [*((k, u, v) for (k, u), v in sending.items()), *shown]
    instrument_of = received_instruments(s.instruments.values(), s.waves)
    # also under the instrument and the window: a renamed wave or grade name keeps it (findings 3)
    repo.freeze((window_key(instrument_of[k], keys[k]), u, v) for k, u, v in values)
    return repo.freeze(values)


def _observe_for(api: MoodleApi, config: Config, plan: GradesPlan) -> GradeState:
    """Re-read exactly what ``plan`` was made from (same per-user reads)."""
    enrolled = frozenset(read_roster(api, plan.course_id, config.moodle.page_size))
    target = None
    if plan.assignment_id is not None:
        assert plan.assignment_name is not None
        target = find_assignment(api, plan.course_id, plan.assignment_name)
    return read_grade_state(
        api,
        course_id=plan.course_id,
        cmid=plan.activity_cmid,
        owned=range(plan.itemnumbers[0], plan.itemnumbers[1] + 1),
        enrolled=enrolled,
        read_users=plan.read_users,
        assignment=target,
    )


def refuse_pending_creates(
    store: Store, plan: GradesPlan, *, settle: timedelta, now: datetime | None = None
) -> None:
    """Refuse ``plan`` (``PartialFailure``, exit 1) when one of its creations was sent less than
    ``settle`` ago and not read back since: it may still commit, and a saved plan made before it
    would send a second item at the same itemnumber (issue 10, point 10; a fresh plan holds it)."""
    now = now or datetime.now(UTC)
    pending = [
        row
        for row in GradeItemRecords(store, plan.programme, plan.course_id, plan.activity_cmid).all()
        if row.state == "sending" and row.item_id is None and now - row.sent_at < settle
    ]
    held: dict[int, datetime] = {}
    for request in plan.requests:
        if not request.creates:
            continue
        item = plan.item(request.itemnumber)
        metric = item.key if item is not None else request.key
        for row in pending:
            if row.itemnumber == request.itemnumber or (metric is not None and row.metric == metric):
                retry = row.sent_at + settle
                held[request.itemnumber] = max(retry, held.get(request.itemnumber, retry))
    if not held:
        return
    log.warning("grades.push.held", items=len(held), itemnumbers=sorted(held))
    retry_at = max(held.values()).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    numbers = ", ".join(str(n) for n in sorted(held))
    raise PartialFailure(
        f"this plan creates grade item(s) at itemnumber {numbers}, sent earlier and maybe still committing "
        f"in Moodle: nothing was sent; retry after {retry_at}",
        hint="after that time run `lmsync grades plan` again (or `lmsync grades push` without a plan file)",
    )


def left_for_an_admin(plan: GradesPlan) -> list[tuple[str, str]]:
    """What the plan leaves as it is until an admin acts, as (what, why) for the push's report:
    duplicate items at one itemnumber, a metric whose idnumber sits on an item this store cannot
    prove it created (tester finding 1b), an assignment grade it cannot prove it wrote (finding 1).
    Retrying changes none of them (tester finding 6: exit 2). Logged as counts, never names."""
    left = [
        (f"item {d.itemnumber}", f"{len(d.item_ids)} grade items at one itemnumber (ids "
         f"{', '.join(str(i) for i in d.item_ids)}): delete all but one in Gradebook setup")
        for d in plan.duplicates
    ]
    left += [(f"metric {r.key}", "an item this store cannot prove it created carries its idnumber: "
              "see `lmsync grades plan`") for r in plan.refused]
    left += [(f"assignment {plan.assignment_name!r}, {plan.who(r.user_id)}", "holds a grade this store did not "
              "write: left as it is, see `lmsync grades plan`") for r in plan.assign_refused]
    if plan.refused or plan.assign_refused:
        log.warning(
            "grades.push.left",
            metrics=len(plan.refused),
            itemnumbers=sorted(r.itemnumber for r in plan.refused if r.itemnumber is not None),
            assignment_users=len(plan.assign_refused),
            hint="`lmsync grades plan` says which item or grade, why and the fix",
        )
    return left


def check_made_for(plan: GradesPlan, config: Config) -> None:
    """Refuse (``PlanError``) a plan of another format version or another programme than ``config``'s."""
    if plan.version != PLAN_VERSION:
        raise PlanError(f"the plan has format version {plan.version}, this lmsync writes {PLAN_VERSION}")
    if plan.programme != config.programme.name:
        raise PlanError(
            f"the plan is for programme {plan.programme!r}, the configuration for {config.programme.name!r}"
        )


def check_course(plan: GradesPlan, course_id: int) -> None:
    """Refuse (``PlanError``) a plan made for another course than ``course_id`` (the configuration's)."""
    if course_id != plan.course_id:
        raise PlanError(f"the plan is for course {plan.course_id}, the configuration names course {course_id}")


def push_grades(
    api: MoodleApi,
    config: Config,
    store: Store,
    plan: GradesPlan,
    *,
    observed: GradeState | None = None,
    takes_over: bool = False,
) -> PushReport:
    """Push exactly ``plan``. Without ``observed`` (a saved plan), Moodle is read again first and
    the plan is refused when its fingerprint no longer matches. Unless an answer was lost, Moodle
    is read once more after the writes to verify them and confirm the published records.

    A plan with a ``store_hold`` (a store that never paired these circles nor wrote grades:
    ``grades_hold.foreign_store_hold``) writes nothing, not even the published means, unless
    ``takes_over``; the report's ``held`` says why."""
    started = time.monotonic()
    reads_before = api.transport.requests_made
    check_made_for(plan, config)
    if observed is None:
        check_course(plan, find_course_id(api, config.programme.course))
        observed = _observe_for(api, config, plan)
    now = observed.fingerprint()
    if now != plan.fingerprint:
        raise PlanError(
            f"the gradebook changed since the plan was made (fingerprint {plan.fingerprint} -> {now})",
            hint="run `lmsync grades plan` again and review the new plan",
        )
    run_id = new_run_id()
    reads = api.transport.requests_made - reads_before
    if plan.store_hold and not takes_over and not plan.empty:
        log.warning("grades.push.store_held", grades=plan.grade_count, assignment_grades=plan.assign_count)
        return PushReport(run_id, reads=reads, seconds=time.monotonic() - started, held=plan.store_hold)
    left = left_for_an_admin(plan)
    frozen = freeze_received(store, config, plan, observed)
    if frozen:
        log.info("grades.push.frozen", values=frozen)
    if plan.empty:
        return PushReport(run_id, reads=reads, seconds=time.monotonic() - started, left=left)
    refuse_pending_creates(store, plan, settle=timedelta(seconds=config.sync.write_settle_seconds))
    report = push_envelope(api, store, plan, run_id=run_id, max_parallel=config.moodle.max_parallel)
    report.left.extend(left)
    if not report.uncertain:
        before = api.transport.requests_made
        after = _observe_for(api, config, plan)
        reads += api.transport.requests_made - before
        report.verified, report.mismatches = verify(plan, after)
        confirm_records(store, plan, after)
    report.reads = reads
    report.seconds = time.monotonic() - started
    log.info(
        "grades.push",
        run_id=run_id,
        requests=report.requests,
        reads=report.reads,
        grades=report.grades,
        details=report.details,
        assignment_grades=report.assign_grades,
        failed=len(report.failed),
        left=len(report.left),
        mismatches=len(report.mismatches),
        seconds=round(report.seconds, 3),
    )
    return report
