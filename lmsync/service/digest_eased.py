"""A coordinator's open queue items whose pair eased since their last digest: ok again, or no longer fading.

An item stays open until its coordinator records an outcome, whatever its pair does meanwhile. Its pair ``ok`` again
shows ``recovered`` and was said once, in the next digest (tester round 56, 5). A pair that stopped fading with minor
signals left shows ``watch`` (``store.queue_item.WATCH``: never due nor escalated, and due afresh if it fades again;
tester rounds 83, 6 and 84, 5), and that was said nowhere but in ``queue list``: the item dropped out of its owner's
digest without a word (tester round 116, 7). Both are now said once, in the owner's (or escalation's) next digest
sent, each under its own head. An item acknowledged (``lmsync queue ack``) and awaiting its outcome eases the same
way, and was said nowhere: the digest read the open items alone (tester round 117c, 1); it is now said once too,
marked as ``queue list`` marks it (``digest_acked.acked_said``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from lmsync.service.digest_acked import acked_said
from lmsync.store.queue_item import RECOVERED, WATCH, QueueItem

#: The statuses a pair had when its coordinator was last told for its item to count as eased since.
FLAGGED = ("at_risk", "fading")


def eased_items(
    open_items: Sequence[QueueItem],
    then: Mapping[tuple[int, int], str],
    username: str,
    me: int,
    queued: Collection[QueueItem],
    awaiting: Sequence[QueueItem] = (),
) -> list[QueueItem]:
    """The open items of ``open_items`` (their pair's latest status, ``CoordinatorQueue.open_items``), and those of
    ``awaiting`` (acknowledged, without an outcome, not on hold: ``CoordinatorQueue.awaiting_outcome``; tester round
    117c, 1), owned by, or escalated to, ``username`` (Moodle id ``me``, never a party to the pair), not among
    ``queued`` (said as newly queued), whose pair eased since the coordinator was last told, by ``then`` (pair ->
    status their last digest sent was told from, ``digest_flagged.StatusesTold.then``): ``recovered`` now and not ``ok``
    then (tester round 56, 5), or ``watch`` now and at risk or fading then (tester round 116, 7). Oldest first (day
    opened, then id); raises nothing."""
    return sorted((
        i for i in [*open_items, *awaiting]
        if username in (i.owner, i.escalated_to) and me not in i.pair and i not in queued
        and ((i.status == RECOVERED and then.get(i.pair, "ok") != "ok")
             or (i.status == WATCH and then.get(i.pair) in FLAGGED))
    ), key=lambda i: (i.opened_on, i.id))


def eased_lines(items: Sequence[QueueItem], label: Callable[[int], str],
                why: Callable[[QueueItem], str]) -> list[str]:
    """The digest's sections of ``eased_items``: "Recovered since your last digest" (ok again) and "No longer fading
    since your last digest" (on watch, with ``why(item)``: its reasons in words), each with what is due, and an
    acknowledged one marked so (tester round 117c, 1), people by ``label(user_id)``; [] when there are none."""
    recovered = [i for i in items if i.status == RECOVERED]
    watch = [i for i in items if i.status == WATCH]
    lines: list[str] = []
    if recovered:  # an item stays open until its coordinator closes it: one who only reads learns of it here
        lines += ["", f"Recovered since your last digest ({len(recovered)}; nothing due: close the item once the "
                      "recovery holds, with no action needed):"]
        lines += [f"- {label(i.mentor_id)} / {label(i.mentee_id)}: ok again (item open since {i.opened_on.isoformat()}"
                  f"{acked_said(i)})"
                  for i in recovered]
    if watch:  # the same item, open: due afresh if the pair fades again (tester rounds 84, 5 and 116, 7)
        lines += ["", f"No longer fading since your last digest ({len(watch)}; minor signals only, on watch: nothing "
                      "is due, the item stays open until its outcome is recorded, and is due afresh if the pair "
                      "fades again):"]
        lines += [f"- {label(i.mentor_id)} / {label(i.mentee_id)}: {why(i)}; item open since {i.opened_on.isoformat()}"
                  f"{acked_said(i)}"
                  for i in watch]
    return lines
