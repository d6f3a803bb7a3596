"""Which mentees without a mentor a coordinator's digest names, told from what earlier digests named (tester round
114b, 2).

The digest named as newly without a mentor only the mentees who had a mentor at the coordinator's last digest sent
(``mentees_alone.newly_without_mentor``: the pairing history), and under "Now with a mentor" only those who had lost
one (``now_with_mentor``): a mentee who joined after the first digest, with every mentor full, was in no digest for
weeks while ``lmsync health`` named them, and five placed at last were said as one. The store now keeps, per
coordinator, the mentees a digest sent to them named as without a mentor (``store.digest_alone``, revision 0017):
each digest names those without a mentor it has not named (a late joiner too), once, and under "Now with a mentor"
each of them who has one since, whoever named them (this part, an ended hold's, or "Back from away without a
mentor": ``digest_rejoined``), the row then forgotten.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from lmsync.config import Config
from lmsync.service.digest_moment import recorded_by
from lmsync.service.mentees_alone import newly_without_mentor, now_with_mentor
from lmsync.service.programme_settings import programme_zone
from lmsync.store.db import Store
from lmsync.store.digest_alone import DigestAlone
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import Pairing


@dataclass
class AloneTold:
    """One run's view for the digests: ``alone`` (Moodle ids without a mentor now: ``mentees_alone.
    mentees_without_mentor``), ``told`` (coordinator Moodle id -> {mentee -> day first named}, as stored),
    ``history`` (``PairingHistory.history()``, instants read in ``zone``), ``day`` (the digests' day), ``erased``
    (Moodle ids erased: never written again); ``pending``: per coordinator, the rows to keep once their digest is
    sent (``save``)."""

    alone: frozenset[int]
    told: dict[int, dict[int, date]]
    history: Sequence[Pairing]
    zone: tzinfo
    day: date
    erased: frozenset[int] = frozenset()
    pending: dict[int, dict[int, date]] = field(default_factory=dict)

    @classmethod
    def read(cls, config: Config, store: Store, alone: Collection[int], history: Sequence[Pairing],
             day: date) -> AloneTold:
        """The stored rows of ``config``'s programme and the erased people, read once. Raises what the store raises."""
        told = DigestAlone(store, config.programme.name).told()
        return cls(frozenset(alone), told, history, programme_zone(config), day, frozenset(erased_on(store)))

    def newly(self, told_on: date | None, me: int, named: Collection[int], mark: datetime | None = None) -> list[int]:
        """The mentees coordinator ``me`` (last sent a digest on ``told_on``, None: never) is told are newly without a
        mentor, sorted: those ``newly_without_mentor`` says (a mentor at ``told_on``, none now) and each now
        without one whom no digest sent to ``me`` named and who had no pair open at the end of ``told_on`` (a late
        joiner, one never placed), never ``me``; less ``named`` (said by an ended hold's part or "Back from away
        without a mentor"). Notes them, ``named`` too, as told to ``me`` once their digest is sent (``save``).
        ``mark``: the pairing history's latest instant at that digest, the end of ``told_on`` (``digest_moment``;
        tester round 122c, 1). Raises nothing."""
        mine = self.told.get(me, {})
        then = set() if told_on is None else {
            p.mentee_id for p in self.history if recorded_by(p.joined_at, told_on, self.zone, mark)
            and (p.left_at is None or not recorded_by(p.left_at, told_on, self.zone, mark))}
        said = newly_without_mentor(sorted(self.alone), self.history, told_on, self.zone, me, mark)
        out = sorted((set(said) | {m for m in self.alone if m not in mine and m not in then and m != me}) - set(named))
        placed = self._placed(me)
        kept = {m: d for m, d in mine.items() if m not in placed}
        kept.update({m: self.day for m in [*out, *named] if m in self.alone and m not in kept})
        self.pending[me] = {m: d for m, d in kept.items() if m not in self.erased}
        return out

    def placed(self, holds: Iterable[Any], told_on: date | None, me: int,
               mark: datetime | None = None, held: Collection[int] | None = None) -> list[tuple[int, int]]:
        """(mentee, mentor) by mentee of those with a mentor again told to ``me`` (last sent a digest on ``told_on``):
        those ``now_with_mentor`` says (``holds``: ``digest_holds.Hold``; a mentor lost by ``told_on``) and each a
        digest sent to ``me`` named as without a mentor who has a pair open now (the latest begun), never a pair with
        ``me``; ``mark`` as ``newly``'s; ``held``: the mentors whose circle was held at that digest's moment
        (``digest_holds.held_at``; tester round 123a, 2). Raises nothing."""
        out = dict(now_with_mentor(self.history, told_on, self.zone, holds, me, mark, held))
        out.update({m: mentor for m, mentor in self._placed(me).items() if me not in (m, mentor) and m not in out})
        return sorted(out.items())

    def _placed(self, me: int) -> dict[int, int]:
        """Mentee -> mentor of the latest open pair, of the mentees named to ``me`` who have one now."""
        mine, out = self.told.get(me, {}), {}
        for p in sorted((p for p in self.history if p.left_at is None), key=lambda p: p.joined_at):
            if p.mentee_id in mine and p.mentee_id not in self.alone:
                out[p.mentee_id] = p.mentor_id
        return out

    def save(self, store: Store, programme: str, sent: Iterable[int]) -> None:
        """Keep the rows noted (``newly``) of each coordinator of ``sent`` (Moodle ids whose digest was sent), in
        place of theirs. Raises what the store raises."""
        DigestAlone(store, programme).keep({me: self.pending[me] for me in sent if me in self.pending})
