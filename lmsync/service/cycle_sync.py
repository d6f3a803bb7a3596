"""``lmsync run``'s first step, the sync: its outcome in one line and counts (``lmsync.service.cycle``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmsync.config import Config
from lmsync.errors import EXIT_ADMIN, EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.api import MoodleApi
from lmsync.service.cycle_result import StepResult
from lmsync.service.lock_watch import stop_words
from lmsync.store.db import Store


def sync_step(api: MoodleApi, config: Config, store: Store, should_stop: Callable[[], bool] | None,
              outputs: dict[str, Any], *, takes_over: bool = False) -> StepResult:
    """Plan and apply the circles (``run_sync``), pairs marked not a good fit forbidden in the matching input; the
    SyncResult goes to ``outputs["sync"]``. One line for cron's reader: writes, rounds, membership changes, and
    everything an admin or a coordinator must see in it (a shortage of mentors, held circles, circles kept for
    --allow-delete, a group with a circle's ID number, a grouping with lmsync's it cannot prove, circles a store with
    no record took over)."""
    from lmsync.service.away_mentors import at_once_fails, at_once_line, held_line
    from lmsync.service.desire import without_mentor
    from lmsync.service.health import with_forbidden_pairs
    from lmsync.service.removal_words import removals_said
    from lmsync.service.sync import run_sync
    from lmsync.service.unconverged import settle_wait

    config, forbidden = with_forbidden_pairs(config, store)
    result = run_sync(api, config, store, should_stop=should_stop, takes_over=takes_over)  # --store-takes-over
    outputs["sync"] = result
    written = sum(result.written.values())
    counts = {"rounds": result.rounds, "written": written, "not_a_good_fit_forbidden": len(forbidden)}
    added, removed = len(result.first_plan.by_kind("add_member")), len(result.first_plan.by_kind("remove_member"))
    show = config.privacy.show_names
    moved = added + removed  # which way: "8 membership change(s)" were 8 removals (tester round 86a, wording)
    text = (f"{written} write(s) in {result.rounds} round(s), {moved} membership change(s) planned"
            + (f" ({added} added, {removed} removed{removals_said(result.first_plan, result.desired, show)})"
               if moved else ""))  # each removal lmsync decides with why (tester round 115a, 6)
    if forbidden:  # standing marks, not this run's: "forbidden" on every later run read as new (tester round 127, 5)
        n = len(forbidden)
        text += f"; {n} pair{'' if n == 1 else 's'} marked not a good fit {'is' if n == 1 else 'are'} kept apart"
    last_plan = result.final_plan or result.first_plan
    if result.first_plan.unmatched:  # a shortage is the coordinator's to see in every run (tester round 46b, 2)
        counts["without_mentor"] = sum(result.first_plan.unmatched.values())
        text += f"; {without_mentor(result.first_plan.unmatched)} (`lmsync match` says why)"
    if waiting := sum(" waits: " in w for w in result.first_plan.warnings):  # cron reads this line (round 50, 5)
        counts["matching_entries_waiting"] = waiting
        text += f"; {waiting} [matching] entr{'y' if waiting == 1 else 'ies'} waiting (`lmsync plan` says why)"
    text += held_line(result.first_plan.signals, counts)  # cron reads this line too (tester round 55, 5)
    if two := result.first_plan.signals.two_roles:  # an admin's decision, never said in the run (tester round 94b, 6)
        counts["two_roles_waiting_for_an_admin"] = two
        text += (f"; {two} {'person has' if two == 1 else 'people have'} a mentor role and a mentee role, matched with "
                 "no new mentor or mentee until an admin decides ([matching] dual_role; `lmsync plan` names them)")
    if at_once := at_once_line(result.first_plan.signals, counts):  # a broken enrolment read (tester round 92b, 4)
        text += f"; but {at_once}"
    if kept := len(last_plan.skipped_deletes):  # a run never deletes: say what waits (round 38, 3: "in sync", nothing else)
        counts["circles_kept_for_allow_delete"] = kept
        text += f"; {kept} circle(s) no longer needed kept: delete with `lmsync sync --allow-delete`"
    if result.disowned:  # the plan's warning never reached cron's reader: an admin must act (tester round 74, 2)
        counts["groups_with_a_circle_idnumber_not_ours"] = result.disowned
        text += (f"; {own} (see `lmsync plan`)" if (own := result.first_plan.signals.own_renumbered) else  # 107a, 7
                 f"; {result.disowned} group{' carries' if result.disowned == 1 else 's carry'} a circle's ID number "
                 f"this store does not record for {'it' if result.disowned == 1 else 'them'} (see `lmsync plan`)")  # 104a, 3b
    if not_ours := last_plan.signals.grouping_held:  # no grouping for the circles: an admin must act (tester round 118a, 3)
        counts["groupings_with_its_idnumber_not_ours"] = last_plan.signals.groupings_held
        text += f"; {not_ours} (see `lmsync plan`)"
    if taken := result.taken_over():  # a new store at a mistyped path took over in silence (tester round 84, 7)
        counts["circles_taken_over"] = result.adopted
        text += f"; {taken}"
    if result.stopped:  # a stop request, or the programme's lock lost between batches (tester round 120b, 1)
        return StepResult("sync", "partial", EXIT_PARTIAL, f"{text}; {stop_words()}", counts)
    if not result.converged:
        held = len(last_plan.pending)  # tester round 27, 5: why, and until when (round 73, 3: how long is left)
        wait = (f"; {held} write(s) whose answer was lost may still commit: "
                + settle_wait(result, config.sync.write_settle_seconds)) if held else ""
        return StepResult("sync", "partial", EXIT_PARTIAL, text + "; Moodle did not converge" + wait, counts)
    if result.forum_missing:  # tester round 31, 2
        return StepResult("sync", "admin", EXIT_ADMIN, text + f"; in sync, but no forum {config.programme.forum!r} "
                          "is in the course: no welcome discussions (correct [programme] forum)", counts)
    if result.forum_announcements:  # tester round 92b, 2
        return StepResult("sync", "admin", EXIT_ADMIN, text + f"; in sync, but [programme] forum "
                          f"{config.programme.forum!r} is the course's announcements forum: no welcome discussions "
                          "(name a Standard forum in Separate groups mode in [programme] forum)", counts)
    # that group's ID number is an admin's to change (tester round 74, 2); so is a broken enrolment read (92b, 4),
    # on the day it is first found: later runs of the holds say it, said before, and are ok (tester round 93b, 4)
    admin = bool(result.disowned or last_plan.signals.grouping_held or at_once_fails(result.first_plan.signals))
    return StepResult("sync", "admin" if admin else "ok", EXIT_ADMIN if admin else EXIT_OK, text + "; in sync", counts)
