"""The commands' YYYY-MM-DD options say what is wrong with a date (tester round 24, 8)."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.cli.dates import ISO_DATE


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["health", "--as-of", "2026-02-30"], "'2026-02-30' is no day of the calendar (day is out of range for month)"),
        (["report", "--out", "r.html", "--as-of", "2026-13-01"], "'2026-13-01' is no day of the calendar (month must be in 1..12)"),
        (["meetings", "list", "--since", "1/9/2026"], "'1/9/2026' is not a date written YYYY-MM-DD (e.g. 2026-12-01)"),
    ],
)
def test_round_24_8_a_date_the_calendar_lacks_is_named_as_such(args, said, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3 and said in " ".join(result.output.split())  # 3: lmsync's bad input
    assert "does not match the format" not in result.output


def test_a_good_date_is_midnight_of_that_day():
    assert ISO_DATE.convert(" 2028-02-29 ", None, None) == datetime(2028, 2, 29)
