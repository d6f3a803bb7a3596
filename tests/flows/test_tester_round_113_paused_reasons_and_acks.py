"""Tester round 113, 1, 5 and 6: a paused queue item's reason kept from its pause's day, health's paused items given
only as counts, and the ack day an acknowledged item lost to `queue done --outcome met`.

1: a mentor away, their circle's hold over, their mentees re-matched, then the mentor back: `queue list` and `health`
still gave the old circle's paused items "the mentor is no longer active in the course", and `pair show` only "not
in the programme". The pair ended by the re-match: each says the mentee is in another mentor's circle now.
5: health JSON and `lmsync run`'s health step counted the items paused (``paused_not_in_programme``,
``paused_on_hold``); a coordinator's tool wants which: their ids and pair ids, under ``..._items``, the counts kept.
6: `queue done ... --outcome met` on an acknowledged item reopens it, and `queue list` no longer said when it was
acknowledged, in text or JSON.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from lmsync.config import load_config
from lmsync.store.db import Store
from lmsync.store.queue import CoordinatorQueue
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_105a_1_held_pair_queue_item import MENTEE, MENTOR, _ok, _on
from tests.flows.test_tester_round_105a_1_held_pair_queue_item import queued as queued  # noqa: F401 (fixture)

MOVED = "the mentee is now in another mentor's circle"
INACTIVE = "the mentor is no longer active in the course"


def _mentor_lines(home: Any) -> list[str]:
    return [line for line in _ok(home, "queue", "list").splitlines() if f"({MENTOR}) / " in line]


def _items(home: Any) -> dict[int, str]:
    """Queue item id -> its pair id (MENTOR_ID-MENTEE_ID), read from the store."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        items = CoordinatorQueue(store, config.programme.name).items()
    finally:
        store.close()
    return {i.id: f"{i.mentor_id}-{i.mentee_id}" for i in items}


def _json_run(home: Any) -> dict[str, Any]:
    """The health step's counts of one `lmsync run` under ``--log-format json``."""
    done = run_in(home, "--log-format", "json", "run")
    assert done.exit_code == 0, done.output
    steps = [json.loads(line) for line in done.output.splitlines() if line.startswith('{"run_id"')]
    (health,) = [s for s in steps if s.get("step") == "health"]
    return dict(health["counts"])


def _rematched(home: Any, monkeypatch: Any) -> dict[str, Any]:
    """The mentor away on 2027-02-11, their circle held 2 days, their mentees re-matched on 2027-02-13, the mentor
    back on 2027-02-16; the health counts of the run of 2027-02-17."""
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + "[sync]\naway_mentor_hold_days = 2\n")
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTOR)
    _ok(home, "run")
    for day in (13, 14):
        _on(monkeypatch, date(2027, 2, day))
        _ok(home, "run")
    _on(monkeypatch, date(2027, 2, 16))
    _ok(home, "emulator", "edit", "restore", MENTOR)
    _ok(home, "run")
    _on(monkeypatch, date(2027, 2, 17))
    return _json_run(home)


def test_round_113_1_a_paused_items_reason_follows_the_re_match_and_the_mentor_back(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _rematched(home, monkeypatch)
    lines = _mentor_lines(home)
    assert len(lines) == 6, lines
    for line in lines:
        head = line.split("  owner ")[0]
        assert f"  gone  item open since 2027-02-10  (paused on 2027-02-11): {MOVED}" in head, line
        assert INACTIVE not in head, line
        # the note says when the why changed, once
        assert line.count(f"paused by lmsync on 2027-02-16: the pair is no longer in the programme ({MOVED})") == 1, line
    health = _ok(home, "health")
    (said,) = [line for line in health.splitlines() if "queue item(s) paused: the pair is no longer" in line]
    assert said.count(f"({MOVED}; paused since 2027-02-11)") == 6 and INACTIVE not in said, said
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert {i["why"] for i in data["paused_not_in_programme_items"]} == {MOVED}, data["paused_not_in_programme_items"]
    shown = _ok(home, "pair", "show", MENTOR, MENTEE)
    assert f"open, paused 2027-02-11 (the pair is no longer in the programme: {MOVED}; nothing is due)" in shown, shown


def test_round_113_1_while_the_mentor_is_still_away_the_re_match_is_said_first(queued: Any, monkeypatch: Any) -> None:
    """The hold over and the mentees re-matched, the mentor still away: the pair ended by the re-match."""
    home = queued
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + "[sync]\naway_mentor_hold_days = 2\n")
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTOR)
    _ok(home, "run")
    _on(monkeypatch, date(2027, 2, 13))
    _ok(home, "run")
    for line in _mentor_lines(home):
        assert f"(paused on 2027-02-11): {MOVED}; {INACTIVE}" in line, line


def test_round_113_5_health_and_run_json_list_the_paused_items(queued: Any, monkeypatch: Any) -> None:
    home = queued
    config = home / "lmsync.toml"
    config.write_text(config.read_text() + "[sync]\naway_mentor_hold_days = 2\n")
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "emulator", "edit", "suspend", MENTOR)
    counts = _json_run(home)
    ids = _items(home)
    held = counts["paused_on_hold_items"]
    assert counts["paused_on_hold"] == len(held) == 6 and counts["paused_not_in_programme_items"] == [], counts
    assert all(set(i) == {"id", "pair", "why"} for i in held), held
    assert all(ids[i["id"]] == i["pair"] for i in held), (held, ids)
    assert all(i["why"].startswith("the mentor has been away since 2027-02-11") for i in held), held
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert data["paused_on_hold"] == 6 and data["paused_on_hold_items"] == held, data["paused_on_hold_items"]
    # the hold over: the same items, no longer in the programme, in health's JSON and the run's
    _on(monkeypatch, date(2027, 2, 13))
    counts = _json_run(home)
    gone = counts["paused_not_in_programme_items"]
    assert counts["paused_not_in_programme"] == 6 and counts["paused_on_hold_items"] == [], counts
    assert sorted(i["id"] for i in gone) == sorted(i["id"] for i in held), (gone, held)
    data = json.loads(_ok(home, "health", "--format", "json"))
    assert data["paused_not_in_programme"] == 6 and data["paused_not_in_programme_items"] == gone, data
    assert data["paused_on_hold_items"] == [], data["paused_on_hold_items"]
    assert "Ibrahim" not in json.dumps(gone), gone  # ids, never a name


def test_round_113_6_an_acknowledged_item_met_keeps_its_ack_day(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    _ok(home, "queue", "ack", MENTOR, MENTEE, "--note", "called the mentor")
    _on(monkeypatch, date(2027, 2, 12))
    assert "met recorded; the item stays open" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "met")
    (line,) = [line for line in _mentor_lines(home) if f"({MENTEE})" in line]
    assert "  acknowledged 2027-02-11  outcome met recorded 2027-02-12" in line, line
    assert "awaiting outcome" not in line and "  due 2027-03-10" in line, line
    (item,) = [i for i in json.loads(_ok(home, "queue", "list", "--format", "json")) if i["mentee"]["username"] == MENTEE]
    assert (item["state"], item["acknowledged_on"], item["outcome"]) == ("open", "2027-02-11", "met"), item
    # an item met without an ack says none
    _ok(home, "queue", "done", MENTOR, "s0009", "--outcome", "met")
    (other,) = [i for i in json.loads(_ok(home, "queue", "list", "--format", "json")) if i["mentee"]["username"] == "s0009"]
    assert other["acknowledged_on"] is None and other["outcome"] == "met", other
