"""Issue 12, "Views once": every data command prints through one set of renderers and takes the
one shared ``--format text|json|csv`` option, on the emulator's demo store."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

import click
import pytest
from click.testing import CliRunner, Result

from lmsync.cli import main, walk
from lmsync.config import load_config
from lmsync.domain.health import PairHealth, Reason
from lmsync.errors import EXIT_INPUT
from lmsync.service.directory import read_roster_of, resolve_person
from lmsync.service.moodle import newcomer_defaults
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue

#: Every command that prints data, with its arguments (``PAIR``: a mentor and a mentee of the demo).
DATA_COMMANDS = {
    "match": ["match"],
    "plan": ["plan"],
    "health": ["health"],
    "queue list": ["queue", "list"],
    "pair show": ["pair", "show", "PAIR"],
    "meetings list": ["meetings", "list"],
    "grades plan": ["grades", "plan"],
    "doctor": ["doctor"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo site synced, a meeting stored, one pair queued for a coordinator; the pair's usernames."""
    home = tmp_path_factory.mktemp("formats")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(home / "state"))
        for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT"):
            patch.delenv(name, raising=False)
        patch.chdir(home)
        assert _run("sync").exit_code == 0
        pair = json.loads(_run("match", "--format", "json").stdout)["assignments"][0]
        mentor, mentee = pair["mentor"], pair["mentee"]
        added = _run("meetings", "add", "--date", "2026-10-05", "--mentor", mentor, "--mentee", mentee,
                     "--minutes", "40")
        assert added.exit_code == 0, added.output
        config = newcomer_defaults(load_config(None))
        roster = read_roster_of(config)
        store = Store(config.store_path())
        try:
            health = PairHealth(resolve_person(roster, mentor), resolve_person(roster, mentee), "fading",
                                (Reason("no_meeting", "fading", "No meeting, for now."),), date(2026, 9, 1), None, 60)
            CoordinatorQueue(store, config.programme.name).offer(date(2026, 11, 1), health)
        finally:
            store.close()
        yield mentor, mentee


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _sections(text: str) -> dict[str, list[list[str]]]:
    """CSV text as ``{table: rows}``: one table, or ``# name`` sections separated by blank lines."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or not rows[0][0].startswith("# "):
        return {"": rows}
    sections: dict[str, list[list[str]]] = {}
    for row in rows:
        if len(row) == 1 and row[0].startswith("# "):
            current = sections.setdefault(row[0][2:], [])
        elif row:
            current.append(row)
    return sections


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
@pytest.mark.parametrize("name", list(DATA_COMMANDS))
def test_issue_12_every_data_command_prints_each_format(demo: tuple[str, str], name: str, fmt: str) -> None:
    args = [a for arg in DATA_COMMANDS[name] for a in (demo if arg == "PAIR" else [arg])]
    result = _run(*args, "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.strip(), f"{name} printed nothing"
    if fmt == "json":
        data = json.loads(out)
        assert data and isinstance(data, dict | list)
    elif fmt == "csv":
        sections = _sections(out)
        assert sections
        for table, rows in sections.items():
            header = rows[0]
            assert header and all(h and not h.startswith("#") for h in header), (table, header)
            assert all(len(row) == len(header) for row in rows), table
    else:
        with pytest.raises(ValueError):
            json.loads(out)


def test_issue_12_text_json_and_csv_show_the_same_rows(demo: tuple[str, str]) -> None:
    assert _run("queue", "list", "--format", "table").stdout == _run("queue", "list").stdout  # the old name
    listed = json.loads(_run("meetings", "list", "--format", "json").stdout)
    assert listed[0]["date"] == "2026-10-05" and listed[0]["mentor"]["username"] == demo[0]
    rows = list(csv.DictReader(io.StringIO(_run("meetings", "list", "--format", "csv").stdout)))
    assert [r["date"] for r in rows] == [m["date"] for m in listed]
    assert rows[0]["minutes"] == "40" and rows[0]["attended"] == "yes" and f"({demo[0]})" in rows[0]["mentor"]
    queue = list(csv.DictReader(io.StringIO(_run("queue", "list", "--format", "csv").stdout)))
    as_json = json.loads(_run("queue", "list", "--format", "json").stdout)
    # the pair's latest status and reasons: the fixture's, or those of a `health` run by another test (finding 6)
    assert [q["status"] for q in queue] == [j["status"] for j in as_json] and len(as_json) == 1
    assert all(set(r) == {"code", "text"} for r in as_json[0]["reasons"])
    assert queue[0]["reasons"] == "; ".join(f"{r['text']} [{r['code']}]" for r in as_json[0]["reasons"])
    pair = _sections(_run("pair", "show", *demo, "--format", "csv").stdout)
    assert list(pair) == ["meetings", "satisfaction", "status", "nudges", "queue"]
    assert pair["meetings"][0] == ["date", "minutes", "attended", "source"] and pair["meetings"][1][0] == "2026-10-05"


def test_issue_12_every_format_option_is_the_shared_one() -> None:
    """One ``--format`` for every command that prints data; only ``report`` (files: html|csv) differs."""
    ctx = click.Context(main)
    seen = []
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        for path, cmd in [((name,), command), *(walk(command, (name,)) if isinstance(command, click.Group) else [])]:
            option = next((p for p in cmd.params if "--format" in getattr(p, "opts", [])), None)
            if option is None or path == ("report",):
                continue
            seen.append(" ".join(path))
            assert isinstance(option.type, click.Choice) and list(option.type.choices) == ["text", "json", "csv", "table"]
            assert option.default == "text" and option.callback is not None
    assert sorted(seen) == sorted(DATA_COMMANDS)


def test_issue_12_an_unknown_format_is_bad_input() -> None:
    result = _run("doctor", "--format", "xml")
    assert result.exit_code == EXIT_INPUT and "xml" in result.stderr
