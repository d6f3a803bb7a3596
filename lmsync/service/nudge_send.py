"""Sending nudges through the executor: recorded, sent alone, finished (issue 13; trap 29).

Messages are not idempotent and core_message_send_instant_messages is not transactional (a
failed batch may already have delivered some), so each message is recorded in the nudge log
(state ``intent``) and journaled in one transaction BEFORE it is sent, sent alone
(``per_request=1``), and finished as ``sent`` (msgid), ``failed`` (msgid -1 with Moodle's
errormessage, trap 7, or an exception before anything was delivered) or ``unknown`` (a lost
answer: counted as sent, and the run stops).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from lmsync.domain.envelope import Envelope, SendMessage
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleException
from lmsync.moodle.models import InstantMessage
from lmsync.service.executor import Executor, Kind, Lost, OpFamily, Sent
from lmsync.service.nudge_plan import PlannedNudge, message_text
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.messages import NudgeLog

FUNCTION = "core_message_send_instant_messages"
FORMAT_PLAIN = 2  # Moodle's FORMAT_PLAIN: names in a template are never read as HTML


@dataclass(frozen=True)
class NudgeOutcome:
    nudge: PlannedNudge
    state: Literal["sent", "failed", "unknown"]
    msgid: int | None = None
    error: str | None = None


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
        self, api: MoodleApi, store: Store, programme: str, *, day: date, run_id: str, max_parallel: int = 1,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.family = MessagesFamily(api, store, programme, day=day)
        self.programme = programme
        self.run_id = run_id
        self.max_parallel = max_parallel
        self.should_stop = should_stop  # asked before each message (SIGTERM: the rest is not attempted)

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
        Executor(family, run_id=self.run_id, max_parallel=self.max_parallel, should_stop=self.should_stop).run(envelope)
        outcomes = [o for key, group in family.outcomes.items() if key not in before for o in group]
        not_attempted = [n for op in ops if op.key not in family.ids for n in family.planned[op.key]]
        return outcomes, not_attempted

    def send(self, nudge: PlannedNudge) -> NudgeOutcome:
        (outcome,), _ = self.send_all([nudge])
        return outcome
