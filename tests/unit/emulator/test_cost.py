"""Issue 15 "An emulator that costs like Moodle": the cost model charges TIMINGS.md's prices, the
worker limit holds, and both are off unless asked for."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from lmsync.moodle.emulator import (
    DEMO_TOKEN,
    EMULATOR_URL,
    MOODLE45,
    CostModel,
    EmulatorAdapter,
    Site,
    Workers,
    cost_model,
    serve_in_background,
)
from lmsync.moodle.emulator.protocol import REST_PATH, answer
from lmsync.moodle.encoding import encode

COURSE = 2  # MENTOR-2026 on the demo site


def _query(function: str) -> dict[str, str]:
    return {"wstoken": DEMO_TOKEN, "wsfunction": function, "moodlewsrestformat": "json"}


def _priced(site: Site, function: str, params: dict[str, Any], model: CostModel = MOODLE45) -> tuple[Any, float]:
    (status, _, body), seconds = answer(site, "POST", _query(function), encode(params), cost=model)
    assert status == 200
    return json.loads(body), seconds


def _students(site: Site, n: int) -> list[int]:
    course = site.courses[COURSE]
    return [uid for uid, e in sorted(course.enrolments.items()) if e.role == "student"][:n]


def _new_group(site: Site, name: str) -> int:
    created, _ = _priced(site, "core_group_create_groups",
                         {"groups": [{"courseid": COURSE, "name": name, "description": ""}]})
    return int(created[0]["id"])


def test_issue_15_every_request_costs_20_ms_and_each_member_4_ms(demo: Site) -> None:
    group = _new_group(demo, "circle")
    members = [{"groupid": group, "userid": uid} for uid in _students(demo, 3)]
    result, seconds = _priced(demo, "core_group_add_group_members", {"members": members})
    assert result is None
    assert seconds == pytest.approx((20 + 3 * 4.0) / 1000)
    _, read = _priced(demo, "core_group_get_group_members", {"groupids": [group]})
    assert read == pytest.approx(0.020)  # a read with no per-item price: the request only


def test_issue_15_big_member_batches_cost_more_per_member_beyond_500() -> None:
    """TIMINGS: 3.8 ms per member at 500, 4.5 at 1,500; the 2,500-member recording took 12.5 s."""
    params = {"members": [{"groupid": "1", "userid": str(i)} for i in range(1500)]}
    ms = MOODLE45.milliseconds(Site(), "core_group_add_group_members", params, None, ok=True)
    assert ms == pytest.approx(20 + 1500 * (4.0 + 0.0005 * 1000))
    assert 6500 <= ms <= 7000  # TIMINGS.md: median 6,753 ms


def test_issue_15_group_creates_cost_more_as_the_course_fills(demo: Site) -> None:
    """TIMINGS: each group pays ~1 ms plus 0.004 ms per group already in the course."""
    for i in range(5):
        _new_group(demo, f"seed {i}")
    before = len(demo.groups_of_course(COURSE))
    _, seconds = _priced(demo, "core_group_create_groups", {"groups": [
        {"courseid": COURSE, "name": "a", "description": ""}, {"courseid": COURSE, "name": "b", "description": ""},
    ]})
    expected = 20 + (1.0 + 0.004 * before) + (1.0 + 0.004 * (before + 1))
    assert seconds == pytest.approx(expected / 1000)


def test_issue_15_enrolled_users_cost_per_user_by_the_fields_asked(demo: Site) -> None:
    users = len(demo.courses[COURSE].enrolments)
    _, everything = _priced(demo, "core_enrol_get_enrolled_users", {"courseid": COURSE})
    _, heavy = _priced(demo, "core_enrol_get_enrolled_users", {"courseid": COURSE, "options": [
        {"name": "userfields", "value": "id,idnumber,customfields,roles,groups"}]})
    _, light = _priced(demo, "core_enrol_get_enrolled_users", {"courseid": COURSE, "options": [
        {"name": "userfields", "value": "id,idnumber"}, {"name": "limitfrom", "value": "0"},
        {"name": "limitnumber", "value": "20"}]})
    assert everything == pytest.approx((20 + users * 2.6) / 1000)  # TIMINGS: 213 ms for 75 users
    assert heavy == pytest.approx((20 + users * 1.2) / 1000)  # TIMINGS: 109 ms
    assert light == pytest.approx((20 + 20 * 0.25) / 1000)  # one page of 20: priced per user returned


def test_issue_15_a_refused_call_costs_the_request_only(demo: Site) -> None:
    members = [{"groupid": 99999, "userid": _students(demo, 1)[0]}] * 50
    result, seconds = _priced(demo, "core_group_add_group_members", {"members": members})
    assert result["errorcode"] == "invalidrecord"
    assert seconds == pytest.approx(0.020)


def test_issue_15_the_adapter_sleeps_the_price_with_a_fake_sleep(demo: Site) -> None:
    slept: list[float] = []
    adapter = EmulatorAdapter(demo, cost=MOODLE45, workers=Workers(sleep=slept.append))
    session = requests.Session()
    session.mount(EMULATOR_URL, adapter)
    group = _new_group(demo, "circle")
    members = [{"groupid": group, "userid": uid} for uid in _students(demo, 10)]
    response = session.post(EMULATOR_URL + REST_PATH, params=_query("core_group_add_group_members"),
                            data=encode({"members": members}))
    assert response.status_code == 200 and response.text == "null"
    assert slept == [pytest.approx(0.060)]  # 20 ms + 10 x 4 ms
    assert adapter.workers.charged == [("core_group_add_group_members", pytest.approx(0.060))]


def test_issue_15_cost_is_off_by_default(demo: Site) -> None:
    slept: list[float] = []
    adapter = EmulatorAdapter(demo, workers=Workers(sleep=slept.append))
    session = requests.Session()
    session.mount(EMULATOR_URL, adapter)
    response = session.post(EMULATOR_URL + REST_PATH, params=_query("core_webservice_get_site_info"))
    assert response.status_code == 200 and "sitename" in response.json()
    assert slept == [] and adapter.workers.charged == []
    assert cost_model(None) is None and cost_model("none") is None and cost_model("moodle45") is MOODLE45
    with pytest.raises(ValueError, match="unknown cost model"):
        cost_model("moodle31")


class _Watch:
    """A sleep that records how many requests are sleeping inside the server at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.calls = 0

    def __call__(self, _price: float) -> None:
        with self.lock:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1


def _fire(url: str, n: int) -> None:
    def one() -> None:
        response = requests.post(url + REST_PATH, params=_query("core_webservice_get_site_info"), timeout=30)
        assert response.status_code == 200

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.parametrize("limit", [1, 2])
def test_issue_15_never_more_than_n_requests_inside_the_handler(demo: Site, limit: int) -> None:
    watch = _Watch(0.05)
    pool = Workers(limit, sleep=watch)
    url, stop = serve_in_background(demo, cost=MOODLE45, workers=pool)
    try:
        _fire(url, 6)
    finally:
        stop()
    assert watch.calls == 6
    assert watch.most == limit  # the limit is reached and never passed
    assert pool.peak == limit and pool.inside == 0


def test_issue_15_without_a_limit_requests_run_side_by_side(demo: Site) -> None:
    watch = _Watch(0.2)
    url, stop = serve_in_background(demo, cost=MOODLE45, workers=Workers(None, sleep=watch))
    try:
        _fire(url, 4)
    finally:
        stop()
    assert watch.most >= 2


def test_issue_15_workers_must_be_at_least_one() -> None:
    with pytest.raises(ValueError):
        Workers(0)


def test_issue_15_cli_serve_takes_cost_and_workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from lmsync.cli import emulator as cli

    seen: dict[str, Any] = {}

    class _Server:
        server_address = ("127.0.0.1", 1)

        def serve_forever(self) -> None:
            raise KeyboardInterrupt

        def server_close(self) -> None:
            return None

    def fake_make_server(site: Site, **kwargs: Any) -> _Server:
        seen.update(kwargs)
        return _Server()

    monkeypatch.setattr(cli, "make_server", fake_make_server)
    result = CliRunner().invoke(cli.command, ["serve", "--cost", "moodle45", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert seen["cost"] is MOODLE45 and seen["workers"] == 3
    assert "cost: moodle45; workers: 3" in result.output
    refused = CliRunner().invoke(cli.command, ["serve", "--workers", "0"])
    assert refused.exit_code != 0
