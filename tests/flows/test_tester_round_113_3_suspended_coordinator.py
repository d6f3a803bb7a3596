"""Tester round 113, 3, on the built-in emulator: a coordinator whose own Moodle account is suspended kept owning
queue items and getting digests, and ``lmsync doctor`` said ok.

Now the queue gives a suspended coordinator no item while another is active, and moves theirs to the active ones;
the digest is not sent to the suspended account, and the run's digest line says so (its log line names the entry and
Moodle id, not the username); ``lmsync doctor`` warns, naming the entry and id, with the fix. When every coordinator
is suspended they keep their items (there is nobody else) and the digest step says an admin must act.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.service.doctor import run_doctor
from lmsync.service.moodle import open_moodle
from tests.flows.test_cycle import AS_OF, NOON, at, setup, user_id
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def _digest_to(site, before: int, uid: int) -> list[str]:
    return [m["text"] for m in site.messages[before:] if m["useridto"] == uid and "queue" in m["text"].lower()]


def test_round_113_3_a_suspended_coordinator_is_given_no_item_and_sent_no_digest(
        tmp_path, site_and_coordinators, caplog: pytest.LogCaptureFixture) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    off, on = cases["coordinators"]
    site.users[user_id(site, off)].suspended = True  # the account: they cannot sign in to read or act
    before = len(site.messages)
    caplog.set_level(logging.INFO)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    items = health.queue_list(config, acknowledged=True)
    assert items and {i.owner for i in items} == {on}, [(i.pair, i.owner) for i in items]
    step = result.step("digest")
    assert not _digest_to(site, before, user_id(site, off))
    assert _digest_to(site, before, user_id(site, on))
    assert step.state == "ok" and step.counts["suspended_coordinators"] == 1, step.summary
    assert (f"warning: {off} listed in [health] coordinators: Moodle account suspended: sent no digest, and their "
            "queue items go to the active coordinators; re-activate the account or take them out of "
            "[health] coordinators") in step.summary, step.summary
    assert step.logged is not None and off not in step.logged, step.logged  # the log names the entry and id
    assert f"[health] coordinators entry 1 (Moodle id {user_id(site, off)})" in step.logged, step.logged


def test_round_113_3_a_coordinators_items_go_to_the_active_one_once_their_account_is_suspended(
        tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    off, on = cases["coordinators"]
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    theirs = [i.pair for i in health.queue_list(config) if i.owner == off]
    assert theirs  # round robin gave them some
    site.users[user_id(site, off)].suspended = True
    cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    owners = {i.pair: i.owner for i in health.queue_list(config, acknowledged=True)}
    assert {owners[p] for p in theirs} == {on} and off not in owners.values(), owners


def test_round_113_3_every_coordinator_suspended_keeps_the_items_and_an_admin_must_act(
        tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    coordinators = cases["coordinators"]
    for name in coordinators:
        site.users[user_id(site, name)].suspended = True
    before = len(site.messages)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert {i.owner for i in health.queue_list(config)} == set(coordinators)  # nobody else to own them
    assert not [m for m in site.messages[before:] if m["useridto"] in {user_id(site, n) for n in coordinators}]
    step = result.step("digest")
    assert step.state == "admin" and step.exit_code == 2, step.summary
    assert "Moodle account suspended: sent no digest;" in step.summary, step.summary


def test_round_113_3_doctor_warns_of_a_suspended_coordinator_naming_the_entry_and_the_fix(
        tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    off, _on = cases["coordinators"]
    uid = user_id(site, off)
    site.users[uid].suspended = True
    with open_moodle(config, site=site) as conn:
        report = run_doctor(conn.api, config)
    said = [(c.status, c.detail, c.fix) for c in report.checks if c.name == "health coordinators"]
    assert said == [(
        "warn",
        f'[health] coordinators: "{off}" (Moodle id {uid}): Moodle account suspended: gets no digest, and their queue '
        "items go to the other coordinators",
        "re-activate their Moodle account (Site administration > Users > Browse list of users: edit the user, untick "
        "Suspended account), or take them out of [health] coordinators",
    )], said
    assert report.healthy  # a warning: the other coordinator is told
