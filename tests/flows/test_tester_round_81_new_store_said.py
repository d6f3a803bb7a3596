"""Tester round 81, 1, reversed by tester round 98a, 1 and 7: a command that writes the store, not being a sync.

With `[store] path` (or LMSYNC_STORE_PATH) mistyped, `meetings add`, a real `nudge` and `grades push` made a new
empty store file at the wrong path, stored into it and exited 0. Round 81 had them say so in a warning; but the new
store then switched off the "no store" refusals: `health` judged and queued every pair as new on it (98a, 1). They
are now refused where there is no store file, as `import meetings|surveys` (94a, 4) and `queue list` are: exit 3,
the path and the fix named, nothing read, stored or made, not even the lock file. `meetings remove` said "no stored
meeting of this pair" there; it is refused the same way (98a, 7). `nudge --dry-run` only reads: no store is made.
Only `sync` and `run` make the store. A PostgreSQL `[store] url` has no file: never refused by this rule (a
`sqlite:///` url naming no file is: tester round 99a, 1, in test_store_url_to_a_missing_file_is_refused.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service.programme_settings import programme_today
from lmsync.service.stores import absent_store, refuse_if_absent
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"
COURSE = 2


def run_in(home: Path, *args: str) -> Any:
    """``lmsync --config HOME/lmsync.toml ARGS``, stdout and stderr apart (``result.stderr``)."""
    return CliRunner().invoke(main, ["--log-level", "error", "--config", str(home / "lmsync.toml"), *args])


def said(text: str) -> str:
    return " ".join(text.split())


def refused_for(result: Any, action: str, path: Path) -> None:
    """``result`` is the "no store" refusal of ``action`` at ``path``: exit 3, the path and the fix named, nothing
    stored there (no store file, no SQLite companion, no lock file)."""
    text = said(result.output)
    assert result.exit_code == 3, result.output
    assert f"{action}: there is no store at {path}" in text, text
    assert "point [store] path (or LMSYNC_STORE_PATH) at the programme's store" in text, text
    assert "lmsync made a new" not in text, text
    assert not path.exists() and not list(path.parent.glob(path.name + "-*")), list(path.parent.iterdir())
    assert not path.with_suffix(".lock").exists() and not path.with_name(path.name + ".lock").exists()


def _pairs(home: Path) -> list[tuple[str, str]]:
    """(mentor, mentee) usernames: the first mentee of each circle of ``home``'s saved emulator site."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    out = []
    for group in sorted((g for g in site.groups.values() if g.courseid == COURSE), key=lambda g: g.id):
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and (mentees := sorted(group.members - {mentor})):
            out.append((site.users[mentor].username, site.users[mentees[0]].username))
    return out


def _meetings(path: Path) -> int:
    store = Store(path)
    try:
        return len(MeetingRepository(store, PROGRAMME).find())
    finally:
        store.close()


@pytest.fixture
def synced(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``demo_home`` after one sync made the programme's store, and the path of that store."""
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert (result := run_in(demo_home, "sync")).exit_code == 0, result.output
    store = load_config(demo_home / "lmsync.toml", environ={}).store_path()
    assert store.exists()
    return store


def test_round_98a_1_meetings_add_at_a_mistyped_store_path_is_refused_and_health_stays_refused(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, mentee = _pairs(demo_home)[0]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    add = ("meetings", "add", "--date", today, "--mentor", mentor, "--mentee", mentee, "--minutes", "30")

    refused = run_in(demo_home, *add)
    refused_for(refused, "meetings add", typo)
    assert "added" not in refused.stdout and "nothing was stored" in said(refused.output), refused.output
    assert "`lmsync sync` or `lmsync run` makes the store" in said(refused.output), refused.output
    health = run_in(demo_home, "health")  # still refused: no new store was taken for the programme's
    assert health.exit_code == 3 and f"there is no store at {typo}" in said(health.output), health.output

    monkeypatch.delenv("LMSYNC_STORE_PATH")  # the programme's store: the meeting goes in
    added = run_in(demo_home, *add)
    assert added.exit_code == 0 and added.stdout.startswith("added: "), added.output
    assert "no store at" not in added.output and _meetings(synced) == 1, added.output


def test_round_98a_1_grades_push_at_a_mistyped_store_path_is_refused(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    csv = demo_home / "meetings.csv"
    csv.write_text("date,mentor,mentee,minutes,attended\n" + "".join(f"{today},{m},{s},30,yes\n"
                                                                      for m, s in _pairs(demo_home)))
    assert run_in(demo_home, "import", "meetings", str(csv)).exit_code == 0
    plan = demo_home / "grades.json"
    planned = run_in(demo_home, "grades", "plan", "--out", str(plan))
    assert planned.exit_code == 0 and "no store at" not in planned.output, planned.output
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))

    refused_for(run_in(demo_home, "grades", "push", str(plan)), "grades push", typo)  # the saved plan
    refused_for(run_in(demo_home, "grades", "push"), "grades push", typo)  # plan and push now
    refused_for(run_in(demo_home, "grades", "push", "--store-takes-over"), "grades push", typo)

    monkeypatch.delenv("LMSYNC_STORE_PATH")
    pushed = run_in(demo_home, "grades", "push", str(plan))  # the programme's store: pushed
    assert pushed.exit_code == 0 and "no store at" not in pushed.output, pushed.output


def test_round_82_6_a_command_refused_before_storing_anything_leaves_no_store(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`meetings add` of two people who were never a pair is refused (exit 3) after the store was opened: the empty
    store it made stayed, said as made, and then `health` and `queue list` took it for the programme's (round 82, 6).
    Since tester round 98a, 1 it is refused before: there is no store at that path."""
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    (mentor, _), (_, other) = _pairs(demo_home)[:2]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    refused = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", mentor, "--mentee", other,
                     "--minutes", "30")
    refused_for(refused, "meetings add", typo)  # now refused before the store is opened (tester round 98a, 1)
    queue = run_in(demo_home, "queue", "list")
    assert queue.exit_code == 3 and "there is no store at" in queue.output, queue.output  # still refused


def test_round_81_1_nudge_dry_run_at_a_mistyped_store_path_reads_and_makes_no_store(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    previewed = run_in(demo_home, "nudge", "--dry-run")  # a preview reads, and makes no store
    assert previewed.exit_code == 0 and previewed.stdout.startswith("Would "), previewed.output
    assert "lmsync made a new" not in previewed.output, previewed.output
    assert not typo.exists() and not typo.with_suffix(".lock").exists() and not typo.with_name(typo.name + ".lock").exists()


def test_round_98a_1_a_real_nudge_at_a_mistyped_store_path_is_refused(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    nudged = run_in(demo_home, "nudge")
    refused_for(nudged, "nudge", typo)
    assert "Nudges on " not in nudged.stdout and "nothing was sent" in said(nudged.output), nudged.output
    refused_for(run_in(demo_home, "--log-format", "json", "nudge", "--allow-mass-nudge"), "nudge", typo)


def test_round_98a_7_meetings_remove_with_no_store_says_there_is_no_store(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, mentee = _pairs(demo_home)[0]
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    removed = run_in(demo_home, "meetings", "remove", "--date", "2026-09-10", "--mentor", mentor, "--mentee", mentee,
                     "--yes")
    refused_for(removed, "meetings remove", typo)
    assert "no stored meeting" not in removed.output and "nothing was removed" in said(removed.output), removed.output


def test_round_98a_1_a_store_url_is_never_refused_as_absent(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n[store]\nurl = "postgresql+psycopg://u@127.0.0.1:5/x"\n')
    config = load_config(path, environ={})
    assert absent_store(config) is None
    refuse_if_absent(config, "meetings add")  # no file to look for: not refused by this rule
