"""Tester findings fixed by FIX-B: a person's export and the other side's health reasons (finding 2);
the first run of a fresh store on a site whose circles lmsync already made (finding 1a)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.health import PairHealth
from lmsync.domain.health.signals import Reason
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import export_withholding, privacy
from lmsync.service import health as health_service
from lmsync.service.cycle import cycle_job
from lmsync.service.health import Assessment, PairView
from lmsync.service.moodle import emulator_site
from lmsync.store.db import Store
from lmsync.store.health import DigestLog, NudgeLog
from lmsync.store.queue import CoordinatorQueue
from lmsync.store.snapshots import HealthSnapshots
from tests.flows.test_cycle import PROGRAMME, TODAY
from tests.flows.test_privacy import circle_of, config  # noqa: F401  (the fixture)

# --- finding 2: a mentor's export carried a mentee-side judgement ----------------------------------


def _fading(mentor: int, mentee: int, *reasons: tuple[str, str]) -> PairHealth:
    return PairHealth(
        mentor_id=mentor,
        mentee_id=mentee,
        status="fading",
        reasons=tuple(Reason(code, "fading", text) for code, text in reasons),
        paired_since=date(2026, 9, 1),
        last_meeting=None,
        days_since_meeting=84,
    )


def _reasons(rows: list[dict]) -> set[tuple[str, str]]:
    return {(code, text) for row in rows for code, text in json.loads(row["reasons"])}


def test_tester_finding_2_an_export_withholds_the_other_sides_health_reasons(config):  # noqa: F811
    mentee, mentor, _group = circle_of(config, "s0001")
    health = _fading(
        mentor,
        mentee,
        ("no_first_meeting", "no meeting since pairing 84 days ago (expected every 14)"),
        ("satisfaction_asymmetry_mentee", "satisfaction fell on the mentee side while the mentor side's held"),
        ("satisfaction_low_mentor", "satisfaction low (mentor side)"),
    )
    store = Store(config.store_path())
    HealthSnapshots(store, "mentor-2026").replace_day(date(2026, 11, 24), [health])
    assert CoordinatorQueue(store, "mentor-2026").offer(date(2026, 11, 24), health) == "added"
    store.close()
    username = next(u.username for u in emulator_site(config).users.values() if u.id == mentor)

    mentors = privacy.export(config, username)
    dumped = json.dumps(mentors)
    assert "satisfaction fell on the mentee side" not in dumped and "mentor side's held" not in dumped
    assert _reasons(mentors["health_snapshots"]) == {
        ("no_first_meeting", "no meeting since pairing 84 days ago (expected every 14)"),
        ("satisfaction_low_mentor", "satisfaction low (mentor side)"),  # the mentor's own answer
    }
    # tester round 11, 2: neither that the mentee's answers flagged the pair nor the status they moved
    assert all(r["status"] == "withheld" for r in mentors["health_snapshots"])
    assert "mentee_side_withheld" not in json.dumps(mentors["health_snapshots"])
    # the queue item: its reasons hold the mentee's answers, so it may exist by them alone (round 30, 4)
    assert mentors["coordinator_queue"] == [] and mentors["queue_tracking"] == []
    # no count of what was left out: a count was a trace (tester round 25, 1); the same fixed list for everyone
    assert "health_snapshots" not in mentors["withheld"] and "nudges" not in mentors["withheld"]
    assert mentors["never_exported"] == list(export_withholding.NEVER_EXPORTED)

    mentees = privacy.export(config, "s0001")  # the same rule the other way round
    assert "satisfaction low (mentor side)" not in json.dumps(mentees)
    assert _reasons(mentees["health_snapshots"]) == {
        ("no_first_meeting", "no meeting since pairing 84 days ago (expected every 14)"),
        ("satisfaction_falling_mentee", "satisfaction fell on the mentee side"),  # not "while the mentor's held"
    }
    assert all(r["status"] == "withheld" for r in mentees["health_snapshots"])
    assert mentees["coordinator_queue"] == []  # the mentor's answer is among its reasons (round 30, 4)
    assert "health_snapshots" not in mentees["withheld"] and mentees["never_exported"] == mentors["never_exported"]


def test_tester_finding_2_reasons_of_ones_own_side_are_kept_whole():
    reasons = [["no_meeting", "no meeting for 40 days"], ["meetings_declining_mentor", "meetings declining"]]
    assert export_withholding.withhold_other_side(reasons, "mentor") == reasons
    assert export_withholding.withhold_other_side(reasons, "mentee") == [
        ["no_meeting", "no meeting for 40 days"],
        ["mentor_side_withheld", "a mentor-side signal (withheld: what the other side answered)"],
    ]


# --- finding 1a: a fresh store on a site lmsync already paired messaged every pair ---------------


def _store_config(tmp_path, store: str, extra: str = ""):
    from tests.flows.test_cycle import make_config

    folder = tmp_path / store
    folder.mkdir()
    return make_config(
        folder, f"[meetings]\nstart = {TODAY - timedelta(days=90)}\n[store]\npath = \"{folder / 'lmsync.db'}\"\n{extra}"
    )


def _noon(day_offset: int = 0, hour: int = 12) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


@pytest.fixture
def paired_site(tmp_path, monkeypatch):
    """The demo site after a first, normal run of store A: every circle made today, nothing fading."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    coordinator = sorted(u.username for u in site.users.values() if u.username and u.username.startswith("s"))[-1]
    extra = f'[health]\ncoordinators = ["{coordinator}"]\n'
    first = cycle_job(_store_config(tmp_path, "a", extra), site=site, now=_noon(), as_of=TODAY)
    # a normal first run (a new programme, pairs this store just made) is not held
    assert first.step("health").counts.get("fading", 0) == 0
    assert first.step("nudges").state == "ok" and first.step("nudges").counts["first_run_held"] == 0
    assert first.step("nudges").counts["pair_nudges_planned"] == 0 and not site.messages
    return site, extra


def test_tester_finding_1a_a_fresh_stores_first_run_on_a_paired_site_sends_no_message(tmp_path, paired_site):
    site, extra = paired_site
    conf = _store_config(tmp_path, "b", extra)  # the same site, a store with no history of its own
    held = cycle_job(conf, site=site, now=_noon(), as_of=TODAY, store_takes_over=True)  # a lost store's replacement (89b, 1)
    pairs = len(held.outputs["health"].assessment.pairs)
    assert held.step("health").counts["fading"] == pairs  # "no meeting since pairing 90 days ago"
    nudges, digest = held.step("nudges"), held.step("digest")
    assert nudges.state == "held" and nudges.exit_code == EXIT_ADMIN and held.exit_code == EXIT_ADMIN
    assert "never nudged" in nudges.summary and "--allow-mass-nudge" in nudges.summary
    assert nudges.counts["first_run_held"] == 1 and nudges.counts["sent"] == 0
    assert digest.state == "held" and "never nudged" in digest.summary
    assert not site.messages, "nothing irreversible on a store's first assessment"
    store = Store(conf.store_path())
    assert not NudgeLog(store, PROGRAMME).records() and not DigestLog(store, PROGRAMME).records()
    assert len(health_service.queue_list(conf)) == pairs  # lmsync's own queue is still filled
    store.close()

    # a daemon's next cycle (and the next day's) does not send what the first held
    for when in (_noon(hour=14), _noon(day_offset=1)):
        again = cycle_job(conf, site=site, now=when, as_of=when.date())
        assert again.step("nudges").state == "held" and again.exit_code == EXIT_ADMIN
    assert not site.messages
    sent = cycle_job(conf, site=site, now=_noon(day_offset=1, hour=14), as_of=TODAY + timedelta(days=1),
                     allow_mass_nudge=True)  # an admin checked and sends once
    assert sent.step("nudges").state == "ok" and sent.step("nudges").counts["sent"] > 0
    after = cycle_job(conf, site=site, now=_noon(day_offset=2), as_of=TODAY + timedelta(days=2))
    assert after.step("nudges").state == "ok" and after.step("nudges").exit_code != EXIT_ADMIN  # guard off
    # (the grades step still exits 2: store a's items and grades are not this store's to write, finding 6)


def test_tester_finding_1a_allow_mass_nudge_sends_on_the_first_run(tmp_path, paired_site):
    site, extra = paired_site
    conf = _store_config(tmp_path, "c", extra)
    result = cycle_job(conf, site=site, now=_noon(), as_of=TODAY, allow_mass_nudge=True, store_takes_over=True)
    assert result.step("nudges").state == "ok" and result.step("nudges").counts["sent"] > 0
    assert result.step("digest").counts["sent"] == 1
    assert len({m["useridto"] for m in site.messages}) == result.step("nudges").counts["sent"] + 1


def test_tester_finding_1a_lmsync_nudge_and_run_say_how_to_proceed(tmp_path, paired_site):
    site, extra = paired_site
    conf = _store_config(tmp_path, "d", extra + '[nudges]\nfirst_run_max_share = 0.9\n')
    runner = CliRunner()
    cfg = ["--config", str(conf.source)]
    site.save(conf.emulator_state_path())  # the CLI reads the site next to this store
    Store(conf.store_path()).close()  # a store with no history: a nudge no longer makes one (tester round 98a, 1)
    before = len(emulator_site(conf).messages)
    held = runner.invoke(main, [*cfg, "nudge"])
    assert held.exit_code == EXIT_ADMIN, held.output
    assert "another lmsync store made them" in held.output and "--allow-mass-nudge" in held.output
    assert len(emulator_site(conf).messages) == before
    sent = runner.invoke(main, [*cfg, "nudge", "--allow-mass-nudge"])
    assert sent.exit_code == 0, sent.output
    assert len(emulator_site(conf).messages) > before


def test_tester_finding_1a_a_few_pairs_needing_a_nudge_on_a_first_run_go_out(tmp_path):
    from lmsync.service.nudge_holds import first_run_hold

    conf = load_config_text(tmp_path, "[nudges]\nfirst_run_max_share = 0.5\n")
    views = [_view(i, "fading" if i < 2 else "ok") for i in range(4)]
    first = Assessment(TODAY, views, {}, first_assessment=True)
    assert first_run_hold(conf, first) is None  # 2 of 4: not more than half
    views[2] = _view(2, "at_risk")
    assert first_run_hold(conf, first) is not None  # 3 of 4
    assert first_run_hold(conf, first, allow=True) is None
    assert first_run_hold(conf, Assessment(TODAY, views, {}, first_assessment=False)) is None


def test_tester_finding_5_the_hold_says_another_store_made_the_circles(tmp_path, paired_site):
    """Store B sees pairs its pairing history never recorded: the hold names them and another
    store first, instead of only advising --allow-mass-nudge."""
    site, extra = paired_site
    conf = _store_config(tmp_path, "e", extra)
    held = cycle_job(conf, site=site, now=_noon(), as_of=TODAY, store_takes_over=True)  # a lost store's replacement (89b, 1)
    pairs = len(held.outputs["health"].assessment.pairs)
    assert held.outputs["health"].assessment.unpaired_here == pairs
    summary = held.step("nudges").summary
    assert f"{pairs} of {pairs} pairs sit in circles it never paired" in summary
    assert "another lmsync store made them" in summary and "retire this one" in summary


def test_tester_finding_5_a_store_that_paired_the_circles_gets_the_plain_advice(tmp_path):
    from lmsync.service.nudge_holds import first_run_hold

    conf = load_config_text(tmp_path, "[nudges]\nfirst_run_max_share = 0.5\n")
    views = [_view(i, "fading") for i in range(4)]
    own = first_run_hold(conf, Assessment(TODAY, views, {}, first_assessment=True, unpaired_here=0))
    foreign = first_run_hold(conf, Assessment(TODAY, views, {}, first_assessment=True, unpaired_here=3))
    assert own is not None and "another lmsync store" not in own and "check the reasons in `lmsync health`" in own
    assert "did not make" not in own  # this store paired them all: no other cause blamed (tester round 21, 5)
    assert foreign is not None and "3 of 4 pairs sit in circles it never paired" in foreign


def test_tester3_finding_1_a_second_store_nudging_a_few_pairs_it_never_paired_is_held(tmp_path):
    """A second store with its own partial history would nudge 1 of 4 pairs (under the share) beside
    the store that made the circles: held all the same, until --allow-mass-nudge."""
    from lmsync.service.nudge_holds import first_run_hold

    conf = load_config_text(tmp_path, "[nudges]\nfirst_run_max_share = 0.5\n")
    views = [_view(i, "fading" if i == 0 else "ok") for i in range(4)]
    foreign = Assessment(TODAY, views, {}, first_assessment=True, unpaired_here=4)
    held = first_run_hold(conf, foreign)
    assert held is not None and "another lmsync store made them" in held and "1 pair(s) are at risk or fading" in held
    assert first_run_hold(conf, foreign, allow=True) is None
    assert first_run_hold(conf, Assessment(TODAY, views, {}, first_assessment=True, unpaired_here=0)) is None
    assert first_run_hold(conf, Assessment(TODAY, views, {}, first_assessment=False, unpaired_here=4)) is None
    calm = [_view(i, "ok") for i in range(4)]
    assert first_run_hold(conf, Assessment(TODAY, calm, {}, first_assessment=True, unpaired_here=4)) is None


def _view(i: int, status: str) -> PairView:
    health = _fading(100, i)
    return PairView(replace(health, status=status), "m", f"s{i}")


def load_config_text(folder, text: str):
    from lmsync.config import load_config

    path = folder / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n' + text)
    return load_config(path, environ={})


def test_fifth_tester_finding_2_an_export_does_not_say_the_meetings_were_low_rated():
    reasons = [["hi_bye", "recent meetings on time but short (28 min on average) and low-rated"]]
    for side in ("mentor", "mentee"):
        (kept,) = export_withholding.withhold_other_side(reasons, side)
        # not even the code: hi_bye is "short and low-rated", so a mentor who rated 4 learns the mentee's (round 25, 2)
        assert kept == ["meetings_short", "recent meetings on time but short (28 min on average)"]
    assert export_withholding.withhold_other_side([["several_signals", "3 warning signs together"]], "mentor") == []


def test_round_11_2_the_mentees_own_answers_are_not_a_mentors_to_read():
    reasons = [["self_efficacy_flat", "the mentee's self-efficacy flat"], ["survey_unanswered_mentee", "no T1 answer"],
               ["no_meeting", "no meeting for 40 days"]]
    assert export_withholding.withhold_other_side(reasons, "mentor") == [
        ["mentee_side_withheld", "a mentee-side signal (withheld: what the other side answered)"],
        ["no_meeting", "no meeting for 40 days"],
    ]
    assert export_withholding.withhold_other_side(reasons, "mentee") == reasons  # the mentee's own
