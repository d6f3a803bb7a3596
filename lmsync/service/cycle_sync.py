"""``lmsync run``'s first step, the sync: its outcome in one line and counts (``lmsync.service.cycle``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmsync.config import Config
from lmsync.errors import EXIT_ADMIN, EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.api import MoodleApi
from lmsync.service.cycle_result import State, StepResult
from lmsync.service.lock_watch import stop_words
from lmsync.store.db import Store


def sync_step(api: MoodleApi, config: Config, store: Store, should_stop: Callable[[], bool] | None,
              outputs: dict[str, Any], *, takes_over: bool = False) -> StepResult:
    """Plan and apply the circles (``run_sync``), pairs marked not a good fit forbidden in the matching input; the
    SyncResult goes to ``outputs["sync"]``. One line for cron's reader: writes, rounds, membership changes, and
    everything an admin or a coordinator must see in it (a shortage of mentors, held circles, circles kept for
    --allow-delete, a group with a circle's ID number, a grouping with lmsync's it cannot prove, circles a store with
    no record took over). A sync that did not converge with writes whose answer was lost names them by kind and
    circle, the first 3 then "and N more" (JSON counts ``writes_waiting`` and ``writes_waiting_items``: the first 20
    as ``held_writes.held_ids``, ids and kinds only), and says how many planned membership changes were made
    ("72 to add, 0 to remove), 0 of them made", not "72 added"); the log's copy (``StepResult.logged``) names people
    by Moodle id only (tester round 129, 2)."""
    from lmsync.service.away_mentors import at_once_fails, at_once_line, held_line
    from lmsync.service.desire import without_mentor
    from lmsync.service.health import with_forbidden_pairs
    from lmsync.service.held_writes import held_ids, held_said
    from lmsync.service.labels import People
    from lmsync.service.removal_words import removals_said
    from lmsync.service.sync import run_sync
    from lmsync.service.unconverged import settle_wait

    config, forbidden = with_forbidden_pairs(config, store)
    result = run_sync(api, config, store, should_stop=should_stop, takes_over=takes_over)  # --store-takes-over
    outputs["sync"] = result
    written = sum(result.written.values())
    counts: dict[str, Any] = {"rounds": result.rounds, "written": written, "not_a_good_fit_forbidden": len(forbidden)}
    added, removed = len(result.first_plan.by_kind("add_member")), len(result.first_plan.by_kind("remove_member"))
    show = config.privacy.show_names
    moved = added + removed  # which way: "8 membership change(s)" were 8 removals (tester round 86a, wording)
    made = result.written["add_member"] + result.written["remove_member"]
    short = made < moved and (result.stopped or not result.converged)  # "72 added" of none made (tester round 129, 2)

    def changes(removals: str) -> str:
        """The membership part of the line, with ``removals`` (``removals_said``) said after the count."""
        if not moved:
            return f"{moved} membership change(s) planned"
        if short:
            return (f"{moved} membership change(s) planned ({added} to add, {removed} to remove{removals}), "
                    f"{made} of them made")
        return f"{moved} membership change(s) planned ({added} added, {removed} removed{removals})"

    # each removal lmsync decides with why (tester round 115a, 6); the log's copy without names (tester round 129, 2)
    text = f"{written} write(s) in {result.rounds} round(s), " + changes(removals_said(result.first_plan, result.desired, show))
    head = len(text)
    logged = f"{written} write(s) in {result.rounds} round(s), " + changes(removals_said(result.first_plan, None, False))
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
    def ends(state: State, code: int, said: str, logged_said: str | None = None) -> StepResult:
        """The step's result: the line ``text`` and ``said``; the log's copy (``StepResult.logged``) with the removals
        and ``logged_said`` (default ``said``) named by ids, never by name (tester round 129, 2)."""
        return StepResult("sync", state, code, text + said, counts,
                          logged=logged + text[head:] + (said if logged_said is None else logged_said))

    if result.stopped:  # a stop request, or the programme's lock lost between batches (tester round 120b, 1)
        return ends("partial", EXIT_PARTIAL, f"; {stop_words()}")
    if not result.converged:
        held = len(last_plan.pending)  # tester round 27, 5: why, and until when (round 73, 3: how long is left)
        if not held:
            return ends("partial", EXIT_PARTIAL, "; Moodle did not converge")
        # which writes wait, by kind and circle, as `lmsync sync` and `plan` say them (tester round 129, 2)
        counts["writes_waiting"], counts["writes_waiting_items"] = held, held_ids(last_plan.pending)
        until = settle_wait(result, config.sync.write_settle_seconds)
        named = held_said(last_plan.pending, last_plan.programme, People(result.roster, show), shown=3)
        ids = held_said(last_plan.pending, last_plan.programme, None, shown=3)
        wait = f"; Moodle did not converge; {held} write(s) whose answer was lost may still commit"
        return ends("partial", EXIT_PARTIAL, f"{wait} ({named}): {until}", f"{wait} ({ids}): {until}")
    if result.forum_missing:  # tester round 31, 2
        return ends("admin", EXIT_ADMIN, f"; in sync, but no forum {config.programme.forum!r} is in the course: no "
                    "welcome discussions (correct [programme] forum)")
    if result.forum_announcements:  # tester round 92b, 2
        return ends("admin", EXIT_ADMIN, f"; in sync, but [programme] forum {config.programme.forum!r} is the course's "
                    "announcements forum: no welcome discussions (name a Standard forum in Separate groups mode in "
                    "[programme] forum)")
    # that group's ID number is an admin's to change (tester round 74, 2); so is a broken enrolment read (92b, 4),
    # on the day it is first found: later runs of the holds say it, said before, and are ok (tester round 93b, 4)
    admin = bool(result.disowned or last_plan.signals.grouping_held or at_once_fails(result.first_plan.signals))
    return ends("admin", EXIT_ADMIN, "; in sync") if admin else ends("ok", EXIT_OK, "; in sync")
