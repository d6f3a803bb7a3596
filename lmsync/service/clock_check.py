"""A run refuses a clock that went back: a day earlier than the last day health judged the programme.

After a virtual machine was restored from a snapshot, or NTP stepped the clock back, ``lmsync run``
recomputed every attendance grade for a day already past and pushed them, and sent coordinators a
second digest for a day already reported, with no warning (tester round 77, 5). The last health
snapshot's day is the store's record of the last day a run (or ``lmsync health``) judged; a run dated
before it stops before any step and says why. It is not a configuration error: the daemon goes on,
and the first run after the clock is right again runs as usual.

``lmsync sync`` and ``lmsync apply`` refuse the same way when the clock's day is before the last day the store
recorded: a health judgement, or what a sync writes (``last_recorded_day``); a backdated sync ended pairs on a day
before their stored meetings (tester round 105a, 2). ``lmsync plan`` and ``sync --dry-run`` only read: they warn.
``lmsync run`` (and the daemon's) refuses by both checks before any step (``check_run_clock``): it synced, and health
judged, a day before the one a sync had recorded (tester round 107a, 1). The commands that record a day by the clock
(``queue done``, ``queue ack``, ``meetings add``, ``meetings remove``, ``import meetings|surveys``) refuse the same way
(``check_write_clock``): a closure dated that earlier day changed what ``health --as-of`` showed of days already past
(tester round 107a, 2). What only reads (``queue list``, ``meetings list``, ``pair show``, ``health --as-of``) goes on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import func, select

from lmsync.config import Config
from lmsync.domain.plan import Plan
from lmsync.errors import EXIT_ADMIN, LmsyncError
from lmsync.store.db import Store
from lmsync.store.pairings import local_day
from lmsync.store.schema import (
    journal,
    member_absence_spans,
    member_absences,
    mentor_absences,
    pairing_history,
)
from lmsync.store.snapshots import HealthSnapshots


class ClockWentBack(LmsyncError):
    """Today is earlier than the last day health judged the programme, or (``lmsync sync``, ``apply``, ``run`` and
    the commands that record: ``check_write_clock``) than the last day the store recorded (``last_recorded_day``):
    exit 2, an admin must act."""

    exit_code = EXIT_ADMIN


def check_clock(store: Store, programme: str, today: date) -> None:
    """Raise ``ClockWentBack`` when ``today`` (the programme's day by the clock) is before the last
    health snapshot's day of ``programme`` in ``store``; nothing otherwise (a new store has none)."""
    last = HealthSnapshots(store, programme).last_day()
    if last is not None and today < last:
        raise _went_back(today, last, f"this store's last run judged the programme on {last.isoformat()}",
                         "nothing ran, so no grade, nudge or digest is sent for a day already past")


def _went_back(today: date, last: date, recorded: str, kept: str, *, one: str = "run", many: str = "runs",
               sent: str = "what that run sent (grades, nudges, a digest) stays sent") -> ClockWentBack:
    """The refusal of a clock at ``today`` behind ``last``, the day the store ``recorded`` (words); ``kept``: what
    the refusal spared; ``one``/``many``: what goes on by itself after ``last``; ``sent``: what an earlier command
    under a clock ahead left."""
    # one day behind: as often a run under another time zone (a one-off LMSYNC_PROGRAMME_TIMEZONE, a changed
    # [programme] timezone) that judged the next day early, not a clock gone back (tester round 85b, 8)
    zone = (today - last).days == -1
    cause = ("a run under another [programme] timezone (or LMSYNC_PROGRAMME_TIMEZONE) judged that day early, "
             "or the system clock went back" if zone else
             "the system clock went back (a virtual machine restored from a snapshot? NTP?)")
    return ClockWentBack(
        f"the clock says {today.isoformat()}, but {recorded}: {cause}; {kept}",
        hint=("keep one time zone for the programme; " if zone else "") + "set the system clock right "
        f"(timedatectl; chronyc tracking) if it is wrong; the next {one} on a later day goes on by itself. If the "
        f"clock is right now and it was that earlier run whose clock ran ahead, {many} go on again after "
        f"{last.isoformat()}, and {sent}: the grades are worked out again by the first run after that day. "
        "`lmsync health --as-of DAY` and the other views still show any day",
    )


def last_recorded_day(store: Store, programme: str, zone: tzinfo) -> tuple[date, str] | None:
    """The latest day ``programme``'s records in ``store`` are dated (None: none), with words for what dated it: the
    last health snapshot's day, or the latest day (in ``zone``, the programme's) of what a sync writes: the pairing
    history's joins and leaves, the journal's batches (instants, UTC), the days a circle's mentor or member was
    first found away (``mentor_absences``, ``member_absences``) and the last day of a kept absence
    (``member_absence_spans``). A sync dated before it rewrote the pairing history: a pair that had met on a later
    day read "paired 2026-12-07 to 2026-12-10" (tester round 105a, 2). Raises what the store raises."""
    judged = HealthSnapshots(store, programme).last_day()
    found: list[tuple[date, str]] = [] if judged is None else [
        (judged, f"this store's last run judged the programme on {judged.isoformat()}")]
    days = [store.scalar(select(func.max(table.c[column])).where(table.c.programme == programme))
            for table, column in ((mentor_absences, "since"), (member_absences, "since"),
                                  (member_absence_spans, "until"))]
    instants = [store.scalar(select(func.max(table.c[column])).where(table.c.programme == programme))
                for table, column in ((pairing_history, "joined_at"), (pairing_history, "left_at"),
                                      (journal, "started_at"), (journal, "finished_at"))]
    synced = [date.fromisoformat(day) for day in days if day] + [local_day(at, zone) for at in instants if at]
    if synced:
        last = max(synced)
        found.append((last, f"this store last recorded the programme (its pairing history, its journal of Moodle "
                            f"writes or the days someone was found away) on {last.isoformat()}"))
    return max(found, key=lambda item: item[0], default=None)


def check_sync_clock(store: Store, config: Config) -> None:
    """Raise ``ClockWentBack`` (exit 2) when a sync or an apply of ``config``'s programme would date what it writes
    before a day ``store`` already recorded (``last_recorded_day``); nothing otherwise (tester round 105a, 2: a sync
    under a clock ten days back exited 0 and ended pairs before their stored meetings). Called before anything is
    written (``jobs.sync_job``, ``jobs.apply_job``); ``lmsync run`` refuses by ``check_run_clock`` before any step."""
    if (problem := sync_clock_problem(store, config)) is not None:
        raise problem


def sync_clock_problem(store: Store, config: Config) -> ClockWentBack | None:
    """The refusal ``check_sync_clock`` raises, or None: ``lmsync plan`` and ``sync --dry-run`` warn with it.

    "Today" is the programme's day of the later of ``programme_settings.clock`` (it dates a sync's days) and the wall
    clock (``store.db.now_iso`` dates the journal's and the pairing history's instants): one clock but in tests that
    fix ``programme_settings.clock`` (faketime, or a clock set back, moves both)."""
    if (behind := _behind(store, config)) is None:
        return None
    return _went_back(behind[0], *behind[1], "nothing was synced, so the pairing history and Moodle's circles "
                      "are as they were", one="sync", many="syncs and runs",
                      sent="what it wrote or sent stays so")


def _behind(store: Store, config: Config, now: datetime | None = None) -> tuple[date, tuple[date, str]] | None:
    """(today, ``last_recorded_day``) when today is before that day, else None. Today: the programme's day of the
    later of ``now`` (default: ``programme_settings.clock``; a naive one is UTC) and the wall clock, as
    ``sync_clock_problem`` says why."""
    from lmsync.service.programme_settings import clock, programme_zone

    zone = programme_zone(config)
    moment = now or clock()
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    today = max(moment, datetime.now(UTC)).astimezone(zone).date()
    found = last_recorded_day(store, config.programme.name, zone)
    return None if found is None or today >= found[0] else (today, found)


def check_run_clock(store: Store, config: Config, now: datetime | None = None) -> None:
    """Raise ``ClockWentBack`` (exit 2) before any step of a run of ``config``'s programme at ``now`` (default: the
    clock) when its day is before the last health snapshot's (``check_clock``) or before the last day ``store``
    recorded (``last_recorded_day``, as ``lmsync sync`` refuses); nothing otherwise. Tester round 107a, 1: with a
    sync's record of 2026-12-10 and no judgement that day, a run at 2026-12-08 synced (a mentee added, dated before
    what was recorded) and judged that day, exit 0, while `lmsync sync` refused. The daemon goes on after it."""
    from lmsync.service.programme_settings import programme_today

    check_clock(store, config.programme.name, programme_today(config, now))
    if (behind := _behind(store, config, now)) is not None:
        raise _went_back(behind[0], *behind[1], "nothing ran, so nothing was synced and no grade, nudge or digest "
                         "is sent for a day already past")


def check_write_clock(store: Store, config: Config) -> Store:
    """``store`` when a command that records a day by the clock (``queue done``, ``queue ack``, ``meetings add``,
    ``meetings remove``, ``import meetings|surveys``) may write to it for ``config``'s programme; raises
    ``ClockWentBack`` (exit 2, called before anything is written) when the programme's day is before the last day
    ``store`` recorded (``last_recorded_day``). Tester round 107a, 2: `queue done` under a clock set back closed a
    pair "since" that earlier day, and `health --as-of` of a day already judged changed (README: a closure counts
    from the day it was recorded). Reads (`queue list`, `meetings list`, `pair show`) do not call it."""
    if (behind := _behind(store, config)) is not None:
        raise _went_back(behind[0], *behind[1], "nothing was written: what it records is dated the day it is "
                         "recorded, and one dated that earlier day would change the days already past that "
                         "`lmsync health --as-of` and the report show", one="command",
                         many="the commands that record", sent="what it wrote or sent stays so")
    return store


def clock_warned(plan: Plan, problem: ClockWentBack | None) -> Plan:
    """``plan`` (changed in place) with a warning that a sync would refuse ``problem`` (none without one): ``lmsync
    plan`` and ``sync --dry-run`` only read, so they show the plan and say it (tester round 105a, 2)."""
    if problem is not None:
        plan.warnings.append(f"`lmsync sync` and `lmsync apply` refuse to write now (exit 2): {problem.message}")
    return plan


def check_clock_today(store: Store, config: Config) -> None:
    """``check_clock`` for the programme's day by the clock (``programme_today``): the commands that record a day
    or send on their own (``lmsync health``, ``nudge``, ``grades push``) refuse as ``lmsync run`` does (tester
    round 78, 1: a hand-run ``lmsync nudge`` under a clock a week back sent 29 messages again)."""
    from lmsync.service.programme_settings import programme_today

    check_clock(store, config.programme.name, programme_today(config))
