"""An emulator that costs like Moodle: a per-request and per-item price, and a worker limit.

``lmsync emulator serve --cost moodle45 --workers N`` (and :func:`~.server.make_server`,
:class:`~.adapter.EmulatorAdapter` with ``cost=``) charge every answered request the time the
recording site took for it, by sleeping after the call is applied and outside the site's lock,
and serve at most N requests at once (:class:`Workers`, like PHP's worker pool). The figures
come from ``../shared/moodle/TIMINGS.md`` (5 runs each, medians; the same server that made the
recordings: 2 cores, ``php -S`` with 4 workers, PostgreSQL 15, Moodle 4.5.6) and, where
TIMINGS.md has no row, from the recordings' own ``elapsed_ms`` (one run each, so rougher):

=====================================  ==========================================  ==================================
what                                   price                                       source
=====================================  ==========================================  ==================================
every request (bootstrap, token)       20 ms                                       TIMINGS: "about 20 ms of fixed
                                                                                   overhead"; 1 member 22 ms, 1 group
                                                                                   21 ms
core_group_add_group_members           4.0 ms per member, + 0.0005 ms per member   TIMINGS: 4.3 / 3.8 / 4.5 ms per
                                       for each member of the call beyond 500      member at 100 / 500 / 1,500; the
                                                                                   2,500-member recording 12.5 s
core_group_delete_group_members        4.0 ms per member                           recording: 2 members 27 ms, 1 17 ms
core_group_create_groups               1.0 ms + 0.004 ms per group already in the  TIMINGS: 2.3 ms/group at 50 per
                                       course, per group                           call; 200 per call 516 -> 994 ms as
                                                                                   the course grew 280 -> 1,080 groups
core_group_assign_grouping             1.25 ms per link                            recording: 12 links 35 ms
core_enrol_get_enrolled_users          per user returned: 2.6 ms with all default  TIMINGS: 213 ms for 75 users;
                                       fields; 1.2 ms when ``userfields`` names    109 ms for 75 with customfields,
                                       customfields, roles, groups,                roles, groups; 693 ms for 2,700
                                       enrolledcourses or preferences; else 0.25   with id,idnumber
mod_forum_add_discussion               10 ms per discussion                        recording: 25-30 ms per post
core_grades_update_grades              0.75 ms per grade                           recording: 2,600 grades 1,979 ms
mod_assign_save_grades                 20 ms per grade                             recording: 3 grades 84 ms, 1 34 ms
core_message_send_instant_messages     17 ms per message delivered                 recording: 33, 37, 46 ms for one
every other function                   the request only                            recordings: 16-30 ms each
=====================================  ==========================================  ==================================

A refused call (Moodle's exception body) and a request refused before dispatch (403, bad token)
cost the request only. The model charges time, not contention: N requests sleep side by side,
and the state changes themselves are applied one at a time under the site's lock, as fast as
Python goes. Off by default everywhere (tests stay fast).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lmsync.moodle.emulator.state import Site

#: ``userfields`` that make core_enrol_get_enrolled_users build more than the user row.
HEAVY_USER_FIELDS = frozenset({"customfields", "roles", "groups", "enrolledcourses", "preferences"})


def _items(params: dict[str, Any], key: str) -> int:
    value = params.get(key)
    return len(value) if isinstance(value, list | dict) else 0


@dataclass(frozen=True)
class CostModel:
    """What a Moodle site charges, in milliseconds (the figures of the module's table)."""

    name: str
    request_ms: float = 20.0
    member_ms: float = 4.0
    member_big_batch_ms: float = 0.0005  # per member, for each member of the call beyond big_batch
    big_batch: int = 500
    group_ms: float = 1.0
    group_per_existing_ms: float = 0.004
    grouping_link_ms: float = 1.25
    user_all_fields_ms: float = 2.6
    user_heavy_fields_ms: float = 1.2
    user_light_fields_ms: float = 0.25
    discussion_ms: float = 10.0
    grade_push_ms: float = 0.75
    assign_grade_ms: float = 20.0
    message_ms: float = 17.0

    def milliseconds(self, site: Site, function: str, params: dict[str, Any], result: Any, ok: bool) -> float:
        """The price of one answered request: the request, plus its items when the call succeeded.

        ``params`` are the decoded form (``members`` -> list of dicts), ``result`` what the call
        returned; call with the site's lock held (create_groups counts the course's groups).
        """
        if not ok:
            return self.request_ms
        return self.request_ms + self._items_ms(site, function, params, result)

    def _items_ms(self, site: Site, function: str, params: dict[str, Any], result: Any) -> float:
        if function == "core_group_add_group_members":
            n = _items(params, "members")
            return n * (self.member_ms + self.member_big_batch_ms * max(0, n - self.big_batch))
        if function == "core_group_delete_group_members":
            return _items(params, "members") * self.member_ms
        if function == "core_group_create_groups":
            return self._create_groups_ms(site, result)
        if function == "core_group_assign_grouping":
            return _items(params, "assignments") * self.grouping_link_ms
        if function == "core_enrol_get_enrolled_users":
            return (len(result) if isinstance(result, list) else 0) * self._user_ms(params)
        if function == "mod_forum_add_discussion":
            return self.discussion_ms
        if function == "core_grades_update_grades":
            return _items(params, "grades") * self.grade_push_ms
        if function == "mod_assign_save_grades":
            return _items(params, "grades") * self.assign_grade_ms
        if function == "core_message_send_instant_messages":
            delivered = [r for r in result if isinstance(r, dict) and r.get("msgid", -1) != -1] if isinstance(result, list) else []
            return len(delivered) * self.message_ms
        return 0.0

    def _create_groups_ms(self, site: Site, result: Any) -> float:
        """Each group pays for the groups already in its course when it was written (TIMINGS)."""
        created: dict[int, int] = {}
        for row in result if isinstance(result, list) else []:
            created[int(row["courseid"])] = created.get(int(row["courseid"]), 0) + 1
        total = 0.0
        for courseid, count in created.items():
            before = len(site.groups_of_course(courseid)) - count
            for i in range(count):
                total += self.group_ms + self.group_per_existing_ms * (before + i)
        return total

    def _user_ms(self, params: dict[str, Any]) -> float:
        options = params.get("options")
        rows = options.values() if isinstance(options, dict) else options if isinstance(options, list) else []
        for option in rows:
            if isinstance(option, dict) and option.get("name") == "userfields":
                names = {f.strip() for f in str(option.get("value", "")).split(",")}
                return self.user_heavy_fields_ms if names & HEAVY_USER_FIELDS else self.user_light_fields_ms
        return self.user_all_fields_ms


#: Moodle 4.5.6 on the recording site (TIMINGS.md).
MOODLE45 = CostModel("moodle45")

COST_MODELS: dict[str, CostModel] = {MOODLE45.name: MOODLE45}


def cost_model(name: str | None) -> CostModel | None:
    """The model called ``name`` (``"moodle45"``), or None for ``None``/``"none"`` (free and instant).

    Raises ``ValueError`` for an unknown name.
    """
    if name is None or name == "none":
        return None
    try:
        return COST_MODELS[name]
    except KeyError:
        raise ValueError(f"unknown cost model {name!r} (known: none, {', '.join(COST_MODELS)})") from None


@dataclass
class Workers:
    """At most ``limit`` requests inside at once (a semaphore), the others wait their turn.

    ``limit`` None: no limit. ``inside`` / ``peak``: requests inside now / at most so far;
    ``charged``: (function, seconds) per priced request, in order; ``sleep`` is how a price is
    paid (``time.sleep``; tests pass a fake).
    """

    limit: int | None = None
    sleep: Callable[[float], None] = time.sleep
    inside: int = 0
    peak: int = 0
    charged: list[tuple[str, float]] = field(default_factory=list)
    _gate: threading.BoundedSemaphore | None = field(default=None, repr=False)
    _count: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.limit is not None:
            if self.limit < 1:
                raise ValueError("workers must be at least 1")
            self._gate = threading.BoundedSemaphore(self.limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one worker for the duration of a request."""
        if self._gate is not None:
            self._gate.acquire()
        with self._count:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
        try:
            yield
        finally:
            with self._count:
                self.inside -= 1
            if self._gate is not None:
                self._gate.release()

    def pay(self, function: str, seconds: float) -> None:
        """Spend ``seconds`` in the worker (call inside :meth:`slot`) and record the charge."""
        with self._count:
            self.charged.append((function, seconds))
        if seconds > 0:
            self.sleep(seconds)

    @property
    def total_seconds(self) -> float:
        with self._count:
            return sum(s for _, s in self.charged)


__all__ = ["COST_MODELS", "HEAVY_USER_FIELDS", "MOODLE45", "CostModel", "Workers", "cost_model"]
