"""Queue items moved to a coordinator from another since their last digest, said once (tester round 115a, 5).

An item's owner changes without a new item: ``CoordinatorQueue.reassign`` gives the items of a coordinator whose
Moodle account is suspended to the active ones (``coordinator_accounts``), and those of one taken out of ``[health]
coordinators`` to those listed. The digest named as "Newly in your queue" only the items opened since the
coordinator's last digest, so an item inherited from a suspended colleague first reached the new owner's digest once
it was overdue (115a, 5), and so did one given back. The store now keeps, per coordinator, the items they owned when a
digest was sent to them (``store.digest_owned``, revision 0018): an item a coordinator owns now is moved to them
when another coordinator's digest sent later than their own latest one holding it (or with none) knew it as theirs;
said under "Moved to your queue", with whose it was, and the day noted once their digest is sent, so never again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lmsync.service.digest_acked import acked_said
from lmsync.store.db import Store
from lmsync.store.digest_owned import DigestOwned
from lmsync.store.queue import GONE, QueueItem


@dataclass
class OwnedTold:
    """One run's view: ``told`` (coordinator Moodle id -> {item id -> day of their latest digest sent while they
    owned it}, as stored), ``names`` (Moodle id -> username of the configured coordinators Moodle has),
    ``suspended`` (the usernames whose account is suspended), ``day`` (the digests' day); ``pending``: per
    coordinator, the rows to keep once their digest is sent (``save``)."""

    told: dict[int, dict[int, date]]
    names: Mapping[int, str]
    suspended: Collection[str]
    day: date
    pending: dict[int, dict[int, date]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store, programme: str, names: Mapping[int, str], suspended: Collection[str],
             day: date) -> OwnedTold:
        """The stored rows of ``programme``, read once. Raises what the store raises."""
        return cls(DigestOwned(store, programme).told(), dict(names), frozenset(suspended), day)

    def moved(self, me: int, owned: Iterable[QueueItem], said: Collection[int] = ()) -> list[tuple[QueueItem, str]]:
        """Of ``owned`` (the items, open or awaiting an outcome, coordinator ``me`` owns now), those moved to them since
        their last digest sent that held them, each with whose it was (``was coordA's (Moodle account suspended)``,
        ``back from coordB``): another coordinator's digest sent on a later day knew it as theirs. Never one of
        ``said`` (item ids already said newly queued). Notes ``owned`` as ``me``'s (``save``). Raises nothing."""
        items = list(owned)
        mine, out = self.told.get(me, {}), []
        for item in items:
            others = [(day, who) for who, theirs in self.told.items()
                      if who != me and (day := theirs.get(item.id)) is not None and day > mine.get(item.id, date.min)]
            if not others or item.id in said:
                continue
            name = self.names.get(max(others)[1], "another coordinator")
            how = f"back from {name}" if item.id in mine else f"was {name}'s"
            out.append((item, how + (" (Moodle account suspended)" if name in self.suspended else "")))
        self.pending[me] = {i.id: self.day for i in items}
        return out

    def save(self, store: Store, programme: str, sent: Iterable[int]) -> None:
        """Keep the rows noted (``moved``) of each coordinator of ``sent`` (Moodle ids whose digest was sent), in place
        of theirs. Raises what the store raises."""
        DigestOwned(store, programme).keep({me: self.pending[me] for me in sent if me in self.pending})


def moved_lines(moved: Sequence[tuple[QueueItem, str]], label: Callable[[int], str], why: Callable[[QueueItem], str],
                day: date) -> list[str]:
    """The digest's "Moved to your queue" part: each of ``moved`` (``OwnedTold.moved``) with its pair by ``label``,
    its status and ``why`` (its reasons in words), where it stands at ``day`` (paused, acknowledged, or its due day and
    how late) and whose it was. Empty for none."""
    if not moved:
        return []
    lines = ["", f"Moved to your queue since your last digest ({len(moved)}; another coordinator's until now):"]
    for item, how in moved:
        pair = f"{label(item.mentor_id)} / {label(item.mentee_id)}"
        if item.status == GONE:
            lines.append(f"- paused: {pair}: {item.gone_why or item.on_hold or 'not in any circle'}{acked_said(item)}; "
                         f"{how}")
            continue
        late = item.overdue_days(day)
        when = "" if item.acked_on is not None or item.due_on is None else f"; due {item.due_on.isoformat()}" + (
            f", {late} day(s) overdue" if late else ", due today" if item.due_on == day else "")
        lines.append(f"- {item.status.replace('_', ' ')}: {pair}: {why(item)}{acked_said(item)}{when}; {how}")
    return lines
