"""Keep Python's full garbage collections off long-lived objects during a burst of allocation (issue 14).

Used by the report (reading the store, computing its tables, drawing its charts) and by health's
judgement of every pair (issue 13: the Moodle reads, 25,000 meetings read from the store, the rules).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_gc_depth = 0


@contextmanager
def steady_gc() -> Iterator[None]:
    """Keep Python's full garbage collections off what the process already holds, meanwhile.

    Reading the store and drawing the charts allocate hundreds of thousands of objects;
    every so often that triggers a full collection, which rescans everything alive (the
    loaded libraries, the report's inputs): a tenth of a second each. ``gc.freeze`` moves the
    objects alive on entry out of the collector's view; ``gc.unfreeze`` puts them back on
    exit. Re-entrant; does nothing when something else already froze objects.
    """
    global _gc_depth
    if _gc_depth or gc.get_freeze_count():
        yield
        return
    _gc_depth += 1
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        _gc_depth -= 1
