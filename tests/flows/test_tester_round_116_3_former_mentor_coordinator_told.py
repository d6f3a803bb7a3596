"""A coordinator who was the mentor of a mentee back from away without a mentor is reminded too (tester round 116, 3).

The digest's "Back from away without a mentor" part left out a coordinator who had been the mentee's mentor ("a
coordinator is never told about a pair they are part of"), though that pair had ended when the place was given up:
the other coordinator was reminded in each digest, the former mentor never. Here m0004, whose circle gave s0015's
place up, is a coordinator too."""

from datetime import date

from tests.flows import test_tester_round_113_mentee_back_without_a_mentor_digest as round_113
from tests.flows.test_tester_round_113_mentee_back_without_a_mentor_digest import (
    HEAD,
    LINE,
    _at,
    _digests,
    _give_up,
    _run,
    _section,
)


def test_round_116_3_the_former_mentor_who_coordinates_is_reminded_while_the_mentee_waits(cli_home, monkeypatch):
    monkeypatch.setattr(round_113, "CONFIG", round_113.CONFIG.replace(
        'coordinators = ["m0001", "m0002"]', 'coordinators = ["m0001", "m0004"]'))
    _give_up(cli_home, monkeypatch, _at(date(2026, 12, 31), 9))
    _run(monkeypatch, _at(date(2027, 1, 1), 9), "run")
    _run(monkeypatch, _at(date(2027, 1, 2), 8), "emulator", "edit", "restore", "s0015")
    for day in (date(2027, 1, 2), date(2027, 1, 3)):
        _run(monkeypatch, _at(day, 9), "run")
        digests = _digests(cli_home, day)
        assert sorted(digests) == ["m0001", "m0004"], digests
        for username, text in digests.items():
            assert LINE in _section(text, HEAD), (username, text)

