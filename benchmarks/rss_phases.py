"""Where a process's resident memory peaks: a sampler of RSS by the lmsync function running.

A daemon thread reads ``/proc/self/statm`` every ``interval`` seconds and notes, for the
innermost ``lmsync`` frame of the main thread at that moment (module:function), the highest
RSS seen while it ran. ``ru_maxrss`` gives only the peak; this says which step reached it, so
memory work on issue 15's 300 MB aim starts from the right place. Linux only (``/proc``);
elsewhere ``top`` returns nothing. Sampling: a peak shorter than ``interval`` can be missed,
and the figures are RSS (freed memory that the allocator keeps still counts).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

STATM = Path("/proc/self/statm")
PAGE_MB = 4096 / 2**20


class PhaseSampler:
    """``with PhaseSampler() as s: ...`` then ``s.top(8)``: [(MB, "module:function"), ...], highest first."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peaks: dict[str, float] = {}
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PhaseSampler:
        """Start sampling; a sampler can be entered again (the peaks add up over its uses)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(self._stop,), daemon=True)
        if STATM.exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            rss = int(STATM.read_text().split()[1]) * PAGE_MB
            where = _innermost_lmsync(sys._current_frames().get(self._main))  # noqa: SLF001
            if rss > self.peaks.get(where, 0.0):
                self.peaks[where] = rss
            time.sleep(self.interval)

    def top(self, count: int) -> list[tuple[float, str]]:
        return sorted(((mb, where) for where, mb in self.peaks.items()), reverse=True)[:count]


def _innermost_lmsync(frame: object) -> str:
    while frame is not None:
        code = frame.f_code  # type: ignore[attr-defined]
        module = frame.f_globals.get("__name__", "")  # type: ignore[attr-defined]
        if module.startswith("lmsync."):
            return f"{module.removeprefix('lmsync.')}:{code.co_name}"
        frame = frame.f_back  # type: ignore[attr-defined]
    return "(outside lmsync)"
