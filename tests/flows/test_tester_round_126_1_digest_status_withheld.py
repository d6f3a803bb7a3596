"""Tester round 126, 1 (HARM): a mentor's ``person export`` gave away the pair status their mentee's low rating caused.

The pair m0001 / s0002 never met and is within its grace; s0002 rated the relationship low, so the pair is at risk by
the mentee's answers alone. The mentor's export withheld the snapshot's status, but ``digest_statuses`` (the pair
statuses a coordinator's digest was told from, revision 0022) carried the same day's ``at_risk`` for that pair. Its
``status`` is now ``withheld`` in every export holding such a row (the mentor's, the mentee's, the coordinator's), as
the snapshots' is, uncounted, and ``never_exported`` says so. Erasure deletes the rows as before.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, or_, select

from lmsync.config import load_config
from lmsync.service import moodle as moodle_service
from lmsync.service import privacy
from lmsync.store.db import Store
from lmsync.store.schema_more import digest_statuses
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import _on

DAY = date(2026, 12, 7)  # the tester's faketime
TOML = """[programme]
name = "priv-test"
[waves]
programme_start = 2026-12-01
[waves.windows]
T0 = { start = 2026-12-01, end = 2027-01-31 }
[instruments.relationship_satisfaction_mentee]
[health]
coordinators = ["m0012"]
"""
CSV = "respondent,date,instrument,item,value,about\n" + "".join(
    f"s0002,2026-12-07,relationship_satisfaction_mentee,{item},{value},m0001\n"
    for item, value in (("rs1", 1), ("rs2", 1), ("rs3", 1), ("rs5", 1), ("rs4", 5)))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tester's scenario played: a run, the mentee's low rating imported, a second run (its digest sent)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_CONFIG", "LMSYNC_TOKEN", "LMSYNC_MOODLE_URL", "LMSYNC_SYNC_MIN_SOURCE_FRACTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    monkeypatch.chdir(tmp_path)
    _on(monkeypatch, DAY, 12)
    (tmp_path / "lmsync.toml").write_text(TOML)
    (tmp_path / "s.csv").write_text(CSV)
    assert run_in(tmp_path, "run").exit_code == 0
    assert run_in(tmp_path, "import", "surveys", "s.csv").exit_code == 0
    ran = run_in(tmp_path, "run")
    assert "1 at risk" in ran.output and "1 digest(s) sent" in ran.output, ran.output[-2000:]
    return tmp_path


def _rows(home: Path, person: int) -> list[tuple[Any, ...]]:
    """The stored ``digest_statuses`` rows naming ``person``: (recipient, mentor, mentee, status)."""
    t = digest_statuses
    store = Store(load_config(home / "lmsync.toml", environ={}).store_path())
    try:
        return [tuple(r) for r in store.rows(
            select(t.c.recipient_id, t.c.mentor_id, t.c.mentee_id, t.c.status)
            .where(or_(t.c.recipient_id == person, t.c.mentor_id == person, t.c.mentee_id == person)))]
    finally:
        store.close()


def test_round_126_1_no_export_carries_the_status_a_digest_was_told_from(home: Path) -> None:
    config = load_config(home / "lmsync.toml", environ={})
    mentor, mentee = privacy.export(config, "m0001"), privacy.export(config, "s0002")
    pair = (mentor["person_id"], mentee["person_id"])
    assert {r[3] for r in _rows(home, pair[1]) if r[1:3] == pair} == {"at_risk"}  # stored as it was
    for who, data in (("m0001", mentor), ("s0002", mentee), ("m0012", privacy.export(config, "m0012"))):
        rows = data["digest_statuses"]
        assert rows and {r["status"] for r in rows} == {"withheld"}, (who, rows)
        assert "digest_statuses" not in data["withheld"]  # uncounted, as the snapshots' status
        assert any(line.startswith("the status, shared status and score of each health snapshot and queue item, and "
                                   "the pair status each digest was told from") for line in data["never_exported"])
        assert {r["status"] for r in data["health_snapshots"]} <= {"withheld"}
    ours = [r for r in mentor["digest_statuses"] if (r["mentor_id"], r["mentee_id"]) == pair]
    assert [(r["status"], r["day"]) for r in ours] == [("withheld", DAY.isoformat())]
    assert "at_risk" not in json.dumps(mentor) and "at_risk" not in json.dumps(mentee)


def test_round_126_1_erasure_still_deletes_the_rows(home: Path) -> None:
    config = load_config(home / "lmsync.toml", environ={})
    mentor = privacy.export(config, "m0001")["person_id"]
    named = _rows(home, mentor)
    coordinator = privacy.export(config, "m0012")["person_id"]
    before = len(_rows(home, coordinator))
    assert named
    counts = privacy.erase(config, "m0001", while_enrolled=True)
    assert counts["digest_statuses"] == len(named)
    assert _rows(home, mentor) == []
    t = digest_statuses
    store = Store(config.store_path())
    try:
        left = store.rows(select(func.count()).select_from(t).where(t.c.recipient_id == coordinator))[0][0]
    finally:
        store.close()
    assert left == before - len(named)  # the other pairs' rows stay
