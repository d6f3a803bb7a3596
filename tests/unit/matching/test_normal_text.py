"""Tester round 86b, 5: everyday spellings of one value did not match, and mostly nothing said so: "Français" and
"francais" gave no common language; "Women's health" / "Womens health", "Obstetrics & Gynaecology" / "Obstetrics and
Gynaecology", "Médecine générale" / "Medecine generale" shared nothing."""

from __future__ import annotations

import pytest

from lmsync.domain.normal_text import normalise


@pytest.mark.parametrize(("one", "other"), [
    ("Français", "francais"), ("Women's health", "Womens health"), ("Women’s health", "womens health"),
    ("Obstetrics & Gynaecology", "Obstetrics and Gynaecology"), ("Médecine générale", "Medecine generale"),
    ("Santé mentale", "Sante mentale"), ("Tiếng Việt", "tieng viet"),
])
def test_round_86b_5_everyday_spellings_of_one_value_are_one(one: str, other: str) -> None:
    assert normalise(one) == normalise(other)


def test_round_86b_5_marks_that_tell_words_apart_in_other_scripts_stay() -> None:
    assert normalise("が") != normalise("か")  # Japanese voicing is part of the word
    assert normalise("C++") != normalise("C#") != normalise("C")  # round 46b, 5 still holds
    assert normalise("  Emergency-Medicine ") == "emergency medicine"
