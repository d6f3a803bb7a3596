"""Tester round 78, 4 and 11: what an erasure says of a mentor's circle idnumber, the journal keys it unties, and
what a mentee's mentor loses of their survey answers, case by case (``erase_circle``, ``erase_sides``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config, load_config
from lmsync.service.erase_circle import KeptCircle, kept_circle, kept_note, untie
from lmsync.service.erase_sides import (
    MENTEE_ANSWERS,
    MENTEE_ANSWERS_BOTH,
    MENTEE_ANSWERS_NONE,
    MENTEE_ANSWERS_UNTIED,
    MENTOR_ANSWERS,
    Sides,
    answers_lost,
)
from lmsync.store.db import Store
from lmsync.store.journal import Journal

CIRCLE = "lmsync:p:mentor:6"


@pytest.mark.parametrize(("key", "after"), [
    (f"add_member:{CIRCLE}:12", f"add_member:{CIRCLE}:erased"),
    (f"remove_member:{CIRCLE}:12", f"remove_member:{CIRCLE}:erased"),
    (f"add_member:{CIRCLE}:erased", f"add_member:{CIRCLE}:erased"),
    ("add_member:lmsync:p:mentor:66:12", "add_member:lmsync:p:mentor:66:12"),  # another mentor's circle
    (f"create_group:{CIRCLE}", f"create_group:{CIRCLE}"),  # the idnumber alone stays: lmsync's proof
    (f"post_welcome:{CIRCLE}", f"post_welcome:{CIRCLE}"),
    ("grade:7:12", "grade:7:12"),
])
def test_untie_takes_the_members_id_out_of_the_circles_membership_keys_only(key: str, after: str) -> None:
    assert untie(key, CIRCLE) == after


def test_the_note_says_where_the_idnumber_stays() -> None:
    both = kept_note(KeptCircle(CIRCLE, on_group=True, in_store=True))
    assert both.startswith(f"note: their circle's group idnumber {CIRCLE} holds their Moodle id: it stays on the "
                           "group in Moodle and in lmsync's record") and "until the group is deleted" in both
    group = kept_note(KeptCircle(CIRCLE, on_group=True, in_store=False))
    assert "stays on the group in Moodle until the group is deleted" in group and "record" not in group
    store = kept_note(KeptCircle(CIRCLE, on_group=False, in_store=True))
    assert "stays in lmsync's record" in store and "on the group" not in store and "no longer in the" in store


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "p"\n[store]\npath = "{tmp_path / "p.db"}"\n')
    return load_config(path, environ={})


def test_kept_circle_reads_moodles_group_and_the_stores_records_before_the_erasure(config: Config) -> None:
    """Tester round 78, 4: the note keyed on the journal only, read after the erasure."""
    assert kept_circle(config, 6, None) is None  # no store yet, no group: they led no circle
    assert kept_circle(config, 6, CIRCLE) == KeptCircle(CIRCLE, on_group=True, in_store=False)
    store = Store(config.store_path())
    try:
        Journal(store, "p").remember_circles([(CIRCLE, 40)])  # an adopted circle: no journal entry names it
    finally:
        store.close()
    assert kept_circle(config, 6, None) == KeptCircle(CIRCLE, on_group=False, in_store=True)
    assert kept_circle(config, 66, None) is None  # another mentor's idnumber is not a prefix match


def test_kept_circle_reads_the_journals_keys(config: Config) -> None:
    store = Store(config.store_path())
    try:
        Journal(store, "p").intent("r1", "core_group_add_group_members", "add_member", [f"add_member:{CIRCLE}:erased"])
    finally:
        store.close()
    assert kept_circle(config, 6, CIRCLE) == KeptCircle(CIRCLE, on_group=True, in_store=True)


@pytest.mark.parametrize(("naming", "untied", "said"), [
    (True, False, MENTEE_ANSWERS),
    (True, True, MENTEE_ANSWERS_BOTH),
    (False, True, MENTEE_ANSWERS_UNTIED),
    (False, False, MENTEE_ANSWERS_NONE),
])
def test_a_mentees_mentor_is_told_what_they_lose_of_their_answers(naming: bool, untied: bool, said: str) -> None:
    """Tester round 78, 11: "grades made from them change" was said of answers naming no one, which stay."""
    sides = Sides(mentor=False, mentee=True, rated_naming=naming, rated_untied=untied)
    joined = ", and" if naming else ", but"  # "lose(s) ..., and none of ...": did not parse (tester round 99a, 7)
    assert answers_lost(sides) == f"{joined} {said}"
    assert ("`held` at every push" in said) == naming  # held, not changed: tester round 122b, 3
    both = answers_lost(Sides(mentor=True, mentee=True, rated_naming=naming, rated_untied=untied))
    assert both == f", and as this person's mentees, {MENTOR_ANSWERS}; as their mentor, {said}"
    mentor = answers_lost(Sides(mentor=True, mentee=False, rated_naming=naming, rated_untied=untied))
    assert mentor == f", and {MENTOR_ANSWERS}"


def test_round_79_11_a_mentors_erasure_question_speaks_of_no_mentor_of_theirs() -> None:
    from lmsync.service.erase_sides import Sides, figures_withheld

    mentor = figures_withheld(Sides(mentor=True, mentee=False, answered=True))
    mentee = figures_withheld(Sides(mentor=False, mentee=True, answered=True))
    assert "their mentor's" not in mentor and "programme-wide means" in mentor
    assert "(their mentor's, and the programme-wide means" in mentee
    assert figures_withheld(Sides(mentor=True, mentee=False, answered=False)) == ""
