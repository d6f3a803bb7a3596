"""Issue 15, memory: what a big sync keeps alive while it reads Moodle (the 50,000-user sync under 300 MB)."""

from __future__ import annotations

from lmsync.moodle.emulator.demo import build_scaled_site
from lmsync.service.moodle import open_moodle
from lmsync.service.observe import read_roster
from tests.flows.test_sync_reads import make_config


def test_issue_15_account_state_answers_are_parsed_keeping_id_and_suspended(tmp_path, monkeypatch) -> None:
    config = make_config(tmp_path, monkeypatch)
    site = build_scaled_site(60, 6)
    suspended = sorted(site.users)[7]
    site.users[suspended].suspended = True
    with open_moodle(config, site=site) as conn:
        read = conn.api.get_users_by_field
        answers: list = []

        def spy(field, values):
            answers.extend(read(field, values))
            return answers[-len(values):]

        monkeypatch.setattr(conn.api, "get_users_by_field", spy)
        roster = read_roster(conn.api, 2, 25, max_parallel=1, account_batch=30)
        whole = read("id", [suspended])[0]  # outside read_roster: the full record, as Moodle sends it
    assert len(answers) == len(roster) == 66
    assert roster[suspended].suspended is True and sum(u.suspended is True for u in roster.values()) == 1
    assert whole.email and whole.customfields, "Moodle sends the whole record"
    assert all(not a.email and not a.customfields and not a.model_extra for a in answers), (
        "the account read keeps only id and suspended of each row"
    )

