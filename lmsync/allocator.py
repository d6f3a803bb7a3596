"""glibc's allocator told to hand large blocks back when they are freed (issue 15, memory).

A sync's matching builds and drops arrays of tens of MB in turn (candidate edges, the scans'
blocks, the slot graph of about 100 MB at 50,000 users). glibc serves a block of 128 KiB or
more with its own ``mmap``, handed back to the system on ``free``, but it raises that threshold
each time such a block is freed (its "dynamic mmap threshold", up to 32 MiB), so the next
arrays come from the heap instead, and a freed heap block stays resident until the heap's top
is free. Resident memory then grows phase by phase: at a 50,000-user ``make_plan`` the peak was
358 MB with glibc's default and 320 MB with the threshold held at 128 KiB (``MALLOC_MMAP_THRESHOLD_=131072``:
the same figure as ``mallopt`` from here; measured with ``benchmarks/sync.py --rss``'s sampler).

``hold_mmap_threshold`` sets it once, for the ``lmsync`` console script's commands that sync
(``SYNCING``: ``sync``, ``plan``, ``apply``, ``run``, ``daemon``, ``demo``; called by the CLI once the
command is known), as ``startup_signals`` does its handlers: a program importing lmsync (tests, a
benchmark that says it does this) keeps its own allocator unless it calls this. The other commands
keep glibc's default: each freed block that is unmapped is mapped and faulted in afresh when the next
array of its size comes, and ``lmsync match`` at 50,000 x 10,000, whose aim is speed under 1 GB (issue
15), spent about 5 s of system time doing so (14 s with the default, 20 s held; 300 MB against 265 MB).
Nothing where the C library is not glibc, and nothing when the admin set ``MALLOC_MMAP_THRESHOLD_``
themselves (theirs wins). Raises nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: ``M_MMAP_THRESHOLD`` in glibc's ``malloc.h``; setting it also turns the dynamic threshold off.
M_MMAP_THRESHOLD = -3
#: glibc's own starting threshold (128 KiB): blocks from here up are mapped, and unmapped when freed.
THRESHOLD = 128 * 1024

#: The commands that hold it: the sync and what runs one, whose peak is issue 15's 300 MB aim.
SYNCING = frozenset({"sync", "plan", "apply", "run", "daemon", "demo"})

held = False  # whether this process holds the threshold (tests and ``lmsync doctor``-style checks read it)


def hold_mmap_threshold(argv: list[str] | None = None, environ: dict[str, str] | None = None,
                        command: str | None = None) -> bool:
    """Hold glibc's mmap threshold at ``THRESHOLD`` when ``argv`` (default ``sys.argv``) is the
    ``lmsync`` console script running ``command``, one of ``SYNCING``; or always when ``argv`` is
    ``[]`` (a caller asking for it: the benchmarks). Returns whether it is held now."""
    global held
    argv = sys.argv if argv is None else argv
    environ = dict(os.environ) if environ is None else environ
    if argv and (os.path.basename(argv[0]) != "lmsync" or command not in SYNCING):
        return held
    if "MALLOC_MMAP_THRESHOLD_" in environ:  # the admin's own setting, read by glibc at start
        return held
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hold
        return held
    held = bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))  # 1 on success
    return held
