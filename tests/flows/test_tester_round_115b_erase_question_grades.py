"""Tester round 115b, 4: the question ``lmsync person erase`` asks says what the partners' grades become.

The README promises the question says "what the other side of each pair loses"; that the meeting grades lmsync
published for the people the erased person met are recomputed (and may drop, or be written as 0 where no meeting is
left) was said only once the erasure was done. The question says it now, in the same words, for someone the store
holds meetings of; someone with none reads no such sentence.

The programme of ``test_tester_round_114a_grades_after_erasure_and_name_clash``: a meeting each for m0009/s0026 and
m0001/s0008, their grades pushed.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.grades_unbacked import ERASED_MEETINGS_NOTE
from lmsync.errors import EXIT_OK
from tests.flows.test_tester_round_77b_erasure import run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import home as home  # noqa: F401

GRADES = ("The meeting grades lmsync published for the people they met (attendance, meetings, minutes) are "
          "recomputed without the erased meetings at the next `lmsync grades push` or `lmsync run` (`lmsync grades "
          "plan` shows them); one with no meeting left behind it is written as 0, as Moodle's web services cannot "
          "empty a grade.")


def _asked(home: Path, who: str) -> str:
    """The question ``person erase WHO`` asks, answered no (nothing erased), its spaces as one."""
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(home / "lmsync.toml"), "person",
                                       "erase", who], input="n\n")
    said = " ".join(result.output.split())
    assert result.exit_code == EXIT_OK and "nothing erased" in said, said
    return said


def test_round_115b_4_the_erase_question_says_the_partners_meeting_grades_are_recomputed(
    home: Path,  # noqa: F811
) -> None:
    assert f"note: t{GRADES[1:-1]}" == ERASED_MEETINGS_NOTE  # the words of the note said after the erasure
    for who in ("s0026", "m0009", "s0002"):
        run(home, "emulator", "edit", "unenrol", who)
    mentee = _asked(home, "s0026")
    assert GRADES in mentee, mentee
    assert mentee.index(GRADES) < mentee.index("This cannot be undone")
    assert GRADES in _asked(home, "m0009")  # a mentor's partners alike
    assert "meeting grades" not in _asked(home, "s0002")  # no meeting of theirs: no grade of a partner changes
    erased = " ".join(run(home, "person", "erase", "s0026", "--yes").output.split())
    assert ERASED_MEETINGS_NOTE in erased, erased  # said again once done, as before
