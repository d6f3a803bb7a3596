"""The main job: observe -> desire -> plan -> apply, repeated until Moodle converges.

Level-based, like kopf's handlers: every round starts from a fresh observation of Moodle,
never from what the previous round believed, so a crash, a lost answer or a phantom group
costs one more round, not a duplicate. A plan that is empty makes zero writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from lmsync.config import Config
from lmsync.domain.circle_proof import said_disowned
from lmsync.domain.forum_mode import (
    ALL_PARTICIPANTS,
    first_welcome_only,
    public_welcome_refusal,
    welcome_forum,
)
from lmsync.domain.mass_removal import guard_peer_cohort_loss, guard_unheld_roles, guard_unread_fields
from lmsync.domain.operations import Operation, PostWelcome
from lmsync.domain.plan import (
    APPLY_ORDER,
    HELD_WHILE_PENDING,
    Memory,
    Observation,
    Plan,
    PlanSettings,
    UnsafePlan,
    grouping_idnumber,
    mentor_group_idnumber,
    owned_groups,
    plan_sync,
)
from lmsync.domain.sync_state import ObservedGroup
from lmsync.domain.unmatched import HELD_BY_TWO_ROLES
from lmsync.errors import InputError, PartialFailure, PlanError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.text import DISCUSSION_SUBJECT_MAX, GROUP_NAME_MAX, format_string, param_text_problem
from lmsync.service.apply import Applier, ApplyReport, NeedsReobserve, SyncFamily
from lmsync.service.away_mentors import Holds, holds
from lmsync.service.away_mentors import record as record_absences
from lmsync.service.circle_records import deleted_circles, record_circles, refuse_take_over, untaken_circles
from lmsync.service.desire import Desired, desired_state, unmatched_counts
from lmsync.service.established import open_placements, pair_standing, returning_mentors
from lmsync.service.executor import Executor
from lmsync.service.held_writes import held_warning
from lmsync.service.labels import People
from lmsync.service.observe import RunMemo, Snapshot, observe, refresh_group_cache
from lmsync.service.pairs_followed import follow_moodle_pairs
from lmsync.service.programme_settings import programme_today, programme_zone
from lmsync.service.removal_words import said_over_capacity
from lmsync.service.renamed_programmes import with_written
from lmsync.service.roster_config import peer_loss, unheld_roles
from lmsync.service.run_ids import new_run_id
from lmsync.service.saved_applied import checked_in_words, nothing_to_apply, sync_plan_applied
from lmsync.service.site_accounts import api_lookup, usernames
from lmsync.service.sync_result import SyncResult as SyncResult  # re-exported: callers import it here
from lmsync.store.db import Store
from lmsync.store.journal import Journal

log = get_logger(__name__)


def plan_settings(config: Config, *, allow_delete: bool | None = None) -> PlanSettings:
    programme = config.programme
    return PlanSettings(
        programme=programme.name,
        grouping_name=programme.grouping_name or f"Mentoring circles ({programme.name})",
        group_name_template=programme.group_name_template,
        welcome_subject=config.sync.welcome.subject,
        welcome_message=config.sync.welcome.message,
        # only the command line's --allow-delete deletes: the retired [sync] allow_delete alone deleted in
        # unattended runs, which have no such flag (tester round 36, 1; issue 5)
        allow_delete=bool(allow_delete),
        min_source_fraction=config.sync.min_source_fraction,
        allow_other_programmes=config.sync.allow_other_programmes,
        other_programmes=frozenset(config.sync.other_programmes),
        # Group names come back through format_string from core_group_get_course_groups (trap 39);
        # names Moodle would refuse as PARAM_TEXT are caught before sending (trap 38).
        displayed=format_string,
        refused=param_text_problem,
        group_name_max=GROUP_NAME_MAX,  # longer generated names are shortened with a warning (name_problem)
        subject_max=DISCUSSION_SUBJECT_MAX,
    )


@dataclass
class Uncertain:
    """Writes whose answer was lost (or whose run died), read from the journal (issue 10 point 10).

    ``pending``: operation keys that may still commit (younger than ``write_settle_seconds``);
    ``waiting``: their journal entries; ``settled``: entries that may be closed now (old enough,
    or of kinds that are safe to send again); ``due``: when each pending key's settle time ends
    (seconds since the epoch).
    """

    pending: frozenset[str] = frozenset()
    waiting: dict[int, list[str]] = field(default_factory=dict)
    settled: list[int] = field(default_factory=list)
    due: dict[str, float] = field(default_factory=dict)


def uncertain_writes(journal: Journal, settle_seconds: float, now: float) -> Uncertain:
    pending: set[str] = set()
    waiting: dict[int, list[str]] = {}
    settled: list[int] = []
    due: dict[str, float] = {}
    for entry_id, keys, started_at in journal.uncertain(APPLY_ORDER):
        held = [k for k in keys if k.split(":", 1)[0] in HELD_WHILE_PENDING]
        sent = datetime.fromisoformat(started_at).timestamp()
        if held and now - sent < settle_seconds:
            pending.update(held)
            waiting[entry_id] = held
            due.update({k: max(due.get(k, 0.0), sent + settle_seconds) for k in held})
        else:
            settled.append(entry_id)
    return Uncertain(frozenset(pending), waiting, settled, due)


@dataclass
class PlanResult:
    snapshot: Snapshot
    desired: Desired
    plan: Plan
    uncertain: Uncertain = field(default_factory=Uncertain)
    holds: Holds | None = None  # the away mentors and their held circles (``away_mentors``)


def make_plan(
    api: MoodleApi,
    config: Config,
    *,
    allow_delete: bool | None = None,
    repair_cache: bool = False,
    journal: Journal | None = None,
    now: float | None = None,
    memo: RunMemo | None = None,
    snapshot: Snapshot | None = None,
) -> PlanResult:
    """Observe, desire, plan. Only with ``repair_cache`` may it write (a no-op write, trap 27).

    With ``journal``, the plan knows the discussions lmsync posted (trap 32) and holds back
    writes whose earlier copy may still commit (``now``: seconds since the epoch, for tests).
    ``memo``: what the run has read once already (course id, lmsync's user id; issue 15).
    ``snapshot``: an observation already made (apply's, checked against a saved plan's fingerprint).
    """
    memo = memo if memo is not None else RunMemo()
    programme = config.programme.name
    proof = snapshot.proof if snapshot is not None and snapshot.proof is not None else (  # lmsync's circles (73, 1):
        journal.circle_proof() if journal is not None else None)  # read once, not again for apply's own observation
    snapshot = snapshot if snapshot is not None else observe(api, config, memo=memo, proof=proof)
    if snapshot.phantom_group_ids and repair_cache and refresh_group_cache(api, snapshot):
        log.warning("sync.group_cache_refreshed", phantoms=len(snapshot.phantom_group_ids))
        snapshot = observe(api, config, memo=memo, proof=proof)
    standing = returning = None
    deleted: tuple[dict[int, int], dict[str, int]] = ({}, {})  # circles lmsync made, deleted in Moodle (73, 2)
    if journal is not None:
        standing = pair_standing(journal.store, programme)
        returning = returning_mentors(journal.store, programme)
        deleted = deleted_circles(journal.store, programme, snapshot)
    away = holds(config, journal.store if journal is not None else None, snapshot.observation, deleted)
    desired = desired_state(snapshot, config, standing, returning, api_lookup(api), usernames(api), held=away.until,
                            deleted=deleted[0], ended=away.ended, members=away.members)  # members: round 103b, 1
    unsure = frozenset((mentor_group_idnumber(programme, mentor), mentee) for mentor, mentee in desired.unsure)
    uncertain, memory = Uncertain(), Memory(unsure=unsure)
    if journal is not None:
        uncertain = uncertain_writes(
            journal, config.sync.write_settle_seconds, time.time() if now is None else now
        )
        memory = Memory(posted=journal.created("discussion"), pending=uncertain.pending,
                        placed=open_placements(journal.store, programme), joining=desired.joining,
                        held=away.idnumbers(programme), hold_ended=away.ended_idnumbers(programme), deleted=deleted[1],
                        unsure=unsure, kept=frozenset(desired.members.kept), place_ended=desired.members.ended)
    settings = with_written(plan_settings(config, allow_delete=allow_delete), journal)  # a rename: tester round 118a, 1
    try:
        plan = plan_sync(snapshot.observation, desired.circles, settings, memory, desired.moved, desired.mentors)
        guard_unheld_roles(  # a misspelt role dissolves circles however few people it unplaces (tester round 5, 6)
            owned_groups(snapshot.observation, settings.programme)[0],
            {mentor_group_idnumber(settings.programme, c.mentor_id) for c in desired.circles} | memory.held,
            unheld_roles(snapshot.roster.values(), config),
            programme=settings.programme, people=People(snapshot.roster, config.privacy.show_names),
            min_source_fraction=settings.min_source_fraction,
        )
        guard_unread_fields(  # a lost capability empties every profile field (tester round 27, 1)
            owned_groups(snapshot.observation, settings.programme)[0],
            plan.operations,
            {name: key for key, name in (("capacity", config.matching.attributes.capacity),
                                         ("year", config.matching.attributes.year)) if name},
            {name for user in snapshot.roster.values() for name in user.profile},
            programme=settings.programme,
            min_source_fraction=settings.min_source_fraction,
        )
        # an emptied or unset peer-mentor cohort re-matches the peer mentors' mentees (tester round 87b, 1)
        guard_peer_cohort_loss(peer_loss(snapshot, config), plan.operations, min_source_fraction=settings.min_source_fraction)
    except UnsafePlan as exc:
        raise PlanError(str(exc), hint=exc.hint) from None
    plan.unmatched = unmatched_counts(desired.match)
    said_disowned(plan, snapshot.observation, snapshot.proof, programme)  # and the refusal of own swaps (107a, 7)
    said_over_capacity(plan, desired, snapshot.observation, memory.placed, programme, config.privacy.show_names)  # tester round 115a, 6
    plan.warnings.extend(away.warnings(config.programme.name, snapshot.observation))
    away.signal(plan.signals, desired.members)  # the places still held once pins and forbids took theirs
    plan.warnings.extend(desired.warnings)
    plan.warning_items.extend(n.to_dict() for n in desired.notices)
    if plan.pending:  # which writes wait, by kind and target, not only how many (tester round 102b, 4)
        plan.warnings.append(held_warning(plan.pending, programme, People(snapshot.roster, config.privacy.show_names)))
    plan.signals.two_roles = len({n.person for n in desired.notices if n.outcome in HELD_BY_TWO_ROLES})
    if snapshot.phantom_group_ids:
        plan.warnings.append(f"Moodle's group cache lists {len(snapshot.phantom_group_ids)} group(s) that do not "
                             "exist (left by a rolled-back batch); `lmsync sync` clears them with a no-op write")
    return PlanResult(snapshot, desired, plan, uncertain, away)


def settle_seen(journal: Journal, planned: PlanResult, run_id: str) -> None:
    """Close uncertain batches that Moodle now shows (or no longer needs), or that are old enough."""
    still = set(planned.plan.pending)
    seen = [entry for entry, keys in planned.uncertain.waiting.items() if not still & set(keys)]
    record_settled_pairings(journal, [*seen, *planned.uncertain.settled], planned.snapshot.observation.groups)
    if seen:
        journal.settle(seen, run_id, "re-observed: visible in Moodle")
    if planned.uncertain.settled:
        journal.settle(planned.uncertain.settled, run_id, "re-observed after the settle time")
        log.warning("sync.recovered", run_id=run_id, unfinished_batches=len(planned.uncertain.settled))
    if still:
        log.warning("sync.pending", run_id=run_id, operations=len(still), first=sorted(still)[:5])  # which: 129, 2


def record_settled_pairings(journal: Journal, entries: Sequence[int], groups: Iterable[ObservedGroup]) -> int:
    """Record in the pairing history the joins (and leaves) of unfinished batches that Moodle now
    shows done. A run killed after Moodle took its memberships, before the store recorded them,
    left a store that "never paired" any circle it made: every later grades push was held as
    another store's (tester round 24, 1). Returns the memberships recorded."""
    members = {g.idnumber: g.members for g in groups if g.idnumber}
    done: dict[str, list[tuple[str, int]]] = {"add_member": [], "remove_member": []}
    for entry in entries:
        for key in journal.keys_of(entry):
            kind, _, rest = key.partition(":")
            group, _, user = rest.rpartition(":")
            if kind not in done or not user.isdigit() or group not in members:
                continue
            if (int(user) in members[group]) == (kind == "add_member"):  # the write shows in Moodle
                done[kind].append((group, int(user)))
    for kind, ops in done.items():
        if ops:
            journal.record_pairings(kind, [SimpleNamespace(group=g, user_id=u) for g, u in ops])
    return sum(len(ops) for ops in done.values())


def grouping_ids(config: Config, obs: Observation) -> dict[str, int]:
    """lmsync's grouping by idnumber, when it already exists (operations refer to it so)."""
    return {} if obs.grouping_id is None else {grouping_idnumber(config.programme.name): obs.grouping_id}


def _applier(
    api: MoodleApi,
    journal: Journal,
    config: Config,
    snapshot: Snapshot,
    run_id: str,
    progress: Callable[[int], None] | None,
    should_stop: Callable[[], bool] | None,
) -> Applier:
    obs = snapshot.observation
    family = SyncFamily(
        api,
        journal,
        check_batches=True,  # a site whose PHP cuts a full batch: RequestCut before any write (tester round 92b, 1)
        self_user_id=obs.self_user_id,
        course_id=obs.course_id,
        # the oldest group per idnumber is the circle; later copies are duplicates to repair
        group_ids={g.idnumber: g.id for g in sorted(obs.groups, key=lambda g: -g.id) if g.idnumber},
        grouping_ids=grouping_ids(config, obs),
        forum_id=obs.forum_id if welcome_forum(obs) else None,  # never the announcements forum (round 92b, 2)
    )
    return Applier(
        Executor(
            family,
            run_id=run_id,
            budget=config.moodle.batch_budget,
            max_parallel=config.moodle.max_parallel,
            progress=progress,
            should_stop=should_stop,
        )
    )


def run_sync(
    api: MoodleApi,
    config: Config,
    store: Store,
    *,
    dry_run: bool = False,
    allow_delete: bool | None = None,
    max_rounds: int = 4,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[Plan], Any] | None = None,
    should_stop: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.time,
    takes_over: bool = False,
) -> SyncResult:
    """Plan and apply until the plan is settled (or ``max_rounds`` runs out: a partial failure).

    A store with no record of the programme's circles takes over those the course holds only with ``takes_over``
    (``--store-takes-over``); otherwise ``TakeOverRefused`` (exit 2) before any write (``refuse_take_over``), and
    a dry run counts them in ``SyncResult.untaken``.

    A write whose answer was lost and which Moodle does not show yet is never sent again in the
    same run: it stays pending in the journal, the run ends unconverged (exit 1), and a later run
    sends it only when Moodle still does not show it after ``[sync] write_settle_seconds``
    (``clock``: seconds since the epoch, for tests).
    """
    run_id = new_run_id()
    journal = Journal(store, config.programme.name)
    result: SyncResult | None = None
    resent = False  # a write sent again after its settle time may have an earlier twin committing
    memo = RunMemo()  # read once per run: the course id, lmsync's own user id (issue 15)
    adopted = 0
    for round_no in range(1, max_rounds + 1):
        planned = make_plan(
            api, config, allow_delete=allow_delete, repair_cache=not dry_run, journal=journal, now=clock(), memo=memo
        )
        if round_no == 1 and not dry_run:
            refuse_take_over(planned.snapshot, config.programme.name, store.where, takes_over=takes_over)
        if not dry_run:
            settle_seen(journal, planned, run_id)
            recorded = record_circles(store, config.programme.name, planned.snapshot, run_id)  # adopted, found again (73, 1)
            if planned.snapshot.proof is not None and not planned.snapshot.proof.holds_circles:
                adopted += recorded  # a store with no record took over lmsync's circles (tester round 84, 7)
            follow_moodle_pairs(store, config.programme.name, planned.snapshot, run_id,  # erasures: round 79, 1
                                away=planned.holds.away if planned.holds is not None else frozenset(),
                                today=programme_today(config), zone=programme_zone(config))
            if planned.holds is not None and record_absences(store, config.programme.name, planned.holds) != (0, 0):
                log.info("sync.away_mentors", run_id=run_id, away=len(planned.holds.away), held=len(planned.holds.until))
            resent = resent or bool(planned.uncertain.settled)
        if round_no == 1:
            result = SyncResult(run_id=run_id, first_plan=planned.plan, final_plan=None, desired=planned.desired,
                                store=store.where, roster=planned.snapshot.roster,  # held writes named (round 129, 2)
                                forum_missing=planned.plan.signals.forum == "missing",
                                forum_announcements=planned.plan.signals.forum == "announcements",
                                disowned=len(planned.snapshot.observation.disowned),
                                untaken=untaken_circles(planned.snapshot, config.programme.name) if dry_run else 0)
            if on_plan is not None:
                on_plan(planned.plan)
        assert result is not None
        result.rounds, result.adopted = round_no, adopted
        due = planned.uncertain.due  # how long the held writes wait (tester round 73, 3)
        result.settle_at = max((due[k] for k in planned.plan.pending if k in due), default=None)
        if dry_run or planned.plan.empty:
            result.final_plan = planned.plan
            result.converged = planned.plan.settled
            return result
        applier = _applier(api, journal, config, planned.snapshot, run_id, progress, should_stop)
        try:
            report = _apply_checking_welcomes(api, journal, applier, planned.plan, planned.snapshot.observation)
        except NeedsReobserve as exc:
            lost = exc.report if exc.report is not None else ApplyReport(run_id=run_id, lost=str(exc))
            result.reports.append(lost)  # its writes before the lost answer count (round 82a, 4)
            if should_stop is not None and should_stop():  # stopped: the next run observes, not this one
                lost.stopped = True
                log.info("sync.stopped", run_id=run_id, round=round_no, before="reobserve")
                return result
            log.warning("sync.reobserve", run_id=run_id, round=round_no, reason=str(exc))
            continue
        result.reports.append(report)
        if report.stopped:
            return result
        if report.complete and (round_no > 1 or planned.plan.pending or resent):
            continue  # after a disturbed round (or with writes pending), confirm with one more observation
        if report.complete:
            result.converged = True
            return result
    assert result is not None
    return result


def apply_saved_plan(
    api: MoodleApi,
    config: Config,
    store: Store,
    plan: Plan,
    *,
    allow_delete: bool | None = None,
    source: str = "PLAN.json",
    progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ApplyReport:
    """Apply ``plan`` as lmsync plans it now, refusing when the file holds operations lmsync would
    not plan, or lacks some it plans (tester round 4, 2).

    The plan is made again on a fresh observation, with the journal and the guards of ``lmsync
    plan`` (``allow_delete``; a mass removal raises :class:`PlanError`); every operation of the
    file must be among the fresh ones (:func:`lmsync.domain.saved_plan.checked_against`), and the
    fresh ones are what is sent. When Moodle changed since the plan was made (its fingerprint) in a
    way that changes the plan, the refusal says so; a change that leaves the plan as it was (a post
    in a circle, a member added to another group) is logged and the reviewed plan applied (tester
    round 9: any change refused a plan still exactly right). ``source``: the file's name, for messages.
    A file applied before (nothing planned now, Moodle holds its writes): ``saved_applied.AlreadyApplied`` (106b, 4).
    A plan for another programme is a wrong file: :class:`InputError` (exit 3), before Moodle is read.
    """
    if plan.programme != config.programme.name:  # a wrong file: bad input, exit 3 (tester round 99b, 8a; was 2)
        raise InputError(f"Refusing the saved plan {source}: it is for programme {plan.programme!r}, the configuration "
                         f"for {config.programme.name!r}; nothing was applied",  # named, with a fix (tester round 98b, 7)
                         hint=f"apply it with the configuration of programme {plan.programme!r} (--config), or make a "
                              "plan for this one with `lmsync plan --out plan.json`")
    journal = Journal(store, config.programme.name)
    snapshot = observe(api, config, proof=journal.circle_proof())
    refuse_take_over(snapshot, config.programme.name, store.where, takes_over=False)  # sync --store-takes-over (89b, 1)
    now = snapshot.observation.fingerprint()
    fresh = make_plan(api, config, allow_delete=allow_delete, journal=journal, snapshot=snapshot)
    held = [op for op in plan.operations if op.key in fresh.uncertain.pending]
    if held:  # made without the journal, or Moodle was slow since: never re-send these (issue 10)
        raise PartialFailure(
            f"{len(held)} operation(s) of this plan were sent earlier and may still commit in Moodle",
            hint="wait [sync] write_settle_seconds, then run `lmsync plan` again (or `lmsync sync`)",
        )
    try:
        checked = checked_in_words(plan, fresh.plan, now, snapshot.roster, config, source)  # round 5, 7; 108a, 7
    except PlanError as refused:
        if (done := sync_plan_applied(plan, fresh.plan, snapshot.observation, source)) is not None:
            return done  # applied before: exit 0, nothing written (tester round 106b, 4)
        if now == plan.fingerprint:
            raise
        raise PlanError(
            f"Moodle changed since the plan was made (fingerprint {plan.fingerprint} -> {now}; "
            f"{_describe_change(snapshot, plan)}), and lmsync now plans otherwise: {refused.message}",
            hint="run `lmsync plan` again and review the new plan",
        ) from None
    if now != plan.fingerprint:  # a post in a circle, a member of another group: the reviewed plan still holds
        log.warning("apply.moodle_changed_plan_holds", planned_on=plan.fingerprint, now=now,
                    operations=len(checked.operations))
    if checked.empty:  # a file saved when lmsync planned nothing: said so (tester round 108a, 10)
        return nothing_to_apply(fresh.plan, source)
    run_id = new_run_id()
    applier = _applier(api, journal, config, snapshot, run_id, progress, should_stop)
    try:
        return _apply_checking_welcomes(api, journal, applier, checked, snapshot.observation)
    except NeedsReobserve as exc:
        raise PartialFailure(
            f"stopped after an uncertain write ({exc}); nothing is lost",
            hint="run `lmsync sync` to observe Moodle again and converge",
        ) from None


def _apply_checking_welcomes(
    api: MoodleApi, journal: Journal, applier: Applier, plan: Plan, observation: Observation
) -> ApplyReport:
    """Apply ``plan``; while the forum has not shown it keeps groups, with one welcome first, read back,
    before the others (``forum_mode.first_welcome_only``, tester round 17, 2: every circle's welcome went
    public at once). Raises ``PlanError`` (exit 2, nothing more sent) when Moodle showed that one to everyone."""
    later = first_welcome_only(observation, plan.operations)
    report = applier.apply(_without(plan, later))
    if not later or not report.complete:
        return report  # the held welcomes wait for the next observation
    first = next(op for op in plan.operations if isinstance(op, PostWelcome))  # ``later`` holds the others
    posted = journal.created("discussion").get(first.group)
    assert observation.forum_id is not None  # a welcome was just posted there
    rows = api.get_forum_discussions(observation.forum_id, page=-1).discussions
    public = [r.discussion for r in rows if r.discussion == posted and r.groupid == ALL_PARTICIPANTS]
    if public:
        refusal = public_welcome_refusal(public)
        raise PlanError(str(refusal), hint=refusal.hint)
    try:
        more = applier.apply(plan.model_copy(update={"operations": later}))
    except NeedsReobserve as exc:  # the first welcome's writes count too
        if exc.report is None:
            raise
        raise NeedsReobserve(str(exc), _joined(report, exc.report)) from None
    return _joined(report, more)


def _joined(report: ApplyReport, more: ApplyReport) -> ApplyReport:
    """``report`` with what ``more``, the apply after it, wrote, refused and sent, and how it ended."""
    report.written.update(more.written)
    report.failed.extend(more.failed)
    report.batches += more.batches
    report.stopped, report.lost = more.stopped, more.lost
    return report


def _without(plan: Plan, held: Sequence[Operation]) -> Plan:
    """``plan`` less the operations ``held`` (the same plan when none)."""
    if not held:
        return plan
    keys = {op.key for op in held}
    return plan.model_copy(update={"operations": [op for op in plan.operations if op.key not in keys]})


def _describe_change(snapshot: Snapshot, plan: Plan) -> str:
    obs = snapshot.observation
    members = sum(len(g.members) for g in obs.groups)
    return (
        f"now {len(obs.groups)} groups with {members} memberships, {len(obs.active_user_ids)} active users, "
        f"{len(obs.discussions)} discussions"
    )
