"""lmsync's own grade items a teacher locked in the gradebook: held, never written (tester round 122a, 6).

A teacher locks a whole grade item (the column: Gradebook setup > Edit > Lock), usually at the end of a term. Moodle's
``grade_update`` then answers 4 (``GRADE_UPDATE_ITEM_LOCKED``) to every write to it, details included, and changes
nothing (lib/gradelib.php). Every plan planned writes to such an item of lmsync's, every push and run was refused
and ended partial (exit 1), and the daemon backed off, for good. ``gradereport_user_get_grade_items`` says an item is
locked on each of its rows (``locked``: ``grade_item::is_locked()`` for a reader holding moodle/grade:viewall, as
lmsync's token does; grade/report/user/lib.php), so the planner holds the item as it holds a teacher-locked single
grade: no write planned, named in the plan with how many of its grades differ from lmsync's figures, and written
again once the teacher unlocks it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What the plan and the run say of a locked item: what lmsync does, and how a teacher lets it write again.
LOCKED_WHY = "locked by a teacher in the gradebook: left as it is; unlock it there for lmsync to update it"


@dataclass(frozen=True)
class LockedItem:
    """One of lmsync's own grade items a teacher locked: its metric ``key``, ``itemname`` and ``itemnumber``, and
    ``differ``: how many of its grades lmsync's figures would change (its details aside)."""

    key: str
    itemname: str
    itemnumber: int
    differ: int

    def describe(self) -> str:
        """"NAME [ITEMNUMBER]: locked by a teacher ... (N grade(s) differ from lmsync's figures)"."""
        differ = f" ({self.differ} grade(s) differ from lmsync's figures)" if self.differ else ""
        return f"{self.itemname} [{self.itemnumber}]: {LOCKED_WHY}{differ}"
