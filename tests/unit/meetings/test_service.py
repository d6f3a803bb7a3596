"""The use cases with a store and a people list, no Moodle: import, score, metrics, grade plan."""

from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.grades import ObservedGradeItem
from lmsync.errors import ConfigError, InputError
from lmsync.service import meetings as service
from lmsync.service.imports import ImportRules

from .conftest import PEOPLE

TODAY = date(2026, 12, 20)
RULES = ImportRules(today=TODAY)  # the import checks dates against this day


@pytest.fixture
def config(tmp_path):
    data = {
        "programme": {"name": "mentoring-2026"},
        "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"cadence_days": 14},
        "grades": {"min_mentees_for_mentor_rating": 2},
        "import": {"date_order": "dmy"},
    }
    return Config.model_validate(data)


def settings_with_waves(config):
    s = service.settings(config)
    from lmsync.config_sections import WavesConfig

    waves = WavesConfig.model_validate(
        {
            "programme_start": "2026-09-01",
            "days_before": 0,
            "days_after": 29,
            "windows": {"T0": {"offset_months": 0}, "T3": {"offset_months": 3}},
        }
    )
    return service.Settings(
        programme=s.programme,
        meetings=s.meetings,
        grades=s.grades,
        waves=waves.to_waves(),
        baseline=None,
        programme_start=waves.programme_start,
        instruments=s.instruments,
        instrument_sections=s.instrument_sections,
    )


def test_settings_read_the_placeholder_sections(config):
    s = service.settings(config)
    assert s.meetings.cadence_days == 14 and s.meetings.items.minutes == "minutes"
    assert s.grades.min_mentees_for_mentor_rating == 2 and s.grades.mentee_ratings == "aggregate_only"
    assert "general_self_efficacy" in s.instruments and s.waves == ()


def test_bad_instrument_section_is_a_config_error_at_load_time(tmp_path):
    from lmsync.config import load_config

    path = tmp_path / "lmsync.toml"
    path.write_text('[instruments.mine]\nitems = ["a"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"instruments.mine \(line 1\): missing scale_min"):
        load_config(path, environ={})


def test_add_meeting_validates_like_a_csv_row(config):
    meeting, counts = service.add_meeting(
        config,
        when="12/10/2026",
        mentor="m0001",
        mentee="s0001",
        minutes="30",
        attended="yes",
        people=PEOPLE,
        today=TODAY,
    )
    assert (meeting.mentor_id, meeting.mentee_id, meeting.source, counts.added) == (66, 3, "cli", 1)
    _, again = service.add_meeting(
        config,
        when="2026-10-12",
        mentor="m0001",
        mentee="s0001",
        minutes="30",
        attended="yes",
        people=PEOPLE,
        today=TODAY,
    )
    assert again.unchanged == 1
    with pytest.raises(InputError, match="--minutes: 'half' is not a whole number"):
        service.add_meeting(
            config,
            when="2026-10-12",
            mentor="m0001",
            mentee="s0001",
            minutes="half",
            attended="yes",
            people=PEOPLE,
            today=TODAY,
        )
    assert [m.meeting.minutes for m in service.list_meetings(config, person="s0001", people=PEOPLE)] == [30]
    assert service.list_meetings(config, person="4") == []


def test_people_are_loaded_only_through_the_loader(config, tmp_path):
    calls = []

    def loader(cfg):
        calls.append(cfg)
        return PEOPLE

    path = tmp_path / "m.csv"
    path.write_text("date,mentor,mentee,minutes,attended\n2026-10-12,m0001,s0001,30,yes\n", encoding="utf-8")
    result = service.import_meetings(
        config, path, loader=loader, pairs_loader=lambda cfg: calls.append(cfg) or [(66, 3)], today=TODAY
    )
    assert result.counts.added == 1 and calls == [config, config]


def test_from_files_to_a_grade_plan(config, tmp_path):
    s = settings_with_waves(config)
    store = service.open_store(config)
    meetings = tmp_path / "meetings.csv"
    meetings.write_text(
        "date;mentor;mentee;minutes;attended\n"
        "2026-09-10;m0001;s0001;40;yes\n2026-09-24;m0001;s0001;40;yes\n2026-09-10;m0001;s0002;20;yes\n",
        encoding="utf-8",
    )
    service.import_meetings(config, meetings, people=PEOPLE, store=store, today=TODAY)
    rows = ["respondent,date,instrument,item,value"]
    for who, day, values in (("s0001", "2026-09-05", [3] * 10), ("s0001", "2026-12-03", [4] * 7 + [""] * 3)):
        rows += [f"{who},{day},general_self_efficacy,gse{i},{v}" for i, v in enumerate(values, 1)]
    for who, score in (("s0001", 4), ("s0002", 2)):
        rows += [f"{who},2026-09-06,relationship_satisfaction_mentee,rs{i},{score}" for i in (1, 2, 3, 5)]
    surveys = tmp_path / "surveys.csv"
    surveys.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from lmsync.service.imports import import_surveys_file

    import_surveys_file(
        store, s.programme, surveys, service.make_resolver(PEOPLE, "username"), s.instruments, rules=RULES
    )
    assert service.rescore_surveys(store, s) == 4

    pairs = [(66, 3), (66, 4)]
    metrics = service.compute_metrics(
        store, s, pairs, as_of=date(2026, 10, 13)
    )  # 42 days: 3 expected per pair
    values = {(v.key, v.user_id): v.value for v in metrics.values}
    assert values[("attendance", 3)] == 66.67 and values[("attendance", 4)] == 33.33
    assert values[("selfefficacy-T0", 3)] == 30 and values[("selfefficacy-T3", 3)] == 40
    assert values[("selfefficacy-change-T3", 3)] == 10
    # rs4 unanswered (4 of 5 answered); mentor 66 gets the mean of 4 and 2 over 2 mentees
    assert values[("satisfaction-mentee-received-T0", 66)] == 3.0
    assert not any(k.startswith("satisfaction-mentee-T") for k, _ in values)
    assert service.attendance_comments(metrics)[3] == (66.67, "2 of 3 meetings, last 24 Sep")

    observed = [ObservedGradeItem(1000, "lmsync_attendance", "20261000", 0, 100, False, {3: 66.67})]
    # item 1000 is an earlier lmsync's (its journal sent the details): adopted (issue 10, point 6)
    plan = service.build_grade_plan(s, metrics, observed, enrolled={3, 4}, budget=2000, legacy_numbers={1000})
    written = {(r.itemnumber, g.user_id) for r in plan.requests for g in r.grades}
    assert (1000, 3) not in written and (1000, 4) in written  # unchanged grade not resent
    assert {r.user_id for r in plan.rejected} == {66}  # the mentor is not an active participant here
    assert all(r.var_count() <= 2000 for r in plan.requests)
    store.close()


def test_a_pairs_attendance_period_starts_on_the_programme_day_it_was_paired_not_utc(tmp_path):
    """lmsync paired mentor 66 and mentee 3 at 22:35 UTC on 19 November, 20 November in Auckland. The
    attendance period counted from the UTC day: on 3 December (Auckland) it had 14 days, a whole
    cadence, so one meeting was expected ("0 of 1 meetings") of a pair 13 days old."""
    from lmsync.domain.plan import mentor_group_idnumber
    from lmsync.service.programme_settings import programme_zone
    from lmsync.store.pairings import PairingHistory

    config = Config.model_validate({
        "programme": {"name": "mentoring-2026", "timezone": "Pacific/Auckland"},
        "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"cadence_days": 14},
    })
    s = service.settings(config)
    store = service.open_store(config)
    PairingHistory(store, s.programme).record(
        "add_member", [(mentor_group_idnumber(s.programme, 66), 3)], at="2026-11-19T22:35:00.000+00:00"
    )
    metrics = service.compute_metrics(store, s, [(66, 3)], as_of=date(2026, 12, 3), tz=programme_zone(config))
    assert metrics.attendance[3].expected == 0  # 13 days paired: not one whole cadence yet
    store.close()


def test_round_52_3_grades_count_a_moved_mentees_meetings_with_the_mentor_they_left(tmp_path):
    """The pairing history says mentee 3 was with mentor 66 from 1 Sep and moved to 67 on 1 Oct: the
    grade of 3 counts the meetings with 66 until then, and so does 66's; a mentee who left the
    programme (4) gives no one figures of their own."""
    from lmsync.domain.meetings import Meeting
    from lmsync.domain.plan import mentor_group_idnumber
    from lmsync.store.meetings import MeetingRepository
    from lmsync.store.pairings import PairingHistory

    config = Config.model_validate({
        "programme": {"name": "mentoring-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"cadence_days": 14, "start": "2026-09-01"},
    })
    s = service.settings(config)
    store = service.open_store(config)
    history = PairingHistory(store, s.programme)
    history.record("add_member", [(mentor_group_idnumber(s.programme, 66), 3), (mentor_group_idnumber(s.programme, 66), 4)],
                   at="2026-09-01T08:00:00+00:00")
    history.record("remove_member", [(mentor_group_idnumber(s.programme, 66), 3)], at="2026-10-01T08:00:00+00:00")
    history.record("add_member", [(mentor_group_idnumber(s.programme, 67), 3)], at="2026-10-01T08:00:00+00:00")
    history.record("remove_member", [(mentor_group_idnumber(s.programme, 66), 4)], at="2026-09-20T08:00:00+00:00")
    MeetingRepository(store, s.programme).save((m, None) for m in [
        Meeting(date(2026, 9, 10), 66, 3, 40, True, "csv"), Meeting(date(2026, 9, 24), 66, 3, 40, True, "csv"),
        Meeting(date(2026, 10, 8), 67, 3, 40, True, "csv"),
    ])
    metrics = service.compute_metrics(store, s, [(67, 3), (66, 5)], as_of=date(2026, 10, 13))
    assert (metrics.attendance[3].held, metrics.attendance[3].expected) == (3, 2)
    # 66: 2 with 3 (1 to 30 Sep: 2 expected), none with 4 (1 to 19 Sep: 1), none with 5 (from 1 Sep: 3)
    assert (metrics.attendance[66].held, metrics.attendance[66].expected) == (2, 2 + 1 + 3)
    assert 4 not in metrics.attendance
    # round 58, 3: still active in the course (left with no mentor, say), 4 keeps that pair's figures
    again = service.compute_metrics(store, s, [(67, 3), (66, 5)], as_of=date(2026, 10, 13), active={3, 4, 5, 66, 67})
    assert (again.attendance[4].held, again.attendance[4].expected) == (0, 1)
    store.close()


def test_round_57_8_a_typo_in_grades_enabled_is_a_configuration_error_naming_it(tmp_path):
    """`enabled = ["nosuch"]` turned off every grade in silence, each item then "no longer configured"."""
    config = Config.model_validate({
        "programme": {"name": "mentoring-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "grades": {"enabled": ["attendance", "attendence"]},
    })
    store = service.open_store(config)
    with pytest.raises(ConfigError) as error:
        service.compute_metrics(store, service.settings(config), [(66, 3)], as_of=date(2026, 10, 13))
    said = str(error.value)
    assert "[grades] enabled names no metric: 'attendence' (did you mean 'attendance'?)" in said
    assert "the metrics are: attendance, meetings, minutes" in said
    config.grades.enabled = ["attendance"]
    assert {v.key for v in service.compute_metrics(store, service.settings(config), [(66, 3)],
                                                   as_of=date(2026, 10, 13)).values} <= {"attendance"}
    store.close()


def test_round_59_3_a_pair_made_by_hand_counts_from_the_day_the_store_first_saw_it(tmp_path):
    """A newcomer put into a circle by hand (no pairing history) was "0 of 3 meetings" three days later: counted
    from the programme's start. Once the store judges the programme, a pair it has never seen starts today,
    and one it first saw on a later day starts then."""
    from lmsync.domain.health import PairHealth
    from lmsync.store.snapshots import HealthSnapshots

    config = Config.model_validate({
        "programme": {"name": "mentoring-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"cadence_days": 14, "start": "2026-09-01"},
    })
    s = service.settings(config)
    store = service.open_store(config)
    HealthSnapshots(store, s.programme).replace_day(date(2026, 9, 2), [PairHealth(66, 3, "ok", (), date(2026, 9, 1), None, 0)])
    HealthSnapshots(store, s.programme).replace_day(date(2026, 10, 1), [PairHealth(66, 4, "ok", (), date(2026, 9, 1), None, 0)])
    metrics = service.compute_metrics(store, s, [(66, 3), (66, 4), (67, 9)], as_of=date(2026, 10, 21))
    assert metrics.attendance[3].expected == 50 // 14  # there at the first judgement: from the programme start
    assert metrics.attendance[4].expected == 20 // 14  # first seen on 1 Oct
    assert metrics.attendance[9].expected == 0  # never seen: from today
    store.close()
