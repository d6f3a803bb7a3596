"""``queue list`` names a person whose enrolment is suspended (or who left the course) from their Moodle
account, as ``pair show`` does: it showed "user #41 (not in the course)" and JSON ``"username": "#41",
"name": null`` while the README promises never a bare id while the account exists."""

from __future__ import annotations

import json

from lmsync.service import health
from tests.flows.queue_programme import coordinating_mentor, lmsync, programme, username, with_health
from tests.flows.test_cycle import AS_OF
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def test_queue_list_names_a_mentee_whose_enrolment_is_suspended(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    programme(tmp_path, site)
    coordinator, _own, others = coordinating_mentor(site)
    config = with_health(tmp_path, [coordinator])
    health.health_job(config, site=site, as_of=AS_OF)  # every pair fades: each is queued
    mentor, mentee = others[0]
    assert (mentor, mentee) in {i.pair for i in health.queue_list(config)}
    suspended = lmsync(config, "emulator", "edit", "suspend", username(site, mentee))
    assert suspended.exit_code == 0, suspended.output
    account = site.users[mentee]
    name = f"{account.firstname} {account.lastname}"
    rows = json.loads(lmsync(config, "queue", "list", "--format", "json").stdout)
    (row,) = [r for r in rows if r["pair"] == f"{mentor}-{mentee}"]
    assert row["mentee"] == {"id": mentee, "username": username(site, mentee), "name": name}
    text = lmsync(config, "queue", "list").output
    assert f"{name} ({username(site, mentee)})" in text
    assert f"user #{mentee} (not in the course)" not in text
    # pair show names them the same way
    shown = lmsync(config, "pair", "show", username(site, mentor), username(site, mentee)).output
    assert f"{name} ({username(site, mentee)})" in shown


def test_the_digest_names_a_mentee_who_has_left_the_course(tmp_path, site_and_coordinators):  # noqa: F811
    """The coordinator's Moodle message labelled people from the course's roster only: an item about a
    mentee who has left the course (their enrolment deleted, the account kept) read "user #N (not in
    the course)" there, while queue list and pair show name them from their account."""
    from datetime import UTC, datetime, timedelta

    from lmsync.service.cycle import cycle_job

    site = site_and_coordinators
    programme(tmp_path, site)
    coordinator, _own, others = coordinating_mentor(site)
    config = with_health(tmp_path, [coordinator])
    mentor, mentee = others[0]
    health.health_job(config, site=site, as_of=AS_OF)  # every pair fades: each is queued
    assert (mentor, mentee) in {i.pair for i in health.queue_list(config)}
    for course in site.courses.values():  # the mentee leaves the course: unenrolled, the account stays
        course.enrolments.pop(mentee, None)
    before = len(site.messages)
    noon = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    result = cycle_job(config, site=site, now=noon, as_of=AS_OF, allow_mass_nudge=True)
    assert result.step("digest").state == "ok", result.step("digest").summary
    to_coordinator = " ".join(m["text"] for m in site.messages[before:]
                              if site.users[m["useridto"]].username == coordinator)
    account = site.users[mentee]
    assert f"{account.firstname} {account.lastname} ({username(site, mentee)})" in to_coordinator
    assert f"user #{mentee} (not in the course)" not in to_coordinator
