"""``lmsync health``, ``nudge`` and ``grades`` after a refused rename of ``[programme] name`` (tester round 118a, 5).

With ``name = "mp"`` synced, then ``name = "mp2"`` and the same ``[store] path``, ``lmsync sync`` and ``lmsync run``
are refused (exit 2: ``domain.other_programmes.guard_other_programmes``, ``service.renamed_programmes``), while
``lmsync health`` judged no pair and named every mentee "without a mentor ... the next sync matches them", and
``lmsync nudge`` sent nothing, exit 0: under the new name no circle of the course is this programme's. An admin running
them by hand or from cron saw no word of the real problem.

Now ``lmsync health`` (recording), a real ``lmsync nudge`` and ``lmsync grades push`` refuse the same way (exit 2,
nothing read into the store, stored, sent or written), in the sync's words and with its fixes; what only reads
(``health --as-of``, ``nudge --dry-run``, ``grades plan``) shows as before and warns on stderr, as those reads do of a
clock behind the store (README, exit code 2).

The check reads only: the store opened read-only (``renamed_programmes.config_written_programmes``), and only when
its journal holds writes of another ``[programme] name`` (never, unless the programme was renamed) and ``[sync]
allow_other_programmes`` is off, the course's groups; and only when the course holds circles of such a programme,
the plan as ``lmsync plan`` makes it (as ``lmsync doctor``'s check does: ``doctor_programmes``). It refuses only
what the sync refuses as a rename, so a renamed programme whose old circles are gone (its sync went through) runs on.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from lmsync.config import Config
from lmsync.domain.other_programmes import REFUSAL, RENAMED
from lmsync.domain.ownership import circle_programme
from lmsync.errors import LmsyncError, PlanError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleError
from lmsync.service.renamed_programmes import config_written_programmes

#: What each command would do under the new name, in its refusal (``refuse_renamed``).
_REFUSED = {
    "health": "every pair would go unjudged and every mentee be named as waiting for a sync that is refused; "
              "nothing was judged, stored or queued",
    "nudge": "nobody would be nudged, with no word why; nothing was sent",
    "grades push": "no grade would be computed for their pairs; nothing was written",
}

#: The command whose refusal a read-only view warns of, and what that view is (``renamed_warning``).
_WARNED = {"health": ("health", "view"), "nudge": ("nudge", "preview"), "grades plan": ("grades push", "plan")}

_NOT_OURS = "none of the circles this store made is this programme's"


def renamed_refusal(config: Config) -> PlanError | None:
    """The sync's refusal of this programme's plan as a rename (its ``PlanError``: message and fix), or None: no other
    ``[programme] name`` in the store's journal, ``[sync] allow_other_programmes`` on, no circle of such a programme
    in the course, a plan not refused as a rename, or a store, Moodle or plan that cannot be read (the command that
    runs next says why). Read-only: nothing is written to the store or to Moodle. Tester round 118a, 5."""
    if config.sync.allow_other_programmes:
        return None
    written = config_written_programmes(config)  # one read of the store, read-only: empty unless renamed
    if not written:
        return None
    from lmsync.service.moodle import open_moodle
    from lmsync.service.observe import find_course_id

    try:
        with open_moodle(config) as conn:
            groups = conn.api.get_course_groups(find_course_id(conn.api, config.programme.course))
            if not any(circle_programme(g.idnumber or "") in written for g in groups):
                return None  # the old circles are gone: the sync is not refused as a rename
            return _plan_refusal(conn.api, config)
    except (LmsyncError, MoodleError, OSError, SQLAlchemyError):
        return None


def _plan_refusal(api: MoodleApi, config: Config) -> PlanError | None:
    """Make the plan as ``lmsync plan`` makes it (``doctor_programmes.plan_read_only``); its refusal when it is the
    rename's, None otherwise. Raises what opening the store raises."""
    from lmsync.service.doctor_programmes import plan_read_only

    try:
        plan_read_only(api, config)
    except PlanError as exc:
        return exc if exc.message.startswith(REFUSAL) and RENAMED in exc.message else None
    except (LmsyncError, MoodleError):
        return None
    return None


def refuse_renamed(config: Config, command: str) -> None:
    """Raise ``PlanError`` (exit 2) before ``command`` (``"health"``, ``"nudge"`` or ``"grades push"``) reads Moodle
    into the store or writes anything, when the sync refuses this programme's plan as a rename
    (``renamed_refusal``): the sync's words and fixes (the old name back, or a store of its own, or ``[sync]
    allow_other_programmes``). Nothing otherwise. Tester round 118a, 5."""
    if (refused := renamed_refusal(config)) is None:
        return
    raise PlanError(
        f"`lmsync {command}` refused: `lmsync sync` and `lmsync run` refuse this programme's plan (exit 2), and under "
        f"the name '{config.programme.name}' {_NOT_OURS}: {_REFUSED[command]}. The sync's refusal: {refused.message}",
        hint=refused.hint,
    )


def renamed_warning(config: Config, command: str) -> str | None:
    """The warning (one line, then ``  fix: ...``) a read-only ``command`` (``"health"`` of another day,
    ``"nudge"`` dry run, ``"grades plan"``) prints on stderr when the sync refuses this programme's plan as a rename
    (``renamed_refusal``), None otherwise. It shows, exit 0, as these reads do under a clock behind the store."""
    if (refused := renamed_refusal(config)) is None:
        return None
    refuser, view = _WARNED[command]
    said = (f"warning: `lmsync sync` and `lmsync run` refuse this programme's plan (exit 2), and so does `lmsync "
            f"{refuser}`: this {view} is of the name '{config.programme.name}', under which {_NOT_OURS}. The sync's "
            f"refusal: {refused.message}")
    return f"{said}\n  fix: {refused.hint}" if refused.hint else said
