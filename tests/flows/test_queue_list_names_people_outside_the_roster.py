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
