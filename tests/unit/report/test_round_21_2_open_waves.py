"""Tester round 21, 2: two reports made a day apart while a wave was open gave away the one answer
between them (n 5, mean 2.4, then n 6, mean 2.2: that answer was 1.2). A configured wave's statistics
now wait for the last day of its window."""

from datetime import date

from lmsync.domain.instruments import RELATIONSHIP_SATISFACTION_MENTEE
from lmsync.domain.waves import Wave
from lmsync.service.report_surveys import _evaluation_table, _wave_summary_table, closed_waves_only

T0 = Wave("T0", date(2026, 9, 1), date(2026, 9, 30))
T3 = Wave("T3", date(2026, 12, 1), date(2027, 1, 31))
NAME = RELATIONSHIP_SATISFACTION_MENTEE.name
INSTRUMENTS = {NAME: RELATIONSHIP_SATISFACTION_MENTEE}


def complete(t3_answers: int) -> dict[tuple[str, str, int], float]:
    out = {(NAME, "T0", who): 3.0 for who in range(8)}
    out.update({(NAME, "T3", who): 2.0 + who % 3 for who in range(t3_answers)})
    return out


def test_closed_waves_only_names_the_waves_before_their_last_day():
    assert closed_waves_only([T0, T3], date(2027, 1, 25)) == {"T3": date(2027, 1, 31)}
    assert closed_waves_only([T0, T3], date(2027, 1, 31)) == {"T3": date(2027, 1, 31)}  # last day: open (121a, 5)
    assert closed_waves_only([T0, T3], date(2027, 2, 1)) == {}  # the day after: shown
    assert closed_waves_only([T0, T3], None) == {}


def test_round_21_2_an_open_wave_shows_no_statistics_so_two_days_cannot_be_subtracted():
    open_waves = closed_waves_only([T0, T3], date(2027, 1, 25))
    days = [_wave_summary_table("t", "t", INSTRUMENTS, complete(n), [T0, T3], lambda _i, _w: set(range(10)), 5, open_waves)
            for n in (5, 6)]
    for table in days:
        t0, t3 = table.rows
        assert t0[3] == 8 and t0[4] == 3.0  # the closed wave is described
        assert t3[3] == "open until 2027-01-31" and t3[4:8] == (None, None, None, None)
    evaluation = _evaluation_table(INSTRUMENTS, complete(6), [T0, T3], "T0", lambda _i, _w: set(range(10)), {}, 5,
                                   open_waves)
    assert evaluation.rows == ()  # no paired change into a wave still open
    closed = _evaluation_table(INSTRUMENTS, complete(6), [T0, T3], "T0", lambda _i, _w: set(range(10)), {}, 5, {})
    assert closed.rows and closed.rows[0][4] == 6  # the probe can fail


def test_round_21_2_the_chart_caption_says_the_wave_is_open():
    from lmsync.render.report_html import wave_charts

    table = _wave_summary_table("satisfaction", "t", INSTRUMENTS, complete(6), [T0, T3], lambda _i, _w: set(range(10)), 5,
                                closed_waves_only([T0, T3], date(2027, 1, 25)))
    (chart,) = wave_charts(table, "satisfaction", "x", "y")
    assert chart.caption.endswith("T0 mean 3.00 (n 8), T3 open until 2027-01-31.")


def test_round_25_3_a_hidden_year_group_cannot_be_had_back_from_all_less_the_others():
    """"all" (n 9) less the one year shown (n 7) gave the hidden year's two mentees' means to 0.01."""
    complete_ = {(NAME, w, who): 3.0 + (who % 3) + (w == "T3") for w in ("T0", "T3") for who in range(9)}
    year_of = {who: ("1" if who < 7 else "2") for who in range(9)}
    table = _evaluation_table(INSTRUMENTS, complete_, [T0, T3], "T0", lambda _i, _w: set(range(10)), year_of, 5, {})
    n = {row[3]: row[4] for row in table.rows}
    assert n["all"] == 9 and n["year 2"] == "fewer than 5" and n["year 1"] == "withheld (with a smaller group)"
    bigger = {who: ("1" if who < 5 else "2" if who < 7 else "3") for who in range(9)}  # two hidden: 2 + 2 < 5
    table = _evaluation_table(INSTRUMENTS, complete_, [T0, T3], "T0", lambda _i, _w: set(range(10)), bigger, 5, {})
    assert {row[3]: row[4] for row in table.rows}["year 1"] == "withheld (with a smaller group)"


def test_second_pass_7_an_open_wave_nobody_answered_yet_has_its_response_row():
    """A wave open since its start with no answer yet had no response row at all: the report looked as
    if there were no such wave. It reads 0 of the side's people; a wave not started yet has no row."""
    from lmsync.service.report_surveys import _response_table

    mentees = set(range(10))
    t4 = Wave("T4", date(2027, 3, 1), date(2027, 3, 31))
    def side_of(side, _wave):
        return mentees if side == "mentee" else set()

    table = _response_table(INSTRUMENTS, complete(0), [T0, T3, t4], side_of, opened={"T0", "T3"})
    assert table.rows == (("T0", "mentees", 8, 10, 0.8), ("T3", "mentees", 0, 10, 0.0))
    # read from a Feedback activity but no score anywhere yet: the row is there too
    table = _response_table(INSTRUMENTS, {}, [T0], side_of, opened={"T0"}, fed={NAME})
    assert table.rows == (("T0", "mentees", 0, 10, 0.0),)
    # an instrument no one answers and no activity feeds: no row (nothing was asked)
    assert _response_table(INSTRUMENTS, {}, [T0], side_of, opened={"T0"}).rows == ()


def test_round_61_3_a_side_nobody_of_which_answered_a_wave_others_answered_has_no_row():
    """Tester round 61, 3: T0 asked mentees alone (self-efficacy); once mentors answered T1, the report showed
    "0% (0 of 12) survey response T0, mentors", as if no mentor had answered what they were never asked."""
    from lmsync.domain.instruments import RELATIONSHIP_SATISFACTION_MENTOR
    from lmsync.service.report_surveys import _response_table

    mentor_name = RELATIONSHIP_SATISFACTION_MENTOR.name
    instruments = {**INSTRUMENTS, mentor_name: RELATIONSHIP_SATISFACTION_MENTOR}
    mentees, mentors = set(range(10)), set(range(100, 104))

    def side_of(side, _wave):
        return mentees if side == "mentee" else mentors

    answers = {(NAME, "T0", who): 3.0 for who in range(8)}
    answers |= {(NAME, "T3", who): 3.0 for who in range(5)} | {(mentor_name, "T3", 100): 4.0}
    table = _response_table(instruments, answers, [T0, T3], side_of, opened={"T0", "T3"})
    assert table.rows == (("T0", "mentees", 8, 10, 0.8), ("T3", "mentees", 5, 10, 0.5), ("T3", "mentors", 1, 4, 0.25))
