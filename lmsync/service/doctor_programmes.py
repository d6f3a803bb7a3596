"""``lmsync doctor``'s check of the circles other lmsync programmes made in the course (tester round 95b, 7).

After a rename of ``[programme] name`` (mentoring-2026 -> mentoring-2027, same store and course), ``doctor`` said
``no problems`` while ``lmsync run`` stopped at its sync step, exit 2: the plan is refused when it would put people
of another programme's circles into this programme's (``domain.other_programmes.guard_other_programmes``), and
``deploy/systemd/README.md`` tells admins to check an edited lmsync.toml with ``lmsync doctor``.

The check asks the plan itself, as ``lmsync plan`` makes it (read-only: the store opened read-only, nothing written
to Moodle), so it finds exactly what the sync refuses, and only people count, as there: two programmes with
different people in one course pass. It plans only when the course holds circles of a programme that neither
``[sync] other_programmes`` names nor ``[sync] allow_other_programmes`` lets through (a plan reads the whole
course); a programme this store wrote for counts even when named, as in the plan (a rename: tester round 118a, 1).
Lines (``other programmes``): ``fail`` with the plan's reason and fix; ``ok`` when the plan adds none of their
people; ``skip`` (not checked) when the plan cannot be made, or stops first at another refusal.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import Config
from lmsync.domain.other_programmes import REFUSAL
from lmsync.domain.ownership import circle_programme
from lmsync.errors import LmsyncError, PlanError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleError
from lmsync.service.renamed_programmes import config_written_programmes
from lmsync.visible import quoted

NAME = "other programmes"


def other_programme_check(api: MoodleApi, config: Config, course_id: int, report: Any) -> None:
    """Fail when this programme's plan is refused for putting people of another programme's circles into its own
    (see module doc). Says nothing when the course's groups cannot be read (the capability checks say why) or hold
    no circle of another programme the plan would weigh."""
    if config.sync.allow_other_programmes:
        return
    try:
        groups = api.get_course_groups(course_id)
    except MoodleError:
        return
    found = {p for g in groups if (p := circle_programme(g.idnumber or "")) is not None} - {config.programme.name}
    if named := found & set(config.sync.other_programmes):  # named, unless this store wrote for it: this
        found -= named - config_written_programmes(config)  # programme renamed, refused (tester round 118a, 1)
    others = sorted(found)
    if not others:
        return
    names = " and ".join(quoted(o) for o in others)
    try:
        plan_read_only(api, config)
    except PlanError as exc:
        if exc.message.startswith(REFUSAL):
            report.add(NAME, "fail", f"{exc.message} (`lmsync sync` and `lmsync run` stop here, exit 2)", exc.hint)
        else:
            report.add(NAME, "skip", f"not checked: the course holds circles of programme {names}, and this "
                       f"programme's plan stops first at another refusal: {exc.message}", exc.hint)
        return
    except (LmsyncError, MoodleError) as exc:
        report.add(NAME, "skip", f"not checked: the course holds circles of programme {names}, and this programme's "
                   f"plan could not be made: {exc.message}")
        return
    report.add(NAME, "ok", f"the course holds circles of programme {names}; this programme's plan puts none of "
               "their people in its own circles")


def plan_read_only(api: MoodleApi, config: Config) -> None:
    """Make the plan as ``lmsync plan`` makes it (``jobs.plan_job``: the store read-only, its marks of pairs not a
    good fit, its journal), on the caller's Moodle connection (doctor's; ``renamed_refusal``'s); raises what planning
    raises."""
    from lmsync.log import warnings_only
    from lmsync.service.health_queue import with_forbidden_pairs
    from lmsync.service.stores import open_store
    from lmsync.service.sync import make_plan
    from lmsync.store.journal import Journal

    store = open_store(config, read_only=True)
    try:
        planned, _forbidden = with_forbidden_pairs(config, store)
        with warnings_only():  # the plan's info lines (observed, matched) are not the caller's
            make_plan(api, planned, journal=Journal(store, planned.programme.name))
    finally:
        store.close()
