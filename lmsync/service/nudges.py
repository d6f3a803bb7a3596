"""``lmsync nudge``: one Moodle message to each person with an at-risk or fading pair; the digest.

Who is told, and when (issue 13):

* one message per person per run, covering all of their pairs that need attention (a mentor
  with three fading pairs gets one message with three paragraphs), and at most one a day;
* at most ``[nudges] daily_cap`` messages a day for the programme, the most pressing first
  (a fading pair before an at-risk one); the rest wait for the next day. The cap counts messages
  (people), not pairs; as a pair's two people are told the same day, the people linked by their
  pairs (a mentor and their mentees) go together or wait together, so a day may leave some of the
  cap unused (``cap_unused``; tester round 102a, 4: read as a mentor's message about five pairs
  taking five of the cap); people so linked who outnumber the whole cap go whole on a day that starts
  with them, over the cap (``cap_over``), and nobody else that day (tester round 104b, 5: split over two
  days, a mentor was messaged on both);
* none inside ``[nudges] quiet_hours`` (local time in ``[programme] timezone``), and none while
  an exam block is in progress: a course calendar event whose name (unescaped, trap 39)
  matches ``[nudges] exam_pattern``, read with core_calendar_get_calendar_events, which also
  returns events already in progress (trap 45). Course events hidden by a ``nopermissions``
  warning (the token's user lacks moodle/calendar:manageentries) hold the nudges too, and
  are reported: an admin must act;
* a daily digest to each coordinator (``[health] coordinators``): pairs newly at risk or
  fading with their reasons, and the queue items due, overdue or escalated to them;
* none, and no digest, when this store's first assessment of the programme would nudge more
  than ``[nudges] first_run_max_share`` of the pairs (tester finding 1a): an admin checks, then
  sends with ``--allow-mass-nudge``; held on every run until this store has nudged once.

Messages are not idempotent and core_message_send_instant_messages is not transactional
(trap 29: a failed batch may already have delivered some), so each nudge is

1. recorded in the store (state ``intent``) and journaled, in one transaction, BEFORE it is
   sent: a crash after that point can never lead to a second message inside the interval,
   because an intent counts as sent;
2. sent alone (``per_request=1``), so every outcome belongs to one message;
3. finished as ``sent`` (msgid), ``failed`` (a per-message refusal, msgid -1 with Moodle's
   errormessage, trap 7, or an exception before anything was delivered), or ``unknown``
   (lost answer; counted as sent, and the run stops: the connection is suspect).

A nudge refused for the person (their message preferences, a deleted account) is not
retried before the interval is over: a retry would not fix that. One that failed for a
SITE-WIDE reason (``SITE_WIDE_ERRORS``: the token, the service, a capability such as
moodle/site:sendmessage) never reached anyone and is sent on the next run, as is the digest.
Texts come from ``[nudges.templates]``, whose placeholders are names and meeting gaps only:
a nudge never carries a survey answer or rating.

This module runs a nudge; its parts live beside it: ``nudge_plan`` (who is nudged, the message
text, the daily limits), ``nudge_holds`` (quiet hours and exam blocks), ``nudge_send`` (the
executor's messages family) and ``digest`` (the coordinators' digest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lmsync.config import Config
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.ended_as_of import ended_on
from lmsync.service.health import Assessment, observe_and_assess, today
from lmsync.service.lock_watch import watched
from lmsync.service.nudge_holds import (
    ExamCheck,
    exam_check,
    first_run_hold,
    in_quiet_hours,
    nudge_hold,
    programme_now,
)
from lmsync.service.nudge_plan import (
    PlannedNudge,
    apply_cap,
    first_names,
    group_messages,
    message_text,
    plan_nudges,
)
from lmsync.service.nudge_send import FUNCTION, NudgeOutcome, NudgeSender
from lmsync.service.run_ids import new_run_id
from lmsync.service.runtime import session
from lmsync.service.stores import warn_if_absent
from lmsync.store.db import Store
from lmsync.store.messages import NudgeLog

__all__ = [
    "FUNCTION",
    "ExamCheck",
    "NudgeOutcome",
    "NudgeReport",
    "NudgeSender",
    "PlannedNudge",
    "apply_cap",
    "exam_check",
    "group_messages",
    "in_quiet_hours",
    "message_text",
    "nudge_job",
    "plan_nudges",
    "programme_now",
    "run_nudges",
    "send_nudges",
]

log = get_logger(__name__)


@dataclass
class NudgeReport:
    as_of: date
    dry_run: bool
    run_id: str
    planned: list[PlannedNudge] = field(default_factory=list)  # one per pair and person, before the daily limits
    outcomes: list[NudgeOutcome] = field(default_factory=list)
    recently_nudged: int = 0  # pair nudges skipped: that person was nudged about that pair inside the interval
    not_attempted: list[PlannedNudge] = field(default_factory=list)
    messages: list[list[PlannedNudge]] = field(default_factory=list)  # one per person, sent or due
    held: str | None = None  # why nothing was sent this run: quiet hours, an exam block, hidden events
    hidden_events: int = 0  # course calendar events Moodle would not show (nopermissions)
    capped: int = 0  # people (messages) left for tomorrow by [nudges] daily_cap
    daily_cap: int = 0  # [nudges] daily_cap: messages (people) a day
    cap_unused: int = 0  # messages the day's cap still allows, left unused as the next people go together
    cap_over: int = 0  # messages over the cap: the day's first people, linked by their pairs, outnumber it (104b, 5)
    already_today: int = 0  # people who already had a nudge today
    stopped: bool = False  # SIGTERM or Ctrl-C stopped the sending: ``not_attempted`` were not sent
    first_run: bool = False  # held by the first-assessment guard (``first_run_hold``): an admin must act
    flagged_pairs: int = 0  # pairs at risk or fading (what the first-run guard counts)
    ended_pairs: int = 0  # of them, pairs a coordinator closed as ended: never nudged
    clock_warning: str | None = None  # a preview's: a real send would refuse the clock (clock_check, 109b, 1)

    @property
    def pairs(self) -> int:
        """Pairs the messages are about: a pair counts once, whichever of its people is told (round 3, 16)."""
        return len({n.pair_id for g in self.messages for n in g})

    def _state(self, state: str) -> list[NudgeOutcome]:
        return [o for o in self.outcomes if o.state == state]

    @property
    def sent(self) -> list[NudgeOutcome]:
        return self._state("sent")

    @property
    def failed(self) -> list[NudgeOutcome]:
        return self._state("failed")

    @property
    def unknown(self) -> list[NudgeOutcome]:
        return self._state("unknown")

    def people(self, state: str) -> int:
        """Messages (one per person) whose outcome is ``state``: what ``lmsync run`` counts too."""
        return len({o.nudge.recipient_id for o in self._state(state)})


def run_nudges(
    api: MoodleApi,
    config: Config,
    store: Store,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    allow_mass_nudge: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> NudgeReport:
    """Observe Moodle, assess every pair at ``as_of`` (default: the programme's today), then
    :func:`send_nudges` for that assessment. Another ``as_of`` is judged at this time of day on that
    day, exam blocks and quiet hours included (tester round 19, 4: a preview for an exam day held nothing)."""
    day = as_of or today(config)
    if now is None and day != today(config):
        local = programme_now(config)
        now = datetime.combine(day, local.timetz())
    assessment = observe_and_assess(api, config, store, as_of=day)
    return send_nudges(api, config, store, assessment, dry_run=dry_run, now=now, allow_mass_nudge=allow_mass_nudge,
                       should_stop=should_stop)


def send_nudges(
    api: MoodleApi,
    config: Config,
    store: Store,
    assessment: Assessment,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    allow_mass_nudge: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> NudgeReport:
    """Plan the nudges due on ``assessment.as_of`` and send one message per person, inside the
    day's limits. ``lmsync run`` passes the assessment its health step made, so Moodle is not
    observed again.

    ``now`` (default: the clock) decides quiet hours and the exam block. Nothing is
    sent (``held``) in quiet hours, inside an exam block, or when course events are hidden
    (``hidden_events``; see :class:`ExamCheck`), nor, unless ``allow_mass_nudge``, when this
    store's first assessment would nudge many pairs (``first_run``; see ``first_run_hold``).
    A dry run reports what would be sent now. ``should_stop`` (SIGTERM) is asked before each
    message: the rest are ``not_attempted`` and ``stopped`` is set.
    """
    day = assessment.as_of
    report = NudgeReport(day, dry_run, new_run_id())
    flagged_people = {uid for p in assessment.pairs if p.health.needs_attention
                      for uid in (p.health.mentor_id, p.health.mentee_id)}
    # and everyone paired with them: a nudge tells two partners of one first name apart (tester round 86b, 9)
    people = {uid for p in assessment.pairs if {p.health.mentor_id, p.health.mentee_id} & flagged_people
              for uid in (p.health.mentor_id, p.health.mentee_id)}
    names = first_names(api, assessment, people)
    ended = ended_on(store, config.programme.name, day)  # as closed by that day
    report.planned, report.recently_nudged = plan_nudges(config, store, assessment, names, ended)
    flagged = {(p.health.mentor_id, p.health.mentee_id) for p in assessment.pairs if p.health.needs_attention}
    report.flagged_pairs = len(flagged)
    report.ended_pairs = len(flagged & ended)
    log_ = NudgeLog(store, config.programme.name)
    already = log_.recipients_on(day)
    groups = group_messages(report.planned)
    report.messages, report.capped, report.already_today = apply_cap(
        groups, already_today=already, sent_today=len(already), cap=config.nudges.daily_cap
    )
    report.daily_cap = config.nudges.daily_cap
    if report.capped:  # the next people, linked by their pairs, do not fit together (tester round 102a, 4)
        report.cap_unused = max(0, report.daily_cap - len(already) - len(report.messages))
    # a mentor and mentees more than the whole cap go whole, once each, rather than over two days (tester round 104b, 5)
    # only a day that starts with such people sends over the cap: a second nudge that day sends none over it (it
    # said the first one's excess as its own: tester round 106a, 4)
    report.cap_over = max(0, len(report.messages) - report.daily_cap) if report.daily_cap and not already else 0
    if config.nudges.daily_cap == 0 and groups:  # switched off: said as a hold, not "left for tomorrow" (round 56, 6)
        report.messages, report.capped = [g for g in groups if g[0].recipient_id not in already], 0
        report.held = "[nudges] daily_cap = 0 switches nudges off (set a cap of 2 or more to send them)"
    elif report.messages:
        report.held = first_run_hold(config, assessment, allow=allow_mass_nudge)
        report.first_run = report.held is not None
    if report.messages and report.held is None:
        report.held, report.hidden_events = nudge_hold(api, config, assessment.course_id, now)
    if not dry_run and report.held is None and report.messages:
        sender = NudgeSender(
            api, store, config.programme.name, day=day, run_id=report.run_id, max_parallel=config.moodle.max_parallel,
            should_stop=should_stop,
        )
        report.outcomes, report.not_attempted = sender.send_all([n for g in report.messages for n in g])
        report.stopped = bool(report.not_attempted) and should_stop is not None and should_stop()
    log.info(
        "nudge.done",
        run_id=report.run_id,
        as_of=day.isoformat(),
        dry_run=dry_run,
        # tester round 8, 9: each field says what it counts; a message covers all of one person's pairs
        pairs_flagged=report.flagged_pairs,  # pairs at risk or fading
        pairs_ended=report.ended_pairs,  # of them, closed as ended by a coordinator: never nudged
        pairs=report.pairs,  # pairs the messages are about
        messages=len(report.messages),  # one per person
        pair_nudges_planned=len(report.planned),  # one per pair and person, before the daily limits
        held=report.held is not None,
        first_run=report.first_run,
        hidden_events=report.hidden_events,
        capped=report.capped,  # people (messages), as ``messages``
        cap_unused=report.cap_unused,
        cap_over=report.cap_over,
        already_today=report.already_today,
        sent=report.people("sent"),  # messages, as cycle.step counts them
        failed=report.people("failed"),
        unknown=report.people("unknown"),
        pair_nudges_sent=len(report.sent),
        pair_nudges_not_attempted=len(report.not_attempted),
        pair_nudges_recent=report.recently_nudged,
    )
    return report


def nudge_job(
    config: Config,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    wait: bool = False,
    site: Any = None,
    allow_mass_nudge: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> NudgeReport:
    """One nudge run; a dry run opens the store read-only and sends nothing. Raises ``ClockWentBack`` (exit 2, nothing
    sent) for a real send of today (``as_of`` None or today) under a clock behind the store
    (``clock_check.check_clock_today``); a dry run goes on and carries the refusal as ``clock_warning``."""
    with session(config, wait=wait, site=site, read_only=dry_run, should_stop=should_stop) as (conn, store):
        warn_if_absent(store)  # a dry run of a mistyped [store] path (tester round 38, 1)
        from lmsync.service.clock_check import check_clock_today, send_clock_warning
        from lmsync.service.programme_settings import programme_today

        # a real send today (the CLI's --as-of may only be today) refuses a clock behind the store (78, 1; 109b, 1)
        if not dry_run and as_of in (None, programme_today(config)):
            check_clock_today(store, config)
        warning = send_clock_warning(store, config) if dry_run else None  # a preview says so
        report = run_nudges(conn.api, config, store, as_of=as_of, dry_run=dry_run, allow_mass_nudge=allow_mass_nudge,
                            should_stop=watched(should_stop))  # the lock lost too (tester round 120b, 1)
        report.clock_warning = warning
        return report
