"""FIX-F: "today" is the programme's local day (``[programme] timezone``), not the UTC day.

Tester finding: with ``timezone = "Pacific/Auckland"`` between 11:00 and 24:00 UTC (Auckland's
date already a day ahead), a meetings row dated today in Auckland was refused as "in the future",
``lmsync health`` was dated the UTC day, and snapshots, nudge and digest days were UTC days.
CONFIGURATION.md: ``[programme] timezone`` (default UTC): "quiet hours and days are local".
The clock is fixed by monkeypatching ``programme_settings.clock``, the one clock every "today" reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from click.testing import CliRunner

from lmsync.config import Config, load_config
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import health, nudges, programme_settings
from lmsync.service import meetings as meetings_service
from lmsync.service.cycle import run_cycle
from lmsync.service.jobs import sync_job
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots

from ..unit.meetings.conftest import PAIRS, PEOPLE

PROGRAMME = "mentor-2026"
UTC_DAY = datetime.now(UTC).date()  # the sync's journal dates the pairings on the real day
#: 14:00 UTC: Auckland (UTC+12/+13) is already on the next day.
AFTERNOON_UTC = datetime.combine(UTC_DAY, time(14), UTC)
#: 05:00 UTC the next day: Honolulu (UTC-10) is still on UTC_DAY.
EARLY_NEXT_UTC = datetime.combine(UTC_DAY + timedelta(days=1), time(5), UTC)


def fix_clock(monkeypatch, at: datetime) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: at)


def zone_config(tmp_path, timezone: str | None) -> Config:
    programme = {"name": PROGRAMME} | ({"timezone": timezone} if timezone else {})
    return Config.model_validate({"programme": programme, "store": {"path": str(tmp_path / "p.db")}})


@pytest.mark.parametrize(
    ("timezone", "at", "expected"),
    [
        ("Pacific/Auckland", AFTERNOON_UTC, UTC_DAY + timedelta(days=1)),
        ("Pacific/Honolulu", AFTERNOON_UTC, UTC_DAY),
        ("Pacific/Honolulu", EARLY_NEXT_UTC, UTC_DAY),
        (None, EARLY_NEXT_UTC, UTC_DAY + timedelta(days=1)),  # default UTC (CONFIGURATION.md)
    ],
)
def test_fix_f_programme_today_is_the_local_day(tmp_path, monkeypatch, timezone, at, expected):
    config = zone_config(tmp_path, timezone)
    assert programme_settings.programme_today(config, at) == expected
    fix_clock(monkeypatch, at)
    assert programme_settings.programme_today(config) == expected
    assert health.today(config) == expected  # health, queue, nudges and the report read this
    assert nudges.programme_now(config).date() == expected  # the same clock as quiet hours
    # the cycle dates health, nudges and the digest on the programme's day
    assert run_cycle(None, config, None, steps=()).as_of == expected  # type: ignore[arg-type]


@pytest.fixture
def import_cli(tmp_path, monkeypatch):
    from lmsync.cli.meetings import import_command

    monkeypatch.setattr(meetings_service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(meetings_service, "moodle_pairs", lambda _config: PAIRS)

    class Obj:
        log_format = "console"

        def __init__(self, config: Config) -> None:
            self._config = config

        def config(self) -> Config:
            return self._config

    def invoke(timezone: str, day: date):
        path = tmp_path / f"{timezone.replace('/', '-')}.csv"
        path.write_text(f"date,mentor,mentee,minutes,attended\n{day.isoformat()},m0001,s0001,30,yes\n")
        (tmp_path / timezone.replace("/", "-")).mkdir(exist_ok=True)
        config = zone_config(tmp_path / timezone.replace("/", "-"), timezone)
        Store(config.store_path()).close()  # an import needs the programme's store (tester round 94a, 4)
        return CliRunner().invoke(import_command, ["meetings", str(path)], obj=Obj(config))

    return invoke


def test_fix_f_auckland_imports_its_today_while_utc_is_a_day_behind(import_cli, monkeypatch):
    fix_clock(monkeypatch, AFTERNOON_UTC)
    auckland_today = UTC_DAY + timedelta(days=1)
    result = import_cli("Pacific/Auckland", auckland_today)
    assert result.exception is None, result.exception
    assert "1 added" in result.output


def test_fix_f_honolulu_refuses_the_utc_day_that_is_its_tomorrow(import_cli, monkeypatch):
    fix_clock(monkeypatch, EARLY_NEXT_UTC)
    utc_today = UTC_DAY + timedelta(days=1)
    result = import_cli("Pacific/Honolulu", utc_today)
    assert result.exception is not None
    assert f"is in the future (today is {UTC_DAY.isoformat()})" in str(result.exception)


@pytest.fixture
def synced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
        'timezone = "Pacific/Auckland"\n'
        f"[waves.windows]\nT0 = {{ start = {UTC_DAY}, end = {UTC_DAY + timedelta(days=30)} }}\n"
    )
    config = load_config(path, environ={})
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    return config, site


def test_fix_f_health_snapshot_and_nudges_are_dated_on_the_auckland_day(synced, monkeypatch):
    config, site = synced
    fix_clock(monkeypatch, AFTERNOON_UTC)
    auckland_today = UTC_DAY + timedelta(days=1)
    report = health.health_job(config, site=site)
    assert report.assessment.as_of == auckland_today  # "Pair health on <Auckland's date>"
    store = Store(config.store_path())
    try:
        snapshots = HealthSnapshots(store, PROGRAMME)
        assert snapshots.rows(day=auckland_today) and not snapshots.rows(day=UTC_DAY)
    finally:
        store.close()
    dry = nudges.nudge_job(config, site=site, dry_run=True)
    assert dry.as_of == auckland_today  # the day nudges are logged and capped under


def test_a_rematched_pair_is_paired_since_the_programme_day_not_utc(tmp_path, monkeypatch):
    """After ``queue done --outcome rematched`` and the next run at 22:35 UTC on 2 December (3 December
    in Auckland), the new pair's ``paired_since`` (``lmsync health --format csv``) was the UTC day,
    2 December: its grace and the meetings expected of it counted from a day before it existed."""
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.store import pairings

    run_at = datetime(2026, 12, 2, 22, 35, tzinfo=UTC)
    joined = ["2026-11-20T09:00:00.000+00:00"]  # the first sync's circles: well before
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": joined[0])  # the instant apply records
    fix_clock(monkeypatch, run_at)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                    'timezone = "Pacific/Auckland"\n')
    config = load_config(path, environ={})
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    health.health_job(config, site=site)  # today's judgement, which `queue done` acts on
    group = next(g for g in sorted(site.groups.values(), key=lambda g: g.id)
                 if mentor_of_idnumber(PROGRAMME, g.idnumber) is not None)
    mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
    mentee = min(m for m in group.members if m != mentor)
    health.queue_done(config, (mentor, mentee), "rematched")

    joined[0] = run_at.isoformat(timespec="milliseconds")
    assert sync_job(config, site=site).converged  # `lmsync run`'s sync re-matches the mentee
    pairs = health.health_job(config, site=site, record=False).assessment.pairs
    (new,) = [v.health for v in pairs if v.health.mentee_id == mentee]
    assert new.mentor_id != mentor
    assert new.paired_since == date(2026, 12, 3)  # Auckland's day, not UTC's 2 December
    assert {v.health.paired_since for v in pairs if v.health.mentee_id != mentee} == {date(2026, 11, 20)}  # kept
