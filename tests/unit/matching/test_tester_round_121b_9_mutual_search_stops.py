"""Tester round 121b, 9: at 5,000 rows, 5 mutual pairs took ~28 s (the search's 32 solves) and ended "best found"
without saying the search had hit its limit; 6 pairs were not searched, silently; ``--format csv`` said nothing of
optimality. The search is bounded by time as well (4 times the first solve, within 1 to 5 s), and text, JSON
(``mutual_pairs.stopped``) and CSV (column ``optimality``, and the summary on stderr) say why it stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import lmsync.domain.mutual_pairs as mutual_pairs
from lmsync.cli import main
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.match_result import MatchResult
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.render.formats import csv_text
from lmsync.render.match import match_view
from lmsync.render.views import Note


def two_roles(pid: str, choice: str, department: str) -> Person:
    """A ``--people`` row ``mentor;mentee`` whose 1st choice is ``choice``."""
    return Person(pid, "mentee", capacity=1, also=frozenset({"mentor"}), preferences=(choice,), department=department)


def five_pairs() -> People:
    """The tester's shape, small: 5 pairs of two-role people who rank each other 1st, a faculty mentor per pair."""
    persons = [p for k in range(5) for p in (two_roles(f"a{k}", f"b{k}", f"D{k}"), two_roles(f"b{k}", f"a{k}", f"D{k}"))]
    return People((*persons, *(Person(f"t{k}", "mentor", capacity=1, department=f"D{k}") for k in range(5))))


def text(result: MatchResult) -> str:
    return " ".join(b.text for b in match_view(result, None, "text").blocks if isinstance(b, Note))


class Clock:
    """A clock that moves one second each time it is read: every solve "takes" a second."""

    now = 0.0

    @classmethod
    def monotonic(cls) -> float:
        cls.now += 1.0
        return cls.now


def test_a_search_that_spends_its_solves_says_so_in_text_and_json() -> None:
    result = match(five_pairs(), MatchSettings(load_balance=0))
    assert result.mutual is not None and not result.mutual.proven
    assert result.mutual.stopped == mutual_pairs.SOLVE_LIMIT == result.to_dict()["mutual_pairs"]["stopped"]
    assert ("5 mutual pairs refused (nobody mentors their own mentor); best found in 34 solves; not proven optimal "
            "once mutual pairs are refused: the search stopped after 32 solves (its limit)") in text(result)


def test_the_search_stops_at_its_time_limit_4_times_the_first_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each solve "taking" one second, the search gets 4 s and starts no solve after them (32 solves without)."""
    monkeypatch.setattr(mutual_pairs, "time", Clock)
    result = match(five_pairs(), MatchSettings(load_balance=0))
    assert result.mutual is not None and result.mutual.stopped == mutual_pairs.TIME_LIMIT
    assert result.mutual.solves <= 6  # the first, the guess's, at most 4 of the search's
    assert ("not proven optimal once mutual pairs are refused: the search stopped after 3 solves, at its time limit "
            "of 4.0 s (4 times the first solve, at least 1 s and at most 5 s)") in text(result)
    assert result.to_dict()["mutual_pairs"]["stopped"] == "time_limit"


def test_the_time_limit_is_4_times_the_first_solve_within_1_to_5_seconds() -> None:
    assert [mutual_pairs.search_seconds(s) for s in (0.001, 0.5, 0.9, 3.0)] == [1.0, 2.0, 3.6, 5.0]


def test_too_many_pairs_to_search_says_it_was_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutual_pairs, "MUTUAL_PAIRS_SEARCHED", 4)
    result = match(five_pairs(), MatchSettings(load_balance=0))
    assert result.mutual is not None and result.mutual.stopped == mutual_pairs.NOT_SEARCHED
    assert result.to_dict()["mutual_pairs"]["stopped"] == "too_many_pairs"
    assert "not proven optimal once mutual pairs are refused: not searched: 5 mutual pairs (the search takes at most " \
           "4)" in text(result)


def test_a_proven_search_has_no_stop() -> None:
    people = People((two_roles("a", "b", "X"), two_roles("b", "a", "X"), Person("t", "mentor", capacity=1)))
    result = match(people, MatchSettings(load_balance=0))
    assert result.mutual is not None and result.mutual.proven
    assert result.to_dict()["mutual_pairs"]["stopped"] is None and "stopped" not in text(result)


def test_csv_rows_say_proven_or_best_found() -> None:
    unproven = match(five_pairs(), MatchSettings(load_balance=0))
    rows = csv_text(match_view(unproven, None, "csv")).splitlines()
    assert rows[0].split(",")[-1] == "optimality"
    assert {row.rsplit(",", 1)[1] for row in rows[1:]} == {"best found"}
    proven = match(People((Person("t", "mentor", capacity=1), Person("s", "mentee"))), MatchSettings())
    assert csv_text(match_view(proven, None, "csv")).splitlines()[1].endswith(",proven")


def test_match_format_csv_says_the_search_on_stderr(tmp_path: Path) -> None:
    rows = ["id,role,capacity,department,preferences"]
    rows += [f"{x}{k},mentor;mentee,1,D{k},{y}{k}" for k in range(5) for x, y in (("a", "b"), ("b", "a"))]
    rows += [f"t{k},mentor,1,D{k}," for k in range(5)]
    people = tmp_path / "p.csv"
    people.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[0].endswith(",optimality")
    assert ("note: 5 mutual pairs refused (nobody mentors their own mentor); best found in 34 solves; not proven "
            "optimal once mutual pairs are refused: the search stopped after 32 solves (its limit)") in out.stderr
