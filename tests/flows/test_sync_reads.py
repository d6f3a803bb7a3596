"""Reads that cost what they must (issue 15): counted on the emulator, which records every request."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from urllib.parse import parse_qsl

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_scaled_site
from lmsync.moodle.encoding import decode
from lmsync.service.moodle import open_moodle
from lmsync.service.observe import RunMemo, observe, read_roster, sync_user_fields
from lmsync.service.reads import ReadPool, read_pages
from lmsync.service.sync import run_sync
from lmsync.store.db import Store

MENTEES, MENTORS = 600, 60
PAGE, PARALLEL, BUDGET = 500, 3, 2000


def make_config(tmp_path, monkeypatch, extra: str = ""):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f"[moodle]\npage_size = {PAGE}\nmax_parallel = {PARALLEL}\nbatch_budget = {BUDGET}\n"
        '[programme]\nname = "bench"\n[matching]\ndefault_capacity = 12\n[matching.attributes]\ncapacity = ""\n'
        + extra
    )
    return load_config(path, environ={})


def recorded_sync(config, site, store):
    """One run; returns (result, requests as (function, decoded form) in the order sent)."""
    with open_moodle(config, site=site) as conn:
        sent: list[tuple[str, dict]] = []
        send = conn.adapter.send

        def recording(request, **kw):
            form = dict(parse_qsl(request.url.split("?", 1)[1])) if "?" in request.url else {}
            body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
            sent.append((form.get("wsfunction", ""), decode(parse_qsl(body, keep_blank_values=True))))
            return send(request, **kw)

        conn.adapter.send = recording  # type: ignore[method-assign]
        result = run_sync(conn.api, config, store)
        return result, sent


def test_issue_15_noop_resync_reads_only_what_can_change_the_plan(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    site = build_scaled_site(MENTEES, MENTORS)
    store = Store(tmp_path / "lmsync.db")
    first, _ = recorded_sync(config, site, store)
    assert first.converged and first.rounds == 1, "a complete first round needs no confirming observation"

    again, sent = recorded_sync(config, site, store)
    calls = Counter(function for function, _ in sent)
    assert again.converged and again.rounds == 1 and not again.written
    users = MENTEES + MENTORS
    # the enrolments: the first page alone, then PARALLEL pages side by side until a short one
    pages = 1 + (PARALLEL if users >= PAGE else 0)
    assert calls == {
        "core_course_get_courses_by_field": 1,
        "core_enrol_get_enrolled_users": pages,
        "core_user_get_users_by_field": math.ceil(users / (BUDGET - 1)),  # trap 41, as the budget allows
        "core_group_get_course_groupings": 1,
        "core_group_get_groupings": 1,  # lmsync's grouping confirmed from the database (trap 27)
        "core_group_get_course_groups": 1,
        "core_group_get_group_members": 1,  # every circle's members in one batched call
        "mod_forum_get_forums_by_courses": 1,
        "mod_forum_get_forum_discussions": 1,  # every discussion in one answer
        "core_webservice_get_site_info": 1,  # lmsync's own welcome posts (trap 40), once a run
    }
    assert sum(calls.values()) == 9 + pages


def test_issue_15_sync_asks_only_for_the_user_fields_it_needs(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    _, sent = recorded_sync(config, build_scaled_site(40, 4), Store(tmp_path / "lmsync.db"))
    asked = {
        option["value"]
        for function, form in sent
        if function == "core_enrol_get_enrolled_users"
        for option in form["options"]
        if option["name"] == "userfields"
    }
    assert asked == {"id,username,idnumber,roles,customfields"}
    assert [f for f, _ in sent].count("core_enrol_get_enrolled_users") == 1, "a course that fits: one request"

    no_profile = make_config(
        tmp_path, monkeypatch, 'department = ""\ninterests = ""\nyear = ""\nlanguages = ""\n'
    )
    assert sync_user_fields(no_profile) == ["id", "username", "idnumber", "roles"], (
        "no matching attribute names a profile field: customfields is not asked for"
    )


def test_issue_15_site_info_and_course_read_once_per_run(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    site = build_scaled_site(40, 4)
    run_sync_config = config
    with open_moodle(run_sync_config, site=site) as conn:
        run_sync(conn.api, config, Store(tmp_path / "lmsync.db"))
        memo = RunMemo()
        before = Counter(conn.adapter.calls)
        first = observe(conn.api, config, memo=memo)
        second = observe(conn.api, config, memo=memo)
        calls = Counter(conn.adapter.calls) - before
    assert first.observation == second.observation
    assert first.observation.self_user_id is not None, "lmsync's own welcome posts are recognised"
    assert calls["core_webservice_get_site_info"] == 1 and calls["core_course_get_courses_by_field"] == 1
    assert calls["core_group_get_group_members"] == 2, "what can change is read each time"


def test_issue_15_match_reads_no_forum(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    with open_moodle(config, site=build_scaled_site(40, 4)) as conn:
        snapshot = observe(conn.api, config, forum=False)
        assert len(snapshot.roster) == 44
        assert not {"mod_forum_get_forums_by_courses", "mod_forum_get_forum_discussions"} & set(conn.adapter.calls)


def test_issue_15_account_state_read_in_budget_sized_batches_side_by_side(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    site = build_scaled_site(300, 30)
    suspended = sorted(site.users)[5]
    site.users[suspended].suspended = True
    with open_moodle(config, site=site) as conn:
        roster = read_roster(conn.api, 2, 100, max_parallel=3, account_batch=120)
        calls = Counter(conn.adapter.calls)
    assert len(roster) == 330
    assert calls["core_user_get_users_by_field"] == math.ceil(330 / 120)
    assert calls["core_enrol_get_enrolled_users"] == 1 + 3, "the first page, then 3 at once (the last is short)"
    assert roster[suspended].suspended is True, "trap 41: the account state comes with every batch"
    assert sum(1 for user in roster.values() if user.suspended) == 1


# -- read_pages: page only as far as paging pays ---------------------------------------------------


class Listing:
    """An offset-paged listing with no total, that records how many pages were in flight at once."""

    def __init__(self, rows: int, ignore_limits: bool = False) -> None:
        self.rows = list(range(rows))
        self.ignore_limits = ignore_limits
        self.requests: list[int] = []
        self.inside = self.most = 0
        self.lock = threading.Lock()

    def fetch(self, offset: int, size: int) -> list[int]:
        with self.lock:
            self.requests.append(offset)
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.01)
        with self.lock:
            self.inside -= 1
        return list(self.rows) if self.ignore_limits else self.rows[offset : offset + size]


def test_issue_15_a_listing_that_fits_is_one_request() -> None:
    listing = Listing(75)
    with ReadPool(4) as pool:
        assert read_pages(listing.fetch, 100, pool, key=lambda r: r) == list(range(75))
    assert listing.requests == [0]


@pytest.mark.parametrize("width", [1, 3])
def test_issue_15_pages_go_side_by_side_bounded_and_rows_come_once_in_order(width: int) -> None:
    listing = Listing(1030)
    with ReadPool(width) as pool:
        rows = read_pages(listing.fetch, 100, pool, key=lambda r: r)
    assert rows == list(range(1030))
    assert listing.most == width
    waves = math.ceil((11 - 1) / width)
    assert sorted(listing.requests) == [n * 100 for n in range(1 + width * waves)], "first alone, then waves of width"


def test_issue_15_a_server_that_ignores_the_limits_cannot_loop() -> None:
    listing = Listing(30, ignore_limits=True)
    with ReadPool(3) as pool:
        assert read_pages(listing.fetch, 10, pool, key=lambda r: r) == list(range(30))
    assert len(listing.requests) <= 4
