"""Tester round 94a, 4: an import into a mistyped store path wrote into a brand-new store and exited 0.

`LMSYNC_STORE_PATH=term/trem.db lmsync import meetings m4.csv` (the programme's store being term/term.db) said
"78 added", then warned that lmsync had made a new, empty store there, exit 0, while `queue list` with the same
path was refused, exit 3. An import is now refused by the rule `queue list` follows (no store file at the
configured path): exit 3, nothing read, stored or made, the path and the fix named. A first sync makes the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.service.programme_settings import programme_today
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_81_new_store_said import _meetings, _pairs


def said(text: str) -> str:
    return " ".join(text.split())


def _meetings_csv(home: Path) -> Path:
    mentor, mentee = (_pairs(home) or [("m0001", "s0001")])[0]  # before a first sync: no circle yet
    today = programme_today(load_config(home / "lmsync.toml", environ={})).isoformat()
    csv = home / "m4.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n{today},{mentor},{mentee},30,yes\n")
    return csv


def _surveys_csv(home: Path) -> Path:
    mentor, _ = (_pairs(home) or [("m0001", "s0001")])[0]
    today = programme_today(load_config(home / "lmsync.toml", environ={})).isoformat()
    csv = home / "s4.csv"
    csv.write_text(f"respondent,date,instrument,item,value\n{mentor},{today},satisfaction,1,4\n")
    return csv


def test_tester_round_94a_4_an_import_into_a_mistyped_store_path_is_refused_as_queue_list_is(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert (synced := run_in(demo_home, "sync")).exit_code == 0, synced.output
    store = load_config(demo_home / "lmsync.toml", environ={}).store_path()
    csv = _meetings_csv(demo_home)
    typo = store.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))

    queue = run_in(demo_home, "queue", "list")
    assert queue.exit_code == 3, queue.output
    for kind, file in (("meetings", csv), ("surveys", _surveys_csv(demo_home))):
        refused = run_in(demo_home, "import", kind, str(file))
        assert refused.exit_code == queue.exit_code, refused.output  # exit 3, as `queue list`
        text = said(refused.output)
        assert f"import {kind}: there is no store at {typo}" in text and "nothing was imported" in text, text
        assert "point [store] path (or LMSYNC_STORE_PATH) at the programme's store" in text, text
        assert "added" not in refused.stdout and "lmsync made a new" not in text, text
        assert not typo.exists() and not list(typo.parent.glob(typo.name + "-*"))  # no store, no companions
    assert _meetings(store) == 0

    monkeypatch.delenv("LMSYNC_STORE_PATH")  # the programme's store: the import goes in
    imported = run_in(demo_home, "import", "meetings", str(csv))
    assert imported.exit_code == 0 and "1 added" in imported.stdout, imported.output
    assert _meetings(store) == 1


def test_tester_round_94a_4_an_import_before_the_first_sync_says_the_sync_makes_the_store(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    store = load_config(demo_home / "lmsync.toml", environ={}).store_path()
    refused = run_in(demo_home, "import", "meetings", str(_meetings_csv(demo_home)))
    assert refused.exit_code == 3, refused.output
    assert "on a new programme, `lmsync sync` or `lmsync run` makes the store" in said(refused.output)
    assert not store.exists()
    template = run_in(demo_home, "import", "meetings", "--template")  # the example file needs no store
    assert template.exit_code == 0 and template.stdout.startswith("date,mentor,mentee"), template.output
