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
Every day the store records by the clock counts (``store.recorded_days``), a coordinator's own too: an acknowledgement,
an outcome, a meeting's or an import's recording day (never a meeting's own date); before, `queue done` under a clock
at 2027-02-20 then `queue ack` at 2027-02-12, with no run between, was accepted (after tester round 107a, 2).
``lmsync health`` (recording), a real ``lmsync nudge`` and ``lmsync grades push`` refuse by both checks too
(``check_clock_today``): they checked only the last judgement, and a nudge under a clock behind a coordinator's
`queue done --outcome closed` messaged the closed pair (tester round 109b, 1); ``nudge --dry-run`` warns.
``lmsync person erase`` refuses by both checks too (``check_erase_clock``): an erasure under a clock set back was
dated that earlier day, and a meeting it had erased, dated after that day, was imported again (tester round 111b, 1).
What only reads warns (``clock_reads``, tester round 111b, 5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from lmsync.config import Config
from lmsync.domain.plan import Plan
from lmsync.errors import EXIT_ADMIN, LmsyncError
from lmsync.store.db import Store
from lmsync.store.recorded_days import ERASED, JUDGED, KINDS, QUEUE, RECORDS, SENT, SYNCED, latest_days
from lmsync.store.snapshots import HealthSnapshots

#: What dated the last day the store recorded, by kind (``recorded_days.KINDS``), in a refusal: "... but WORDS on DAY".
_RECORDED = {
    JUDGED: "this store's last run judged the programme",
    SYNCED: "this store last recorded the programme (its pairing history, its journal of Moodle writes or the days "
            "someone was found away)",
    QUEUE: "this store last recorded a coordinator's queue record (an acknowledgement, an outcome, an item queued, "
           "paused or put on hold, a pair marked not a good fit)",
    RECORDS: "this store last recorded a meeting, a survey answer or an import (the day it was recorded, not the day "
             "it names)",
    SENT: "this store last recorded a nudge, a digest or grades it sent",
    ERASED: "this store last recorded an erasure",
}


class ClockWentBack(LmsyncError):
    """Today is earlier than the last day health judged the programme, or (``lmsync sync``, ``apply``, ``run``,
    ``health``, ``nudge``, ``grades push``, ``person erase`` and the commands that record: ``check_write_clock``) than
    the last day the store recorded (``last_recorded_day``): exit 2, an admin must act. ``last``: that day."""

    exit_code = EXIT_ADMIN
    last: date | None = None


def check_clock(store: Store, programme: str, today: date) -> None:
    """Raise ``ClockWentBack`` when ``today`` (the programme's day by the clock) is before the last
    health snapshot's day of ``programme`` in ``store``; nothing otherwise (a new store has none)."""
    last = HealthSnapshots(store, programme).last_day()
    if last is not None and today < last:
        raise _judged_went_back(today, last)


def _judged_went_back(today: date, last: date) -> ClockWentBack:
    """``check_clock``'s refusal of ``today``, before ``last``, the last day health judged the programme."""
    return _went_back(today, last, f"{_RECORDED[JUDGED]} on {last.isoformat()}",
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
    problem = ClockWentBack(  # "go on again on DAY": they do on that day, not only after it (tester round 112b, 4)
        f"the clock says {today.isoformat()}, but {recorded}: {cause}; {kept}",
        hint=("keep one time zone for the programme; " if zone else "") + "set the system clock right "
        f"(timedatectl; chronyc tracking) if it is wrong; the next {one} on a later day goes on by itself. If the "
        f"clock is right now and it was that earlier run whose clock ran ahead, {many} go on again on "
        f"{last.isoformat()} (that day itself), and {sent}: the grades are worked out again by "
        "the first run from that day. "
        "`lmsync health --as-of DAY` and the other views still show any day",
    )
    problem.last = last
    return problem


def last_recorded_day(store: Store, programme: str, zone: tzinfo) -> tuple[date, str] | None:
    """The latest day ``programme``'s records in ``store`` are dated by the clock that wrote them (None: none), with
    words for what dated it (``_last``): of every kind of record (``recorded_days.latest_days``, instants as their
    day in ``zone``, the programme's): a health judgement; what a sync writes (the pairing history, the journal, the
    days someone was found away: a sync dated before it rewrote the pairing history, a pair that had met on a later
    day read "paired 2026-12-07 to 2026-12-10", tester round 105a, 2); a coordinator's queue record (an
    acknowledgement, an outcome, a pause or hold, a not-a-good-fit mark); a meeting, survey answer or import by the
    day it was recorded (never a meeting's own date, which a person types); a nudge, digest or grades sent; an
    erasure. Before, a coordinator's own records did not count: `queue done --outcome met` under a clock at
    2027-02-20, then `queue ack` at 2027-02-12, was accepted and dated before it (after tester round 107a, 2).
    Raises what the store raises."""
    return _last(latest_days(store, programme, zone))


def _last(found: dict[str, date]) -> tuple[date, str] | None:
    """The latest day of ``found`` (kind -> day, ``latest_days``) with words naming its kind (``_RECORDED``); on a
    tie the kind first in ``recorded_days.KINDS`` (a health judgement first). None for none."""
    dated = [(day, f"{_RECORDED[kind]} on {day.isoformat()}") for kind in KINDS if (day := found.get(kind))]
    return max(dated, key=lambda item: item[0], default=None)


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


def _behind(store: Store, config: Config, now: datetime | None = None,
            found: dict[str, date] | None = None) -> tuple[date, tuple[date, str]] | None:
    """(today, ``last_recorded_day``) when today is before that day, else None; ``found``: the store's days
    (``latest_days``) when already read. Today: the programme's day of the later of ``now`` (default:
    ``programme_settings.clock``; a naive one is UTC) and the wall clock, as ``sync_clock_problem`` says why."""
    from lmsync.service.programme_settings import clock, programme_zone

    zone = programme_zone(config)
    moment = now or clock()
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    today = max(moment, datetime.now(UTC)).astimezone(zone).date()
    last = _last(latest_days(store, config.programme.name, zone) if found is None else found)
    return None if last is None or today >= last[0] else (today, last)


def check_run_clock(store: Store, config: Config, now: datetime | None = None) -> None:
    """Raise ``ClockWentBack`` (exit 2) before any step of a run of ``config``'s programme at ``now`` (default: the
    clock) when its day is before the last health snapshot's (``check_clock``) or before the last day ``store``
    recorded (``last_recorded_day``, as ``lmsync sync`` refuses); nothing otherwise. Tester round 107a, 1: with a
    sync's record of 2026-12-10 and no judgement that day, a run at 2026-12-08 synced (a mentee added, dated before
    what was recorded) and judged that day, exit 0, while `lmsync sync` refused. The daemon goes on after it. The
    store's days are read once for both checks (``latest_days``)."""
    from lmsync.service.programme_settings import programme_today, programme_zone

    found = latest_days(store, config.programme.name, programme_zone(config))
    if (judged := found.get(JUDGED)) is not None and (today := programme_today(config, now)) < judged:
        raise _judged_went_back(today, judged)  # as ``check_clock``
    if (behind := _behind(store, config, now, found)) is not None:
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
    """Raise ``ClockWentBack`` (exit 2, before anything is written or sent) when ``lmsync health`` (recording today's
    view), a real ``lmsync nudge`` or ``lmsync grades push`` of ``config``'s programme runs under a clock behind the
    last health judgement (``check_clock``, tester round 78, 1: a hand-run ``lmsync nudge`` under a clock a week back
    sent 29 messages again) or behind the last day ``store`` recorded (``last_recorded_day``), as ``lmsync run``
    refuses (``check_run_clock``). Tester round 109b, 1: after a coordinator's `queue done --outcome closed` on
    2027-03-10, `lmsync nudge` under a clock at 2027-03-09 messaged that closed pair while `lmsync run` refused; and
    `lmsync health` under a clock behind a coordinator's records wrote snapshots and moved queue items."""
    _check_today(store, config, _SPARED)


def check_erase_clock(store: Store, config: Config) -> None:
    """Raise ``ClockWentBack`` (exit 2, before anything is erased) when ``lmsync person erase`` of ``config``'s
    programme runs under a clock behind the last health judgement or the last day ``store`` recorded, as
    ``check_clock_today``. Tester round 111b, 1: an erasure under a clock at 2026-10-20, behind a run of 2026-10-28,
    was dated 2026-10-20, and a meeting of 2026-10-26 it had erased was imported again ("1 added"): the README's
    erasure keeps out what names the person dated on or before the day it was recorded. Raises what the store
    raises."""
    _check_today(store, config, _ERASE_SPARED, judged_kept=_ERASE_SPARED)


def _check_today(store: Store, config: Config, kept: str, *, judged_kept: str | None = None) -> None:
    """``check_clock_today``'s two checks, the refusal saying ``kept`` (what it spared) behind a record, and behind
    the last judgement ``judged_kept`` (default: ``check_clock``'s words)."""
    from lmsync.service.programme_settings import programme_today, programme_zone

    found = latest_days(store, config.programme.name, programme_zone(config))
    if (judged := found.get(JUDGED)) is not None and (today := programme_today(config)) < judged:
        if judged_kept is None:
            raise _judged_went_back(today, judged)  # as ``check_clock``
        raise _went_back(today, judged, f"{_RECORDED[JUDGED]} on {judged.isoformat()}", judged_kept, one="command",
                         many="the commands that write", sent="what it wrote or sent stays so")
    if (behind := _behind(store, config, found=found)) is not None:
        raise _went_back(behind[0], *behind[1], kept, one="command", many="the commands that write",
                         sent="what it wrote or sent stays so")


#: What ``check_clock_today``'s refusal behind a record spared.
_SPARED = ("nothing was written or sent, so no health judgement, nudge or grade is recorded or sent for a day "
           "already past")
#: What ``check_erase_clock``'s refusal spared (tester round 111b, 1).
_ERASE_SPARED = ("nothing was erased: an erasure is dated the day it is recorded, and one dated that earlier day "
                 "would let the person's meetings and survey answers dated after it be stored again")


def send_clock_warning(store: Store, config: Config) -> str | None:
    """The warning ``lmsync nudge --dry-run`` (and ``--as-of``, a preview) shows when a real send would be refused
    (``check_clock_today``), as ``lmsync plan`` warns of a refused sync (``clock_warned``); None when it would not
    (tester round 109b, 1). Reads only; raises what the store raises."""
    try:
        check_clock_today(store, config)
    except ClockWentBack as problem:
        return f"a real `lmsync nudge` refuses to send now (exit 2): {why_refused(problem)}"
    return None


def why_refused(problem: ClockWentBack) -> str:
    """A refusal's words up to why, without what the refused command spared (its last ``; `` part): what a read
    that goes on says of it (``send_clock_warning``, ``clock_reads``)."""
    return problem.message.rpartition("; ")[0] or problem.message
