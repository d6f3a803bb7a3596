"""``lmsync nudge``: one Moodle message to each person with an at-risk or fading pair; the digest.

Who is told, and when (issue 13):

* one message per person per run, covering all of their pairs that need attention (a mentor
  with three fading pairs gets one message with three paragraphs), and at most one a day;
* at most ``[nudges] daily_cap`` messages a day for the programme, the most pressing first
  (a fading pair before an at-risk one); the rest wait for the next day;
* none inside ``[nudges] quiet_hours`` (local time in ``[programme] timezone``), and none while
  an exam block is in progress: a course calendar event whose name (unescaped, trap 39)
  matches ``[nudges] exam_pattern``, read with core_calendar_get_calendar_events, which also
  returns events already in progress (trap 45). Course events hidden by a ``nopermissions``
  warning (the token's user lacks moodle/calendar:manageentries) hold the nudges too, and
  are reported: an admin must act;
* a daily digest to each coordinator (``[health] coordinators``): pairs newly at risk or
  fading with their reasons, and the queue items due, overdue or escalated to them.

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
"""

from __future__ import annotations

import html
import re
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lmsync.config import Config
from lmsync.domain.envelope import Envelope, SendMessage
from lmsync.domain.health import NudgeFields, nudge_kind
from lmsync.health_config import parse_quiet_hours
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleException
from lmsync.moodle.models import InstantMessage
from lmsync.service.executor import Executor, Kind, Lost, OpFamily, Sent
from lmsync.service.health import Assessment, observe_and_assess, today
from lmsync.service.runtime import session
from lmsync.store.db import Store
from lmsync.store.health import DigestLog, HealthSnapshots, NudgeLog, QueueItem
from lmsync.store.journal import Journal

log = get_logger(__name__)

FUNCTION = "core_message_send_instant_messages"
FORMAT_PLAIN = 2  # Moodle's FORMAT_PLAIN: names in a template are never read as HTML


@dataclass(frozen=True)
class PlannedNudge:
    mentor_id: int
    mentee_id: int
    recipient_id: int
    recipient_username: str
    role: Literal["mentor", "mentee"]
    kind: str
    status: str
    text: str
    greeting: str = ""  # the text's opening ("Hello Ifeoma,"): said once in a merged message

    @property
    def pair_id(self) -> str:
        return f"{self.mentor_id}-{self.mentee_id}"


@dataclass(frozen=True)
class NudgeOutcome:
    nudge: PlannedNudge
    state: Literal["sent", "failed", "unknown"]
    msgid: int | None = None
    error: str | None = None


@dataclass
class NudgeReport:
    as_of: date
    dry_run: bool
    run_id: str
    planned: list[PlannedNudge] = field(default_factory=list)
    outcomes: list[NudgeOutcome] = field(default_factory=list)
    recently_nudged: int = 0  # people skipped: nudged about that pair inside the interval
    not_attempted: list[PlannedNudge] = field(default_factory=list)
    messages: list[list[PlannedNudge]] = field(default_factory=list)  # one per person, sent or due
    held: str | None = None  # why nothing was sent this run: quiet hours, an exam block, hidden events
    hidden_events: int = 0  # course calendar events Moodle would not show (nopermissions)
    capped: int = 0  # people left for tomorrow by [nudges] daily_cap
    already_today: int = 0  # people who already had a nudge today

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


# --- planning --------------------------------------------------------------------------------------


def _first_names(api: MoodleApi, assessment: Assessment, user_ids: set[int]) -> dict[int, str]:
    """First names for the templates (the roster has full names only); username as a fallback."""
    names = {uid: assessment.roster[uid].username for uid in user_ids if uid in assessment.roster}
    if user_ids:
        for user in api.get_users_by_field("id", sorted(user_ids)):
            if user.firstname:
                names[user.id] = user.firstname
    return names


def plan_nudges(
    config: Config,
    store: Store,
    assessment: Assessment,
    first_names: Mapping[int, str],
) -> tuple[list[PlannedNudge], int]:
    """The nudges due at ``assessment.as_of``, and how many people were nudged too recently."""
    day = assessment.as_of
    interval = config.nudges.interval_days
    templates = config.nudges.templates
    nudges = NudgeLog(store, config.programme.name)
    planned: list[PlannedNudge] = []
    recent = 0
    for view in sorted(assessment.pairs, key=lambda v: (v.health.mentor_id, v.health.mentee_id)):
        health = view.health
        kind = nudge_kind(health)
        if kind is None:
            continue
        sides = (
            ("mentor", health.mentor_id, health.mentee_id, view.mentor_username),
            ("mentee", health.mentee_id, health.mentor_id, view.mentee_username),
        )
        for role, recipient, other, username in sides:
            last = nudges.latest(health.mentor_id, health.mentee_id, recipient)
            if last is not None and (day - last.day).days < interval:
                recent += 1
                continue
            fields = NudgeFields(
                firstname=first_names.get(recipient, username),
                other_firstname=first_names.get(other, ""),
                weeks=health.days_since_meeting // 7,
                days=health.days_since_meeting,
                cadence_days=config.meetings.cadence_days,
                programme=config.programme.name,
            )
            template = getattr(templates, kind)
            opening = _GREETING.match(template)
            planned.append(
                PlannedNudge(
                    mentor_id=health.mentor_id,
                    mentee_id=health.mentee_id,
                    recipient_id=recipient,
                    recipient_username=username,
                    role="mentor" if role == "mentor" else "mentee",
                    kind=kind,
                    status=health.status,
                    text=fields.render(template),
                    greeting=fields.render(opening.group(1)) if opening else "",
                )
            )
    return planned, recent


_URGENCY = {"fading": 0, "at_risk": 1}
#: a template's greeting: its text up to ``{firstname}`` and the punctuation after it
_GREETING = re.compile(r"^([^{}\n]*\{firstname\}[,!:]?)\s")


def group_messages(planned: Sequence[PlannedNudge]) -> list[list[PlannedNudge]]:
    """One message per recipient covering all of their pairs, the most pressing person first.

    Within a message the pairs keep their order; people are ordered by their most pressing
    pair (fading before at risk), then by Moodle id.
    """
    by_person: dict[int, list[PlannedNudge]] = defaultdict(list)
    for nudge in planned:
        by_person[nudge.recipient_id].append(nudge)
    return sorted(
        by_person.values(),
        key=lambda group: (min(_URGENCY.get(n.status, 2) for n in group), group[0].recipient_id),
    )


def message_text(group: Sequence[PlannedNudge]) -> str:
    """The text of one person's message: each pair's template text, one paragraph each.

    When the pairs' texts open with the same greeting ("Hello Ifeoma,"), it is said once, on
    its own line, and each paragraph starts after it.
    """
    greeting = group[0].greeting
    if len(group) < 2 or not greeting or any(n.greeting != greeting or not n.text.startswith(greeting) for n in group):
        return "\n\n".join(n.text for n in group)
    bodies = [n.text[len(greeting) :].strip() for n in group]
    return "\n\n".join([greeting, *(b[:1].upper() + b[1:] for b in bodies if b)])


def apply_cap(
    groups: Sequence[list[PlannedNudge]], *, already_today: set[int], sent_today: int, cap: int
) -> tuple[list[list[PlannedNudge]], int, int]:
    """The messages to send now: nobody twice in a day, at most ``cap`` a day in all.

    Returns (messages, people left for tomorrow by the cap, people already nudged today).
    """
    fresh = [g for g in groups if g[0].recipient_id not in already_today]
    room = max(0, cap - sent_today)
    return fresh[:room], max(0, len(fresh) - room), len(groups) - len(fresh)


def programme_now(config: Config, now: datetime | None = None) -> datetime:
    """``now`` (default: the clock) in ``[programme] timezone``."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(config.programme.timezone))


def in_quiet_hours(config: Config, now: datetime | None = None) -> bool:
    """Whether the local time is inside ``[nudges] quiet_hours`` (a span may wrap midnight)."""
    text = config.nudges.quiet_hours
    if not text:
        return False
    start, end = parse_quiet_hours(text)
    local = programme_now(config, now).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


@dataclass(frozen=True)
class ExamCheck:
    """What the course calendar says about now: the exam block in progress, if any."""

    block: str | None  # the (unescaped) name of the matching event in progress
    hidden: int  # course events Moodle hid behind a nopermissions warning
    until: date | None = None  # the local day the block in progress ends (nudges resume)

    @property
    def problem(self) -> str | None:
        if not self.hidden:
            return None
        return (
            f"{self.hidden} course calendar event(s) hidden from lmsync (nopermissions): exam blocks cannot be "
            "read, so no nudge is sent; give the web-service user the capability moodle/calendar:manageentries"
        )


def exam_check(api: MoodleApi, config: Config, course_id: int, now: datetime | None = None) -> ExamCheck:
    """Read today's course and site events (one request) and find an exam block in progress.

    Events are read from local midnight to the next (``[programme] timezone``); Moodle also
    returns events already in progress then (trap 45). An event with a duration blocks from
    its start to its end; one without blocks its local day. Names come back escaped (trap 39)
    and are unescaped before ``[nudges] exam_pattern`` is matched.
    """
    pattern = config.nudges.exam_pattern
    if not pattern:
        return ExamCheck(None, 0)
    local = programme_now(config, now)
    midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    start, end = int(midnight.timestamp()), int((midnight + timedelta(days=1)).timestamp()) - 1
    result = api.get_calendar_events(courseids=[course_id], timestart=start, timeend=end, userevents=False)
    hidden = sum(1 for w in result.warnings if (w.warningcode or "").startswith("nopermissions"))
    at = int(local.timestamp())
    regex = re.compile(pattern)
    for event in result.events:
        name = html.unescape(event.name)
        if not regex.search(name):
            continue
        if event.timeduration:
            active = event.timestart <= at < event.timestart + event.timeduration
            until = datetime.fromtimestamp(event.timestart + event.timeduration, local.tzinfo).date()
        else:
            active = datetime.fromtimestamp(event.timestart, local.tzinfo).date() == local.date()
            until = local.date() + timedelta(days=1)
        if active:
            return ExamCheck(name, hidden, until)
    return ExamCheck(None, hidden)


# --- sending ---------------------------------------------------------------------------------------


class MessagesFamily(OpFamily):
    """The messages family on the executor: one message per request, recorded before it is sent.

    A message covers all of one person's pairs (one nudge row per pair, written together).
    Messages to different people go side by side (``[moodle] max_parallel``); two to one person
    go in order. The nudge log and the journal are written in one transaction before the send
    and after it, on the executor's thread.
    """

    name = "messages"
    kinds = {"send_message": Kind(FUNCTION, one_per_call=True, lane=lambda chunk: chunk[0].recipient_id)}
    #: Moodle's ``clientmsgid`` is this and the row id written before the send.
    clientmsgid_prefix = "lmsync-nudge"

    def __init__(self, api: MoodleApi, store: Store, programme: str, *, day: date) -> None:
        super().__init__(Journal(store, programme))
        self.api = api
        self.store = store
        self.day = day
        self.log = NudgeLog(store, programme)
        self.planned: dict[str, list[PlannedNudge]] = {}
        self.ids: dict[str, list[int]] = {}  # operation key -> nudge ids (written before the send)
        self.outcomes: dict[str, list[NudgeOutcome]] = {}

    def operation(self, group: Sequence[PlannedNudge]) -> SendMessage:
        first = group[0]
        op = SendMessage(
            recipient_id=first.recipient_id,
            text=message_text(group),
            mentor_id=first.mentor_id,
            mentee_id=first.mentee_id,
            reason=first.kind,
        )
        self.planned[op.key] = list(group)
        return op

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        (op,) = chunk
        group = self.planned[op.key]
        with self.store.transaction() as conn:
            ids = [
                self.log.intent(
                    conn,
                    mentor_id=n.mentor_id,
                    mentee_id=n.mentee_id,
                    recipient_id=n.recipient_id,
                    day=self.day,
                    kind=n.kind,
                )
                for n in group
            ]
            entry = self.journal.intent(run_id, FUNCTION, "nudge", [f"nudge:{i}" for i in ids])
            for nudge_id in ids:
                self.log.link_journal(conn, nudge_id, entry)
        self.ids[op.key] = ids
        return entry

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        (op,) = chunk
        message = InstantMessage(
            touserid=op.recipient_id,
            text=op.text,
            textformat=FORMAT_PLAIN,
            clientmsgid=f"{self.clientmsgid_prefix}-{self.ids[op.key][0]}",
        )
        results = self.api.send_instant_messages([message], per_request=1)
        if len(results) != 1:
            raise Lost(f"{len(results)} results for 1 message")
        result = results[0]
        if result.ok:
            return Sent({"msgid": result.msgid})
        return Sent({"error": result.errormessage}, refused={0: result.errormessage or "refused (msgid -1)"})

    def unknown_after(self, exc: MoodleException) -> bool:
        return exc.errorcode == "formatnotsupported"  # trap 29: raised AFTER a delivery

    def finish(self, entry: int, kind: str, chunk: Sequence[Any], state: str, result: Any) -> None:
        (op,) = chunk
        done: Literal["sent", "failed", "unknown"] = {"ok": "sent", "failed": "failed"}.get(state, "unknown")  # type: ignore[assignment]
        msgid = result.get("msgid") if done == "sent" else None
        error = None
        if done != "sent":
            refused = result.get("refused") or [None]
            error = result.get("errorcode") or refused[0] or result.get("error") or "unknown"
        with self.store.transaction():
            self.journal.finish(entry, state, {"msgid": msgid} if msgid is not None else {"error": error})
            for nudge_id in self.ids[op.key]:
                self.log.finish(nudge_id, done, msgid=msgid, error=error)
        self.outcomes[op.key] = [NudgeOutcome(n, done, msgid, error) for n in self.planned[op.key]]


class NudgeSender:
    """Sends planned nudges through the executor: record, send, finish (one request each)."""

    def __init__(
        self, api: MoodleApi, store: Store, programme: str, *, day: date, run_id: str, max_parallel: int = 1
    ) -> None:
        self.family = MessagesFamily(api, store, programme, day=day)
        self.programme = programme
        self.run_id = run_id
        self.max_parallel = max_parallel

    def send_all(self, nudges: Sequence[PlannedNudge]) -> tuple[list[NudgeOutcome], list[PlannedNudge]]:
        """Send one message per recipient (all of their pairs); outcomes per pair in the order
        the messages finished, and the nudges not attempted after an unknown one.

        Raises the ``exit_code == 2`` :class:`MoodleException` of a refusal (an admin must act).
        """
        family = self.family
        groups: dict[int, list[PlannedNudge]] = {}
        for nudge in nudges:
            groups.setdefault(nudge.recipient_id, []).append(nudge)
        ops = [family.operation(g) for g in groups.values()]
        envelope = Envelope(family="messages", programme=self.programme, course_id=0, operations=list(ops))
        before = set(family.outcomes)
        Executor(family, run_id=self.run_id, max_parallel=self.max_parallel).run(envelope)
        outcomes = [o for key, group in family.outcomes.items() if key not in before for o in group]
        not_attempted = [n for op in ops if op.key not in family.ids for n in family.planned[op.key]]
        return outcomes, not_attempted

    def send(self, nudge: PlannedNudge) -> NudgeOutcome:
        (outcome,), _ = self.send_all([nudge])
        return outcome


def run_nudges(
    api: MoodleApi,
    config: Config,
    store: Store,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    assessment: Assessment | None = None,
) -> NudgeReport:
    """Plan the nudges due and send one message per person, inside the day's limits.

    ``now`` (default: the clock) decides quiet hours and the exam block; ``assessment`` reuses
    one already made this run (``lmsync run``) instead of observing Moodle again. Nothing is
    sent (``held``) in quiet hours, inside an exam block, or when course events are hidden
    (``hidden_events``; see :class:`ExamCheck`). A dry run reports what would be sent now.
    """
    day = as_of or today()
    if assessment is None:
        assessment = observe_and_assess(api, config, store, as_of=day)
    report = NudgeReport(day, dry_run, uuid.uuid4().hex[:12])
    people = {
        uid
        for p in assessment.pairs
        if p.health.needs_attention
        for uid in (p.health.mentor_id, p.health.mentee_id)
    }
    names = _first_names(api, assessment, people)
    report.planned, report.recently_nudged = plan_nudges(config, store, assessment, names)
    log_ = NudgeLog(store, config.programme.name)
    already = log_.recipients_on(day)
    groups = group_messages(report.planned)
    report.messages, report.capped, report.already_today = apply_cap(
        groups, already_today=already, sent_today=len(already), cap=config.nudges.daily_cap
    )
    if report.messages and in_quiet_hours(config, now):
        report.held = f"quiet hours ({config.nudges.quiet_hours} {config.programme.timezone})"
    elif report.messages and assessment.course_id is not None:
        check = exam_check(api, config, assessment.course_id, now)
        report.hidden_events = check.hidden
        if check.block is not None:
            until = f" until {check.until.isoformat()}" if check.until is not None else ""
            report.held = f'exam block "{check.block}"{until}'
        elif check.problem:
            report.held = "course calendar events hidden (moodle/calendar:manageentries missing)"
    if not dry_run and report.held is None and report.messages:
        sender = NudgeSender(
            api, store, config.programme.name, day=day, run_id=report.run_id, max_parallel=config.moodle.max_parallel
        )
        report.outcomes, report.not_attempted = sender.send_all([n for g in report.messages for n in g])
    log.info(
        "nudge.done",
        run_id=report.run_id,
        as_of=day.isoformat(),
        dry_run=dry_run,
        planned=len(report.planned),
        messages=len(report.messages),
        held=report.held is not None,
        hidden_events=report.hidden_events,
        capped=report.capped,
        already_today=report.already_today,
        sent=report.people("sent"),  # messages, as cycle.step counts them
        failed=report.people("failed"),
        unknown=report.people("unknown"),
        pairs_sent=len(report.sent),
        not_attempted=len(report.not_attempted),
        recently_nudged=report.recently_nudged,
    )
    return report


def nudge_job(
    config: Config, *, as_of: date | None = None, dry_run: bool = False, wait: bool = False, site: Any = None
) -> NudgeReport:
    """One nudge run; a dry run opens the store read-only and sends nothing."""
    with session(config, wait=wait, site=site, read_only=dry_run) as (conn, store):
        return run_nudges(conn.api, config, store, as_of=as_of, dry_run=dry_run)


# --- the coordinators' digest ------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestPair:
    """A pair newly at risk or fading (its previous snapshot was neither), with its reasons."""

    mentor_id: int
    mentee_id: int
    status: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    """What one coordinator is told today."""

    username: str
    user_id: int
    new_pairs: list[DigestPair]
    items: list[QueueItem]  # owned and due or overdue, or escalated to this coordinator
    text: str
    new_items: list[QueueItem] = field(default_factory=list)  # queued for this coordinator since their last digest

    @property
    def empty(self) -> bool:
        return not self.new_pairs and not self.items and not self.new_items


@dataclass
class DigestReport:
    as_of: date
    run_id: str
    digests: list[Digest] = field(default_factory=list)  # the non-empty ones, sent or due
    outcomes: dict[str, str] = field(default_factory=dict)  # username -> sent | failed | unknown | already
    unknown_coordinators: list[str] = field(default_factory=list)  # usernames Moodle does not know
    held: str | None = None

    @property
    def problem(self) -> str | None:
        if self.unknown_coordinators:
            return f"[health] coordinators: no Moodle user {', '.join(self.unknown_coordinators)}"
        return None


def new_attention_pairs(store: Store, programme: str, assessment: Assessment) -> list[DigestPair]:
    """Pairs at risk or fading today that were neither in the latest earlier snapshot."""
    snapshots = HealthSnapshots(store, programme)
    before = snapshots.day_before(assessment.as_of)
    earlier = (
        {(r.mentor_id, r.mentee_id): r.status for r in snapshots.rows(day=before)} if before is not None else {}
    )
    out = []
    for view in assessment.pairs:
        h = view.health
        if h.status in ("at_risk", "fading") and earlier.get((h.mentor_id, h.mentee_id)) not in ("at_risk", "fading"):
            out.append(DigestPair(h.mentor_id, h.mentee_id, h.status, tuple(r.text for r in h.reasons)))
    return sorted(out, key=lambda p: (_URGENCY.get(p.status, 2), p.mentor_id, p.mentee_id))


def digest_text(
    programme: str,
    day: date,
    new_pairs: Sequence[DigestPair],
    items: Sequence[QueueItem],
    label: Any,
    username: str,
    new_items: Sequence[QueueItem] = (),
) -> str:
    """The plain-text digest: reasons in words, people by ``label(user_id)``, never a score."""
    lines = [f"lmsync digest for {programme}, {day.isoformat()}"]
    if new_items:
        lines += ["", f"Newly in your queue ({len(new_items)}):"]
        for i in new_items:
            reasons = "; ".join(text for _, text in i.reasons) or "no reason recorded"
            due = i.due_on.isoformat() if i.due_on else "?"
            lines.append(
                f"- {i.status.replace('_', ' ')}: {label(i.mentor_id)} / {label(i.mentee_id)}: {reasons}; due {due}"
            )
    if new_pairs:
        lines += ["", f"Newly at risk or fading ({len(new_pairs)}):"]
        for p in new_pairs:
            reasons = "; ".join(p.reasons) or "no reason recorded"
            lines.append(f"- {p.status.replace('_', ' ')}: {label(p.mentor_id)} / {label(p.mentee_id)}: {reasons}")
    if items:
        lines += ["", f"Queue items due or overdue ({len(items)}):"]
        for i in items:
            late = i.overdue_days(day)
            when = f"{late} day(s) overdue" if late else "due today"
            extra = f", escalated from {i.owner}" if i.escalated_to == username and i.owner != username else ""
            due = i.due_on.isoformat() if i.due_on else "?"
            lines.append(f"- {label(i.mentor_id)} / {label(i.mentee_id)}: due {due}, {when}{extra}")
    if items or new_items:
        lines += ["", "Record what was done: lmsync queue done MENTOR MENTEE --outcome met|rematched|closed|no_action"]
    return "\n".join(lines)


class DigestFamily(MessagesFamily):
    """The digest on the executor: one message per coordinator, a ``digests`` row (unique per
    coordinator and day) and a journal entry written before the send, finished after it."""

    clientmsgid_prefix = "lmsync-digest"

    def __init__(self, api: MoodleApi, store: Store, programme: str, *, day: date) -> None:
        super().__init__(api, store, programme, day=day)
        self.digests = DigestLog(store, programme)
        self.items: dict[str, int] = {}
        self.usernames: dict[str, str] = {}
        self.states: dict[str, str] = {}

    def digest_operation(self, digest: Digest) -> SendMessage:
        op = SendMessage(recipient_id=digest.user_id, text=digest.text, mentor_id=0, mentee_id=0, reason="digest")
        self.items[op.key] = len(digest.new_pairs) + len(digest.items) + len(digest.new_items)
        self.usernames[op.key] = digest.username
        return op

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        (op,) = chunk
        with self.store.transaction() as conn:
            digest_id = self.digests.intent(conn, recipient_id=op.recipient_id, day=self.day, items=self.items[op.key])
            entry = self.journal.intent(run_id, FUNCTION, "digest", [f"digest:{digest_id}"])
            self.digests.link_journal(conn, digest_id, entry)
        self.ids[op.key] = [digest_id]
        return entry

    def finish(self, entry: int, kind: str, chunk: Sequence[Any], state: str, result: Any) -> None:
        (op,) = chunk
        done = {"ok": "sent", "failed": "failed"}.get(state, "unknown")
        msgid = result.get("msgid") if done == "sent" else None
        error = None if done == "sent" else str(result.get("errorcode") or result.get("error") or "unknown")
        with self.store.transaction():
            self.journal.finish(entry, state, {"msgid": msgid} if msgid is not None else {"error": error})
            self.digests.finish(self.ids[op.key][0], done, msgid=msgid, error=error)
        self.states[self.usernames[op.key]] = done


def run_digest(
    api: MoodleApi,
    config: Config,
    store: Store,
    assessment: Assessment,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> DigestReport:
    """Send each coordinator (``[health] coordinators``) today's digest, once a day at most.

    Run after health has stored today's snapshot and queue (``lmsync run``). A coordinator with
    nothing new and nothing due gets no message. Held in quiet hours like a nudge. A username
    Moodle does not know is reported (``problem``: an admin must act); the others still get theirs.
    """
    from lmsync.service.directory import people_of

    day = assessment.as_of
    report = DigestReport(day, uuid.uuid4().hex[:12])
    names = list(config.health.coordinators)
    if not names:
        return report
    if config.health.escalate_to and config.health.escalate_to not in names:
        names.append(config.health.escalate_to)  # told only of what escalated to them
    users = {u.username: u.id for u in api.get_users_by_field("username", list(names)) if u.username}
    report.unknown_coordinators = [n for n in names if n not in users]
    programme = config.programme.name
    new_pairs = new_attention_pairs(store, programme, assessment)
    open_items = _open_items(config, store)
    people = people_of(config, assessment.roster)
    log_ = DigestLog(store, programme)
    last_sent: dict[int, date] = {}  # each coordinator's last digest sent before today
    for record in log_.records():
        if record.state == "sent" and record.day < day:
            last_sent[record.recipient_id] = max(record.day, last_sent.get(record.recipient_id, record.day))
    for username in names:
        if username not in users:
            continue
        me = users[username]  # never told about a pair they are part of (a mentee's verdict on them)
        mine = [
            i
            for i in open_items
            if ((i.owner == username and i.due_on is not None and i.due_on <= day) or i.escalated_to == username)
            and me not in i.pair
        ]
        fresh = (
            [p for p in new_pairs if me not in (p.mentor_id, p.mentee_id)]
            if username in config.health.coordinators
            else []
        )
        since = last_sent.get(me, day - timedelta(days=1))
        queued = [
            i
            for i in open_items
            if i.owner == username and since < i.opened_on <= day and me not in i.pair and i not in mine
        ]
        digest = Digest(
            username,
            users[username],
            fresh,
            mine,
            digest_text(programme, day, fresh, mine, people.label, username, queued),
            queued,
        )
        if digest.empty:
            continue
        report.digests.append(digest)
        if log_.on(digest.user_id, day) is not None:
            report.outcomes[username] = "already"
    due = [d for d in report.digests if d.username not in report.outcomes]
    if due and in_quiet_hours(config, now):
        report.held = f"quiet hours ({config.nudges.quiet_hours} {config.programme.timezone})"
    if not dry_run and report.held is None and due:
        family = DigestFamily(api, store, programme, day=day)
        ops = [family.digest_operation(d) for d in due]
        envelope = Envelope(family="messages", programme=programme, course_id=0, operations=list(ops))
        Executor(family, run_id=report.run_id, max_parallel=config.moodle.max_parallel).run(envelope)
        report.outcomes.update(family.states)
    log.info(
        "digest.done",
        run_id=report.run_id,
        as_of=day.isoformat(),
        coordinators=len(names),
        digests=len(report.digests),
        sent=sum(1 for v in report.outcomes.values() if v == "sent"),
        already=sum(1 for v in report.outcomes.values() if v == "already"),
        held=report.held is not None,
        unknown_coordinators=len(report.unknown_coordinators),
    )
    return report


def _open_items(config: Config, store: Store) -> list[QueueItem]:
    from lmsync.service.health import _queue

    return _queue(config, store).open_items()
