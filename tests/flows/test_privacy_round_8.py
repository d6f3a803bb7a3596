"""Tester round 8: erasing a coordinator leaves no name in the queue; someone who has left the
course is named like anyone else; an export of nobody says so.

Finding 1: ``person erase m0002 --while-enrolled --yes`` of a coordinator printed ``queue_tracking 0``
and left ``owner`` = 'm0002' on their queue items (``queue list`` still showed it), and ``person
export m0002`` did not list the items they own. Finding 6: ``person export s0002`` of someone who
had left the course failed "matches nobody" (only ``id:4`` worked), and ``person export id:99999``
printed an empty export as if it were an answer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text as sql

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import InputError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import jobs, privacy, programme_settings
from lmsync.service.moodle import emulator_site
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from tests.flows.test_privacy import circle_of
from tests.flows.test_privacy_queue_notes import DAY, fading, username_of

NOTE = "Coordinator's private note"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A synced demo whose coordinator and escalation are two mentors of other pairs."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    config = load_config(path, environ={})
    jobs.sync_job(config, site=build_demo_site())
    mentee, mentor, _ = circle_of(config, "s0001")
    _, coordinator, _ = circle_of(config, "s0003")
    _, escalation, _ = circle_of(config, "s0005")
    coord, esc = username_of(config, coordinator), username_of(config, escalation)
    assert len({mentor, coordinator, escalation}) == 3
    path.write_text(path.read_text() + f'\n[health]\ncoordinators = ["{coord}"]\nescalate_to = "{esc}"\n')
    monkeypatch.setenv("LMSYNC_CONFIG", str(path))
    return load_config(path, environ={}), (mentor, mentee), coordinator, coord, esc


def owned_items(config, pair, coord, esc):
    """Two items of ``pair`` owned by ``coord``, the first escalated to ``esc`` and noted."""
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, "mentor-2026", coordinators=[coord])
    assert queue.offer(DAY, fading(*pair)) == "added"
    assert queue.escalate(DAY + timedelta(days=60), esc, after_days=7)
    assert queue.ack(pair, on=DAY + timedelta(days=61), note=NOTE) is not None
    assert queue.offer(DAY + timedelta(days=90), fading(*pair)) == "added"
    ids = [i.id for i in queue.items(pair)]
    store.close()
    return ids


def tracking(config):
    store = Store(config.store_path())
    rows = [tuple(r) for r in store.rows(sql("SELECT item_id, owner, escalated_to FROM queue_tracking ORDER BY 1"))]
    store.close()
    return rows


def test_tester_round_8_1_a_coordinators_export_lists_the_queue_items_they_own_without_notes(setup):
    config, pair, coordinator, coord, esc = setup
    ids = owned_items(config, pair, coord, esc)

    data = privacy.export(config, coord)
    assert data["person_id"] == coordinator
    items = data["queue_coordinated"]
    assert [(i["item_id"], i["mentor_id"], i["mentee_id"], i["owner"]) for i in items] == [
        (ids[0], *pair, coord), (ids[1], *pair, coord),
    ]
    assert (items[0]["opened_on"], items[0]["escalated_to"], items[0]["acked_on"]) == (
        "2026-11-02", esc, (DAY + timedelta(days=61)).isoformat(),
    )
    # both items: the second, queued again, carries the acknowledged one's note (tester round 84, 4)
    assert NOTE not in json.dumps(data) and data["withheld"]["coordinator_notes"] == 2
    escalated = privacy.export(config, esc)["queue_coordinated"]
    assert [i["item_id"] for i in escalated] == [ids[0]]


def test_tester_round_8_1_erasing_a_coordinator_takes_their_name_off_the_queue_and_warns(setup, monkeypatch):
    config, pair, _coordinator, coord, esc = setup
    ids = owned_items(config, pair, coord, esc)
    # the erasures' clock after the items' last day: one behind it is refused (tester round 111b, 1)
    later = datetime.combine(DAY + timedelta(days=91), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: later)

    result = CliRunner().invoke(main, ["person", "erase", coord, "--while-enrolled", "--yes"])
    assert result.exit_code == 0, result.output
    assert "queue_owner 2" in result.stdout and "queue_escalated_to 0" in result.stdout
    assert tracking(config) == [(ids[0], None, esc), (ids[1], None, None)]
    assert f"{coord} is still listed in [health] coordinators" in result.stderr
    assert "[health] escalate_to" not in result.stderr

    result = CliRunner().invoke(main, ["person", "erase", esc, "--while-enrolled", "--yes"])
    assert result.exit_code == 0, result.output
    assert "queue_escalated_to 1" in result.stdout
    assert tracking(config) == [(ids[0], None, None), (ids[1], None, None)]
    assert f"{esc} is still listed in [health] escalate_to" in result.stderr
    store = Store(config.store_path())
    assert [i.owner for i in CoordinatorQueue(store, "mentor-2026").items(pair)] == [None, None]
    store.close()


def leave(config, username):
    """``username`` leaves the programme course and their circle (the account stays in Moodle)."""
    user_id, _mentor, group = circle_of(config, username)
    site = emulator_site(config)
    for course in site.courses.values():
        course.enrolments.pop(user_id, None)
    site.groups[group.id].members.discard(user_id)
    site.save(config.emulator_state_path())
    return user_id


def test_tester_round_8_6_someone_who_has_left_the_course_is_named_by_username_or_email(setup):
    config, *_ = setup
    user_id = leave(config, "s0002")

    assert privacy.export(config, "s0002")["person_id"] == user_id
    assert privacy.export(config, "S0002@example.org")["person_id"] == user_id
    person = privacy.identify(config, "s0002")
    assert (person.user_id, person.enrolled, person.username) == (user_id, False, "s0002")
    assert f"Moodle id {user_id}" in person.label
    result = CliRunner().invoke(main, ["person", "erase", "s0002", "--yes"])
    assert result.exit_code == 0 and result.stdout.startswith("erased:"), result.output


def test_tester_round_8_6_a_key_matching_nobody_says_how_to_find_the_moodle_id(setup):
    config, *_ = setup
    with pytest.raises(InputError, match="matches nobody") as caught:
        privacy.export(config, "nobody@example.org")
    assert "Site administration > Users" in str(caught.value.hint) and "id:N" in str(caught.value.hint)


def test_tester_round_8_6_an_export_of_someone_the_store_knows_nothing_of_says_so(setup):
    """Round 68, 9: someone Moodle does not know either exits 3, as a key matching nobody and `person erase` do."""
    result = CliRunner().invoke(main, ["person", "export", "id:99999"])
    assert result.exit_code == 3, result.output
    assert "nothing to export: neither this store nor Moodle knows user #99999 (not in the course)" in result.output
    assert "{" not in result.stdout
    account = CliRunner().invoke(main, ["emulator", "edit", "join", "s0998", "--role", "student", "--name", "Left Kid"])
    assert account.exit_code == 0 and CliRunner().invoke(main, ["emulator", "edit", "unenrol", "s0998"]).exit_code == 0
    known = CliRunner().invoke(main, ["person", "export", "s0998"])  # an account, not in the course: the id once
    assert known.exit_code == 0, known.output
    assert "nothing to export: this store holds nothing about Left Kid (s0998) (Moodle id " in known.stdout
    assert known.stdout.count("Moodle id") == 1, known.stdout
    full = CliRunner().invoke(main, ["person", "export", "s0001"])
    assert full.exit_code == 0 and json.loads(full.stdout)["person_id"]


def test_round_35_3_the_erase_prompt_names_a_suspended_partner_by_name_and_username(setup):
    """A mentee whose enrolment is suspended is still in their mentor's circle: erasing the mentor named them
    "user #10 (not in the course)", a bare id and untrue."""
    config, (mentor, mentee), *_ = setup
    mentee_name = username_of(config, mentee)
    suspended = CliRunner().invoke(main, ["emulator", "edit", "suspend", mentee_name])
    assert suspended.exit_code == 0, suspended.output
    person = privacy.identify(config, username_of(config, mentor))
    (label,) = [p for p in person.partners if f"({mentee_name})" in p]
    assert "not in the course" not in label and "#" not in label
    prompt = CliRunner().invoke(main, ["person", "erase", username_of(config, mentor), "--while-enrolled"], input="n\n")
    assert label in prompt.output and "not in the course" not in prompt.output, prompt.output


def test_round_35_4_an_empty_export_names_the_person(setup):
    """`person export` of someone enrolled whom the store knows nothing of said "nothing about Moodle id 79"."""
    config, *_ = setup
    joined = CliRunner().invoke(main, ["emulator", "edit", "join", "s0999", "--role", "student", "--name", "New Kid"])
    assert joined.exit_code == 0, joined.output
    result = CliRunner().invoke(main, ["person", "export", "s0999"])
    assert result.exit_code == 0, result.output
    assert "nothing to export: this store holds nothing about New Kid (s0999) (Moodle id " in result.stdout


def test_round_51_6_erasing_someone_suspended_says_when_they_would_come_back_and_unenrol_can_be_rehearsed(setup):
    """A suspended mentee the sync had taken out of their circle: the refusal said "the next sync would bring them
    straight back" (it would not, while suspended), and the emulator could not unenrol anyone to follow its hint."""
    config, (_mentor, mentee), *_ = setup
    name = username_of(config, mentee)
    assert CliRunner().invoke(main, ["emulator", "edit", "suspend", name]).exit_code == 0
    in_circle = CliRunner().invoke(main, ["person", "erase", name, "--yes"])  # not synced yet: still in the circle
    assert "in a circle with" in in_circle.output and "straight back" not in in_circle.output, in_circle.output
    assert "once the enrolment is active again" in in_circle.output
    noted = CliRunner().invoke(main, ["person", "erase", name, "--while-enrolled"], input="n\n")
    assert "once their enrolment is active again, the next sync reads them again" in noted.output, noted.output
    synced = CliRunner().invoke(main, ["sync"])
    assert synced.exit_code == 0, synced.output
    refused = CliRunner().invoke(main, ["person", "erase", name, "--yes"])
    assert refused.exit_code == 3, refused.output
    assert "once the enrolment is active again, the next sync would bring them back" in refused.output
    assert "straight back" not in refused.output and "a suspended enrolment is still an enrolment" in refused.output
    unenrolled = CliRunner().invoke(main, ["emulator", "edit", "unenrol", name])
    assert unenrolled.exit_code == 0 and f"{name}: unenrolled from" in unenrolled.output, unenrolled.output
    site = emulator_site(config)
    assert all(mentee not in c.enrolments for c in site.courses.values() if c.shortname == config.programme.course)
    assert not [g for g in site.groups.values() if mentee in g.members and g.courseid in {
        c.id for c in site.courses.values() if c.shortname == config.programme.course}]
    erased = CliRunner().invoke(main, ["person", "erase", name, "--yes"])
    assert erased.exit_code == 0, erased.output
    again = CliRunner().invoke(main, ["emulator", "edit", "unenrol", name])
    assert again.exit_code != 0 and "is not enrolled" in again.output


def test_round_68_4_and_5_the_erase_prompt_names_earlier_partners_and_says_what_moodle_keeps(setup):
    """Tester round 68, 4: erasing someone named only their partners in a circle now, though the meetings of an
    ended pair went too (the other mentor's count dropped unannounced). 68, 5: the erase note listed neither the
    messages lmsync sent through Moodle nor the assignment's grade and comment, which stay there."""
    from datetime import date

    from lmsync.domain.meetings import Meeting
    from lmsync.store.meetings import MeetingRepository

    config, (mentor, mentee), coordinator, *_ = setup
    store = Store(config.store_path())
    earlier = Meeting(date(2026, 9, 14), coordinator, mentee, 30, True, "cli")  # an ended pair's meeting
    MeetingRepository(store, config.programme.name).save([(earlier, None)])
    store.close()
    person = privacy.identify(config, username_of(config, mentee))
    (before,) = person.past_partners
    assert f"({username_of(config, coordinator)})" in before and before not in person.partners
    prompt = CliRunner().invoke(main, ["person", "erase", username_of(config, mentee), "--while-enrolled"],
                                input="n\n")
    assert f"from earlier pairs, {before}, also lose" in prompt.output, prompt.output
    erased = CliRunner().invoke(main, ["person", "erase", username_of(config, mentee), "--while-enrolled", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "Moodle keeps its own copies" in erased.output and "the messages lmsync sent through Moodle" in erased.output
    assert "attendance grade and comment" in erased.output


def test_pass_70_3_a_mentors_circle_idnumber_left_by_the_erasure_is_said_and_exported(setup):
    """Tester pass 70, 3: erasing a mentor left their id in the journal's keys (their circle's idnumber,
    lmsync's proof that it made the group), and their export said `journal: 0`. The erasure says it stays, and
    why; the export lists the journal entries naming their circle."""
    config, (mentor, _mentee), *_ = setup
    erased = CliRunner().invoke(main, ["person", "erase", username_of(config, mentor), "--while-enrolled", "--yes"])
    assert erased.exit_code == 0, erased.output
    idnumber = f"lmsync:mentor-2026:mentor:{mentor}"
    assert f"their circle's group idnumber {idnumber} holds their Moodle id" in erased.output, erased.output
    data = privacy.export(config, f"id:{mentor}")
    assert data["journal"] and all(any(idnumber in k for k in row["keys"]) for row in data["journal"])
