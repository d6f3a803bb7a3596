"""``lmsync demo``: the newcomer's whole run against the built-in emulator.

It always uses a fresh demo site (saved in the state directory, so later commands such as
``lmsync plan`` see the same site) and never touches a configured real Moodle.
"""

from __future__ import annotations

from collections.abc import Callable

from lmsync.config import Config
from lmsync.service import jobs


def demo_config(config: Config) -> Config:
    moodle = config.moodle.model_copy(update={"url": None})
    return config.model_copy(update={"moodle": moodle})


def run_demo(config: Config, echo: Callable[[str], None]) -> None:
    from lmsync.cli.render import plan_text, report_text
    from lmsync.moodle.emulator.demo import build_demo_site

    config = demo_config(config)
    site = build_demo_site()
    echo(f"Built-in Moodle emulator: demo site, course {config.programme.course}; state in {config.emulator_state_path()}")
    echo("")
    result = jobs.sync_job(config, site=site, on_plan=lambda plan: echo(plan_text(plan, detail=3)))
    for report in result.reports:
        echo(report_text(report))
    echo("")
    if result.desired is not None:
        for line in result.desired.summary_lines():
            echo(line)
        echo("")
    echo("Second plan (a re-run must change nothing):")
    again = jobs.plan_job(config)
    echo(plan_text(again.plan))
    echo("")
    from lmsync.service.demo_term import run_demo_term

    run_demo_term(config, site, echo)
