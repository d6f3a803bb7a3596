"""The repository's copy of the recordings must match ../shared/moodle when it exists.

The recordings are copied into tests/contract/recordings so CI does not depend on
../shared; this test catches the copy going stale. It is skipped where ../shared is absent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).parents[2]
SHARED = REPO_ROOT.parent / "shared" / "moodle"
LOCAL = REPO_ROOT / "tests" / "contract" / "recordings"


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def drift(shared: dict[str, str], local: dict[str, str]) -> dict[str, list[str]]:
    return {
        "added in shared (missing here)": sorted(set(shared) - set(local)),
        "removed from shared (only here)": sorted(set(local) - set(shared)),
        "changed": sorted(k for k in set(shared) & set(local) if shared[k] != local[k]),
    }


def test_drift_reports_added_changed_removed() -> None:
    report = drift(
        {"a.json": "1", "b.json": "2", "c.json": "3"}, {"b.json": "2", "c.json": "x", "d.json": "4"}
    )
    assert report == {
        "added in shared (missing here)": ["a.json"],
        "removed from shared (only here)": ["d.json"],
        "changed": ["c.json"],
    }


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present (CI without ../shared)")
def test_recordings_match_shared_copy() -> None:
    report = drift(digests(SHARED), digests(LOCAL))
    problems = {k: v for k, v in report.items() if v}
    assert not problems, "tests/contract/recordings drifted from ../shared/moodle: " + "; ".join(
        f"{k}: {', '.join(v)}" for k, v in problems.items()
    )
