"""Tester round 100b, 5 and 6: erasing a mentor away, whose circle is held, on the demo's played term.

5. After the erasure the report's summary still said "of which in a circle held while its mentor is away, 3"
   while `lmsync plan` said the circle "is no longer held: its mentor, away, was erased".
6. The erasure's question named the held circle's members "from earlier pairs", beside "the other side of each
   of their pairs", which named nobody; and said their untied answers "count for no mentor of theirs".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import erase, run, table
from tests.flows.test_tester_round_77b_erasure import home as home  # noqa: F401  (fixture)
from tests.flows.test_tester_round_77b_erasure import played as played  # noqa: F401  (fixture)

pytestmark = pytest.mark.sqlite_only("the term is the demo's SQLite store, copied and read with sqlite3")

MENTEES = ("s0015", "s0042", "s0057", "s0060")  # m0004's circle in the demo
HELD_ROW = "of which in a circle held while its mentor is away"


def _away(home: Path) -> None:
    run(home, "emulator", "edit", "unenrol", "m0004")
    ran = run(home, "run", ok=False).output
    assert "Traceback" not in ran and "held" in run(home, "plan", ok=False).output, ran[-2000:]


def test_round_100b_6_a_held_circles_members_are_named_as_pairs_now_not_earlier(home: Path) -> None:
    _away(home)
    asked = run(home, "person", "erase", "m0004", stdin="n\n").output
    now, _, rest = asked.partition("(their circle's members now, the circle held while they are away)")
    assert rest, asked
    assert all(f"({m})" in now.rpartition("?")[2] for m in MENTEES), asked
    earlier = rest.partition("also lose")[0]
    assert not any(f"({m})" in earlier for m in MENTEES), asked
    assert "the other side of each of their pairs" not in asked, asked
    assert "count for no pair of the erased mentor dated up to today" in asked, asked
    assert "count for no mentor of theirs" not in asked, asked


def test_round_100b_6_the_others_read_well_with_or_without_current_and_earlier_pairs() -> None:
    from lmsync.service.erase_sides import others_said

    assert others_said(("A (s1)",), (), ()) == "A (s1) (their pair now) also loses"
    assert others_said((), (), ("E (s21)",)) == "From earlier pairs, E (s21), also loses"
    assert others_said((), ("U (s8)", "F (s20)"), ("E (s21)",)) == (
        "U (s8), F (s20) (their circle's members now, the circle held while they are away) and, from earlier "
        "pairs, E (s21), also lose")
    assert others_said((), (), ()) == "The other side of any pair of theirs also loses"


def test_round_100b_5_the_report_holds_no_circle_whose_away_mentor_was_erased(home: Path) -> None:
    _away(home)
    run(home, "report", "--format", "csv", "--out", "before")
    assert HELD_ROW in dict((r[0], r[1]) for r in table(home / "before", "summary")[1:]), "set-up: held"
    erase(home, "m0004")
    assert "is no longer held: its mentor, away, was erased" in run(home, "plan", ok=False).output
    run(home, "report", "--format", "csv", "--out", "after")
    rows = dict((r[0], r[1]) for r in table(home / "after", "summary")[1:])
    assert HELD_ROW not in rows, rows
