"""The main job: observe -> desire -> plan -> apply, repeated until Moodle converges.

Level-based, like kopf's handlers: every round starts from a fresh observation of Moodle,
never from what the previous round believed, so a crash, a lost answer or a phantom group
costs one more round, not a duplicate. A plan that is empty makes zero writes.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lmsync.config import Config
from lmsync.domain.plan import (
    APPLY_ORDER,
    Observation,
    Plan,
    PlanSettings,
    UnsafePlan,
    grouping_idnumber,
    plan_sync,
)
from lmsync.errors import PartialFailure, PlanError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.apply import Applier, ApplyReport, NeedsReobserve
from lmsync.service.desire import Desired, desired_state
from lmsync.service.observe import Snapshot, observe, refresh_group_cache
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
        allow_delete=config.sync.allow_delete if allow_delete is None else allow_delete,
        min_source_fraction=config.sync.min_source_fraction,
    )


@dataclass
class PlanResult:
    snapshot: Snapshot
    desired: Desired
    plan: Plan


@dataclass
class SyncResult:
    run_id: str
    first_plan: Plan
    final_plan: Plan | None
    reports: list[ApplyReport] = field(default_factory=list)
    rounds: int = 0
    desired: Desired | None = None
    converged: bool = False

    @property
    def written(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for report in self.reports:
            total.update(report.written)
        return total

    @property
    def stopped(self) -> bool:
        return any(r.stopped for r in self.reports)


def make_plan(
    api: MoodleApi, config: Config, *, allow_delete: bool | None = None, repair_cache: bool = False
) -> PlanResult:
    """Observe, desire, plan. Only with ``repair_cache`` may it write (a no-op write, trap 27)."""
    snapshot = observe(api, config)
    if snapshot.phantom_group_ids and repair_cache and refresh_group_cache(api, snapshot):
        log.warning("sync.group_cache_refreshed", phantoms=len(snapshot.phantom_group_ids))
        snapshot = observe(api, config)
    desired = desired_state(snapshot, config)
    try:
        plan = plan_sync(snapshot.observation, desired.circles, plan_settings(config, allow_delete=allow_delete))
    except UnsafePlan as exc:
        raise PlanError(str(exc)) from None
    plan.warnings.extend(desired.warnings)
    if snapshot.phantom_group_ids:
        plan.warnings.append(
            f"Moodle's group cache lists {len(snapshot.phantom_group_ids)} group(s) that do not exist "
            "(left by a rolled-back batch); `lmsync sync` clears them with a no-op write"
        )
    return PlanResult(snapshot, desired, plan)


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
    return Applier(
        api,
        journal,
        run_id=run_id,
        budget=config.moodle.batch_budget,
        course_id=obs.course_id,
        group_ids={g.idnumber: g.id for g in obs.groups if g.idnumber},
        grouping_ids=grouping_ids(config, obs),
        forum_id=obs.forum_id,
        progress=progress,
        should_stop=should_stop,
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
) -> SyncResult:
    """Plan and apply until the plan is empty (or ``max_rounds`` runs out: a partial failure)."""
    run_id = uuid.uuid4().hex[:12]
    journal = Journal(store, config.programme.name)
    result: SyncResult | None = None
    for round_no in range(1, max_rounds + 1):
        planned = make_plan(api, config, allow_delete=allow_delete, repair_cache=not dry_run)
        if round_no == 1:
            settled = journal.settle_unfinished(run_id, APPLY_ORDER)
            if settled:
                log.warning("sync.recovered", run_id=run_id, unfinished_batches=settled)
            result = SyncResult(run_id=run_id, first_plan=planned.plan, final_plan=None, desired=planned.desired)
            if on_plan is not None:
                on_plan(planned.plan)
        assert result is not None
        result.rounds = round_no
        if dry_run or planned.plan.empty:
            result.final_plan = planned.plan
            result.converged = planned.plan.empty
            return result
        applier = _applier(api, journal, config, planned.snapshot, run_id, progress, should_stop)
        try:
            report = applier.apply(planned.plan)
        except NeedsReobserve as exc:
            log.warning("sync.reobserve", run_id=run_id, round=round_no, reason=str(exc))
            continue
        result.reports.append(report)
        if report.stopped:
            return result
        if report.complete and round_no > 1:
            continue  # after a disturbed round, confirm with one more observation
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
    progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ApplyReport:
    """Apply exactly ``plan``, refusing when Moodle no longer looks as it did when it was made."""
    if plan.programme != config.programme.name:
        raise PlanError(f"the plan is for programme {plan.programme!r}, the configuration for {config.programme.name!r}")
    snapshot = observe(api, config)
    now = snapshot.observation.fingerprint()
    if now != plan.fingerprint:
        raise PlanError(
            f"Moodle changed since the plan was made (fingerprint {plan.fingerprint} -> {now}); "
            f"{_describe_change(snapshot, plan)}",
            hint="run `lmsync plan` again and review the new plan",
        )
    if plan.empty:
        return ApplyReport(run_id="empty")
    journal = Journal(store, config.programme.name)
    run_id = uuid.uuid4().hex[:12]
    applier = _applier(api, journal, config, snapshot, run_id, progress, should_stop)
    try:
        report = applier.apply(plan)
    except NeedsReobserve as exc:
        raise PartialFailure(
            f"stopped after an uncertain write ({exc}); nothing is lost",
            hint="run `lmsync sync` to observe Moodle again and converge",
        ) from None
    return report


def _describe_change(snapshot: Snapshot, plan: Plan) -> str:
    obs = snapshot.observation
    members = sum(len(g.members) for g in obs.groups)
    return (
        f"now {len(obs.groups)} groups with {members} memberships, {len(obs.active_user_ids)} active users, "
        f"{len(obs.discussions)} discussions"
    )
