"""Tester round 108a, 4 (left over): the digest listed the queue items paused while lmsync leaves their circle alone
(its ID number swapped in Moodle) under "On hold while someone is away ... until they are back", though nobody was
away. They now have their own part, in true words: the circle is left alone until an admin sets its ID number back,
and the coordinator has nothing to do but tell the admin."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_108a_4_left_alone_circle_items import MENTEE, MENTOR, _circles, _on, _swap
from tests.flows.test_tester_round_108a_4_left_alone_circle_items import queued as queued  # the fixture


def _digests(home: Any, since: int) -> list[str]:
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    coordinator = next(u.id for u in site.users.values() if u.username == "m0012")
    return [html.unescape(m["text"]).replace("\xa0", " ").replace("<br />", "") for m in site.messages[since:]
            if m["useridto"] == coordinator]


def _sent(home: Any) -> int:
    return len(Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path()).messages)


def test_round_108a_4_the_digest_says_items_of_a_circle_left_alone_apart(queued: Any, monkeypatch: Any) -> None:
    home = queued
    _on(monkeypatch, date(2027, 2, 11))
    groups = _circles(home)
    _swap(home, groups)
    before = _sent(home)
    run_in(home, "run")  # the sync refuses (exit 2); health and the digest still run
    (text,) = _digests(home, before)
    assert "On hold while someone is away" not in text, text
    assert "until they are back" not in text, text
    section = text.split("On hold while lmsync leaves their circle alone (", 1)[1].split("\n\n", 1)[0]
    assert ("the circle's ID number was changed in Moodle, and lmsync leaves the circle as it is until an admin sets "
            "its ID number back: nothing for you to do but tell the admin") in " ".join(section.split()), section
    line = next(ln for ln in section.splitlines() if f"({MENTEE})" in ln)
    assert line.startswith("- ") and f"({MENTOR}) / " in line, line
    assert line.endswith(f": their circle (Moodle group {groups[0]}) carries another circle's ID number; since 2027-02-11"), line
