"""lmsync's own grade items a teacher locked in the gradebook: held, never written (tester round 122a, 6).

A teacher locks a whole grade item (the column: Gradebook setup > Edit > Lock), usually at the end of a term. Moodle's
``grade_update`` then answers 4 (``GRADE_UPDATE_ITEM_LOCKED``) to every write to it, details included, and changes
nothing (lib/gradelib.php). Every plan planned writes to such an item of lmsync's, every push and run was refused
and ended partial (exit 1), and the daemon backed off, for good. ``gradereport_user_get_grade_items`` says an item is
locked on each of its rows (``locked``: ``grade_item::is_locked()`` for a reader holding moodle/grade:viewall, as
lmsync's token does; grade/report/user/lib.php), so the planner holds the item as it holds a teacher-locked single
grade: no write planned, named in the plan with how many of its grades differ from lmsync's figures, and written
again once the teacher unlocks it.

One such item lmsync must keep hidden (a mentor's mean rating by their mentees, ``<x>-received-<wave>``: README
[grades]) that the gradebook shows is no ordinary locked column: lmsync would hide it again, but Moodle refuses every
write to a locked item, so the mentors it is about read their mentees' verdict of them until a teacher hides it. It is
``exposed``: the plan names it as a privacy problem with the fix, the run's grades step and ``grades push`` exit 2,
and ``lmsync doctor`` fails a check naming it (tester round 123b, 3). A locked one that is hidden stays a plain held
item.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What the plan and the run say of a locked item: what lmsync does, and how a teacher lets it write again.
LOCKED_WHY = "locked by a teacher in the gradebook: left as it is; unlock it there for lmsync to update it"
#: What they say of a locked received-rating item the gradebook shows: a privacy problem, and its fix.
EXPOSED_WHY = ("a rating of a mentor lmsync keeps hidden, visible to the mentors it is about, and locked, so lmsync "
               "cannot hide it: hide it in Gradebook setup (unlock it first)")
#: ... and of any other item lmsync keeps hidden (a mentee's own rating of their mentor, [grades] mentee_ratings =
#: "hidden").
EXPOSED_OTHER = ("a rating of a mentor lmsync keeps hidden, visible in the gradebook, and locked, so lmsync cannot "
                 "hide it: hide it in Gradebook setup (unlock it first)")
#: The fix alone, for ``grades push``'s error and doctor.
EXPOSED_FIX = "Gradebook setup: unlock the item, then hide it (Edit > Hide); lmsync then keeps it hidden"


@dataclass(frozen=True)
class LockedItem:
    """One of lmsync's own grade items a teacher locked: its metric ``key``, ``itemname`` and ``itemnumber``, and
    ``differ``: how many of its grades lmsync's figures would change (its details aside); ``exposed``: lmsync keeps
    it hidden and the gradebook shows it (tester round 123b, 3)."""

    key: str
    itemname: str
    itemnumber: int
    differ: int
    exposed: bool = False

    @property
    def why(self) -> str:
        """``EXPOSED_WHY`` for an exposed received-rating item (``-received-`` in its key), ``EXPOSED_OTHER`` for
        another exposed item, else ``LOCKED_WHY``."""
        if not self.exposed:
            return LOCKED_WHY
        return EXPOSED_WHY if "-received-" in self.key else EXPOSED_OTHER

    def describe(self) -> str:
        """"NAME [ITEMNUMBER]: locked by a teacher ... (N grade(s) differ from lmsync's figures)"; an exposed item's
        words say the privacy problem and its fix instead (tester round 123b, 3)."""
        differ = f" ({self.differ} grade(s) differ from lmsync's figures)" if self.differ else ""
        return f"{self.itemname} [{self.itemnumber}]: {self.why}{differ}"
