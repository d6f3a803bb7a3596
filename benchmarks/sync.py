"""Sync benchmark: lmsync against the emulator over HTTP on loopback.

2,000 mentees and 200 mentors (change with --mentees/--mentors). Prints, side by side, the
first sync and the no-op re-sync (requests made, writes, the lower bound
reads + ceil(writes / batch) per kind, wall time) and the same first sync done by a naive
client that sends one web-service call per group, member and assignment.

    python benchmarks/sync.py [--mentees 2000] [--mentors 200]

With ``--cost moodle45`` the emulator costs like Moodle 4.5 (each request sleeps the recording
site's time for it, TIMINGS.md; ``lmsync emulator serve --cost moodle45 --workers N``) and serves
at most ``--workers`` requests at once. Then it prints, in one run: the first sync's time against
the floor (the same requests, consecutive batchable ones merged into the fewest requests, sent
one at a time to a fresh cost-modelled site with one worker), and the no-op re-sync's writes
(must be 0) and time against the floor's reads alone (issue 15's acceptance: <= 0.8x, <= 1.0x).

    python benchmarks/sync.py --cost moodle45 --workers 4 --mentees 2500 --mentors 250

With ``--rss`` it prints the peak RSS of lmsync's process over a first sync and a no-op re-sync
(the emulator in a child process; issue 15: a sync of 50,000 users under 300 MB):

    python benchmarks/sync.py --rss --mentees 50000 --mentors 5000
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from requests import Session
from rss_phases import PhaseSampler  # benchmarks/ is on sys.path when run as a script

from lmsync.config import load_config
from lmsync.log import configure
from lmsync.moodle.emulator import cost_model, serve_in_background
from lmsync.moodle.emulator.cost import CostModel, Workers
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_scaled_site
from lmsync.moodle.emulator.server import Recorded, is_write
from lmsync.moodle.encoding import decode, encode
from lmsync.service.apply import FUNCTION, ONE_PER_CALL, VARS_PER_OP, Applier, SyncFamily
from lmsync.service.executor import Executor
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
            family = SyncFamily(
                conn.api,
                Journal(Store.memory(), "bench"),
                course_id=obs.course_id,
                group_ids={g.idnumber: g.id for g in obs.groups if g.idnumber},
                grouping_ids=grouping_ids(config, obs),
                forum_id=obs.forum_id,
            )
            applier = Applier(Executor(family, run_id="naive", budget=budget, max_items=1))  # 1: the naive client
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


# ---------------------------------------------------------------------------------------------
# on an emulator that costs like Moodle: lmsync against the one-request-at-a-time floor (issue 15)
# ---------------------------------------------------------------------------------------------

def _function(req: Recorded) -> str:
    return dict(parse_qsl(urlsplit(req.path).query)).get("wsfunction", "")


def _params(req: Recorded) -> dict:
    return decode(parse_qsl(req.body, keep_blank_values=True))


def _merged(prev: Recorded, req: Recorded, budget: int, big_batch: int) -> Recorded | None:
    """``prev`` and ``req`` as one request when Moodle would answer it the same way, else None.

    Pages of one enrolment listing become one unpaged read; two calls that differ only in one
    list (members, groups, links, group ids) become one call with both lists, while it stays
    within ``budget`` form variables (and ``big_batch`` members, past which the model charges
    more per member: merging must not make the floor dearer).
    """
    if prev.path != req.path or prev.method != req.method:
        return None
    a, b = _params(prev), _params(req)
    function = _function(req)
    if function == "core_enrol_get_enrolled_users":
        paging = {"limitfrom", "limitnumber"}
        opts_a = [o for o in a.get("options", []) if o.get("name") not in paging]
        opts_b = [o for o in b.get("options", []) if o.get("name") not in paging]
        if a.get("courseid") != b.get("courseid") or opts_a != opts_b:
            return None
        merged = {**a, "options": opts_a}
    else:
        lists = [k for k, v in a.items() if isinstance(v, list)]
        if len(lists) != 1 or set(a) != set(b) or any(a[k] != b[k] for k in a if k != lists[0]):
            return None
        key = lists[0]
        if not isinstance(b[key], list):
            return None
        merged = {**a, key: a[key] + b[key]}
        if function == "core_group_add_group_members" and len(merged[key]) > big_batch:
            return None
    body = encode(merged)
    if len(body) > budget:
        return None
    return Recorded(req.method, req.path, urlencode(body))


def fewest(reqs: list[Recorded], budget: int, big_batch: int) -> list[Recorded]:
    """The same requests, consecutive mergeable ones merged (see :func:`_merged`), order kept."""
    out: list[Recorded] = []
    for req in reqs:
        merged = _merged(out[-1], req, budget, big_batch) if out else None
        if merged is None:
            out.append(req)
        else:
            out[-1] = merged
    return out


def replay(url: str, reqs: list[Recorded]) -> tuple[float, float, int]:
    """Send ``reqs`` one at a time; returns (seconds for all, seconds for the reads, failures)."""
    total = reads = 0.0
    failures = 0
    with Session() as session:
        for req in reqs:
            started = time.perf_counter()
            response = session.request(req.method, url + req.path, data=req.body.encode("utf-8"),
                                       headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=300)
            seconds = time.perf_counter() - started
            total += seconds
            if not is_write(_function(req)):
                reads += seconds
            if response.status_code != 200 or '"exception"' in response.text[:200]:
                failures += 1
    return total, reads, failures


def run_costed(mentees: int, mentors: int, model: CostModel, workers: int, max_parallel: int | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lmsync-bench-"))
    os.environ["XDG_STATE_HOME"] = str(workdir / "state")
    token = workdir / "token"
    token.write_text(DEMO_TOKEN)
    token.chmod(0o600)
    site = build_scaled_site(mentees, mentors)
    fresh = site.copy()  # the floor replays on the site as it was before the first sync
    recorded: list[Recorded] = []
    pool = Workers(workers)
    url, stop = serve_in_background(site, cost=model, workers=pool, record=recorded)
    path = workdir / "lmsync.toml"
    parallel = f"max_parallel = {max_parallel}\n" if max_parallel is not None else ""
    path.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n{parallel}[programme]\nname = "bench"\n'
                    '[matching]\ndefault_capacity = 12\n[matching.attributes]\ncapacity = ""\n')
    config = load_config(path, environ={})
    store = Store(workdir / "bench.db")
    runs = {}
    try:
        for label in ("first sync", "no-op re-sync"):
            start = len(recorded)
            with open_moodle(config) as conn:
                started = time.perf_counter()
                result = run_sync(conn.api, config, store)
                seconds = time.perf_counter() - started
                reads, writes = split(conn.transport.stats)
            assert result.converged, f"{label} did not converge"
            runs[label] = (seconds, reads, writes, recorded[start:], pool.peak)
    finally:
        stop()

    first_reqs = runs["first sync"][3]
    floor_reqs = fewest(first_reqs, config.moodle.batch_budget, model.big_batch)
    url, stop = serve_in_background(fresh, cost=model, workers=1)
    try:
        floor, floor_reads, failures = replay(url, floor_reqs)
    finally:
        stop()
    floor_writes = sum(1 for r in floor_reqs if is_write(_function(r)))

    first_s, first_r, first_w, _, peak = runs["first sync"]
    noop_s, noop_r, noop_w, _, _ = runs["no-op re-sync"]
    print(f"lmsync sync on the emulator costed like {model.name}: {mentees} mentees, {mentors} mentors, "
          f"{workers} workers, HTTP on loopback (max_parallel {config.moodle.max_parallel}, "
          f"at most {peak} requests inside at once)")
    print(f"{'run':<34} {'reads':>6} {'writes':>7} {'seconds':>8} {'vs floor':>9}")
    print(f"{'floor: one at a time, fewest':<34} {len(floor_reqs) - floor_writes:>6} {floor_writes:>7} {floor:>8.2f} "
          f"{'1.00x':>9}")
    print(f"{'floor: its reads alone':<34} {len(floor_reqs) - floor_writes:>6} {0:>7} {floor_reads:>8.2f}")
    print(f"{'lmsync first sync':<34} {first_r:>6} {first_w:>7} {first_s:>8.2f} {first_s / floor:>8.2f}x"
          "   (aim <= 0.8x)")
    print(f"{'lmsync no-op re-sync':<34} {noop_r:>6} {noop_w:>7} {noop_s:>8.2f} {noop_s / floor_reads:>8.2f}x"
          "   (against the floor's reads alone; aim <= 1.0x, writes must be 0)")
    if failures:
        print(f"warning: {failures} floor requests were refused on replay (the floor is not a faithful replay)")
    if noop_w:
        print(f"FAIL: the no-op re-sync made {noop_w} writes")


# ---------------------------------------------------------------------------------------------
# peak memory of a big sync (issue 15: a sync of 50,000 users under 300 MB)
# ---------------------------------------------------------------------------------------------

def _serve_site(mentees: int, mentors: int, urls, stop_event) -> None:  # in the child process
    site = build_scaled_site(mentees, mentors)
    url, stop = serve_in_background(site)
    urls.put(url)
    stop_event.wait()
    stop()


def run_rss(mentees: int, mentors: int) -> None:
    """A first sync and a no-op re-sync of ``mentees + mentors`` users; prints this process's peak RSS.

    The emulator runs in a child process, so the figure is lmsync's alone (the emulator's own
    copy of the site is not counted): ``ru_maxrss`` of this process after the runs.
    """
    import multiprocessing
    import resource

    from lmsync.allocator import hold_mmap_threshold

    # what the `lmsync` console script does when it starts (lmsync/__init__.py): this process
    # imports lmsync as a library, so it asks for the same allocator setting itself
    held = hold_mmap_threshold([])
    workdir = Path(tempfile.mkdtemp(prefix="lmsync-bench-"))
    os.environ["XDG_STATE_HOME"] = str(workdir / "state")
    token = workdir / "token"
    token.write_text(DEMO_TOKEN)
    token.chmod(0o600)
    context = multiprocessing.get_context("spawn")
    urls, stop_event = context.Queue(), context.Event()
    child = context.Process(target=_serve_site, args=(mentees, mentors, urls, stop_event), daemon=True)
    child.start()
    try:
        url = urls.get(timeout=600)
        path = workdir / "lmsync.toml"
        path.write_text(f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n[programme]\nname = "bench"\n'
                        '[matching]\ndefault_capacity = 12\n[matching.attributes]\ncapacity = ""\n')
        config = load_config(path, environ={})
        store = Store(workdir / "bench.db")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = []
        sampler = PhaseSampler()
        for label in ("first sync", "no-op re-sync"):
            with open_moodle(config) as conn, sampler:
                started = time.perf_counter()
                converged = run_sync(conn.api, config, store).converged
                seconds = time.perf_counter() - started
                reads, writes = split(conn.transport.stats)
            # only the figures outlive a run: the no-op re-sync is measured without the first
            # sync's result (its people, matching and plans) still held, as cron runs them
            assert converged, f"{label} did not converge"
            rows.append((label, reads, writes, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    finally:
        stop_event.set()
        child.join(timeout=30)
    print(f"lmsync sync of {mentees + mentors} users ({mentees} mentees, {mentors} mentors), emulator in a child process; "
          f"glibc mmap threshold held as `lmsync` holds it: {'yes' if held else 'no (not glibc, or MALLOC_MMAP_THRESHOLD_ set)'}")
    print(f"{'run':<16} {'reads':>6} {'writes':>7} {'seconds':>8} {'peak RSS MB':>12}")
    print(f"{'(start)':<16} {'':>6} {'':>7} {'':>8} {before:>12.0f}")
    for label, reads, writes, seconds, peak in rows:
        print(f"{label:<16} {reads:>6} {writes:>7} {seconds:>8.2f} {peak:>12.0f}")
    print("highest RSS by the lmsync step running (sampled every 20 ms):")
    for mb, where in sampler.top(8):
        print(f"  {mb:6.0f} MB  {where}")
    verdict = "ok" if rows[-1][4] < 300 else "OVER"
    print(f"peak RSS {rows[-1][4]:.0f} MB (issue 15: under 300 MB): {verdict}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--cost", default="none", help="none (default) or moodle45: an emulator that costs like Moodle")
    parser.add_argument("--workers", type=int, default=4, help="with --cost: requests the emulator answers at once")
    parser.add_argument("--max-parallel", type=int, default=None, help="lmsync's [moodle] max_parallel (default: its own)")
    parser.add_argument("--rss", action="store_true",
                        help="peak memory of a sync (e.g. --rss --mentees 50000 --mentors 5000; issue 15: < 300 MB)")
    args = parser.parse_args(argv)
    model = cost_model(args.cost)
    configure(level="warning")  # the figures, not a log line per request
    if args.rss:
        run_rss(args.mentees, args.mentors)
    elif model is None:
        run(args.mentees, args.mentors)
    else:
        run_costed(args.mentees, args.mentors, model, args.workers, args.max_parallel)


if __name__ == "__main__":
    main(sys.argv[1:])
