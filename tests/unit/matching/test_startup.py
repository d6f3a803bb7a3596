"""Issue 15, start-up: ``lmsync`` commands import numpy and scipy only when they solve a match."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "scipy")


def _loaded_after(code: str) -> list[str]:
    """Top-level packages among ``HEAVY`` that a fresh interpreter has loaded after ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_issue_15_importing_the_cli_does_not_import_scipy_or_numpy() -> None:
    assert _loaded_after("import lmsync.cli") == []


def test_issue_15_lmsync_help_does_not_import_scipy_or_numpy() -> None:
    code = "import sys\nfrom lmsync.cli import main\nsys.argv = ['lmsync', '--help']\ntry:\n    main()\nexcept SystemExit:\n    pass"
    assert _loaded_after(code) == []


def test_issue_15_match_settings_and_explanations_need_no_numpy() -> None:
    code = (
        "from lmsync.domain.compatibility import Circle, MatchSettings, explain\n"
        "from lmsync.domain.people import Person\n"
        "import lmsync.domain.matching, lmsync.service.match\n"
        "a, b = Person('s1', 'mentee', department='x'), Person('t1', 'mentor', department='x')\n"
        "assert explain(Circle('mentor', [], [], [], [], frozenset(), {}, {}), a, b, False, MatchSettings())[0]"
    )
    assert _loaded_after(code) == []


def test_issue_15_solving_a_match_does_import_the_solver_libraries() -> None:
    # The probe can fail: if the lazy import were lost, solving would not load numpy/scipy here.
    code = (
        "from lmsync.domain.matching import match\n"
        "from lmsync.domain.compatibility import MatchSettings\n"
        "from lmsync.domain.people import People, Person\n"
        "r = match(People((Person('s1', 'mentee'), Person('t1', 'mentor', capacity=1))), MatchSettings())\n"
        "assert [(a.mentee, a.mentor) for a in r.assignments] == [('s1', 't1')] and r.proven_optimal"
    )
    assert _loaded_after(code) == ["numpy", "scipy"]
