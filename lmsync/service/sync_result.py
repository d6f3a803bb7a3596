"""What a sync (``lmsync.service.sync.run_sync``) gives back: its plans, reports and what an admin must hear."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.plan import Plan
from lmsync.service.apply import ApplyReport
from lmsync.service.desire import Desired


@dataclass
class SyncResult:
    run_id: str
    first_plan: Plan
    final_plan: Plan | None
    reports: list[ApplyReport] = field(default_factory=list)
    rounds: int = 0
    desired: Desired | None = None
    converged: bool = False
    #: the configured forum is not in the course: every circle is without its welcome (tester round 31, 2)
    forum_missing: bool = False
    #: the configured forum is the course's announcements forum: lmsync posts no welcome there (tester round 92b, 2)
    forum_announcements: bool = False
    #: when the last plan's pending writes may be sent again (seconds since the epoch), or None: an
    #: unconverged run says how long that is (tester round 73, 3)
    settle_at: float | None = None
    #: groups carrying a circle's idnumber this store never made, left alone: an admin must act (round 74, 2)
    disowned: int = 0
    #: circles an earlier lmsync made that this store, with no record of any, took over (a new or rebuilt store; a
    #: mistyped [store] path made a new one in silence: tester round 84, 7)
    adopted: int = 0
    #: a dry run's count of the circles a store with no record would take over (``circle_records.untaken_circles``):
    #: a sync refuses them without --store-takes-over (tester round 89b, 1)
    untaken: int = 0
    store: str = ""  # the store synced, for messages (``Store.where``: no password)
    #: the course's roster as the first round read it (Moodle id -> ``RosterUser``): the run's sync line names the
    #: writes that wait by it (``held_writes``; tester round 129, 2)
    roster: Mapping[int, Any] = field(default_factory=dict)

    def taken_over(self) -> str | None:
        """What a sync that took over circles says (``adopted``), or None."""
        if not self.adopted:
            return None
        return (f"the store {self.store} had no record of this programme's circles: it took over {self.adopted} "
                "circle(s) an earlier lmsync made in this course (their ID numbers say so). If the programme's store "
                "is elsewhere (a mistyped [store] path?), point [store] path (or LMSYNC_STORE_PATH) at it; this one "
                "can then be deleted")

    @property
    def written(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for report in self.reports:
            total.update(report.written)
        return total

    @property
    def stopped(self) -> bool:
        return any(r.stopped for r in self.reports)
