"""Sync benchmark: lmsync against the emulator over HTTP on loopback.

2,000 mentees and 200 mentors (change with --mentees/--mentors). Prints, side by side, the
first sync and the no-op re-sync (requests made, writes, the lower bound
reads + ceil(writes / batch) per kind, wall time) and the same first sync done by a naive
client that sends one web-service call per group, member and assignment.

    python benchmarks/sync.py [--mentees 2000] [--mentors 200]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from lmsync.config import load_config
from lmsync.moodle.emulator import serve_in_background
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_scaled_site
from lmsync.service.apply import FUNCTION, ONE_PER_CALL, VARS_PER_OP, Applier
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import grouping_ids, make_plan, run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal

WRITE_FUNCTIONS = set(FUNCTION.values())


def lower_bound(reads: int, written: dict[str, int], budget: int) -> int:
    bound = reads
    for kind, count in written.items():
        per_call = 1 if kind in ONE_PER_CALL else budget // VARS_PER_OP[kind]
        bound += math.ceil(count / per_call)
    return bound


def split(stats: dict[str, int]) -> tuple[int, int]:
    writes = sum(n for f, n in stats.items() if f in WRITE_FUNCTIONS)
    return sum(stats.values()) - writes, writes


def run(mentees: int, mentors: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lmsync-bench-"))
    os.environ["XDG_STATE_HOME"] = str(workdir / "state")
    token = workdir / "token"
    token.write_text(DEMO_TOKEN)
    token.chmod(0o600)

    def config_for(url: str):
        path = workdir / "lmsync.toml"
        path.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n[programme]\nname = "bench"\n'
                        # everyone placed: capacity from config (12 each), not the profile field
                        '[matching]\ndefault_capacity = 12\n[matching.attributes]\ncapacity = ""\n')
        return load_config(path, environ={})

    rows = []
    site = build_scaled_site(mentees, mentors)
    url, stop = serve_in_background(site)
    try:
        config = config_for(url)
        budget = config.moodle.batch_budget
        store = Store(workdir / "bench.db")
        for label in ("first sync", "no-op re-sync"):
            with open_moodle(config) as conn:
                started = time.perf_counter()
                result = run_sync(conn.api, config, store)
                seconds = time.perf_counter() - started
                reads, writes = split(conn.transport.stats)
                written = dict(result.written)
                bound = lower_bound(reads, written, budget)
                rows.append((label, sum(conn.transport.stats.values()), reads, writes, sum(written.values()), bound, seconds))
                assert result.converged, f"{label} did not converge"
                if result.desired is not None and label == "first sync":
                    match = result.desired.match
                    matched = (len(match.assignments), len(match.unmatched), len(result.desired.circles))
                    ops_by_kind = dict(result.first_plan.counts())
    finally:
        stop()

    naive_site = build_scaled_site(mentees, mentors)
    url, stop = serve_in_background(naive_site)
    try:
        config = config_for(url)
        with open_moodle(config) as conn:
            started = time.perf_counter()
            planned = make_plan(conn.api, config)
            obs = planned.snapshot.observation
            applier = Applier(
                conn.api,
                Journal(Store.memory(), "bench"),
                run_id="naive",
                budget=budget,
                course_id=obs.course_id,
                group_ids={g.idnumber: g.id for g in obs.groups if g.idnumber},
                grouping_ids=grouping_ids(config, obs),
                forum_id=obs.forum_id,
                max_items_per_call=1,
            )
            report = applier.apply(planned.plan)
            seconds = time.perf_counter() - started
            reads, writes = split(conn.transport.stats)
            written = dict(report.written)
            rows.append(("naive first sync", sum(conn.transport.stats.values()), reads, writes, sum(written.values()),
                         lower_bound(reads, written, budget), seconds))
    finally:
        stop()

    print(f"lmsync sync benchmark: {mentees} mentees, {mentors} mentors, batch budget {budget} variables, HTTP on loopback")
    print(f"matching: {matched[0]} placed, {matched[1]} unmatched (mentor capacity), {matched[2]} circles; first plan {ops_by_kind}")
    print(f"{'run':<18} {'requests':>9} {'reads':>6} {'writes':>7} {'ops':>6} {'bound':>6} {'ratio':>6} {'seconds':>8}")
    for label, requests, reads, writes, ops, bound, seconds in rows:
        ratio = requests / bound if bound else float("nan")
        print(f"{label:<18} {requests:>9} {reads:>6} {writes:>7} {ops:>6} {bound:>6} {ratio:>6.2f} {seconds:>8.2f}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=200)
    args = parser.parse_args(argv)
    run(args.mentees, args.mentors)


if __name__ == "__main__":
    main(sys.argv[1:])
