"""A run refuses a clock that went back: a day earlier than the last day health judged the programme.

After a virtual machine was restored from a snapshot, or NTP stepped the clock back, ``lmsync run``
recomputed every attendance grade for a day already past and pushed them, and sent coordinators a
second digest for a day already reported, with no warning (tester round 77, 5). The last health
snapshot's day is the store's record of the last day a run (or ``lmsync health``) judged; a run dated
before it stops before any step and says why. It is not a configuration error: the daemon goes on,
and the first run after the clock is right again runs as usual.
"""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.errors import EXIT_ADMIN, LmsyncError
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots


class ClockWentBack(LmsyncError):
    """Today is earlier than the last day health judged the programme (exit 2: an admin must act)."""

    exit_code = EXIT_ADMIN


def check_clock(store: Store, programme: str, today: date) -> None:
    """Raise ``ClockWentBack`` when ``today`` (the programme's day by the clock) is before the last
    health snapshot's day of ``programme`` in ``store``; nothing otherwise (a new store has none)."""
    last = HealthSnapshots(store, programme).last_day()
    if last is not None and today < last:
        # one day behind: as often a run under another time zone (a one-off LMSYNC_PROGRAMME_TIMEZONE, a changed
        # [programme] timezone) that judged the next day early, not a clock gone back (tester round 85b, 8)
        zone = (today - last).days == -1
        cause = ("a run under another [programme] timezone (or LMSYNC_PROGRAMME_TIMEZONE) judged that day early, "
                 "or the system clock went back" if zone else
                 "the system clock went back (a virtual machine restored from a snapshot? NTP?)")
        raise ClockWentBack(
            f"the clock says {today.isoformat()}, but this store's last run judged the programme on "
            f"{last.isoformat()}: {cause}; nothing ran, so no grade, nudge or digest is sent for a day already past",
            hint=("keep one time zone for the programme; " if zone else "") + "set the system clock right "
            "(timedatectl; chronyc tracking) if it is wrong; the next run on a later day goes on by itself. If the "
            f"clock is right now and it was that earlier run whose clock ran ahead, runs go on again after "
            f"{last.isoformat()}, and what that run sent (grades, nudges, a digest) stays sent: the grades are worked "
            "out again by the first run after that day. `lmsync health --as-of DAY` and the other views still show "
            "any day",
        )


def check_clock_today(store: Store, config: Config) -> None:
    """``check_clock`` for the programme's day by the clock (``programme_today``): the commands that record a day
    or send on their own (``lmsync health``, ``nudge``, ``grades push``) refuse as ``lmsync run`` does (tester
    round 78, 1: a hand-run ``lmsync nudge`` under a clock a week back sent 29 messages again)."""
    from lmsync.service.programme_settings import programme_today

    check_clock(store, config.programme.name, programme_today(config))
