"""``lmsync run``: a programme's whole cycle, unattended (issue 13).

One run, under one programme lock, one store and one Moodle connection, in this order:

==========  ==========================================================  =================
step        what it does                                                depends on
==========  ==========================================================  =================
sync        plan and apply the circles (pairs marked not a good fit     -
            are forbidden in the matching input, so they are re-matched)
feedback    read the Feedback activities (meeting log, surveys) into    -
            the store
grades      plan and push the grade items (re-reads the Feedback it     sync, feedback
            needs; not from circles a failed sync was to correct)
health      judge every pair, store today's snapshot, queue fading      feedback
            pairs, escalate overdue items, record not-a-good-fit answers
nudges      one message per person, inside the cap, quiet hours and     health
            exam blocks
digest      each coordinator's daily message                            health
report      the HTML report, when ``[report] path`` is set and the      -
            caller gave a report renderer (skipped otherwise)
==========  ==========================================================  =================

A store that has never nudged and would nudge many pairs holds the nudges (exit 2) and the
digest (``nudge_holds.first_run_hold``, tester finding 1a) unless ``allow_mass_nudge``.

A step that fails does not stop the steps that do not depend on it; a step whose dependency
failed is ``skipped``, and so is every step after a sync whose plan a guard refused (``PlanError``:
a wrong programme name or course, a mass removal; tester round 63, 1: health stored snapshots of the
wrong programme and the report was overwritten). Each step ends with one summary (``StepResult``), logged as a
``cycle.step`` event with counts only. The run's exit code is the worst step's
(``lmsync.errors``: 0 ok, 1 partial, 2 an admin must act, 3 bad input); a lock held by
another run raises LockedError (4) before any step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeVar, Unpack

from lmsync.config import Config
from lmsync.domain.health import status_label
from lmsync.errors import EXIT_ADMIN, EXIT_OK, EXIT_PARTIAL
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import ConnectionFailed, Timeout
from lmsync.service.coordinator_accounts import all_suspended, suspended_logged, suspended_note
from lmsync.service.cycle_feedback import feedback_step
from lmsync.service.cycle_lock import lost_at_release, lost_step, settled
from lmsync.service.cycle_log import tell_done, tell_step
from lmsync.service.cycle_result import CycleResult as CycleResult  # re-exported: callers import them here
from lmsync.service.cycle_result import State as State
from lmsync.service.cycle_result import StepResult as StepResult
from lmsync.service.cycle_result import step_failure as _failure
from lmsync.service.cycle_stop import stop_summary, stopped_before_start, stopped_by_request
from lmsync.service.cycle_sync import sync_step
from lmsync.service.lock_watch import stop_words, watched
from lmsync.service.programme_settings import programme_today
from lmsync.service.run_ids import new_run_id, running
from lmsync.store.db import Store
from lmsync.store.locks import LockLost

if TYPE_CHECKING:  # the report (scipy) is imported only when the report step runs
    from lmsync.service.grades_plan import GradesPlan
    from lmsync.service.report import ReportRenderer

log = get_logger(__name__)

StepName = Literal["sync", "feedback", "grades", "health", "nudges", "digest", "report"]
STEPS: tuple[StepName, ...] = ("sync", "feedback", "grades", "health", "nudges", "digest", "report")
#: Which steps need which: a step runs only when every step it depends on did not fail.
DEPENDS: dict[str, tuple[str, ...]] = {
    "sync": (),
    "feedback": (),
    "grades": ("sync", "feedback"),  # a failed sync leaves circles it was to correct (tester round 29, 1)
    "health": ("feedback",),
    "nudges": ("health",),
    "digest": ("health",),
    "report": (),
}
_Report = TypeVar("_Report")  # a step's report (NudgeReport, DigestReport)


# --- the steps ---------------------------------------------------------------------------------------


@dataclass
class _Run:
    api: MoodleApi
    config: Config
    store: Store
    day: date
    now: datetime | None
    site: Any
    should_stop: Callable[[], bool] | None
    outputs: dict[str, Any]
    report_renderer: ReportRenderer | None = None
    allow_mass_nudge: bool = False  # send what the first-assessment guard would hold (--allow-mass-nudge)
    store_takes_over: bool = False  # write grades a store with no history would hold (--store-takes-over)


def _grades(run: _Run) -> StepResult:
    from lmsync.domain.grade_names import NAME_CLASH
    from lmsync.service.grades import HIDDEN_POLICY_WARNING, make_grades_plan, push_grades
    from lmsync.service.grades_left import left_counts, left_words
    from lmsync.service.grades_zeroed import run_words, zeroed_counts

    # the feedback step read the Feedback answers already: read them here only when it did not run
    planned = make_grades_plan(
        run.api, run.config, run.store, as_of=run.day, read_sources="feedback" not in run.outputs
    )
    report = push_grades(
        run.api, run.config, run.store, planned.plan, observed=planned.state, takes_over=run.store_takes_over
    )
    run.outputs["grades"] = (planned, report)
    if report.held:  # tester round 14, 1: this store never paired these circles (grades_hold)
        return StepResult("grades", "held", EXIT_ADMIN, f"{planned.plan.grade_count} grade(s), "
                          f"{planned.plan.assign_count} assignment grade(s) held: {report.held}",
                          {"held_grades": planned.plan.grade_count, "held_assignment_grades": planned.plan.assign_count})
    counts = {
        "requests": report.requests,
        "grades": report.grades,
        "assignment_grades": report.assign_grades,
        "failed": len(report.failed), "left": len(report.left),
        "mismatches": len(report.mismatches),
        "out_of_range": sum(r.out_of_range for r in planned.plan.rejected), "rejected": len(planned.plan.rejected),
        **zeroed_counts(report.zeroed),  # written as 0, no meeting behind them: said in the line (tester round 117c, 4)
    }
    text = f"{report.grades} grade(s), {report.assign_grades} assignment grade(s) in {report.requests} request(s)"
    text += run_words(report.zeroed)
    waiting = planned.metrics.meeting_grades_wait  # no meeting stored: none of its grades made (tester round 94b, 1)
    if waiting:
        counts["meeting_grades_waiting"] = 1
        text += "; meeting grades wait for the first meeting (none is stored yet: `lmsync grades plan` says how to " \
                "record them)"
    inactive = len(planned.plan.rejected) - counts["out_of_range"]  # each counted once (tester round 94a, 5)
    if inactive:  # held back before sending: said in the line, not only by `grades plan` (round 44b, 4)
        text += f"; {inactive} rejected before sending (no longer active: `lmsync grades plan` says who)"
    if HIDDEN_POLICY_WARNING in planned.plan.warnings:  # said on every run it takes effect (tester round 68, 2)
        text += "; mentees' ratings of their mentor are on hidden items a non-editing teacher can read ([grades] " \
                "mentee_ratings = \"hidden\")"
    text += "".join(f"; {w}" for w in planned.plan.warnings if NAME_CLASH in w)  # tester round 108b, 1
    text, counts = text + left_words(planned.plan), counts | left_counts(planned.plan)  # round 122a, 4 and 6
    if report.left:  # tester finding 6: left for an admin, a retry changes nothing
        return StepResult("grades", "admin", EXIT_ADMIN, f"{text}; {len(report.left)} left for an admin "
                          "(this store cannot prove it wrote them: `lmsync grades plan` says why)", counts)
    if counts["out_of_range"]:  # outside the item's range: a retry sends them no more (tester round 10, 6), an admin's
        # (the README's exit 2), named with the fix: "`grades plan` says which" beside a plan of "no changes" (94a, 5)
        return StepResult("grades", "admin", EXIT_ADMIN, text + _out_of_range(planned.plan, planned.plan.who), counts,
                          logged=text + _out_of_range(planned.plan, lambda user_id: f"user #{user_id}"))
    if planned.plan.exposed_items:  # a locked rating of mentors left visible: privacy, an admin's (round 123b, 3)
        return StepResult("grades", "admin", EXIT_ADMIN, text, counts)
    if report.failed or report.mismatches or report.uncertain:
        return StepResult("grades", "partial", EXIT_PARTIAL, f"{text}; {len(report.failed)} refused", counts)
    # held (no meeting stored yet: no admin's, tester round 94b, 1) while no other grade is written or in Moodle (123b, 7)
    graded = report.grades or report.assign_grades or planned.plan.unchanged or planned.plan.assign_unchanged
    return StepResult("grades", "held" if waiting and not graded else "ok", EXIT_OK, text, counts)


def _out_of_range(plan: GradesPlan, who: Callable[[int], str], *, detail: int = 3) -> str:
    """The grades line's end for the figures outside their item's range: how many, the first ``detail`` of them
    (people as ``who`` names them) and the fix (tester round 94a, 5)."""
    from lmsync.service.grades_plan import out_of_range_fix

    found = plan.out_of_range
    which = ", ".join(f"{r.key} for {who(r.user_id)} = {r.value:g}: {r.reason}" for r in found[:detail])
    more = f" and {len(found) - detail} more (`lmsync grades plan` lists them)" if len(found) > detail else ""
    return (f"; {len(found)} not sent, outside {'its' if len(found) == 1 else 'their'} grade item's range: "
            f"{which}{more}; to fix: {out_of_range_fix({r.key for r in found})}")


def _health(run: _Run) -> StepResult:
    from lmsync.service.health import run_health, unassigned_note
    from lmsync.service.health_gone import PausedApart, paused_json

    report = run_health(run.api, run.config, run.store, as_of=run.day)
    run.outputs["health"] = report
    apart = PausedApart.of(report.paused, report.gone)  # on hold apart from gone (after tester round 105a, 1)
    # statuses as the line and `lmsync health` count them: an ended pair under ended_by_coordinator alone
    counts = {k: n for k, n in report.shown_counts.items() if k != "ended"} | {
        "queued": len(report.queued),
        "escalated": len(report.escalated),
        "recovered": report.recovered,
        # items whose pair left the programme (R44b-3): paused now, and those of them this run paused (round 50, 10)
        "paused_not_in_programme": len(apart.gone),
        "paused_on_hold": len(apart.held),
        "paused_by_this_run": len(report.gone),
        "paused_not_in_programme_items": paused_json(apart.gone),  # which, as health's JSON (tester round 113, 5)
        "paused_on_hold_items": paused_json(apart.held),
        "not_a_good_fit": len(report.not_a_good_fit),
    }
    # a pair a coordinator ended counts once, as ended (tester round 19, 5; round 23, 4)
    status = ", ".join(f"{n} {status_label(k)}" for k, n in report.shown_counts.items())
    text = f"{len(report.assessment.pairs)} pair(s): {status}; {len(report.queued)} newly queued"  # round 61, 7
    if report.ended:
        counts["ended_by_coordinator"] = len(report.ended)
    if report.escalated:
        text += f", {len(report.escalated)} escalated"
    if apart.gone:  # said while they stay paused, not only by the run that paused them (tester round 50, 10)
        text += f", {len(apart.gone)} queue item(s) paused (the pair is no longer in the programme)"
        text += f", {apart.gone_now} of them by this run" if apart.gone_now else ""
    if apart.held:  # not "no longer in the programme": their place or circle is held (after tester round 105a, 1)
        text += f", {len(apart.held)} queue item(s) on hold {apart.held_why}"  # or left alone (tester round 108a, 4)
        text += f", {apart.held_now} of them by this run" if apart.held_now else ""
    if report.unescalated:  # tester round 19, 3
        counts["unescalated"] = len(report.unescalated)
        text += f", {len(report.unescalated)} overdue could not be escalated (`lmsync health` says why)"
    if report.not_a_good_fit:
        text += f", {len(report.not_a_good_fit)} not a good fit (re-matched by the next sync)"
    if report.assessment.unassigned_mentor_answers:  # tester round 4, 9
        counts["unassigned_mentor_answers"] = report.assessment.unassigned_mentor_answers
        text += f"; {unassigned_note(report.assessment.unassigned_mentor_answers)}"
    stranger = report.assessment.unpaired_here
    if report.assessment.first_assessment and stranger * 2 > len(report.assessment.pairs):  # tester round 27, 3
        counts["unpaired_here"] = stranger
        log.warning("health.store_without_history", unpaired=stranger, pairs=len(report.assessment.pairs))
        text += (f"; warning: this store never paired {stranger} of them (a new, deleted or replaced store: they are "
                 "judged without an earlier store's meetings, queue and nudges; point [store] at it if one exists)")
    return StepResult("health", "ok", EXIT_OK, text, counts)


def _send_after_health(run: _Run, step: str, send: Callable[..., _Report]) -> _Report:
    """The head of the nudges and digest steps: ``send`` (``send_nudges`` or ``run_digest``) on the
    health step's assessment, honouring ``allow_mass_nudge``; its report kept as ``step``'s output."""
    extra = {"should_stop": run.should_stop} if step == "nudges" else {}
    report = send(
        run.api, run.config, run.store, run.outputs["health"].assessment, now=run.now,
        allow_mass_nudge=run.allow_mass_nudge, **extra,
    )
    run.outputs[step] = report
    return report


def _nudges(run: _Run) -> StepResult:
    from lmsync.service.nudges import send_nudges

    report = _send_after_health(run, "nudges", send_nudges)
    counts = {
        "pairs_flagged": report.flagged_pairs,  # at risk or fading
        "pairs": report.pairs,  # the messages are about
        "messages": len(report.messages),  # one per person
        "pair_nudges_planned": len(report.planned),  # one per pair and person, before the daily limits
        "sent": len({o.nudge.recipient_id for o in report.sent}),
        "failed": len({o.nudge.recipient_id for o in report.failed}),
        "unknown": len({o.nudge.recipient_id for o in report.unknown}),  # answer lost: may have arrived, not re-sent
        "not_attempted": len({n.recipient_id for n in report.not_attempted}),  # messages, after a stop or unknown one
        "capped": report.capped,  # messages (people) left for tomorrow
        "cap_unused": report.cap_unused,  # of the day's cap: the next people, linked by pairs, go together (102a, 4)
        "cap_over": report.cap_over,  # messages over the cap: a circle larger than it goes whole (104b, 5)
        "already_today": report.already_today,
        "hidden_events": report.hidden_events,
        "first_run_held": int(report.first_run),
    }
    if report.first_run:  # tester finding 1a: an admin checks the first judgement before anyone is told
        return StepResult("nudges", "held", EXIT_ADMIN, f"{len(report.messages)} message(s) held: {report.held}", counts)
    if report.hidden_events and report.held:
        return StepResult(
            "nudges", "failed", EXIT_ADMIN,
            f"{len(report.messages)} message(s) held: {report.hidden_events} course calendar event(s) hidden; "
            "the web-service user needs the capability moodle/calendar:manageentries",
            counts,
            error="MissingCapability",
        )
    if report.held:
        return StepResult("nudges", "held", EXIT_OK, f"{len(report.messages)} message(s) held: {report.held}", counts)
    # messages sent (one per person) and the pairs they were about, once each (rounds 3, 16 and 56, 2: not those planned)
    text = f"{counts['sent']} message(s) sent about {len({o.nudge.pair_id for o in report.sent})} pair(s)"
    if report.recently_nudged:  # "0 sent about 0 pairs" read as if no pair needed attention (tester round 44b, 4)
        text += f"; {report.recently_nudged} pair nudge(s) not repeated (told inside [nudges] interval_days)"
    if report.already_today:
        text += f"; {report.already_today} person(s) already nudged today"
    if report.cap_over:
        text += (f"; {report.cap_over} of them over the daily cap (the day's first people, linked by their pairs, are "
                 "more than it and go together)")
    if report.capped:
        unused = f", {report.cap_unused} of it unused: the next people, linked by their pairs, go together" \
            if report.cap_unused else ""
        text += f"; {report.capped} more message(s) left for tomorrow (daily cap{unused})"
    if report.stopped:  # SIGTERM between messages, or the lock lost (round 120b, 1): the rest go on the next run
        return StepResult("nudges", "partial", EXIT_PARTIAL, f"{text}; {stop_words()}", counts)
    if report.failed or report.unknown or report.not_attempted:
        return StepResult("nudges", "partial", EXIT_PARTIAL,
                          text + _not_all_sent(counts, f"message(s) not attempted ({len(report.not_attempted)} pair nudge(s))"), counts)
    return StepResult("nudges", "ok", EXIT_OK, text, counts)


def _not_all_sent(counts: dict[str, int], unsent: str) -> str:
    """The nudges and digest lines' tail when some messages were refused, lost or not attempted (``counts``: the
    step's, in messages: ``failed``, ``unknown``, ``not_attempted``; ``unsent``: the words after the count of those
    not attempted). Said: "0 refused" alone while Moodle held 3 of them, their answers lost and 10 pair nudges not
    attempted, read as nothing sent (tester round 106b, 3); the digest line still counted its lost answers as
    refused, and said nothing of the digests not attempted after one."""
    parts = [f"{counts['failed']} refused"] if counts["failed"] else []
    if counts["unknown"]:
        parts.append(f"{counts['unknown']} with an unknown outcome (Moodle's answer was lost): they may have reached "
                     "their people, and are not sent again")
    if counts["not_attempted"]:
        why = "stopped after an unknown outcome" if counts["unknown"] else "the sending stopped"
        parts.append(f"{counts['not_attempted']} {unsent}: {why}; the next run sends them")
    return "; " + "; ".join(parts)


def _digest(run: _Run) -> StepResult:
    from lmsync.service.digest import run_digest

    report = _send_after_health(run, "digest", run_digest)
    states = list(report.outcomes.values())
    counts = {
        "digests": len(report.digests),
        "sent": states.count("sent"),
        "already": states.count("already"),
        "failed": states.count("failed"),
        "unknown": states.count("unknown"),  # answer lost: may have arrived, not sent again today
        "not_attempted": len(report.not_attempted),  # after a lost answer: the next run sends them
        "unknown_coordinators": len(report.unknown_coordinators),
        "suspended_coordinators": len(report.suspended_coordinators),  # sent nothing (tester round 113, 3)
    }
    if not run.config.health.coordinators:
        return StepResult("digest", "ok", EXIT_OK, "no [health] coordinators configured", counts)
    if report.held and report.problem:  # held, yet the misspelt coordinator still needs the admin (round 8, 8)
        return StepResult("digest", "failed", EXIT_ADMIN, f"{report.held_line}; {report.problem}", counts,
                          error="DigestProblem")
    if report.held:
        return StepResult("digest", "held", EXIT_OK, report.held_line, counts)
    text = f"{counts['sent']} digest(s) sent, {counts['already']} already sent today{report.erased_note}"
    # a suspended account named in the line, by its entry and Moodle id in the log (tester round 113, 3)
    h = run.config.health
    logged = text + suspended_logged(report.suspended_coordinators, h.escalate_to, h.coordinators)
    text += suspended_note(list(report.suspended_coordinators), h.escalate_to, h.coordinators)
    if report.problem:
        return StepResult("digest", "failed", EXIT_ADMIN, f"{text}; {report.problem}", counts, error="DigestProblem",
                          logged=f"{logged}; {report.problem}")
    if counts["failed"] or counts["unknown"] or counts["not_attempted"]:  # said apart, as the nudges line (106b, 3)
        more = _not_all_sent(counts, "digest(s) not attempted")
        return StepResult("digest", "partial", EXIT_PARTIAL, text + more, counts, logged=logged + more)
    # every coordinator suspended: nobody is given the queue, an admin acts (113, 3)
    admin = report.erased_coordinators or all_suspended(report.suspended_coordinators, h.coordinators)
    gone: tuple[State, int] = ("admin", EXIT_ADMIN) if admin else ("ok", EXIT_OK)  # round 78, 6
    return StepResult("digest", *gone, text, counts, logged=logged)


def _report(run: _Run) -> StepResult:
    path = run.config.report.path
    if path is None:  # before the report's imports: a skipped step took 1.5 s (tester round 27, 8)
        return StepResult("report", "skipped", EXIT_OK, "no [report] path configured")
    from lmsync.service.report import NO_RENDERER, report_job, report_path_check, write_report

    if run.report_renderer is None:
        return StepResult("report", "skipped", EXIT_OK, NO_RENDERER)
    check = report_path_check(run.config)
    check([path])  # before Moodle is read: the store is never the report (tester round 5, 2)
    write_report(report_job(run.config, site=run.site), path, run.report_renderer, check=check)
    return StepResult("report", "ok", EXIT_OK, f"report written to {path}", {"files": 1})  # where (round 69, 10)


_RUNNERS: dict[str, Callable[[_Run], StepResult]] = {
    "sync": lambda run: sync_step(run.api, run.config, run.store, run.should_stop, run.outputs,
                                  takes_over=run.store_takes_over),
    "feedback": lambda run: feedback_step(run.api, run.config, run.store, run.day, run.outputs),
    "grades": _grades,
    "health": _health,
    "nudges": _nudges,
    "digest": _digest,
    "report": _report,
}


def run_cycle(
    api: MoodleApi,
    config: Config,
    store: Store,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    site: Any = None,
    should_stop: Callable[[], bool] | None = None,
    on_step: Callable[[StepResult], Any] | None = None,
    steps: tuple[str, ...] = STEPS,
    report_renderer: ReportRenderer | None = None,
    allow_mass_nudge: bool = False,
    store_takes_over: bool = False,
) -> CycleResult:
    """Run the cycle's ``steps`` in order on an open session; never raises for a step's failure.

    ``now`` (default: the clock) is the instant quiet hours and exam blocks are judged at;
    ``as_of`` the day health and nudges are dated (default: ``now``'s date in ``[programme] timezone``). ``on_step``
    sees each step's result as soon as it is known (the CLI prints it). ``report_renderer``
    (the CLI's ``lmsync.render.report.renderer()``) draws the report; without it the report
    step is skipped, saying so. ``allow_mass_nudge`` sends the nudges and digest the
    first-assessment guard would hold (``nudge_holds.first_run_hold``; the nudges step is ``held``
    with exit 2 otherwise). ``store_takes_over`` has a store with no record of the circles take over those the
    course holds (the sync refuses otherwise, exit 2: ``circle_records.refuse_take_over``) and writes the grades
    a store that never paired the circles would hold (``grades_hold.foreign_store_hold``; the grades step is
    ``held``, exit 2, otherwise).
    """
    day = as_of or programme_today(config, now)
    with running(new_run_id()) as run_id:  # the steps' own jobs log and journal under this id
        result = CycleResult(run_id, day)
        # the steps' writers stop between batches on a stop request or a lost lock (lock_watch; round 120b, 1)
        run = _Run(api, config, store, day, now, site, watched(should_stop), result.outputs, report_renderer,
                   allow_mass_nudge, store_takes_over)
        failed: set[str] = set()
        unreachable: str | None = None  # the step that found Moodle unreachable (after its retries)
        refused = False  # the sync's plan refused by a guard (a wrong programme name, a mass removal, ...)
        for name in steps:
            if should_stop is not None and should_stop():  # before any step began: README's words (round 81, 4)
                step = StepResult(name, "skipped", EXIT_OK, stop_summary(result.steps))
                result.stopped = True
            elif lost := lost_step(name, result):  # the lock is gone: nothing more is written (round 120b, 1)
                step = lost
            elif refused:  # the configuration or the course is likely wrong: nothing acts on it (round 63, 1)
                step = StepResult(name, "skipped", EXIT_OK, "skipped: the sync's plan was refused (an admin acts first)")
                failed.add(name)
            elif name == "report" and run.config.report.path is None:  # said as it is (tester round 69, 10)
                step = StepResult("report", "skipped", EXIT_OK, "no [report] path configured")
            elif unreachable is not None:
                # every step reads Moodle: retrying each against a site that is down took minutes (finding 10)
                step = StepResult(name, "skipped", EXIT_OK, f"skipped: Moodle unreachable ({unreachable} failed)")
                failed.add(name)
            elif blocked := [d for d in DEPENDS[name] if d in failed]:
                # "health skipped", not "health failed", when health was itself skipped (tester round 6, 12)
                why = ", ".join(f"{d} {'skipped' if result.step(d).state == 'skipped' else 'failed'}" for d in blocked)
                step = StepResult(name, "skipped", EXIT_OK, f"skipped: {why}")
                failed.add(name)  # what depends on a skipped step is skipped too
            else:
                try:
                    step = _RUNNERS[name](run)
                except Exception as exc:  # one step's failure never stops the independent ones
                    step = _failure(name, exc)
                    if isinstance(exc, ConnectionFailed | Timeout):
                        unreachable = name
                        if should_stop is not None and should_stop():  # a stop cut Moodle's retries short
                            step = StepResult(name, "partial", EXIT_PARTIAL, "stopped on request while Moodle "
                                              "failed to answer; the next run continues", {})  # round 33, 2
                if step.state == "failed":
                    failed.add(name)
                    # a store with no record of the circles: its Feedback, health and queue rows went to a stray
                    # store (tester round 90a, 5), so nothing after the refused sync runs either
                    refused = refused or (name == "sync" and step.error in ("PlanError", "TakeOverRefused"))
            tell_step(result, step, on_step)  # logged, kept, shown (cycle_log)
        # a stop asked for during the last step (which finished) or that failed a step stops the run all the
        # same: the steps and the last line agree (round 80, 4 and 5; cycle_stop)
        result.stopped = result.stopped or bool(should_stop is not None and should_stop())
        settled(result)  # a lock lost during the last step: cycle.done says exit 1 (round 120b, 1)
        tell_done(result)
        return result


class CycleOptions(TypedDict, total=False):
    """The keyword options of ``run_cycle`` that ``cycle_job`` passes on as they are."""

    as_of: date | None
    now: datetime | None
    should_stop: Callable[[], bool] | None
    on_step: Callable[[StepResult], Any] | None
    report_renderer: ReportRenderer | None
    allow_mass_nudge: bool
    store_takes_over: bool


def cycle_job(config: Config, *, wait: bool = False, site: Any = None, **options: Unpack[CycleOptions]) -> CycleResult:
    """One whole cycle under the programme lock (``lmsync run``, the daemon, every deploy unit); ``options``: as
    ``run_cycle`` takes them (:class:`CycleOptions`). A stop asked for before it starts opens and writes nothing.

    Raises LockedError (exit 4) when another run holds the lock and ``wait`` is off, and
    ConfigError (exit 2) when the store or the token cannot be opened, or ``[health] not_a_good_fit_item``
    names no configured instrument's item, or ``ClockWentBack`` (exit 2, ``clock_check``): no step ran then.
    A second stop request while the run starts raises no error: every step says it was not run (``cycle_stop``), and
    a lock found lost as it is let go neither: the run is returned ``lock_lost``, exit 1 (``cycle_lock``).
    """
    from lmsync.service.clock_check import check_run_clock
    from lmsync.service.health_queue import check_not_a_good_fit_item
    from lmsync.service.runtime import session

    check_not_a_good_fit_item(config)  # a configuration the health step would refuse stops the run before the sync
    stop, began = options.get("should_stop"), False  # began: the steps began (they say a stop amid them)
    result: CycleResult | None = None
    day = options.get("as_of") or programme_today(config, options.get("now"))  # the day a stopped run is dated
    with running(new_run_id()) as run_id:  # the run's id from its first log line (opening the store) on (round 5, 11)
        if stop is not None and stop():  # before the lock and the store: no store made, nothing written (round 81, 4)
            return stopped_before_start(STEPS, as_of=day, run_id=run_id, on_step=options.get("on_step"))
        try:
            # a failed run that stored nothing leaves no store it made (tester round 97b, 1: on a mistyped path)
            with session(config, wait=wait, site=site, should_stop=stop,
                         failed=lambda: result is None or result.run_exit_code != EXIT_OK) as (conn, store):
                if options.get("as_of") is None:  # the clock's day, not one a caller chose (tester round 77, 5)
                    check_run_clock(store, config, options.get("now"))  # and a sync's record (round 107a, 1)
                began = True  # the emulator's site as this run changed it, saved at the end (round 30, 2)
                result = run_cycle(conn.api, config, store, site=conn.site if conn.emulated else site, **options)
        except LockLost as exc:  # its connection found closed as the lock was let go: the run's id kept (120b, 1)
            return lost_at_release(result, exc)
        except Exception as exc:  # a second stop request raises where it lands (StopFlag; round 80, 5)
            if not stopped_by_request(exc, stop) or (began and result is None):
                raise  # an error of its own, or a stop amid the steps
            if result is not None:  # while the session closed, after the last step
                result.stopped = True
                return result  # else no step ran: each says so
            return stopped_before_start(STEPS, as_of=day, run_id=run_id, on_step=options.get("on_step"))
        return result
