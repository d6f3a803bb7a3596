"""The coordinators' digest on the executor (``digest.run_digest``): one message per coordinator, a ``digests`` row
(unique per coordinator and day) and a journal entry written before the send, finished after it; the row also
records the queue's largest item id and the pairing history's latest instant then (revision 0022; tester round
122c, 1: what the next digest tells as new since this one, by the moment it was sent, ``digest_moment``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from lmsync.domain.envelope import SendMessage
from lmsync.moodle.api import MoodleApi
from lmsync.service.nudge_send import FUNCTION, MessagesFamily
from lmsync.store.db import Store
from lmsync.store.digest_statuses import mark_digest
from lmsync.store.messages import DigestLog


class DigestFamily(MessagesFamily):
    """The digest on the executor. ``marks``: (the queue's largest item id, the pairing history's latest instant or
    None) as the digests were computed, recorded on each ``digests`` row."""

    clientmsgid_prefix = "lmsync-digest"

    def __init__(self, api: MoodleApi, store: Store, programme: str, *, day: date,
                 marks: tuple[int, str | None] = (0, None)) -> None:
        super().__init__(api, store, programme, day=day)
        self.digests = DigestLog(store, programme)
        self.marks = marks
        self.items: dict[str, int] = {}
        self.usernames: dict[str, str] = {}
        self.states: dict[str, str] = {}

    def digest_operation(self, digest: Any) -> SendMessage:
        """The send of ``digest`` (a ``digest.Digest``), its count of things named kept for its ``digests`` row."""
        op = SendMessage(recipient_id=digest.user_id, text=digest.text, mentor_id=0, mentee_id=0, reason="digest")
        self.items[op.key] = (len(digest.new_pairs) + len(digest.items) + len(digest.new_items) + len(digest.paused)
                              + len(digest.recovered) + len(digest.holds) + len(digest.places)
                              + len(digest.without_mentor) + len(digest.with_mentor))
        self.usernames[op.key] = digest.username
        return op

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        (op,) = chunk
        with self.store.transaction() as conn:
            digest_id = self.digests.intent(conn, recipient_id=op.recipient_id, day=self.day, items=self.items[op.key])
            entry = self.journal.intent(run_id, FUNCTION, "digest", [f"digest:{digest_id}"])
            self.digests.link_journal(conn, digest_id, entry)
            mark_digest(conn, digest_id, *self.marks)
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
