"""Client-side cost of adding group members: requests and encoding time per 1,000 members.

Runs ``MoodleApi.add_group_members`` against a fake ``requests.Session`` that answers
``null`` (Moodle's success body) without a network, so the figures are the client's own
work (validation, chunking, PHP-array encoding) plus the number of requests Moodle would
see. The last column estimates Moodle's server time from TIMINGS.md (~4.3 ms per member
plus ~20 ms per request on the recording site) to put the client cost in proportion.

    python benchmarks/client.py [--budget 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import requests

from lmsync.log import configure
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.encoding import encode
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token

SERVER_MS_PER_MEMBER = 4.3  # TIMINGS.md, core_group_add_group_members 100-1,500 per call
SERVER_MS_PER_REQUEST = 20.0  # TIMINGS.md, fixed overhead per call


class CountingSession(requests.Session):
    """Answers every POST with ``null`` and counts requests and form variables."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0
        self.max_vars = 0

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.requests += 1
        fields = list(data or [])
        # The token travels first in the body (trap 37); "max vars" counts the parameters the
        # budget limits, the token being one more variable on the wire.
        if fields and fields[0][0] == "wstoken":
            fields = fields[1:]
        self.max_vars = max(self.max_vars, len(fields))
        response = requests.Response()
        response.status_code = 200
        response._content = b"null"
        response.headers["Content-Type"] = "application/json"
        return response


def run(members: int, budget: int, repeat: int) -> dict[str, float]:
    pairs = [(18, 78 + i) for i in range(members)]
    timings = []
    encode_timings = []
    session = CountingSession()
    for _ in range(repeat):
        session = CountingSession()
        api = MoodleApi(
            Transport("https://moodle.invalid", Token("benchmark-token"), session=session, budget=budget)
        )
        started = time.perf_counter()
        api.add_group_members(pairs)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        encode({"members": [{"groupid": g, "userid": u} for g, u in pairs]})
        encode_timings.append(time.perf_counter() - started)
    per_k = 1000 / members
    return {
        "members": members,
        "requests": session.requests,
        "requests_per_1000": session.requests * per_k,
        "max_vars": session.max_vars,
        "client_ms_per_1000": statistics.median(timings) * 1000 * per_k,
        "encode_ms_per_1000": statistics.median(encode_timings) * 1000 * per_k,
        "server_s_estimate": (members * SERVER_MS_PER_MEMBER + session.requests * SERVER_MS_PER_REQUEST)
        / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2000, help="form variables per request (default 2000)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    configure(level="warning")
    print(f"add_group_members, budget {args.budget} form variables per request, median of {args.repeat} runs")
    header = (
        f"{'members':>8} {'requests':>9} {'req/1000':>9} {'max vars':>9} "
        f"{'client ms/1000':>15} {'encode ms/1000':>15} {'Moodle s (est.)':>16}"
    )
    print(header)
    for members in (1000, 2600, 10000, 50000):
        r = run(members, args.budget, args.repeat)
        print(
            f"{r['members']:>8} {r['requests']:>9} {r['requests_per_1000']:>9.1f} {r['max_vars']:>9} "
            f"{r['client_ms_per_1000']:>15.2f} {r['encode_ms_per_1000']:>15.2f} {r['server_s_estimate']:>16.1f}"
        )


if __name__ == "__main__":
    main()
