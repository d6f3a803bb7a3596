"""Fault injection for the emulator: 503s, lost answers and crashes on demand.

A fault function is called as ``fault(function, phase)`` with phase ``"before"`` (the call is
not applied yet) or ``"after"`` (applied, answer not sent yet) and returns ``None`` or one of
``"503"``, ``"timeout"``, ``"crash"``. "timeout" after the call is the nasty case a client must
survive: the write happened, the answer is lost.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

FaultFunction = Callable[[str, str], "str | None"]
FAULT_KINDS = ("503", "timeout", "crash")


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
