"""Tester round 81, 1: a command that writes the store, not being a sync, said nothing when it made one.

With `[store] path` (or LMSYNC_STORE_PATH) mistyped, `lmsync import meetings|surveys`, `meetings add`, a real
`nudge` and `grades push` made a new empty store file at the wrong path, stored into it and exited 0: the admin
took the data to be in the programme's store, where `meetings list` never showed it. Importing before the first
sync (and a second machine's `grades push`, a `nudge` on a fresh store) is deliberate, so they still do it, with
the same exit code, but say once on stderr that there was no store there, that a new empty one holds what they
stored, and how to point them at the programme's. Where a store is, nothing more is said.

Tester round 94a, 4: an import no longer does: it is refused where there is no store, as `queue list` is
(tests/flows/test_tester_round_94a_4_import_into_no_store.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service.programme_settings import programme_today
from lmsync.service.stores import absent_store, made_store
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"
COURSE = 2


def run_in(home: Path, *args: str) -> Any:
    """``lmsync --config HOME/lmsync.toml ARGS``, stdout and stderr apart (``result.stderr``)."""
    return CliRunner().invoke(main, ["--log-level", "error", "--config", str(home / "lmsync.toml"), *args])


def said(text: str) -> str:
    return " ".join(text.split())


def warned(path: Path, *, failed: bool = False) -> str:
    held = "anything this command stored before the error below is" if failed else "what this command stored is"
    return (f"warning: there was no store at {path}: lmsync made a new, empty one there, and {held} in it, not in "
            "any other store. If the programme's store is elsewhere, point [store] path (or LMSYNC_STORE_PATH) at it "
            f"and run this again; the new file (and {path.with_suffix('.lock').name}, its lock, beside it) can then be deleted.")


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


def _one_meeting_and_a_mistyped_store(demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A meetings file of one of today's pairs, and LMSYNC_STORE_PATH set to a mistyped name beside ``synced``."""
    mentor, mentee = _pairs(demo_home)[0]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    csv = demo_home / "meetings.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n{today},{mentor},{mentee},30,yes\n")
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    return csv, typo


def test_round_81_1_meetings_add_says_it_made_a_new_store_and_only_the_first_time(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, mentee = _pairs(demo_home)[0]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    add = ("meetings", "add", "--date", today, "--mentor", mentor, "--mentee", mentee, "--minutes")

    added = run_in(demo_home, *add, "30")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("added: "), added.output
    assert said(added.stderr).count(warned(typo)) == 1, added.stderr
    assert _meetings(typo) == 1

    corrected = run_in(demo_home, *add, "40")
    assert corrected.exit_code == 0 and "updated: " in corrected.output, corrected.output
    assert "no store at" not in corrected.output, corrected.output


def test_round_81_1_grades_push_into_a_mistyped_store_path_says_it_made_a_new_store(
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

    # the saved plan, pushed from a mistyped store path: refused, as lmsync plans otherwise from an empty store
    # (tester round 85a, 1: a file is pushed only when it holds what lmsync plans now); no store is left there
    refused = run_in(demo_home, "grades", "push", str(plan))
    assert refused.exit_code == 2 and "Refusing the saved grades plan" in refused.output, refused.output
    assert not typo.exists() and warned(typo) not in said(refused.stderr)

    pushed = run_in(demo_home, "grades", "push")  # pushed from a mistyped store path, it says where it stored
    assert pushed.exit_code in (0, 2) and "no store at" not in pushed.stdout, pushed.output
    assert said(pushed.stderr).count(warned(typo)) == 1 and typo.exists(), pushed.stderr

    again = run_in(demo_home, "grades", "push")
    assert "no store at" not in again.output and warned(typo) not in said(again.stderr), again.output
    monkeypatch.delenv("LMSYNC_STORE_PATH")
    where = run_in(demo_home, "grades", "push")  # the programme's store: nothing said of a new store (its push is
    assert "no store at" not in where.output, where.output  # refused: the new store created the grade items)


def test_round_82_6_a_command_refused_before_storing_anything_leaves_no_store(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`meetings add` of two people who were never a pair is refused (exit 3) after the store was opened: the empty
    store it made stayed, said as made, and then `health` and `queue list` took it for the programme's (round 82, 6)."""
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    (mentor, _), (_, other) = _pairs(demo_home)[:2]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    refused = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", mentor, "--mentee", other,
                     "--minutes", "30")
    assert refused.exit_code == 3, refused.output
    assert "no store at" not in refused.stderr and "error: " in refused.stderr, refused.stderr
    assert not typo.exists() and not list(typo.parent.glob(typo.name + "-*"))  # no store, no SQLite companions
    queue = run_in(demo_home, "queue", "list")
    assert queue.exit_code == 3 and "there is no store at" in queue.output, queue.output  # still refused


def test_round_81_1_no_word_where_the_store_is_or_for_a_command_that_makes_nothing(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pushed = run_in(demo_home, "grades", "push")
    assert pushed.exit_code == 0 and "no store at" not in pushed.output, pushed.output
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    previewed = run_in(demo_home, "nudge", "--dry-run")  # a preview reads, and makes no store
    assert "lmsync made a new" not in previewed.output, previewed.output
    assert not typo.exists()


def test_round_81_1_a_real_nudge_on_a_mistyped_store_path_says_it_made_a_new_store(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = synced.with_name("mentor-2062.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(typo))
    nudged = run_in(demo_home, "nudge")  # a nudge on a fresh store still runs
    assert nudged.exit_code == 0 and nudged.stdout.startswith("Nudges on "), nudged.output
    assert said(nudged.stderr).count(warned(typo)) == 1, nudged.stderr
    again = run_in(demo_home, "nudge")
    assert again.exit_code == 0 and "no store at" not in again.output, again.output


def test_round_81_1_under_json_logs_the_new_store_is_one_json_line(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `--log-format json` stderr is the log: the `store.created` event (the path, the fix) says it."""
    _csv, typo = _one_meeting_and_a_mistyped_store(demo_home, synced, monkeypatch)
    mentor, mentee = _pairs(demo_home)[0]
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    imported = run_in(demo_home, "--log-format", "json", "--log-level", "warning", "meetings", "add", "--date", today,
                      "--mentor", mentor, "--mentee", mentee, "--minutes", "30")  # an import is refused (94a, 4)
    assert imported.exit_code == 0, imported.output
    events = [json.loads(line) for line in imported.stderr.splitlines()]  # every line JSON
    created = [e for e in events if e["event"] == "store.created"]
    assert len(created) == 1 and created[0]["path"] == str(typo) and created[0]["level"] == "warning", events
    assert "[store] path (or LMSYNC_STORE_PATH)" in created[0]["hint"]
    assert mentor not in imported.stderr and mentee not in imported.stderr  # the path only, never a name


def test_round_81_1_a_store_url_is_never_said_to_be_new(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n[store]\nurl = "postgresql+psycopg://u@127.0.0.1:5/x"\n')
    assert absent_store(load_config(path, environ={})) is None
    assert made_store(None) is None and made_store(None, failed=True) is None
