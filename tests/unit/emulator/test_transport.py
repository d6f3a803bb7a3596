"""Persistence, the in-process requests adapter, fault injection and the loopback HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from lmsync.moodle.emulator import (
    DEMO_TOKEN,
    EMULATOR_URL,
    EmulatorAdapter,
    RandomFaults,
    SimulatedCrash,
    Site,
    fail_once,
    serve_in_background,
)
from lmsync.moodle.encoding import encode
from tests.unit.emulator.helpers import ws

REST = "/webservice/rest/server.php"
QUERY = {"wstoken": DEMO_TOKEN, "moodlewsrestformat": "json"}


def create_group(session: requests.Session, base: str, name: str) -> requests.Response:
    form = encode({"groups": [{"courseid": 2, "name": name, "description": "", "idnumber": f"lmsync:{name}"}]})
    return session.post(base + REST, params=QUERY | {"wsfunction": "core_group_create_groups"}, data=form, timeout=10)


def group_names(site: Site) -> list[str]:
    return [g.name for g in site.groups.values()]


def test_json_round_trip_keeps_every_collection(recorded: Site) -> None:
    ws(recorded, "core_group_create_groups", {"groups": [{"courseid": 2, "name": "New", "description": ""}]})
    ws(recorded, "core_message_send_instant_messages", {"messages": [{"touserid": 3, "text": "x"}]})
    data = recorded.to_json()
    again = Site.from_json(json.loads(json.dumps(data)))
    assert again.to_json() == data
    assert again.groups[1].members == recorded.groups[1].members
    assert again.tokens[DEMO_TOKEN].capabilities == recorded.tokens[DEMO_TOKEN].capabilities
    assert ws(again, "core_group_get_group_members", {"groupids": [1]}) == ws(recorded, "core_group_get_group_members", {"groupids": [1]})


def test_save_is_atomic_and_load_restores(tmp_path: Path, demo: Site) -> None:
    target = tmp_path / "state" / "site.json"
    demo.save(target)
    ws(demo, "core_group_create_groups", {"groups": [{"courseid": 2, "name": "After save", "description": ""}]})
    assert "After save" not in group_names(Site.load(target))
    demo.save(target)
    assert "After save" in group_names(Site.load(target))
    assert [p.name for p in target.parent.iterdir()] == ["site.json"]  # no temp file left behind


def session_for(site: Site, fault: object = None) -> requests.Session:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site, fault=fault))  # type: ignore[arg-type]
    return session


def test_adapter_lets_a_requests_session_talk_to_the_site(demo: Site) -> None:
    response = create_group(session_for(demo), EMULATOR_URL, "A")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.json()[0]["name"] == "A" and group_names(demo) == ["A"]


def test_fault_before_leaves_the_site_untouched(demo: Site) -> None:
    session = session_for(demo, fail_once("core_group_create_groups", "before", "503"))
    assert create_group(session, EMULATOR_URL, "A").status_code == 503
    assert group_names(demo) == []
    session = session_for(demo, fail_once("core_group_create_groups", "before", "timeout"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        create_group(session, EMULATOR_URL, "A")
    assert group_names(demo) == []


def test_fault_after_applies_the_call_and_loses_the_answer(demo: Site) -> None:
    session = session_for(demo, fail_once("core_group_create_groups", "after", "timeout"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        create_group(session, EMULATOR_URL, "A")
    assert group_names(demo) == ["A"]
    session = session_for(demo, fail_once("core_group_create_groups", "after", "503"))
    assert create_group(session, EMULATOR_URL, "B").status_code == 503
    assert group_names(demo) == ["A", "B"]


def test_crash_is_raised_out_of_the_adapter(demo: Site) -> None:
    session = session_for(demo, fail_once("core_group_create_groups", "after", "crash"))
    with pytest.raises(SimulatedCrash):
        create_group(session, EMULATOR_URL, "A")
    assert group_names(demo) == ["A"]


def test_random_faults_are_seeded_and_limited_to_their_kinds() -> None:
    def run(seed: int) -> list[str | None]:
        faults = RandomFaults(rate=0.5, seed=seed, kinds=("503",))
        return [faults("f", phase) for phase in ("before", "after") * 50]

    first = run(7)
    assert first == run(7) and first != run(8)
    assert set(first) == {None, "503"}
    with pytest.raises(ValueError):
        RandomFaults(kinds=("boom",))


@pytest.mark.wire
def test_http_server_answers_a_real_post_and_saves_the_state(tmp_path: Path, demo: Site) -> None:
    state = tmp_path / "site.json"
    url, stop = serve_in_background(demo, state_path=state)
    try:
        with requests.Session() as session:
            response = create_group(session, url, "Over the wire")
            assert response.status_code == 200 and response.json()[0]["name"] == "Over the wire"
            info = session.post(url + REST, params=QUERY | {"wsfunction": "core_webservice_get_site_info"}, timeout=10)
            assert info.json()["userid"] == max(demo.users)
            assert session.post(url + "/nope", timeout=10).status_code == 404
        assert "Over the wire" in group_names(Site.load(state))
    finally:
        stop()


@pytest.mark.wire
def test_http_server_faults(demo: Site) -> None:
    """"timeout" after the call over HTTP: applied, then the answer is held past the client's timeout."""
    url, stop = serve_in_background(demo, fault=fail_once("core_group_create_groups", "after", "timeout"), hold_seconds=3)
    try:
        form = encode({"groups": [{"courseid": 2, "name": "Lost answer", "description": "", "idnumber": "lmsync:lost"}]})
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(url + REST, params=QUERY | {"wsfunction": "core_group_create_groups"}, data=form, timeout=0.5)
        assert group_names(demo) == ["Lost answer"]  # applied, answer lost
    finally:
        stop()


def test_deepcopy_gives_an_independent_site(demo: Site) -> None:
    import copy

    clone = copy.deepcopy(demo)
    ws(clone, "core_group_create_groups", {"groups": [{"courseid": 2, "name": "Only in the clone", "description": ""}]})
    assert group_names(demo) == [] and group_names(clone) == ["Only in the clone"]
