"""Issue 13 acceptance on the emulator: the whole cycle unattended, and who it reaches.

`lmsync run` (``cycle_job``) syncs the demo site, then, 70 days on, with meetings stored so a
few pairs fade, judges health, nudges (one message per person, inside the cap, quiet hours and
exam blocks), sends each coordinator a digest, escalates overdue queue items, and re-matches a
pair marked "not a good fit" through the normal plan.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import health
from lmsync.service.cycle import STEPS, cycle_job
from lmsync.store.db import Store
from lmsync.store.health import DigestLog, NudgeLog, PairForbids
from lmsync.store.meetings import MeetingRepository
from lmsync.store.surveys import SurveyRepository

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()
AS_OF = TODAY + timedelta(days=70)
NOON = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
CALENDAR = "moodle/calendar:manageentries"


def at(day_offset: int = 0, hour: int = 12) -> datetime:
    return datetime.combine(AS_OF + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=hour
    )


def circle_pairs(site):
    pairs = []
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None:
            pairs += [(mentor, m) for m in sorted(group.members) if m != mentor]
    return sorted(pairs)


def make_config(tmp_path, extra: str = ""):
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\ntimezone = "Europe/London"\n'
        f"[waves.windows]\nT0 = {{ start = {TODAY}, end = {AS_OF + timedelta(days=60)} }}\n{extra}"
    )
    return load_config(path, environ={})


@pytest.fixture
def site_and_coordinators(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    return site


def setup(tmp_path, site, extra: str = ""):
    """First cycle today (pairs everyone), then meetings so that, at AS_OF, some pairs fade."""
    users = sorted(site.users.values(), key=lambda u: u.id)
    # two coordinators and a second-line coordinator: real accounts of the site, not in the programme
    spare = [u.username for u in users if u.username and u.username.startswith("s")][-3:]
    coordinators, chief = spare[:2], spare[2]
    config = make_config(
        tmp_path,
        f'[health]\ncoordinators = {json.dumps(coordinators)}\nescalate_to = "{chief}"\n'
        f'not_a_good_fit_item = "fit_checkin.good_fit"\n{extra}\n'
        # the programme's own check-in form holds the item (a name no instrument has is a config error)
        '[instruments.fit_checkin]\nitems = ["good_fit"]\nscale_min = 0\nscale_max = 1\nside = "mentee"\n',
    )
    first = cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
                      + timedelta(hours=12), as_of=TODAY)
    assert [s.step for s in first.steps] == list(STEPS)
    assert first.step("sync").state == "ok", first.step("sync").summary
    pairs = circle_pairs(site)
    by_mentor = Counter(m for m, _ in pairs)
    busy = next(m for m, n in sorted(by_mentor.items()) if n >= 2)
    two = [p for p in pairs if p[0] == busy][:2]  # one mentor, two fading pairs: one message
    rest = [p for p in pairs if p not in two and p[0] != busy]
    lapsed, *healthy = rest
    meetings = []
    for mentor, mentee in healthy:
        meetings += [Meeting(TODAY + timedelta(days=d), mentor, mentee, 45, True, "csv") for d in range(7, 70, 14)]
    for mentor, mentee in [*two, lapsed]:
        meetings.append(Meeting(TODAY + timedelta(days=5), mentor, mentee, 50, True, "csv"))
    store = Store(config.store_path())
    MeetingRepository(store, PROGRAMME).save((m, "test") for m in meetings)
    store.close()
    return config, {"two": two, "lapsed": lapsed, "healthy": healthy, "coordinators": coordinators, "chief": chief}


def flagged_people(cases) -> set[int]:
    return {p for pair in [*cases["two"], cases["lapsed"]] for p in pair}


def user_id(site, username: str) -> int:
    return next(u.id for u in site.users.values() if u.username == username)


def test_issue_13_the_cycle_runs_end_to_end_with_one_message_per_person_and_a_digest(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    before = len(site.messages)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    states = {s.step: s.state for s in result.steps}
    assert states == {
        "sync": "ok", "feedback": "ok", "grades": "ok", "health": "ok", "nudges": "ok", "digest": "ok",
        "report": "skipped",
    }, [s.summary for s in result.steps]
    assert result.exit_code == EXIT_OK
    fading = {(v.health.mentor_id, v.health.mentee_id) for v in result.outputs["health"].assessment.pairs
              if v.health.status == "fading"}
    assert {*cases["two"], cases["lapsed"]} <= fading
    sent = site.messages[before:]
    coordinator_ids = {user_id(site, c) for c in cases["coordinators"]}
    nudged = Counter(m["useridto"] for m in sent if m["useridto"] not in coordinator_ids)
    assert set(nudged) == {p for pair in fading for p in pair}
    assert set(nudged.values()) == {1}, "one message per person per run"
    busy = cases["two"][0][0]
    (to_busy,) = [m["text"] for m in sent if m["useridto"] == busy]
    # both of the mentor's fading pairs in the one message, greeted once
    assert to_busy.count("Hello") == 1 and to_busy.count("<br />\n<br />\n") == 2  # plain text as Moodle shows it
    # the digest: each coordinator, once, naming the new fading pairs with reasons (words, no score)
    digests = [m for m in sent if m["useridto"] in coordinator_ids]
    assert Counter(m["useridto"] for m in digests) == Counter(coordinator_ids)
    assert all("Newly at risk or fading" in m["text"] and "no meeting" in m["text"].lower() for m in digests)
    # each newly flagged pair names whose queue holds it: two coordinators got one list (tester round 77, 7)
    for m in digests:
        listed = m["text"].split("Newly at risk or fading")[1].split("<br />\n<br />")[0].split("<br />\n- ")[1:]
        assert listed and all("s queue" in line for line in listed), m["text"]  # 's as Moodle escapes it
    # a second run on the same day sends nothing again: no nudge, no digest
    again = cycle_job(config, site=site, now=NOON + timedelta(hours=2), as_of=AS_OF)
    assert len(site.messages) == before + len(sent)
    assert again.step("digest").counts["already"] == 2 and again.step("nudges").counts["sent"] == 0
    # "0 message(s) sent about 0 pair(s)" alone read as if no pair needed attention (tester round 44b, 4)
    assert "pair nudge(s) not repeated (told inside [nudges] interval_days)" in again.step("nudges").summary
    store = Store(config.store_path())
    assert {r.recipient_id for r in DigestLog(store, PROGRAMME).records()} == coordinator_ids
    store.close()


def test_issue_13_a_failing_step_does_not_stop_the_independent_ones(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    # a misnamed meeting-log activity: the Feedback step cannot read it
    broken = config.model_copy(update={"meetings": config.meetings.model_copy(update={"feedback": "No such log"})})
    result = cycle_job(broken, site=site, now=NOON, as_of=AS_OF)
    feedback = result.step("feedback")
    # an admin must act; health would judge a stale history, so it is skipped; sync is independent
    assert feedback.state == "failed" and result.step("health").state == "skipped"
    assert result.step("sync").state == "ok"
    assert result.exit_code == EXIT_ADMIN  # the worst step says the exit code
    # tester round 6, 12: the failed step names its kind in JSON; a step after a skipped one says skipped
    assert feedback.as_json()["error"] == "FeedbackSourceProblem"
    assert result.step("health").summary == "skipped: feedback failed"
    assert result.step("nudges").summary == "skipped: health skipped"


def test_round_29_1_a_failed_sync_holds_the_grades_it_was_to_make_right(tmp_path, site_and_coordinators):
    """A teacher moved a mentee by hand and the token lost core_group_delete_group_members: the sync
    failed, and the grades step still wrote 0 meetings for the moved mentee from the wrong circle."""
    from lmsync.moodle.emulator.demo import DEMO_TOKEN

    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    circles = sorted((g for g in site.groups.values() if mentor_of_idnumber(config.programme.name, g.idnumber)),
                     key=lambda g: g.id)
    first, second = circles[0], circles[1]
    moved = min(first.members - {mentor_of_idnumber(config.programme.name, first.idnumber)})
    first.members.discard(moved)
    second.members.add(moved)  # moved by hand: the sync wants them back, and may not take them out
    site.tokens[DEMO_TOKEN].service_functions.discard("core_group_delete_group_members")
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert result.step("sync").state == "failed"
    assert result.step("grades").state == "skipped" and result.step("grades").summary == "skipped: sync failed"
    assert result.step("feedback").state == "ok" and result.step("health").state != "skipped"  # independent


def test_issue_13_the_daily_cap_leaves_the_rest_for_tomorrow(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site, "[nudges]\ndaily_cap = 2\n")
    before = len(site.messages)
    first = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    coordinator_ids = {user_id(site, c) for c in cases["coordinators"]}
    nudges_today = [m for m in site.messages[before:] if m["useridto"] not in coordinator_ids]
    assert len(nudges_today) == 2 and first.step("nudges").counts["capped"] > 0
    again = cycle_job(config, site=site, now=NOON + timedelta(hours=3), as_of=AS_OF)
    assert again.step("nudges").counts["sent"] == 0  # the cap holds across the day's runs
    tomorrow = cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    # the next people are a mentor and their two mentees, more than the whole cap: they go together, over it, once
    # each (tester round 104b, 5: cut to 2, the mentor was messaged again the day after)
    counts = tomorrow.step("nudges").counts
    assert counts["sent"] == 3 and counts["cap_over"] == 1 and counts["capped"] == 0
    told = [m["useridto"] for m in site.messages[before:] if m["useridto"] not in coordinator_ids]
    assert len(told) == len(set(told)) == 5


def test_issue_13_no_nudge_in_quiet_hours_of_the_programme_timezone(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site, '[nudges]\nquiet_hours = "21:00-08:00"\n')
    before = len(site.messages)
    # 23:00 UTC is 23:00 or midnight in London: quiet either way
    night = cycle_job(config, site=site, now=at(0, hour=23), as_of=AS_OF)
    assert night.step("nudges").state == "held" and night.step("digest").state == "held"
    assert len(site.messages) == before
    store = Store(config.store_path())
    assert NudgeLog(store, PROGRAMME).records(day=AS_OF) == []  # held, not recorded
    store.close()
    day = cycle_job(config, site=site, now=at(1, hour=12), as_of=AS_OF)
    assert day.step("nudges").counts["sent"] == len(flagged_people(cases))


def test_tester_round_8_8_a_misspelt_coordinator_is_named_even_while_the_digest_is_held(tmp_path, site_and_coordinators):
    """In quiet hours the digest step said only "held"; ``coordinators = ["nosuchuser"]`` went unseen."""
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site, '[nudges]\nquiet_hours = "21:00-08:00"\n')
    health = config.health.model_copy(update={"coordinators": [*config.health.coordinators, "nosuchuser"]})
    config = config.model_copy(update={"health": health})
    night = cycle_job(config, site=site, now=at(0, hour=23), as_of=AS_OF)
    digest = night.step("digest")
    assert digest.state == "failed" and digest.exit_code == 2, digest.summary
    assert "held" in digest.summary and "no Moodle user nosuchuser" in digest.summary


def test_issue_13_no_nudge_inside_an_exam_block_already_in_progress(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site, '[nudges]\nexam_pattern = "(?i)^exam block: biology & chemistry"\n')
    start = int((NOON - timedelta(days=2)).timestamp())  # began two days ago (trap 45: in progress counts)
    site.events.append({
        "id": 900, "name": "Exam block: Biology & Chemistry", "eventtype": "course", "courseid": 2, "groupid": 0,
        "userid": 2, "timestart": start, "timeduration": 5 * 86400, "visible": 1, "description": "", "format": 1,
    })
    before = len(site.messages)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    nudges = result.step("nudges")
    assert nudges.state == "held" and "exam" in nudges.summary, nudges.summary
    coordinator_ids = {user_id(site, c) for c in cases["coordinators"]}
    assert [m for m in site.messages[before:] if m["useridto"] not in coordinator_ids] == []
    after = cycle_job(config, site=site, now=NOON + timedelta(days=4), as_of=AS_OF + timedelta(days=4))
    assert after.step("nudges").counts["sent"] == len(flagged_people(cases))  # the block is over


def test_issue_13_hidden_course_events_are_reported_as_a_missing_capability(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    site.events.append({
        "id": 901, "name": "Exam block", "eventtype": "course", "courseid": 2, "groupid": 0, "userid": 2,
        "timestart": int((NOON - timedelta(hours=1)).timestamp()), "timeduration": 7200, "visible": 1,
    })
    token = next(iter(site.tokens.values()))
    token.capabilities = frozenset(token.capabilities) - {CALENDAR}
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    nudges = result.step("nudges")
    assert nudges.state == "failed" and nudges.exit_code == EXIT_ADMIN and CALENDAR in nudges.summary
    # a failed step is logged as a warning with its reason (tester round 20, 8: info, and no reason)
    (logged,) = [e for e in logs if e["event"] == "cycle.step" and e["step"] == "nudges"]
    assert logged["log_level"] == "warning" and CALENDAR in logged["reason"]
    assert all(e["log_level"] == "info" for e in logs if e["event"] == "cycle.step" and e["state"] != "failed")
    assert result.step("health").state == "ok" and result.step("digest").state == "ok"
    assert result.exit_code == EXIT_ADMIN


def test_issue_13_an_overdue_item_escalates_to_the_second_coordinator(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    items = health.queue_list(config)
    assert items and {i.owner for i in items} == set(cases["coordinators"])  # round robin
    late = 14 + 8  # due 14 days after opening, escalated after 7 more
    before = len(site.messages)
    result = cycle_job(config, site=site, now=at(late), as_of=AS_OF + timedelta(days=late))
    assert result.step("health").counts["escalated"] == len(items)
    chief = user_id(site, cases["chief"])
    (to_chief,) = [m["text"] for m in site.messages[before:] if m["useridto"] == chief]
    assert "overdue" in to_chief and "escalated from" in to_chief
    assert all(i.escalated_to == cases["chief"] for i in health.queue_list(config))


def test_tester_round_19_3_escalate_to_naming_a_pairs_mentor_is_said_not_silently_skipped(
        tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    items = health.queue_list(config)
    mentor = site.users[items[0].mentor_id].username
    theirs = [i for i in items if i.mentor_id == items[0].mentor_id]
    config = config.model_copy(update={"health": config.health.model_copy(update={"escalate_to": mentor})})
    late = 14 + 8
    result = cycle_job(config, site=site, now=at(late), as_of=AS_OF + timedelta(days=late))
    step = result.step("health")
    assert step.counts["escalated"] == len(items) - len(theirs)
    assert step.counts["unescalated"] == len(theirs) and "could not be escalated" in step.summary
    report = health.health_job(config, site=site, as_of=AS_OF + timedelta(days=late))
    assert [(i.pair, why) for i, why in report.unescalated] == [(i.pair, f"{mentor} is one of the pair") for i in theirs]
    assert all(i.escalated_to is None for i in health.queue_list(config) if i.mentor_id == items[0].mentor_id)
    from lmsync.render.formats import render
    from lmsync.render.health import health_view
    from lmsync.service.directory import people_of

    text = render(health_view(report, people_of(config, report.assessment.roster)), "text")
    assert f"{len(theirs)} overdue queue item(s) could not be escalated" in text and "is one of the pair" in text


def test_issue_13_not_a_good_fit_is_rematched_with_the_fewest_changes(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    before = dict((mentee, mentor) for mentor, mentee in circle_pairs(site))
    mentor, mentee = cases["lapsed"]
    item = health.queue_done(config, (mentor, mentee), "rematched", note="not a good fit", on=AS_OF)
    assert item.acked_on == AS_OF and item.outcome == "rematched"
    result = cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    sync = result.step("sync")
    assert sync.state == "ok" and sync.counts["not_a_good_fit_forbidden"] == 1
    after = dict((n, m) for m, n in circle_pairs(site))
    moved = {n for n in before if before[n] != after.get(n)}
    assert mentee in moved and after.get(mentee) not in (None, mentor)
    assert len(moved) <= 2, "fewest changes: the mentee, and at most one other to make room"


def test_issue_13_a_survey_answer_not_a_good_fit_rematches_the_pair(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    mentor, mentee = cases["healthy"][0]
    store = Store(config.store_path())
    SurveyRepository(store, PROGRAMME).save(
        [(SurveyAnswer(mentee, "fit_checkin", AS_OF, "good_fit", "yes", "csv"), "test")]
    )
    store.close()
    first = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert first.step("health").counts["not_a_good_fit"] == 1
    store = Store(config.store_path())
    assert PairForbids(store, PROGRAMME).pairs() == {(mentor, mentee): ("survey", AS_OF)}
    store.close()
    cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    assert (mentor, mentee) not in circle_pairs(site)
    assert any(n == mentee for _, n in circle_pairs(site))


def test_issue_13_lmsync_run_pair_show_and_queue_done_from_the_command_line(tmp_path, site_and_coordinators,
                                                                            monkeypatch):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    runner = CliRunner()
    cfg = str(config.source)
    mentor, mentee = cases["lapsed"]
    users = {u.id: u.username for u in site.users.values()}
    shown = runner.invoke(main, ["--config", cfg, "pair", "show", users[mentor], users[mentee], "--format", "json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["pair"] == f"{mentor}-{mentee}" and len(data["meetings"]) == 1
    assert data["status"][-1]["status"] == "fading" and data["queue"][0]["owner"] in cases["coordinators"]
    assert {n["state"] for n in data["nudges"]} == {"sent"}
    # on the day judged: a clock behind it is refused, nothing written (tester round 107a, 2)
    monkeypatch.setattr("lmsync.service.programme_settings.clock", lambda: NOON)
    done = runner.invoke(main, ["--config", cfg, "queue", "done", users[mentor], users[mentee], "--outcome", "met"])
    assert done.exit_code == 0, done.output
    assert "stays open" in done.output


def test_issue_12_report_step_without_a_renderer_is_skipped_with_its_reason(tmp_path, site_and_coordinators):
    """The services never import a renderer: the report step draws with the one the caller gives."""
    from lmsync.render.report import renderer
    from lmsync.service.cycle import run_cycle
    from lmsync.service.report import NO_RENDERER
    from lmsync.service.runtime import session

    site = site_and_coordinators
    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()  # no run makes it (tester round 77, 3)
    config = make_config(tmp_path, f'[report]\npath = "{page}"\n')
    with session(config, site=site) as (conn, store):
        bare = run_cycle(conn.api, config, store, site=site, steps=("report",))
        assert [(s.step, s.state, s.summary) for s in bare.steps] == [("report", "skipped", NO_RENDERER)]
        assert bare.exit_code == EXIT_OK and not page.exists()
        drawn = run_cycle(conn.api, config, store, site=site, steps=("report",), report_renderer=renderer())
    assert drawn.step("report").state == "ok" and drawn.reported
    assert drawn.step("report").summary == f"report written to {page}"  # where (tester round 69, 10)
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_tester_finding_10_moodle_unreachable_is_tried_once_not_by_every_step(tmp_path):
    """Tester finding 10: with Moodle down, ``lmsync run`` retried in the sync step and again in
    the Feedback step (134 s). After a step finds Moodle unreachable, the others are skipped."""
    from lmsync.config import load_config
    from lmsync.moodle.errors import ConnectionFailed
    from lmsync.service.cycle import run_cycle

    calls: list[str] = []

    class Down:
        def __getattr__(self, name: str):
            def call(*_a, **_k):
                calls.append(name)
                raise ConnectionFailed(
                    "core_course_get_courses_by_field: cannot reach http://moodle.example (ConnectionError: "
                    "HTTPConnectionPool(host='moodle.example', port=80): Max retries exceeded with url: /x "
                    "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused')))")
            return call

    config = load_config(None, environ={"XDG_STATE_HOME": str(tmp_path)})
    store = Store(tmp_path / "s.db")
    result = run_cycle(Down(), config, store, now=NOON, as_of=AS_OF)  # type: ignore[arg-type]
    store.close()
    assert result.step("sync").state == "failed"
    rest = [s for s in result.steps if s.step not in ("sync", "report")]
    assert rest and all(s.state == "skipped" and "Moodle unreachable (sync failed)" in s.summary for s in rest)
    # tester round 69, 10: no report configured is said as such, not as Moodle's fault
    assert result.step("report").summary == "no [report] path configured"
    assert len(calls) == 1  # the sync's one request; no other step asked again
    # tester round 3, 22: the cause in a few words and where to look, not urllib3's pool text
    assert result.step("sync").summary == (
        "failed: cannot reach Moodle: connection refused (nothing listens on that port) "
        "(`lmsync doctor` checks the site, the token and the service, and says how to fix them)")
    assert result.exit_code == result.step("sync").exit_code


def test_one_run_id_ties_a_cycles_log_lines_and_journal_entries(tmp_path, site_and_coordinators):
    """Stop 20's note left alone: inside `lmsync run` the nudge and digest steps logged and
    journaled under ids of their own beside the cycle's, so an admin could not follow one id."""
    from structlog.testing import capture_logs

    from lmsync.service.nudges import nudge_job
    from lmsync.store.journal import Journal

    site = site_and_coordinators
    config, _cases = setup(tmp_path, site)
    with capture_logs() as events:
        result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert result.step("nudges").counts["sent"] > 0 and result.step("digest").state == "ok"
    ids = {e["run_id"] for e in events if "run_id" in e}
    assert ids == {result.run_id}, ids
    assert {e["event"] for e in events if "run_id" in e} >= {"nudge.done", "cycle.step", "cycle.done"}
    store = Store(config.store_path())
    try:
        journaled = {e.run_id for e in Journal(store, PROGRAMME).entries() if e.op_kind in ("nudge", "digest")}
    finally:
        store.close()
    assert journaled == {result.run_id}
    alone = nudge_job(config, as_of=AS_OF + timedelta(days=1), dry_run=True, site=site)
    assert alone.run_id != result.run_id  # a job on its own has its own id


def test_tester_round_5_11_every_log_line_of_a_run_carries_its_run_id(cli_home):
    """``lmsync --log-format json run``: observe.done, matched, health.done ... carried no run id,
    so an admin could not grep one night's run out of the log (tester round 5, 11)."""
    cfg = cli_home / "lmsync.toml"
    cfg.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    build_demo_site().save(load_config(cfg, environ={}).emulator_state_path())
    result = CliRunner().invoke(main, ["--config", str(cfg), "--log-format", "json", "run"])
    assert result.exit_code in (EXIT_OK, EXIT_ADMIN), result.output
    run_id = json.loads(result.stdout.splitlines()[-1])["run_id"]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    events = {line["event"] for line in lines}
    assert {"observe.done", "matched", "cycle.step", "cycle.done"} <= events, events
    assert {line.get("run_id") for line in lines} == {run_id}, [e["event"] for e in lines if e.get("run_id") != run_id]


def test_round_19_4_a_preview_for_a_later_day_sees_that_days_exam_block(tmp_path, site_and_coordinators):
    """``nudge --dry-run --as-of`` an exam day printed "Would send ... 6 message(s)": the block was read
    for today. A day other than today is judged at this time of day on that day."""
    from lmsync.service.nudges import nudge_job

    site = site_and_coordinators
    config, _cases = setup(tmp_path, site, '[nudges]\nexam_pattern = "(?i)^winter exams"\n')
    later = AS_OF  # seventy days from today, when some pairs fade
    start = datetime.combine(later - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    site.events.append({
        "id": 902, "name": "Winter Exams", "eventtype": "course", "courseid": 2, "groupid": 0, "userid": 2,
        "timestart": int(start.timestamp()), "timeduration": 5 * 86400, "visible": 1, "description": "", "format": 1,
    })
    preview = nudge_job(config, as_of=later, dry_run=True, site=site)
    assert preview.messages and preview.held is not None and "Winter Exams" in preview.held


def test_round_44b_5_a_not_a_good_fit_item_no_instrument_has_stops_the_run_before_the_sync(tmp_path, site_and_coordinators):
    """The sync wrote 133 changes before the health step refused ``not_a_good_fit_item = "fit.notfit"``."""
    from lmsync.errors import ConfigError

    site = site_and_coordinators
    config = make_config(tmp_path, '[health]\nnot_a_good_fit_item = "fit.notfit"\n')
    groups = len(site.groups)
    with pytest.raises(ConfigError, match="health.not_a_good_fit_item: no instrument 'fit'"):
        cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC), as_of=TODAY)
    assert len(site.groups) == groups  # nothing written
