"""the Feedback read never destroys the stored meeting history; the cycle holds back on it.

A mistyped ``[meetings.items]`` label, or an activity that returns nothing usable, used to
delete every stored Feedback meeting, and health, nudges and the digest then ran on the
empty history. Now a read with row problems never removes, a read removing more than
``1 - [sync] min_source_fraction`` of a source's rows is refused (nothing written), and the
feedback step then fails (exit 2) so what depends on it is skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN, EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()
DEPENDANTS = ("grades", "health", "nudges", "digest")


def noon(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def make_config(tmp_path, minutes_label: str = "meeting_minutes", extra: str = ""):
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\ntimezone = "Europe/London"\n'
        '[meetings]\nfeedback = "Meeting log"\n'
        f'[meetings.items]\nminutes = "{minutes_label}"\ndate = "meeting_date"\n{extra}'
    )
    return load_config(path, environ={})


def run(config, site, day_offset: int):
    return cycle_job(config, site=site, now=noon(day_offset), as_of=TODAY + timedelta(days=day_offset))


def feedback_meetings(config) -> int:
    store = Store(config.store_path())
    try:
        return len(MeetingRepository(store, PROGRAMME).find(source="feedback"))
    finally:
        store.close()


@pytest.fixture
def logged(tmp_path, monkeypatch):
    """A synced site whose mentees each logged one meeting, read once into the store."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config = make_config(tmp_path)
    assert run(config, site, 0).step("sync").state == "ok"
    mentees = sorted(
        m
        for g in site.groups.values()
        if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
        for m in g.members
        if m != mentor
    )
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    day = (TODAY + timedelta(days=3)).isoformat()
    log.completeds[:] = [
        FeedbackCompleted(500 + n, uid, int(noon(3).timestamp()), {6: day, 7: "45"}) for n, uid in enumerate(mentees)
    ]
    first = run(config, site, 5)
    assert first.step("feedback").state == "ok", first.step("feedback").summary
    stored = feedback_meetings(config)
    assert stored >= 10
    return tmp_path, site, config, stored


def test_a_mistyped_item_label_never_deletes_the_meeting_history(logged):
    tmp_path, site, _config, stored = logged
    broken = make_config(tmp_path, minutes_label="minutes_renamed")
    result = run(broken, site, 6)
    feedback = result.step("feedback")
    assert feedback.state == "failed" and feedback.exit_code == EXIT_ADMIN
    assert result.exit_code == EXIT_ADMIN
    assert feedback_meetings(broken) == stored, "no stored Feedback meeting may be removed"
    assert feedback.counts["removed"] == 0 and "0 removed" in feedback.summary
    # refused before any response is read, in doctor's words (tester round 115b, 3: was "would remove N of the N ...
    # item labels ... min_source_fraction", or every response blamed)
    assert "no item labelled 'minutes_renamed' ([meetings.items] minutes)" in feedback.summary, feedback.summary
    assert "nothing stored or removed" in feedback.summary and "[meetings.items]" in feedback.summary
    for step in DEPENDANTS:
        assert result.step(step).state == "skipped", (step, result.step(step).summary)


def test_a_feedback_activity_returning_nothing_usable_is_refused_not_ok(logged):
    _tmp_path, site, config, stored = logged
    next(f for f in site.feedbacks.values() if f.name == "Meeting log").completeds.clear()
    result = run(config, site, 6)
    feedback = result.step("feedback")
    assert feedback.state == "failed" and result.exit_code == EXIT_ADMIN
    assert feedback_meetings(config) == stored
    assert all(result.step(s).state == "skipped" for s in DEPENDANTS)


def test_a_read_with_row_problems_keeps_the_rows_it_could_not_read(logged):
    _tmp_path, site, config, stored = logged
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[0].values[7] = "forty"  # one unreadable attempt: its meeting is kept, not removed
    result = run(config, site, 6)
    feedback = result.step("feedback")
    assert feedback.state == "partial" and feedback.exit_code == EXIT_PARTIAL
    assert feedback_meetings(config) == stored
    assert feedback.counts["removed"] == 0


def test_a_response_deleted_in_moodle_is_still_removed_and_counted(logged):
    _tmp_path, site, config, stored = logged
    del next(f for f in site.feedbacks.values() if f.name == "Meeting log").completeds[0]
    result = run(config, site, 6)
    feedback = result.step("feedback")
    assert feedback.state == "ok" and feedback.exit_code == EXIT_OK, feedback.summary
    assert feedback_meetings(config) == stored - 1
    assert feedback.counts["removed"] == 1 and "1 removed" in feedback.summary


def test_a_misnamed_feedback_activity_exits_for_an_admin(logged):
    tmp_path, site, _config, stored = logged
    misnamed = make_config(tmp_path, extra="").model_copy()
    misnamed = misnamed.model_copy(
        update={"meetings": misnamed.meetings.model_copy(update={"feedback": "Meeting lgo"})}
    )
    result = run(misnamed, site, 6)
    feedback = result.step("feedback")
    assert feedback.state == "failed" and feedback.exit_code == EXIT_ADMIN
    assert result.exit_code == EXIT_ADMIN
    assert "Meeting lgo" in feedback.summary
    assert feedback_meetings(misnamed) == stored


def test_an_unwritable_report_path_exits_for_an_admin_naming_the_path(tmp_path, monkeypatch):
    from lmsync.render.report import renderer
    from lmsync.service.cycle import run_cycle
    from lmsync.service.runtime import session

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    page = "/proc/lmsync-report/report.html"
    config = make_config(tmp_path, extra=f'[report]\npath = "{page}"\n')
    with session(config, site=site) as (conn, store):
        result = run_cycle(conn.api, config, store, site=site, steps=("report",), report_renderer=renderer())
    report = result.step("report")
    assert report.state == "failed" and report.exit_code == EXIT_ADMIN and result.exit_code == EXIT_ADMIN
    assert page in report.summary


def test_doctor_fails_naming_an_unknown_coordinator_or_escalate_to(tmp_path, monkeypatch):
    import requests

    from lmsync.moodle.api import MoodleApi
    from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
    from lmsync.moodle.emulator.demo import DEMO_TOKEN
    from lmsync.moodle.transport import Transport
    from lmsync.secrets import Token
    from lmsync.service.doctor import run_doctor

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    known = sorted(u.username for u in site.users.values() if u.username and u.username.startswith("s"))[-1]

    def doctor(extra: str):
        session = requests.Session()
        session.mount(EMULATOR_URL, EmulatorAdapter(site))
        api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
        return run_doctor(api, make_config(tmp_path, extra=extra))

    good = doctor(f'[health]\ncoordinators = ["{known}"]\nescalate_to = "{known}"\n')
    assert not [c for c in good.checks if c.name.startswith("health") and c.status != "ok"]
    bad = doctor(f'[health]\ncoordinators = ["{known}", "nosuchcoord"]\nescalate_to = "nosuchchief"\n')
    failed = {c.name: c.detail for c in bad.checks if c.status == "fail" and c.name.startswith("health")}
    assert "'nosuchcoord'" in failed["health coordinators"]
    assert "'nosuchchief'" in failed["health escalate_to"]
    assert known not in " ".join(failed.values())
    assert bad.exit_code != 0


def test_survey_answers_from_feedback_are_guarded_the_same_way():
    from datetime import date

    from lmsync.domain.instruments import SurveyAnswer
    from lmsync.store.meetings import RemovalRefused
    from lmsync.store.surveys import SurveyRepository

    store = Store.memory()
    try:
        repo = SurveyRepository(store, PROGRAMME)
        answers = [
            (SurveyAnswer(uid, "overall", date(2026, 10, 1), "overall", "4", "feedback"), "feedback")
            for uid in range(10, 14)
        ]
        assert repo.replace_source("feedback", "overall", answers).added == 4
        with pytest.raises(RemovalRefused) as refused:
            repo.replace_source("feedback", "overall", answers[:1], min_fraction=0.5)
        assert (refused.value.removing, refused.value.stored) == (3, 4)
        assert repo.replace_source("feedback", "overall", answers[:3], keep_missing=True).removed == 0
        assert len(repo.answers()) == 4
        assert repo.replace_source("feedback", "overall", answers[:3], min_fraction=0.5).removed == 1
    finally:
        store.close()


def _rematch_setup(tmp_path):
    from lmsync.domain.meeting_log import FeedbackAttempt
    from lmsync.domain.ownership import mentor_group_idnumber
    from lmsync.service.programme_settings import settings

    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n[meetings]\nfeedback = "Meeting log"\n'
                    '[meetings.items]\nminutes = "meeting_minutes"\ndate = "meeting_date"\n')
    s = settings(load_config(path, environ={}))
    store = Store.memory()
    history = PairingHistory(store, "p")
    history.record("add_member", [(mentor_group_idnumber("p", 1), u) for u in range(11, 21)],
                   at="2026-09-01T09:00:00.000+00:00")

    def log(mentee: int, day: str, attempt: int = 0) -> FeedbackAttempt:
        return FeedbackAttempt(attempt or 100 + mentee, mentee, datetime.fromisoformat(f"{day}T12:00:00+00:00"),
                               {"meeting_date": day, "meeting_minutes": "30"})

    return s, store, history, log


def test_a_rematch_never_rewrites_the_meeting_history(tmp_path):
    """Mentee 11 met mentor 1 in September and is re-matched to mentor 2 in October: the
    September meeting stays with mentor 1 (it was deleted and re-created with mentor 2)."""
    from datetime import date

    from lmsync.domain.ownership import mentor_group_idnumber
    from lmsync.service.meetings import store_feedback_meetings

    s, store, history, log = _rematch_setup(tmp_path)
    attempts = [log(u, "2026-09-10") for u in range(11, 21)]
    resolve = lambda _t: None  # noqa: E731
    store_feedback_meetings(store, s, attempts, [(1, u) for u in range(11, 21)], resolve, today=date(2026, 9, 20))
    history.record("remove_member", [(mentor_group_idnumber("p", 1), 11)], at="2026-10-01T09:00:00.000+00:00")
    history.record("add_member", [(mentor_group_idnumber("p", 2), 11)], at="2026-10-01T09:00:00.000+00:00")
    current = [(2, 11)] + [(1, u) for u in range(12, 21)]
    # an October meeting of the new pair is attributed to the new mentor
    attempts.append(log(11, "2026-10-15", attempt=999))
    counts, problems = store_feedback_meetings(store, s, attempts, current, resolve, today=date(2026, 10, 20))
    after = {(m.mentor_id, m.mentee_id, m.date) for m in MeetingRepository(store, "p").meetings()}
    assert problems == []
    assert counts.removed == 0
    assert (1, 11, date(2026, 9, 10)) in after
    assert (2, 11, date(2026, 9, 10)) not in after
    assert (2, 11, date(2026, 10, 15)) in after


def test_a_feedback_date_before_the_pairing_history_falls_back_to_the_current_pairs(tmp_path):
    from datetime import date

    from lmsync.domain.ownership import mentor_group_idnumber
    from lmsync.service.meetings import store_feedback_meetings

    s, store, history, log = _rematch_setup(tmp_path)
    history.record("add_member", [(mentor_group_idnumber("p", 1), 21)], at="2026-10-01T09:00:00.000+00:00")
    # August predates the history (2026-09-01): the current pairs apply, and a pair the history
    # has no row for (made before it was kept) counts on every date; mentee 21 joined in
    # October, so their September log is a row problem
    attempts = [log(11, "2026-08-20"), log(30, "2026-09-10"), log(21, "2026-09-10")]
    _, problems = store_feedback_meetings(
        store, s, attempts, [(1, 11), (5, 30), (1, 21)], lambda _t: None, today=date(2026, 10, 20)
    )
    stored = {(m.mentor_id, m.mentee_id, m.date) for m in MeetingRepository(store, "p").meetings()}
    assert stored == {(1, 11, date(2026, 8, 20)), (5, 30, date(2026, 9, 10))}
    assert [(p.attempt_id, p.field) for p in problems] == [(121, "respondent")]


def test_rows_re_dated_by_a_day_are_not_losses_but_a_real_loss_beside_them_is_still_refused():
    """Feedback rows stored under UTC days are re-dated to the programme's day by the next read: the
    guard took every one of them for a removal and refused the read (tester round 43)."""
    from datetime import date

    from lmsync.domain.instruments import SurveyAnswer
    from lmsync.store.meetings import RemovalRefused
    from lmsync.store.surveys import SurveyRepository

    store = Store.memory()
    try:
        repo = SurveyRepository(store, PROGRAMME)

        def answers(day: date, people: range) -> list[tuple[SurveyAnswer, str]]:
            return [(SurveyAnswer(uid, "overall", day, "overall", "4", "feedback"), "feedback") for uid in people]

        assert repo.replace_source("feedback", "overall", answers(date(2026, 10, 1), range(10, 14))).added == 4
        with pytest.raises(RemovalRefused) as refused:  # two lost, two re-dated: the two count
            repo.replace_source("feedback", "overall", answers(date(2026, 10, 2), range(10, 12)), min_fraction=0.9)
        assert refused.value.removing == 2
        moved = repo.replace_source("feedback", "overall", answers(date(2026, 10, 2), range(10, 14)), min_fraction=0.9)
        assert moved.removed == 4 and {a.date for a in repo.answers()} == {date(2026, 10, 2)} and len(repo.answers()) == 4
        with pytest.raises(RemovalRefused):  # two days is no time zone's shift
            repo.replace_source("feedback", "overall", answers(date(2026, 10, 4), range(10, 14)), min_fraction=0.9)
    finally:
        store.close()


def test_round_57_3_the_run_line_names_every_response_with_a_problem(logged):
    """"2 warning(s)" named only the first response; the second showed only once the first was mended."""
    _tmp_path, site, config, _stored = logged
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    first, second = log.completeds[0], log.completeds[1]
    first.values[7], second.values[7] = "about 30", "forty"
    feedback = run(config, site, 6).step("feedback")
    assert feedback.state == "partial"
    assert f"(attempt {first.id})" in feedback.summary and f"(attempt {second.id})" in feedback.summary
    assert "about 30" not in feedback.summary and "forty" not in feedback.summary  # round 57, 2
