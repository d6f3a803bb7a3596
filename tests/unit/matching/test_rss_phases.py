"""The sync benchmark's memory sampler names the lmsync step that held the memory (issue 15)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _sampler_class() -> type:
    spec = importlib.util.spec_from_file_location("rss_phases", ROOT / "benchmarks" / "rss_phases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["rss_phases"] = module
    spec.loader.exec_module(module)
    return module.PhaseSampler  # type: ignore[no-any-return]


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc/self/statm (Linux)")
def test_the_step_holding_80_mb_is_named_with_its_peak():
    namespace: dict[str, object] = {"__name__": "lmsync.fake_step", "np": np, "time": time}
    exec(textwrap.dedent("""
        def hog():
            block = np.ones(80 * 2**20 // 8)  # 80 MB, touched
            time.sleep(0.3)
            return float(block[-1])

        def light():
            time.sleep(0.3)
    """), namespace)
    sampler = _sampler_class()(interval=0.01)
    with sampler:
        namespace["light"]()  # type: ignore[operator]
    with sampler:  # entered again: the peaks add up
        namespace["hog"]()  # type: ignore[operator]
    peaks = {where: mb for mb, where in sampler.top(10)}
    assert sampler.top(1)[0][1] == "fake_step:hog"
    assert peaks["fake_step:hog"] - peaks["fake_step:light"] > 60
