"""Tester round 103b, 5: the text plan cut every kind at 20 operations ("... and 10 more"), the destructive `!`
lines too, so an admin could not read whom a sync takes out of their circles without ``--format json``. Every
destructive line is shown now; the other lists stay capped."""

from __future__ import annotations

from lmsync.domain.operations import AddMember, DeleteGroup, RemoveMember
from lmsync.domain.plan import Plan
from lmsync.render.sync import plan_text


def test_every_removal_and_deletion_is_shown_while_additions_stay_capped() -> None:
    removals = [RemoveMember(group="lmsync:p:mentor:1", user_id=100 + i, reason="re-matched") for i in range(30)]
    deletions = [DeleteGroup(group=f"lmsync:p:mentor:{i}", reason="no longer a mentor circle") for i in range(2, 27)]
    additions = [AddMember(group="lmsync:p:mentor:2", user_id=100 + i) for i in range(30)]
    text = plan_text(Plan(programme="p", course_id=2, fingerprint="x", operations=[*removals, *deletions, *additions]))
    lines = text.splitlines()
    assert sum(1 for line in lines if line.startswith("    ! ")) == 30 + 25, text
    assert all(f"user #{100 + i} from" in text for i in range(30)), text
    assert all(f"[lmsync:p:mentor:{i}]" in text for i in range(2, 27)), text
    assert sum(1 for line in lines if line.startswith("    + ")) == 20, text
    assert lines.count("    ... and 10 more") == 1, text  # the additions only
