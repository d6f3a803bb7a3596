"""Fault injection for the emulator: 503s, lost answers, slow commits and crashes on demand.

A fault function is called as ``fault(function, phase)`` with phase ``"before"`` (the call is
not applied yet) or ``"after"`` (applied, answer not sent yet) and returns ``None`` or one of
:data:`FAULT_KINDS`. Both front doors (the in-process :class:`~.server.EmulatorAdapter` and the
HTTP server) call it once per phase and act the same way:

``"503"``
    HTTP 503 with an empty body; in phase "before" nothing was applied.
``"timeout"``
    The answer never arrives. In-process: ``requests.exceptions.ReadTimeout`` is raised. Over
    HTTP the server holds the connection for ``hold_seconds`` (default 35 s, past lmsync's 30 s
    client timeout), then closes it; the client sees its own read timeout. In phase "after" the
    write **was applied** (the nasty case a client must survive: applied, answer lost); in phase
    "before" nothing was applied.
``"late"`` (issue 10 point 10: a slow Moodle whose database holds inserts past the timeout)
    In phase "before", for a write: Moodle's PHP checks (duplicate names and idnumbers, "already
    in the grouping", "grade item exists at this itemnumber": none has a unique index behind it)
    are made against the state *at arrival*, the write is **not committed yet**, and the client
    times out exactly as for "timeout" (same exception in-process, held answer over HTTP). Reads
    keep working meanwhile and do not see the write. The held write commits later, checked
    against its arrival state, whichever comes first:

    - its **twin** arrives (same function, same parameters, any token; with or without a fault):
      the twin's checks also see the state before the held write, then both commit: the
      duplicates (two groups with one idnumber, a doubled grouping link, two grade items at one
      itemnumber) a real site showed;
    - ``site.commit_late()`` is called (returns how many writes were held);
    - ``site.late_after`` further requests have arrived (default 3; the held write commits when
      the ``late_after``-th one arrives, before that request is answered, so it sees the write).

    A held write that fails its checks commits nothing. Held writes live in
    ``site.held_writes`` and are not saved with the state. "late" for a read, or in phase
    "after", is the same as "timeout".
``"crash"``
    In-process: :class:`SimulatedCrash` is raised (the client process "dies" mid-call). Over
    HTTP the connection is dropped at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

FaultFunction = Callable[[str, str], "str | None"]
FAULT_KINDS = ("503", "timeout", "late", "crash")


class SimulatedCrash(RuntimeError):
    """Raised out of the in-process adapter to simulate the client process dying mid-call."""


class RandomFaults:
    """A seeded fault source: each call/phase fails with probability ``rate``.

    ``phases`` limits where faults strike (both by default); ``functions`` limits which web-service
    functions are affected (all by default). ``injected`` records what was injected, for tests.
    """

    def __init__(
        self,
        rate: float = 0.1,
        seed: int = 1,
        kinds: Sequence[str] = ("503", "timeout"),
        phases: Sequence[str] = ("before", "after"),
        functions: Sequence[str] | None = None,
    ) -> None:
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.rate = rate
        self.kinds = tuple(kinds)
        self.phases = tuple(phases)
        self.functions = set(functions) if functions is not None else None
        self._random = random.Random(seed)
        self.injected: list[tuple[str, str, str]] = []

    def __call__(self, function: str, phase: str) -> str | None:
        if phase not in self.phases or (self.functions is not None and function not in self.functions):
            return None
        if self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        self.injected.append((function, phase, kind))
        return kind


def fail_once(function: str, phase: str, kind: str) -> FaultFunction:
    """A fault that strikes exactly once, at the first matching call: handy in unit tests."""
    fired = False

    def fault(name: str, when: str) -> str | None:
        nonlocal fired
        if not fired and name == function and when == phase:
            fired = True
            return kind
        return None

    return fault
