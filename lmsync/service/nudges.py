"""``lmsync nudge``: a Moodle message to both people of every at-risk or fading pair.

Messages are not idempotent and core_message_send_instant_messages is not transactional
(trap 29: a failed batch may already have delivered some), so each nudge is

1. recorded in the store (state ``intent``) and journaled, in one transaction, BEFORE it is
   sent: a crash after that point can never lead to a second message inside the interval,
   because an intent counts as sent;
2. sent alone (``per_request=1``), so every outcome belongs to one message;
3. finished as ``sent`` (msgid), ``failed`` (a per-message refusal, msgid -1 with Moodle's
   errormessage, trap 7, or an exception before anything was delivered), or ``unknown``
   (lost answer; counted as sent, and the run stops: the connection is suspect).

A failed nudge is not retried before the interval is over: Moodle refused it for a
reason (the person's message preferences, a deleted account) that a retry would not fix.
Texts come from ``[nudges.templates]``, whose placeholders are names and meeting gaps only:
a nudge never carries a survey answer or rating.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from lmsync.config import Config
from lmsync.domain.envelope import Envelope, SendMessage
from lmsync.domain.health import NudgeFields, nudge_kind
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleException
from lmsync.moodle.models import InstantMessage
from lmsync.service.executor import Executor, Kind, Lost, OpFamily, Sent
from lmsync.service.health import Assessment, observe_and_assess, today
from lmsync.service.runtime import session
from lmsync.store.db import Store
from lmsync.store.health import NudgeLog
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
            planned.append(
                PlannedNudge(
                    mentor_id=health.mentor_id,
                    mentee_id=health.mentee_id,
                    recipient_id=recipient,
                    recipient_username=username,
                    role="mentor" if role == "mentor" else "mentee",
                    kind=kind,
                    status=health.status,
                    text=fields.render(getattr(templates, kind)),
                )
            )
    return planned, recent


# --- sending ---------------------------------------------------------------------------------------


class MessagesFamily(OpFamily):
    """The messages family on the executor: one nudge per request, recorded before it is sent.

    Messages to different people go side by side (``[moodle] max_parallel``); two to one person
    go in order. The nudge log and the journal are written in one transaction before the send
    and after it, on the executor's thread.
    """

    name = "messages"
    kinds = {"send_message": Kind(FUNCTION, one_per_call=True, lane=lambda chunk: chunk[0].recipient_id)}

    def __init__(self, api: MoodleApi, store: Store, programme: str, *, day: date) -> None:
        super().__init__(Journal(store, programme))
        self.api = api
        self.store = store
        self.day = day
        self.log = NudgeLog(store, programme)
        self.planned: dict[str, PlannedNudge] = {}
        self.ids: dict[str, int] = {}  # operation key -> nudge id (written before the send)
        self.outcomes: dict[str, NudgeOutcome] = {}

    def operation(self, nudge: PlannedNudge) -> SendMessage:
        op = SendMessage(
            recipient_id=nudge.recipient_id,
            text=nudge.text,
            mentor_id=nudge.mentor_id,
            mentee_id=nudge.mentee_id,
            reason=nudge.kind,
        )
        self.planned[op.key] = nudge
        return op

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        (op,) = chunk
        with self.store.transaction() as conn:
            nudge_id = self.log.intent(
                conn,
                mentor_id=op.mentor_id,
                mentee_id=op.mentee_id,
                recipient_id=op.recipient_id,
                day=self.day,
                kind=op.reason,
            )
            entry = self.journal.intent(run_id, FUNCTION, "nudge", [f"nudge:{nudge_id}"])
            self.log.link_journal(conn, nudge_id, entry)
        self.ids[op.key] = nudge_id
        return entry

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        (op,) = chunk
        message = InstantMessage(
            touserid=op.recipient_id,
            text=op.text,
            textformat=FORMAT_PLAIN,
            clientmsgid=f"lmsync-nudge-{self.ids[op.key]}",
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
            self.log.finish(self.ids[op.key], done, msgid=msgid, error=error)
        self.outcomes[op.key] = NudgeOutcome(self.planned[op.key], done, msgid, error)


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
        """Outcomes in the order they finished, and the nudges not attempted after an unknown one.

        Raises the ``exit_code == 2`` :class:`MoodleException` of a refusal (an admin must act).
        """
        family = self.family
        ops = [family.operation(n) for n in nudges]
        envelope = Envelope(family="messages", programme=self.programme, course_id=0, operations=list(ops))
        before = set(family.outcomes)
        Executor(family, run_id=self.run_id, max_parallel=self.max_parallel).run(envelope)
        outcomes = [o for key, o in family.outcomes.items() if key not in before]
        not_attempted = [family.planned[op.key] for op in ops if op.key not in family.ids]
        return outcomes, not_attempted

    def send(self, nudge: PlannedNudge) -> NudgeOutcome:
        (outcome,), _ = self.send_all([nudge])
        return outcome


def run_nudges(
    api: MoodleApi, config: Config, store: Store, *, as_of: date | None = None, dry_run: bool = False
) -> NudgeReport:
    day = as_of or today()
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
    if not dry_run:
        sender = NudgeSender(
            api, store, config.programme.name, day=day, run_id=report.run_id, max_parallel=config.moodle.max_parallel
        )
        report.outcomes, report.not_attempted = sender.send_all(report.planned)
    log.info(
        "nudge.done",
        run_id=report.run_id,
        as_of=day.isoformat(),
        dry_run=dry_run,
        planned=len(report.planned),
        sent=len(report.sent),
        failed=len(report.failed),
        unknown=len(report.unknown),
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
