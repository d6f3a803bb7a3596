"""Issue 14: time to write the programme report for 2,500 pairs and a year of data (aim < 5 s).

Builds a synthetic programme in a temporary SQLite store (meetings every fortnight, three
survey waves on both sides, mentor-quality ratings, a health snapshot per pair per day for
a year, coordinator-queue items), then times reading the store, computing the tables and
statistics, drawing the charts and writing the HTML page. Prints the figures: wall-clock
seconds, and the process's CPU seconds beside them (on a shared machine the wall clock
mostly measures the neighbours).

    python benchmarks/report.py [--pairs 2500] [--days 365] [--store PATH]

Building the store takes minutes and is not timed; ``--store PATH`` keeps it at PATH and
reuses it on the next run (made by the same ``--pairs``/``--days``; delete it to rebuild).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lmsync.log import configure  # noqa: E402
from lmsync.render.report import renderer  # noqa: E402
from lmsync.service.report import MatchedPair, ReportPeople, build, read_inputs, write_report  # noqa: E402
from lmsync.store.db import Store  # noqa: E402
from tests.unit.report.synthetic import AS_OF, config_for, programme, roster_and_pairs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--store", type=Path, default=None, help="keep the built store here and reuse it")
    args = parser.parse_args()
    configure("console", "warning")
    with tempfile.TemporaryDirectory() as folder:
        path = args.store or Path(folder) / "bench.db"
        config = config_for(path, args.days)
        if path.exists():
            roster, pairs = roster_and_pairs(args.pairs)
            print(f"reusing the store {path} (not rebuilt)")
        else:
            started = time.perf_counter()
            store = Store(path)
            p = programme(store, config, pairs=args.pairs, days=args.days)
            store.close()
            roster, pairs = p.roster, p.pairs
            print(f"built {args.pairs} pairs x {args.days} days in {time.perf_counter() - started:.1f} s (not timed)")
        matched = [
            MatchedPair(m, e, 2.0 + (m * 7 + e) % 6, {"department": 3.0, "shared_interests": float(e % 2)})
            for m, e in pairs
        ]
        clock = [(time.perf_counter(), time.process_time())]
        store = Store(path, read_only=True)
        inputs = read_inputs(config, store, as_of=AS_OF)
        clock.append((time.perf_counter(), time.process_time()))
        data = build(config, inputs, ReportPeople(roster, pairs, matched), as_of=AS_OF)
        clock.append((time.perf_counter(), time.process_time()))
        out = write_report(data, Path(folder) / "report.html", renderer())[0]
        clock.append((time.perf_counter(), time.process_time()))
        store.close()

        def spent(a: int, b: int) -> str:
            return f"{clock[b][0] - clock[a][0]:.2f} s (cpu {clock[b][1] - clock[a][1]:.2f} s)"

        step = "weekly" if data.health_weekly else "daily"
        print(
            f"report for {args.pairs} pairs, {len(data.health.rows)} health points ({step}), "
            f"{sum(data.meetings.column('meetings_held'))} meetings: {spent(0, 3)}\n"
            f"  read {spent(0, 1)}, tables and statistics {spent(1, 2)}, charts and HTML {spent(2, 3)}; "
            f"{out.stat().st_size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
