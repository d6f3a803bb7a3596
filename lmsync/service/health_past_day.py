"""The pairs ``lmsync health`` judges on a past day (``--as-of`` before the programme's today).

A past day's pairs are lmsync's pairing history's for that day (``PairsByDate.on``, with the erasures, as
``lmsync report --as-of`` takes its survey pairs), not today's circles: ``health --as-of`` judged a pair made after
that day and left out those that ended since (tester round 54, 2). Today's Moodle state does not take a pair out of
an earlier day: someone whose enrolment or account was suspended, or who was unenrolled, after that day was in the
programme then, and lmsync still knows them (by their account while it exists, else by their Moodle id). Asked on
2026-11-25, ``--as-of 2026-11-10`` left out the pairs of two people suspended on 2026-11-16, and counted today's
left-out circle members on top (tester round 102a, 2). A mentee's held place that day is left out however the
mentee is today (tester round 109a, 1).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.log import get_logger
from lmsync.service.feedback_store import feedback_pairs_by_date
from lmsync.service.health_held import held_places
from lmsync.service.observe import RosterUser, roster_user
from lmsync.service.programme_settings import programme_zone
from lmsync.service.site_accounts import accounts
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.snapshots import HealthSnapshots

log = get_logger(__name__)

Pair = tuple[int, int]


class DayPairs(NamedTuple):
    """What ``pairs_of_the_day`` found for one past day."""

    pairs: list[Pair]  # (mentor, mentee) Moodle ids, sorted: the pairs to judge
    left_out: int  # pairs of the day not judged (``pairs_of_the_day`` says which)
    begins: date | None  # the pairing history's first day when the day is before it (then no pair), else None
    away: dict[int, RosterUser]  # the accounts of the judged pairs' people not in today's roster, by Moodle id
    away_pairs: int  # judged pairs with someone not active in the course today (enrolment or account)


def pairs_of_the_day(
    config: Config,
    store: Store,
    api: Any,
    roster: Mapping[int, RosterUser],
    current: Collection[Pair],
    left_out_today: Collection[Pair],
    as_of: date,
    *,
    away_since: bool = True,
) -> DayPairs:
    """The pairs of a past ``as_of`` and how many of that day's are left out.

    ``roster``: today's (``observe``); ``current``: today's judged circle pairs (``circle_pairs``), which the
    history completes where it has no row; ``left_out_today``: the circle pairs left out today
    (``health_gone.left_out_pairs``). ``api``: read once for the accounts of people no longer in the course.

    The rule (tester round 102a, 2): a pair of the day whose people are both active in the course today is judged.
    With ``away_since`` (``health --as-of``), one with someone not active today (enrolment suspended or ended,
    account suspended) is judged too, as it was in the programme then, unless lmsync's own health record of that
    day (its snapshot) exists and left the pair out: they were away already then. Without it (a nudge preview: a
    person away cannot be messaged) such a pair is left out as before, unless its people are still in today's
    roster. Left out are also the circle pairs left out today that the pairing history never dates (lmsync cannot
    tell whether they were paired that day). A day before the history's first day has no pair (``begins``).

    A pair whose mentee's place was held that day (``health_held.held_places``: away while their mentor was here) is
    neither judged nor counted in ``left_out``, whether the mentee is away today or back: ``lmsync health`` names it
    apart (``HealthReport.held_places``). Asked during the absence it was left out as "left them out too"; asked once
    the mentee was back, judged (tester round 109a, 1)."""
    programme = config.programme.name
    dated = replace(feedback_pairs_by_date(store, programme, current, tz=programme_zone(config)),
                    erased=erased_on(store))  # as the report's ``PairsByDate`` (report.build)
    if dated.begins is not None and as_of < dated.begins:
        return DayPairs([], 0, dated.begins, {}, 0)
    held = {place.pair for place in held_places(config, store, as_of)}  # said apart, whenever asked (109a, 1)
    on_day = sorted(dated.on(as_of) - held)
    undated = sum(1 for pair in left_out_today if not dated.spans(pair))
    if not away_since:  # the old rule: in today's roster
        known = [p for p in on_day if p[0] in roster and p[1] in roster]
        return DayPairs(known, len(on_day) - len(known) + undated, None, {}, 0)

    def active(uid: int) -> bool:
        user = roster.get(uid)
        return user is not None and not user.suspended

    away = [p for p in on_day if not (active(p[0]) and active(p[1]))]
    recorded = HealthSnapshots(store, programme).paired_since_on(as_of)  # empty: no record of that day
    gone_then = {p for p in away if recorded and p not in recorded}
    pairs = [p for p in on_day if p not in gone_then]
    missing = {uid for p in pairs for uid in p} - set(roster)
    return DayPairs(pairs, len(gone_then) + undated, None, _accounts(api, missing), len(away) - len(gone_then))


def _accounts(api: Any, ids: Collection[int]) -> dict[int, RosterUser]:
    """The accounts of ``ids`` (one read), as roster rows with no role; none when the read fails (named by id)."""
    if not ids:
        return {}
    try:
        return {uid: roster_user(u, u.suspended) for uid, u in accounts(api, ids).items()}
    except (LmsyncError, OSError) as exc:  # a MoodleError is an LmsyncError
        log.warning("health.accounts_unavailable", error=type(exc).__name__, missing=len(ids))
        return {}
