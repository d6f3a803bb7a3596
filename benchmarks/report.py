"""Issue 14: time to write the programme report for 2,500 pairs and a year of data (aim < 5 s).

Builds a synthetic programme in a temporary SQLite store (meetings every fortnight, three
survey waves on both sides, mentor-quality ratings, a health snapshot per pair per day for
a year, coordinator-queue items), then times reading the store, computing the tables and
statistics, drawing the charts and writing the HTML page. Prints the figures.

    python benchmarks/report.py [--pairs 2500] [--days 365]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lmsync.log import configure  # noqa: E402
from lmsync.service.report import MatchedPair, build, read_inputs, write_report  # noqa: E402
from lmsync.store.db import Store  # noqa: E402
from tests.unit.report.synthetic import AS_OF, config_for, programme  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2500)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    configure("console", "warning")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        config = config_for(path, args.days)
        started = time.perf_counter()
        store = Store(path)
        p = programme(store, config, pairs=args.pairs, days=args.days)
        store.close()
        print(f"built {args.pairs} pairs x {args.days} days in {time.perf_counter() - started:.1f} s (not timed)")
        matched = [
            MatchedPair(m, e, 2.0 + (m * 7 + e) % 6, {"department": 3.0, "shared_interests": float(e % 2)})
            for m, e in p.pairs
        ]
        started = time.perf_counter()
        store = Store(path, read_only=True)
        inputs = read_inputs(config, store, as_of=AS_OF)
        read = time.perf_counter()
        data = build(config, inputs, as_of=AS_OF, roster=p.roster, pairs=p.pairs, matched=matched)
        built = time.perf_counter()
        out = write_report(data, Path(folder) / "report.html")[0]
        done = time.perf_counter()
        store.close()
        print(
            f"report for {args.pairs} pairs, {len(data.health.rows)} health days, "
            f"{sum(data.meetings.column('meetings_held'))} meetings: {done - started:.2f} s "
            f"(read {read - started:.2f} s, tables and statistics {built - read:.2f} s, "
            f"charts and HTML {done - built:.2f} s); {out.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
