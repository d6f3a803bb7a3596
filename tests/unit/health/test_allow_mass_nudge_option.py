"""``--allow-mass-nudge`` is one option shared by ``lmsync run`` and ``lmsync nudge`` (issue 12), each help
saying what that command does with it."""

from __future__ import annotations

import click

from lmsync.cli.cycle import run_command
from lmsync.cli.health import nudge_command


def _option(command: click.Command) -> click.Option:
    (option,) = [p for p in command.params if isinstance(p, click.Option) and "--allow-mass-nudge" in p.opts]
    return option


def test_both_commands_take_the_same_flag() -> None:
    run, nudge = _option(run_command), _option(nudge_command)
    assert run.name == nudge.name == "allow_mass_nudge"
    assert run.is_flag and nudge.is_flag
    assert (run.help or "").startswith(nudge.help or "-") and "first_run_max_share" in (nudge.help or "")
    # only run sends a digest: nudge's help said "`lmsync run` then sends the digest it held too" (tester round 43, 13)
    assert "digest" in (run.help or "") and "digest" not in (nudge.help or "")
