"""The clock check of a command that opens the programme's store read-only before it acts (tester round 111b, 1 and 5).

``lmsync person erase`` asks before it erases: under a clock behind the last day the store recorded it now refuses
before it asks anything (``refuse_erase_behind``; the erasure itself checks again: ``clock_check.check_erase_clock``).
Before, it erased and dated the erasure that earlier day, and a meeting it had erased, dated after it, was imported
again (tester round 111b, 1).

What only reads goes on under such a clock and says so, as ``lmsync plan`` and ``nudge --dry-run`` do (tester round
111b, 5): ``lmsync report`` (a report "as of" that earlier day, with no word) and ``lmsync grades plan`` (a plan that
``grades push`` refuses) warn on stderr (``clock_warning``); ``health --as-of`` and ``report --as-of`` of a day after
the clock's today but already recorded say the clock went back (``recorded_day_note``), not only "a day to come".

Every read here is read-only: the store is opened read-only, never made, and one that does not exist, cannot be
opened or whose records cannot be read gives no warning (the command itself says what is wrong with it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from lmsync.config import Config
from lmsync.service.clock_check import ClockWentBack, check_clock_today, check_erase_clock, why_refused
from lmsync.store.db import Store


def _with_store(config: Config, check: Callable[[Store, Config], None]) -> ClockWentBack | None:
    """The ``ClockWentBack`` that ``check(store, config)`` raises on the programme's store opened read-only, or None
    (no refusal; no store yet; a store that cannot be opened or read). Only ``ClockWentBack`` is caught of what the
    check raises; opening errors are left to the command."""
    from lmsync.service.stores import existing_read_only

    if (store := existing_read_only(config)) is None:
        return None
    try:
        check(store, config)
    except ClockWentBack as problem:
        return problem
    except Exception:  # noqa: BLE001 - records not read: no warning, never a refusal of a read
        return None
    finally:
        store.close()
    return None


def refuse_erase_behind(config: Config) -> None:
    """Raise ``ClockWentBack`` (exit 2) before ``lmsync person erase`` asks anything when the programme's day by the
    clock is before the last health judgement or the last day the store recorded (``check_erase_clock``); nothing
    otherwise, or when the store cannot be read here (the erasure checks again in its own session). Tester round
    111b, 1."""
    if (problem := _with_store(config, check_erase_clock)) is not None:
        raise problem


def clock_problem(config: Config) -> ClockWentBack | None:
    """The refusal ``lmsync health``, ``nudge`` and ``grades push`` would raise now (``check_clock_today``), read from
    the store opened read-only; None when they would go on (or the store cannot be read)."""
    return _with_store(config, check_clock_today)


def clock_warning(config: Config, command: str, day: date | None = None) -> str | None:
    """The warning (one line, then ``  fix: ...``) a read-only ``command`` prints on stderr under a clock behind the
    store's records (``clock_problem``), None otherwise. ``command``: ``"grades plan"`` (its push refuses) or
    ``"report"`` (of ``day``, the day it shows: what is dated later is left out); every other command names what
    refuses (``doctor_clock.STOPPED``). Tester round 111b, 5."""
    from lmsync.service.doctor_clock import STOPPED

    if (problem := clock_problem(config)) is None:
        return None
    if command == "grades plan":
        said = f"`lmsync grades push` refuses to write now (exit 2): {why_refused(problem)}"
    else:
        shown = f"; this {command} shows {day.isoformat()} by that clock, leaving out what is dated later" if day else ""
        said = f"{why_refused(problem)}{shown}; {STOPPED}"
    return f"warning: {said}\n  fix: {problem.hint}" if problem.hint else f"warning: {said}"


def recorded_day_note(config: Config, day: date) -> tuple[str, str] | None:
    """(words, fix) for an ``--as-of day`` refused as after today (``as_of_day.refuse_after_today``) when the store
    already recorded ``day`` or a later one: the clock went back, that day is not to come (``clock_problem``). None
    when the clock is not behind or ``day`` is after every day recorded. Tester round 111b, 5: `health --as-of
    2026-10-28` under a clock at 2026-10-20 said only "a day to come", though a run had judged 2026-10-28."""
    problem = clock_problem(config)
    if problem is None or problem.last is None or day > problem.last:
        return None
    return (f"that day is not to come for this store: {why_refused(problem)}",
            f"set the system clock right (timedatectl; chronyc tracking) if it is wrong: once its day reaches "
            f"{day.isoformat()}, --as-of {day.isoformat()} shows it; meanwhile the commands that write refuse "
            "(`lmsync doctor` says which)")
