"""Tester round 16, 6: the wave tables showed a mean, SD and CI over three mentees of one mentor;
``[report] min_cell`` now covers them as it covers the programme evaluation."""

from datetime import date

from lmsync.domain.instruments import RELATIONSHIP_SATISFACTION_MENTEE
from lmsync.domain.waves import Wave
from lmsync.service.report_surveys import _wave_summary_table

T0 = Wave("T0", date(2026, 9, 1), date(2026, 9, 30))
NAME = RELATIONSHIP_SATISFACTION_MENTEE.name


def table(respondents, min_cell):
    complete = {(NAME, "T0", who): 3.0 + who % 2 for who in range(respondents)}
    return _wave_summary_table(
        "t", "t", {NAME: RELATIONSHIP_SATISFACTION_MENTEE}, complete, [T0], lambda _i, _w: set(range(10)), min_cell
    )


def test_round_16_6_a_wave_under_min_cell_shows_no_statistics_only_its_response_rate():
    [row] = table(3, 5).rows
    assert row[:4] == (NAME, "mentee", "T0", "fewer than 5")
    assert row[4:8] == (None, None, None, None) and row[8] == 0.3


def test_round_16_6_a_wave_at_min_cell_is_described():
    [row] = table(5, 5).rows
    assert row[3] == 5 and row[4] == 3.4 and row[5] is not None
