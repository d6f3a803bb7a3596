"""``lmsync grades plan|push``: meetings and survey scores into the Moodle gradebook.

Same discipline as the group sync: **observe** (circles, active enrolments, the owned grade
items with their grades, the assignment's grades; the meeting-log and survey Feedback
activities are mirrored into the store on the way) -> **plan** (``GradesPlan``: printable,
saved as JSON, carrying a fingerprint of what was observed) -> **push** (item details
first, chunked by variable count, each request journaled before and after, then read back
and compared). Moodle 4.5's grade functions fail silently in many ways (traps 19-25), so
everything that can be checked is checked before sending, and what was sent is verified after.

Ownership (issue 10, point 6): lmsync writes only to grade items it can prove it created: the item carries the
idnumber derived from the programme and metric (``domain.grades.derived_idnumber``) and ``store.grade_items`` records
the creation at that itemnumber. Another programme's items in the range are left alone and named in the plan. A lost
creation is recorded before it is sent and not sent again for ``[sync] write_settle_seconds`` (issue 10 point 10).

The modules: :mod:`lmsync.service.grade_state` reads the gradebook,
:mod:`lmsync.service.grades_sources` mirrors the Feedback activities into the store,
:mod:`lmsync.service.grades_plan` is the saved plan, :mod:`lmsync.service.grades_push` sends and
verifies it; this module plans (``make_grades_plan``) and runs the jobs, and re-exports the
others' names (``__all__``) for the CLI, the renderers and the demo.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.domain.assign_grades import AssignGrade, AssignPlan, plan_assignment_grades
from lmsync.domain.assign_unbacked import UNBACKED_COMMENT, unbacked_assign_grades, unbacked_assign_note
from lmsync.domain.grade_items import ItemRecord
from lmsync.domain.grades import GradeItemsPlan
from lmsync.domain.instruments import MENTOR_QUALITIES
from lmsync.domain.plan import circle_pairs
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.circle_records import circle_proof
from lmsync.service.grade_metrics import (
    Metrics,
    attendance_comments,
    build_grade_plan,
    compute_metrics,
    meeting_wait_note,
    received_notes,
)
from lmsync.service.grade_state import (
    GradeState,
    comments_off_note,
    find_assignment,
    observed_items,
    owned_range,
    read_grade_state,
    resolve_activity,
)
from lmsync.service.grades_held import held_grades
from lmsync.service.grades_hold import foreign_store_hold
from lmsync.service.grades_left import unanswered
from lmsync.service.grades_plan import (
    HIDDEN_POLICY_WARNING,
    GradesPlan,
    PlannedGrade,
    PlannedItem,
    PlannedRequest,
    assemble_plan,
    check_privacy,
    out_of_range_fix,
)
from lmsync.service.grades_push import (
    SAVE_ASSIGN_GRADES,
    UPDATE_GRADES,
    PushReport,
    check_course,
    check_made_for,
    push_envelope,
    push_grades,
    refuse_pending_creates,
    verify,
)
from lmsync.service.grades_saved import check_saved_grades_plan
from lmsync.service.grades_sources import SourceReport, read_feedback_sources
from lmsync.service.health_gone import circle_pairs as judged_pairs
from lmsync.service.labels import People
from lmsync.service.observe import observe
from lmsync.service.programme_settings import Settings, programme_today, programme_zone, settings
from lmsync.service.runtime import session
from lmsync.service.saved_applied import grades_plan_pushed
from lmsync.service.stores import warn_if_absent
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.grade_items import GradeItemRecords
from lmsync.store.journal import Journal
from lmsync.store.meetings import SentAssignGrades, SentComments

__all__ = [
    "HIDDEN_POLICY_WARNING",
    "GradeState",
    "GradesPlan",
    "GradesPlanResult",
    "PlannedGrade",
    "PlannedItem",
    "PlannedRequest",
    "PushReport",
    "PushResult",
    "SourceReport",
    "assignment_plan",
    "check_privacy",
    "circle_pairs",
    "item_records",
    "legacy_assign_users",
    "legacy_itemnumbers",
    "make_grades_plan",
    "observed_items",
    "out_of_range_fix",
    "ownership_plan",
    "plan_job",
    "push_envelope",
    "push_grades",
    "push_job",
    "read_feedback_sources",
    "verify",
]

log = get_logger(__name__)


@dataclass
class GradesPlanResult:
    plan: GradesPlan
    metrics: Metrics
    state: GradeState
    sources: list[SourceReport] = field(default_factory=list)
    pairs: int = 0
    requests: int = 0  # Moodle reads it took
    left_out: int = 0  # of ``pairs``, those health leaves out: someone in them away (tester round 116, 6)


def assignment_plan(
    s: Settings,
    metrics: Metrics,
    state: GradeState,
    store: Store,
    participants: Collection[int],
    *,
    budget: int,
) -> AssignPlan | None:
    """Attendance grade + comment on the assignment for its participants (the mentee roles), over
    grades this store can prove it wrote: its ``sent_assign_grades`` and, from before it kept them,
    its journal (``legacy_assign_users``). A grade of someone this store erased, saved by lmsync's web-service user,
    is kept and named as written before the erasure (``erased_kept``; tester round 79, 2). A grade this store wrote
    that no attendance figure backs any more (an erased mentor's meetings and pairs went with them) is planned as 0
    with a comment saying so, and counted in ``unbacked`` (``lmsync.domain.assign_unbacked``; tester round 116, 11).
    Reads the store only (tester finding 1)."""
    target = state.assignment
    if target is None:
        return None
    desired = []
    for uid, (rate, comment) in sorted(attendance_comments(metrics).items()):
        if uid not in participants:
            continue
        text = f"<p>{html.escape(comment)}</p>" if target.comments_enabled else None
        desired.append(AssignGrade(uid, round(rate * target.grademax / 100.0, 2), text))
    sent = SentComments(store, s.programme).get(target.id)
    written = SentAssignGrades(store, s.programme).get(target.id)
    legacy = legacy_assign_users(Journal(store, s.programme), target.id)
    erased = erased_on(store)
    empty = unbacked_assign_grades(
        state.assign_grades, {g.user_id for g in desired}, written=written, legacy=legacy,
        graded_by_others=state.assign_graded_by_others, participants=participants, enrolled=state.enrolled,
        erased=erased, comment=f"<p>{html.escape(UNBACKED_COMMENT)}</p>" if target.comments_enabled else None,
    )
    plan = plan_assignment_grades(
        [*desired, *empty],
        state.assign_grades,
        sent,
        state.enrolled,
        grademax=target.grademax,
        budget=budget,
        written=written,
        legacy=legacy,
        graded_by_others=state.assign_graded_by_others,
        erased=erased,
    )
    planned = {g.user_id for request in plan.requests for g in request.grades}
    plan.unbacked = [g.user_id for g in empty if g.user_id in planned]
    return plan


class _Account(NamedTuple):
    username: str
    fullname: str


def _named(api: MoodleApi, config: Config, labels: People, user_ids: list[int]) -> dict[int, str]:
    """Labels of ``user_ids``; one outside the roster (a suspended enrolment, someone who left) is
    looked up site-wide and named ", no active enrolment": "user #32 (not in the course)" named
    a suspended student as a stranger (tester round 26, 6)."""
    away = [uid for uid in user_ids if uid not in labels.roster]
    found = {
        user.id: _Account(user.username, user.fullname) for user in api.get_users_by_field("id", away) if user.username
    } if away else {}
    site_wide = People(found, show_names=config.privacy.show_names)
    return {
        uid: f"{site_wide.label(uid)}, no active enrolment" if uid in found else labels.label(uid) for uid in user_ids
    }


def legacy_assign_users(journal: Journal, assignment_id: int) -> set[int]:
    """Users whose grade on ``assignment_id`` an earlier lmsync sent and Moodle accepted (its journal:
    ``assign_grade:<assignment>:<user>`` keys of ``mod_assign_save_grades`` entries in state ``ok``):
    the store's proof for grades written before ``sent_assign_grades`` existed (revision 0006)."""
    users: set[int] = set()
    prefix = f"assign_grade:{assignment_id}:"
    for entry in journal.keyed_entries():
        if entry.function != SAVE_ASSIGN_GRADES or entry.state != "ok":
            continue
        for key in entry.keys:
            rest = str(key)[len(prefix) :] if str(key).startswith(prefix) else ""
            if rest.isdigit():  # an erased person's key ends in ``:erased``: no proof left
                users.add(int(rest))
    return users


def unpublished_instruments(s: Settings) -> list[str]:
    """One note per configured instrument without a ``grade_name``: its scores are stored and judged
    but never published to the gradebook, and nothing else says so (tester round 6, 11)."""
    return [
        f"instrument {name!r} has no grade_name: its scores are not published to the gradebook "
        f"(set [instruments.{name}] grade_name to publish them)"
        for name in sorted(s.instrument_sections)
        if name in s.instruments and s.instruments[name].grade_name is None
        and name != MENTOR_QUALITIES.name  # by design: the report shows it, as means over enough mentees
    ]


def assignment_notes(assign: AssignPlan | None, name: str | None, *, detail: int = 10,
                     who: Callable[[int], str] = lambda user_id: f"user #{user_id}") -> list[str]:
    """One warning per assignment grade left as it is because this store cannot prove it wrote it
    (tester finding 1), the first ``detail`` of them (people as ``who`` names them), then how many more; then
    one per grade of a person erased while enrolled, written by this store before the erasure (``erased_kept``:
    kept, no refusal; tester round 79, 2), and one counting the grades written as 0 because no meeting is left
    behind them (``unbacked``; tester round 116, 11)."""
    if assign is None:
        return []
    kept = [f"assignment {name!r}, {who(r.user_id)}: {r.reason}" for r in assign.erased_kept]
    if assign.unbacked:  # written as 0: no meeting left behind them (tester round 116, 11)
        kept.append(unbacked_assign_note(str(name), len(assign.unbacked)))
    if not assign.refused:
        return kept
    notes = [f"assignment {name!r}, {who(r.user_id)}: {r.reason}" for r in assign.refused[:detail]]
    if len(assign.refused) > detail:
        notes.append(
            f"assignment {name!r}: {len(assign.refused) - detail} more grades this store did not write are left "
            "as they are (a saved plan, `grades plan --out`, lists them all)"
        )
    return notes + kept


def item_records(
    records: GradeItemRecords, *, now: datetime, settle: timedelta
) -> list[ItemRecord]:
    """The store's records as the planner sees them: a creation sent less than ``settle``
    (``[sync] write_settle_seconds``) ago and not read back since is ``pending`` (it may still
    commit on a slow Moodle)."""
    out = []
    for row in records.all():
        pending = row.state == "sending" and row.item_id is None and now - row.sent_at < settle
        out.append(ItemRecord(row.metric, row.itemnumber, row.idnumber, row.item_id, pending))
    return out


def legacy_itemnumbers(journal: Journal) -> set[int]:
    """Itemnumbers whose item details an earlier lmsync sent and Moodle accepted (its journal):
    the store's proof for items created before derived idnumbers existed."""
    numbers: set[int] = set()
    for entry in journal.entries():
        if entry.function != UPDATE_GRADES or entry.state != "ok":
            continue
        if not (isinstance(entry.result, dict) and entry.result.get("details")):
            continue
        for key in journal.keys_of(entry.id):
            parts = str(key).split(":")
            if parts[0] in ("grade", "grade_item") and len(parts) > 1 and parts[1].isdigit():
                numbers.add(int(parts[1]))
    return numbers


def ownership_plan(
    s: Settings,
    metrics: Metrics,
    state: GradeState,
    enrolled: Collection[int],
    *,
    records: list[ItemRecord],
    legacy_numbers: Collection[int],
    budget: int,
    erased: Collection[int] = (),
) -> GradeItemsPlan:
    """The grade writes for ``metrics`` on the items lmsync can prove are its own (the ones
    ``state`` read in the owned range; ``ConfigError`` when the range is full)."""
    return build_grade_plan(
        s,
        metrics,
        state.items.values(),
        enrolled,
        budget=budget,
        foreign_idnumbers=state.foreign_idnumbers,
        foreign_names=state.foreign_names,
        records=records,
        legacy_numbers=legacy_numbers,
        erased=erased,  # their own grades stay when nothing backs them (tester round 114a, 4)
    )


def make_grades_plan(
    api: MoodleApi, config: Config, store: Store, *, as_of: date | None = None, read_sources: bool = True
) -> GradesPlanResult:
    """Observe Moodle, refresh the Feedback sources in the store (``read_sources``), and plan the grade writes.

    With ``read_sources=False`` the store is only read (``grades plan``: reads never write, issue
    11; the cycle, whose feedback step already read them), and ``sources`` is empty. Each received
    mean an erasure keeps from the gradebook is named in ``plan.held_grades`` (``grades_held``; tester
    round 78, 5), the gradebook rows of erased people back in the course read for it; each survey grade published
    that no stored answer backs any more, left as it is, in ``plan.unanswered`` (``grades_left``; round 122a, 4).
    """
    started = api.transport.requests_made
    s = settings(config)
    today = as_of or programme_today(config)
    snapshot = observe(api, config, proof=circle_proof(store, s.programme))  # lmsync's circles (tester round 73, 1)
    obs = snapshot.observation
    pairs = circle_pairs(s.programme, obs.groups, obs.outsiders)
    warnings: list[str] = []
    if not pairs:
        warnings.append("no mentoring circles in Moodle yet: run `lmsync sync` first")
    labels = People(snapshot.roster, show_names=config.privacy.show_names)
    sources = (
        read_feedback_sources(
            api,
            store,
            s,
            course_id=obs.course_id,
            roster=snapshot.roster,
            pairs=pairs,
            today=today,
            tz=programme_zone(config),
            warnings=warnings,
            who=labels.label,
        )
        if read_sources
        else []
    )
    # the current pairs are those health judges: a mentor away's (account suspended, enrolment not active) are not
    # pairs during their circle's hold, so no meeting dated in it counts and none is expected (tester round 88a, 4);
    # their people are valued still, over the days the pairs were current (one not enrolled is rejected as before)
    current, _skipped = judged_pairs(s.programme, snapshot)
    left_out = set(pairs) - set(current)
    metrics = compute_metrics(store, s, current, as_of=today, tz=programme_zone(config), left_out=left_out,
                              active=frozenset(snapshot.roster) | {who for pair in left_out for who in pair})
    wait_at = len(warnings)  # no meeting stored: no meeting grade, said (tester round 94b, 1) once the plan is made
    warnings.extend(received_notes(metrics))
    warnings.extend(unpublished_instruments(s))
    cmid = resolve_activity(api, config, obs.course_id, snapshot.forum_cmid)
    target = find_assignment(api, obs.course_id, s.grades.assignment) if s.grades.assignment else None
    if target is not None and (off := comments_off_note(target)):
        warnings.append(off)
    enrolled = frozenset(snapshot.roster)
    erased = erased_on(store)  # back in the course: their row is read, for a mean published before (round 78, 5)
    state = read_grade_state(
        api,
        course_id=obs.course_id,
        cmid=cmid,
        owned=owned_range(s),
        enrolled=enrolled,
        # and whoever may hold a grade no figure backs now, to empty it: a mentor is in no course report (114a, 4)
        graded_users={v.user_id for v in metrics.values} | set(erased) | set(metrics.attendance)
        | {uid for uid, u in snapshot.roster.items() if u.roles & set(config.programme.mentor_roles)},
        assignment=target,
    )
    records = item_records(GradeItemRecords(store, s.programme, obs.course_id, cmid), now=datetime.now(UTC),
                           settle=timedelta(seconds=config.sync.write_settle_seconds))
    grade_plan = ownership_plan(
        s,
        metrics,
        state,
        enrolled,
        records=records,
        legacy_numbers=legacy_itemnumbers(Journal(store, s.programme)),
        budget=config.moodle.batch_budget,
        erased=set(erased),
    )
    warnings.extend(check_privacy(s, grade_plan))
    mentee_roles = set(config.programme.mentee_roles)
    participants = {uid for uid, u in snapshot.roster.items() if u.roles & mentee_roles}
    assign = assignment_plan(s, metrics, state, store, participants, budget=config.moodle.batch_budget)
    warnings.extend(assignment_notes(assign, target.name if target is not None else None, who=labels.label))
    if metrics.meeting_grades_wait:  # with the grades written as 0 all the same, counted (tester round 122a, 7)
        zeroed = len(grade_plan.unbacked) + (len(assign.unbacked) if assign is not None else 0)
        warnings.insert(wait_at, meeting_wait_note(s, zeroed=zeroed))
    plan = assemble_plan(config, s, state, grade_plan, assign, as_of=today, warnings=warnings)
    plan.store_hold = foreign_store_hold(store, s.programme, pairs)
    # each received mean an erasure keeps from the gradebook, named (tester round 78, 5: dropped unsaid)
    plan.held_grades = held_grades(metrics, state, records, erased, grade_plan.requests)
    plan.unanswered = unanswered(metrics, state, records, erased, plan.held_grades)  # tester round 122a, 4
    # the people its rejections, refusals and held means name (not every graded person: a saved plan holds no more)
    named = {r.user_id for r in (*plan.rejected, *plan.assign_refused)} | {
        h.user_id for h in (*plan.held_grades, *plan.unanswered)}
    plan.people = _named(api, config, labels, sorted(named))
    requests = api.transport.requests_made - started
    log.info(
        "grades.plan",
        pairs=len(pairs),
        metrics=len(metrics.values),
        fingerprint=plan.fingerprint,
        reads=requests,
        held_grades=len(plan.held_grades),
        **plan.summary(),
    )
    return GradesPlanResult(plan, metrics, state, sources, len(pairs), requests, len(left_out))


# --- jobs (lock + connection + store), as the CLI and the demo run them -----------------------------


def plan_job(
    config: Config, *, wait: bool = False, site: Any = None, as_of: date | None = None
) -> GradesPlanResult:
    """``lmsync grades plan``: a read. The store is opened read-only (nothing created, migrated or
    bound, no lock: ``wait`` has nothing to wait for) and Feedback answers are not stored (issue 11)."""
    with session(config, wait=wait, site=site, read_only=True) as (conn, store):
        warn_if_absent(store)  # every figure comes from the store: a mistyped path read as "0 figures" (round 82a, 10)
        planned = make_grades_plan(conn.api, config, store, as_of=as_of, read_sources=False)
    s = settings(config)
    if s.meetings.feedback or any(section.feedback for section in s.instrument_sections.values()):
        planned.plan.warnings.append(
            "Feedback answers were not read (a plan only reads the store): the figures use the answers "
            "stored by the last `lmsync grades push` or `lmsync run`, which read Feedback first"
        )
    return planned


@dataclass
class PushResult:
    plan: GradesPlan
    report: PushReport
    planned: GradesPlanResult | None = None  # when push planned first


def push_job(
    config: Config,
    plan: GradesPlan | None = None,
    *,
    wait: bool = False,
    site: Any = None,
    as_of: date | None = None,
    on_plan: Callable[[GradesPlanResult], Any] | None = None,
    takes_over: bool = False,
    source: str = "PLAN.json",
) -> PushResult:
    """Push a saved plan (read from ``source``), or plan and push in one go; ``takes_over`` writes what a
    store with no history of the programme would hold (``grades_hold``). Raises ``ClockWentBack`` (clock_check).

    A saved plan is checked against the plan made afresh (as ``grades plan`` makes it) and the fresh one is
    pushed; ``PlanError`` when the file requests a write it does not hold with the same value, lacks one, or the
    gradebook changed since (``grades_saved.check_saved_grades_plan``; tester round 85a, 1); a file pushed before
    (nothing planned now, the gradebook holds its writes) writes nothing: ``saved_applied.AlreadyPushed`` (106b, 4)."""
    from lmsync.service.clock_check import check_clock_today
    with session(config, wait=wait, site=site) as (conn, store):
        if as_of is None:  # no grade pushed for a day already past (tester round 78, 1)
            check_clock_today(store, config)
        if plan is not None:
            check_made_for(plan, config)
            refuse_pending_creates(store, plan, settle=timedelta(seconds=config.sync.write_settle_seconds))
            fresh = make_grades_plan(conn.api, config, store, as_of=as_of, read_sources=False)
            check_course(plan, fresh.plan.course_id)
            if (done := grades_plan_pushed(plan, fresh.plan, fresh.state, store, source)) is not None:
                return PushResult(fresh.plan, done)  # pushed before: exit 0, nothing written (tester round 106b, 4)
            check_saved_grades_plan(plan, fresh.plan, source=source)  # tester round 85a, 1: never the file's
            report = push_grades(conn.api, config, store, fresh.plan, observed=fresh.state, takes_over=takes_over)
            return PushResult(fresh.plan, report)
        planned = make_grades_plan(conn.api, config, store, as_of=as_of)
        if takes_over:  # the plan shown is the one written, not "HELD" above "Pushed" (tester round 18, 7)
            planned.plan.store_hold = None
        if on_plan is not None:
            on_plan(planned)
        report = push_grades(conn.api, config, store, planned.plan, observed=planned.state, takes_over=takes_over)
        return PushResult(planned.plan, report, planned)
