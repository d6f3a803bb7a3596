"""Tester round 99a, 1: a ``sqlite:///`` store url naming no file was never refused as absent.

The commands refused where there is no store at ``[store] path`` (``health``, ``nudge``, ``meetings add|remove``,
``grades push``, the views ``queue list``, ``meetings list``, ``person export``...) went on when the store was given
as ``[store] url = "sqlite:///..."`` (or LMSYNC_STORE_URL) naming a file that does not exist: ``health`` made the
file (and its folder and a lock file), judged every pair as new and queued them all; ``meetings add`` left the file
behind even when refused for another reason; the views answered as for an empty store, exit 0. Such a url is now
refused as a missing ``[store] path`` is: exit 3, the file and the url named, the fix said, nothing made (no store,
no lock file, no folder). ``sync`` still makes the store at such a url; a refused one leaves none there.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service.programme_settings import programme_today
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

from .conftest import run_in

pytestmark = pytest.mark.sqlite_only("a [store] url naming a SQLite file")

PROGRAMME = "mentor-2026"
COURSE = 2
TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def said(text: str) -> str:
    return " ".join(text.split())


def refused_for(result: Any, action: str, url: str, path: Path) -> None:
    """``result`` is the "no store" refusal of ``action`` for the url ``url`` naming ``path``: exit 3, the file and
    the url named, the fix said, and nothing made there (no store file, no companion, no lock file)."""
    text = said(result.output)
    assert result.exit_code == 3, result.output
    assert f"{action}: there is no store at {path} (the file [store] url {url} names)" in text, text
    assert "point [store] url (or LMSYNC_STORE_URL) at the programme's store" in text, text
    assert "`lmsync sync` or `lmsync run` makes the store" in text, text
    assert not path.exists() and not path.with_suffix(".lock").exists(), list(path.parent.iterdir())
    assert not list(path.parent.glob(path.name + "-*")), list(path.parent.iterdir())


def _pairs(home: Path) -> list[tuple[str, str]]:
    """(mentor, mentee) usernames: the first mentee of each circle of ``home``'s saved emulator site."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    out = []
    for group in sorted((g for g in site.groups.values() if g.courseid == COURSE), key=lambda g: g.id):
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and (mentees := sorted(group.members - {mentor})):
            out.append((site.users[mentor].username, site.users[mentees[0]].username))
    return out


def _site_beside_the_url(home: Path) -> None:
    """The emulator site the sync changed, copied to where a ``sqlite:///NAME`` url in ``home`` keeps its own: beside
    its file (tester round 100a, 6), so the url's store meets the programme's circles."""
    shutil.copyfile(load_config(home / "lmsync.toml", environ={}).emulator_state_path(), home / f"{PROGRAMME}.emulator.json")


@pytest.fixture
def synced(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``demo_home`` after one sync made the programme's store (at its default path): its path."""
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert (result := run_in(demo_home, "sync")).exit_code == 0, result.output
    store = load_config(demo_home / "lmsync.toml", environ={}).store_path()
    assert store.exists()
    return store


def test_health_at_a_store_url_to_a_missing_file_in_a_missing_folder_is_refused_and_makes_nothing(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMSYNC_STORE_URL", "sqlite:///nodir/x.db")
    health = run_in(demo_home, "health")
    refused_for(health, "health", "sqlite:///nodir/x.db", demo_home / "nodir" / "x.db")
    assert "each would be judged, and queued, as new" in said(health.output), health.output
    assert not (demo_home / "nodir").exists()  # not even the folder
    again = run_in(demo_home, "health")  # still refused: nothing was left to be taken for the programme's store
    refused_for(again, "health", "sqlite:///nodir/x.db", demo_home / "nodir" / "x.db")


def test_the_writing_commands_at_a_store_url_to_a_missing_file_are_refused(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, path = "sqlite:///gone.db", demo_home / "gone.db"
    monkeypatch.setenv("LMSYNC_STORE_URL", url)
    refused_for(nudged := run_in(demo_home, "nudge"), "nudge", url, path)
    assert "Nudges on " not in nudged.stdout, nudged.output
    refused_for(run_in(demo_home, "grades", "push"), "grades push", url, path)
    mentor, mentee = _pairs(demo_home)[0]
    refused_for(run_in(demo_home, "meetings", "remove", "--date", "2026-09-10", "--mentor", mentor, "--mentee", mentee,
                       "--yes"), "meetings remove", url, path)


def test_meetings_add_with_a_store_url_in_the_file_to_a_missing_file_is_refused(
    demo_home: Path, synced: Path
) -> None:
    _site_beside_the_url(demo_home)
    (demo_home / "lmsync.toml").write_text(TOML + '[store]\nurl = "sqlite:///medd.db"\n')
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    (mentor, mentee), (_, other) = _pairs(demo_home)[:2]
    add = ("meetings", "add", "--date", today, "--mentor", mentor, "--minutes", "30")
    added = run_in(demo_home, *add, "--mentee", mentee)
    refused_for(added, "meetings add", "sqlite:///medd.db", demo_home / "medd.db")
    assert "nothing was stored" in said(added.output) and "added" not in added.stdout, added.output
    # two people who were never a pair: refused for that after the store was made, which stayed (tester round 99a, 1)
    refused_for(run_in(demo_home, *add, "--mentee", other), "meetings add", "sqlite:///medd.db", demo_home / "medd.db")


def test_the_views_at_a_store_url_to_a_missing_file_are_refused_not_shown_empty(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, path = "sqlite:///gone.db", demo_home / "gone.db"
    monkeypatch.setenv("LMSYNC_STORE_URL", url)
    queue = run_in(demo_home, "queue", "list")
    refused_for(queue, "queue list", url, path)
    assert "the coordinator queue is empty" not in queue.output, queue.output
    listed = run_in(demo_home, "meetings", "list")
    refused_for(listed, "meetings list", url, path)
    assert "no meetings stored" not in listed.output, listed.output
    exported = run_in(demo_home, "person", "export", _pairs(demo_home)[0][1])
    refused_for(exported, "person export", url, path)


def test_sync_makes_the_store_at_a_store_url_to_a_new_file_and_the_commands_then_use_it(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text(TOML + '[store]\nurl = "sqlite:///new.db"\n')
    build_demo_site().save(load_config(cli_home / "lmsync.toml", environ={}).emulator_state_path())
    synced = run_in(cli_home, "sync")
    assert synced.exit_code == 0, synced.output
    assert (cli_home / "new.db").exists() and "there is no store" not in synced.output, synced.output
    today = programme_today(load_config(cli_home / "lmsync.toml", environ={})).isoformat()
    mentor, mentee = _pairs(cli_home)[0]
    added = run_in(cli_home, "meetings", "add", "--date", today, "--mentor", mentor, "--mentee", mentee,
                   "--minutes", "30")
    assert added.exit_code == 0 and added.stdout.startswith("added: "), added.output
    store = Store(cli_home / "new.db")
    try:
        assert len(MeetingRepository(store, PROGRAMME).find()) == 1
    finally:
        store.close()
    queue = run_in(cli_home, "queue", "list")
    assert queue.exit_code == 0 and "there is no store" not in queue.output, queue.output


def test_a_refused_sync_at_a_store_url_to_a_new_file_leaves_no_store_there(
    demo_home: Path, synced: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator's site the first sync changed (its circles made) is kept beside the default store, so a sync
    into a new store at the url finds circles it has no record of, and is refused: the empty store it made is
    removed, as one at a new ``[store] path`` is (tester round 97b, 1), and ``health`` stays refused. A ``sqlite:///``
    url's site is kept beside its file (tester round 100a, 6): the synced site is put there."""
    _site_beside_the_url(demo_home)
    url, path = "sqlite:///fresh.db", demo_home / "fresh.db"
    monkeypatch.setenv("LMSYNC_STORE_URL", url)
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == 2 and "no record of this programme's circles" in refused.output, refused.output
    assert not path.exists() and not list(demo_home.glob("fresh.db-*"))
    health = run_in(demo_home, "health")
    assert health.exit_code == 3 and f"there is no store at {path}" in said(health.output), health.output
