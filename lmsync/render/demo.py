"""The renderers ``lmsync demo`` prints with (the service takes them as ``DemoViews``)."""

from __future__ import annotations

from lmsync.render import grades, report, sync
from lmsync.service.demo import DemoViews
from lmsync.service.demo_term import GradesViews


def demo_views() -> DemoViews:
    """``lmsync.render.sync`` for the sync, ``lmsync.render.grades`` for the term's grades,
    ``lmsync.render.report`` for the programme report."""
    return DemoViews(
        plan_text=sync.plan_text,
        report_text=sync.report_text,
        grades=GradesViews(plan_text=grades.plan_text, push_text=grades.push_text, sources_text=grades.sources_text),
        report=report.renderer(),
    )
