"""Mentees back after their held place was given up, said under the digest's "Back from away" (tester round 112a, 4).

A mentee still away when the hold on their place ran out is taken out of their circle (the digest says so under
"Held places given up"); back later, the sync matches them anew, and their pair's queue item, open or acknowledged,
is active again when that pair is made again. The digest named them only under "Now with a mentor since your last
digest ... nothing more to do for them", while the owner's item awaited an outcome (112a, 4). They are back from away
now, as a mentor back after their hold ran out is (``digest_holds.Hold.returned``; tester round 109a, 4), their
pair's items under their name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from lmsync.store.pairings import Pairing, local_day

if TYPE_CHECKING:
    from lmsync.service.digest_holds import PlaceHold


def rejoined(places: Sequence[PlaceHold], placed: Sequence[tuple[int, int]], history: Sequence[Pairing],
             zone: tzinfo) -> tuple[list[tuple[int, int]], list[PlaceHold]]:
    """Split ``placed`` ((mentee, mentor) Moodle ids of ``mentees_alone.now_with_mentor``: with a mentor again since
    a coordinator's last digest) into those not back from away, and, as ``PlaceHold``, those whose place held while
    they were away (``places``, ``given_up``) was given up on or before the day their open pair with that mentor began
    (``history``, instants read in ``zone``): each the latest such place with ``given_up_in`` its circle's mentor,
    ``mentor_id`` their new mentor, ``on`` the day that pair began, ``given_up`` False. Raises nothing."""
    began: dict[tuple[int, int], date] = {}
    for p in history:
        if p.left_at is None:
            began[(p.mentee_id, p.mentor_id)] = local_day(p.joined_at, zone)
    rest, back = [], []
    for mentee, mentor in placed:
        day = began.get((mentee, mentor))
        gone = [p for p in places if p.given_up and p.mentee_id == mentee and day is not None and p.on <= day]
        if not gone or day is None:
            rest.append((mentee, mentor))
            continue
        last = max(gone, key=lambda p: p.on)
        back.append(replace(last, mentor_id=mentor, on=day, given_up=False, given_up_in=last.mentor_id))
    return rest, back
