"""Issue 15, memory: a Moodle person's ``id:N`` key comes from their Moodle id, not from a string held per person.

At 55,000 users the ``id:N`` aliases were 3 MB of strings and a one-key tuple each; ``People.resolver`` and
``Person.other_keys`` now make the key from ``moodle_id``, so pins, forbids and preferences written ``id:N``
resolve as before.
"""

from __future__ import annotations

from lmsync.domain.people import People
from lmsync.service.roster import person_from_roster

from .test_people_state import config, user


def test_id_n_names_a_moodle_person_without_being_held_as_an_alias() -> None:
    mentee = person_from_roster(user(41, "s0041", "student", department="Anatomy"), "mentee", config()).person
    mentor = person_from_roster(user(7, "t0007", "editingteacher"), "mentor", config()).person
    assert mentee.aliases == ("s0041@example.org",) and not any(a.startswith("id:") for a in mentor.aliases)
    assert {*mentee.other_keys(), mentee.id} == {"id:41", "s0041", "s0041@example.org"}
    resolve = People((mentee, mentor)).resolver()
    assert resolve["id:41"] == "s0041" and resolve["id:7"] == "t0007"
    assert resolve.get("id:8") is None


def test_an_id_n_that_is_someone_elses_username_resolves_to_neither_alias_holder() -> None:
    # an alias two people share resolves to neither, unless it is someone's own id (People.resolver)
    first = person_from_roster(user(5, "id:6", "student"), "mentee", config()).person
    second = person_from_roster(user(6, "s0006", "student"), "mentee", config()).person
    resolve = People((first, second)).resolver()
    assert resolve["id:6"] == "id:6"  # the username wins: it is an id
    assert resolve["id:5"] == "id:6"
