"""A person's export never carries what the other side of a pair said about them (standing rule)."""

from __future__ import annotations

from datetime import date

from lmsync.domain.meetings import Meeting
from lmsync.service import privacy
from lmsync.service.export_withholding import NEVER_EXPORTED, withhold_others_judgements
from lmsync.service.moodle import emulator_site
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_privacy import circle_of, config  # noqa: F401  (the fixture)


def test_a_mentors_export_never_carries_the_mentees_rating_of_them(config):  # noqa: F811
    mentee, mentor, _group = circle_of(config, "s0001")
    store = Store(config.store_path())
    MeetingRepository(store, "mentor-2026").save([
        (Meeting(date(2026, 10, 1), mentor, mentee, 30, True, "feedback", rating=1, notes="dull", rated_by="mentee"), None),
        (Meeting(date(2026, 10, 8), mentor, mentee, 30, True, "feedback", rating=4, notes="good", rated_by="mentor"), None),
        (Meeting(date(2026, 10, 15), mentor, mentee, 30, True, "csv", rating=2), None),  # side unknown
    ])
    store.close()
    username = next(u.username for u in emulator_site(config).users.values() if u.id == mentor)

    mentors = privacy.export(config, username)
    ratings = {m["meeting_date"]: (m["rating"], m["notes"]) for m in mentors["meetings"]}
    assert ratings == {"2026-10-01": (None, None), "2026-10-08": (4, "good"), "2026-10-15": (None, None)}
    assert mentors["withheld"] == {}  # not even counted: a count told how many times the mentee rated (round 26, 10)
    sides = {m["meeting_date"]: m["rated_by"] for m in mentors["meetings"]}  # nor which meetings (round 32, 11)
    assert sides == {"2026-10-01": None, "2026-10-08": "mentor", "2026-10-15": None}

    # an unknown side is withheld from the mentee too: a mentor's note about them reached their
    # export (tester rounds 4 and 5, finding 5)
    mentees = privacy.export(config, "s0001")
    ratings = {m["meeting_date"]: m["rating"] for m in mentees["meetings"]}
    assert ratings == {"2026-10-01": 1, "2026-10-08": None, "2026-10-15": None}
    assert mentees["withheld"] == {}


def test_survey_answers_others_gave_about_a_person_stay_out_of_their_export():
    data = {
        "meetings": [],
        "survey_answers": [
            {"respondent_id": 7, "about_id": 9, "item": "trust", "value": "1"},  # the mentee about mentor 9
            {"respondent_id": 9, "about_id": 7, "item": "trust", "value": "5"},  # mentor 9 about the mentee
            {"respondent_id": 9, "about_id": None, "item": "gse1", "value": "3"},
        ],
        "survey_scores": [{"respondent_id": 7, "about_id": 9, "total": 0.2}],
    }
    out = withhold_others_judgements(data, 9)
    assert [(r["respondent_id"], r["about_id"]) for r in out["survey_answers"]] == [(9, 7), (9, None)]
    assert out["survey_scores"] == []
    assert out["withheld"] == {}  # round 26, 10: "survey_answers 10, survey_scores 2" counted the mentee's waves
    assert any(line.startswith("survey answers and scores other people gave about this person") for line in out["never_exported"])


def test_tester_finding_2b_a_withheld_meeting_carries_no_hash_that_gives_its_rating_back(config):  # noqa: F811
    """content_hash is sha256 of (minutes, attended, rating, notes, rated_by), unsalted: trying the five
    ratings against it would recover a withheld rating. A withheld row carries no hash; a kept one does."""
    mentee, mentor, _group = circle_of(config, "s0001")
    withheld = Meeting(date(2026, 10, 1), mentor, mentee, 30, True, "feedback", rating=1, rated_by="mentee")
    kept = Meeting(date(2026, 10, 8), mentor, mentee, 30, True, "feedback", rating=4, rated_by="mentor")
    store = Store(config.store_path())
    MeetingRepository(store, "mentor-2026").save([(withheld, None), (kept, None)])
    store.close()
    username = next(u.username for u in emulator_site(config).users.values() if u.id == mentor)

    rows = {m["meeting_date"]: m for m in privacy.export(config, username)["meetings"]}
    guesses = {
        Meeting(date(2026, 10, 1), mentor, mentee, 30, True, "feedback", rating=r, rated_by="mentee").content_hash
        for r in range(1, 6)
    }
    assert rows["2026-10-01"]["rating"] is None
    assert not guesses & {str(v) for v in rows["2026-10-01"].values()}
    assert rows["2026-10-08"]["rating"] == 4  # what the person gave stays whole


def test_second_pass_10_no_meeting_row_marks_which_meetings_the_other_side_rated(config):  # noqa: F811
    """The hash was emptied only where a rating was withheld: a mentor read which meetings his mentee
    had rated (a null hash) beside the ones nobody rated (a hash). No row carries it now, and a meeting
    the mentee rated reads like one nobody rated."""
    mentee, mentor, _group = circle_of(config, "s0001")
    store = Store(config.store_path())
    meetings = MeetingRepository(store, "mentor-2026")
    meetings.save([
        (Meeting(date(2026, 10, 1), mentor, mentee, 30, True, "csv", rating=2, rated_by="mentee"), "first.csv:2"),
        (Meeting(date(2026, 10, 8), mentor, mentee, 30, True, "csv"), "first.csv:3"),  # nobody rated it
        # round 51b, 3: logged by the mentee with no rating, "rated_by": "mentee" marked the rows NOT rated
        (Meeting(date(2026, 10, 15), mentor, mentee, 30, True, "csv", rated_by="mentee"), "first.csv:4"),
    ])
    # round 51b, 4: the mentee changed their rating: origin and updated_at told the mentor so
    meetings.save([(Meeting(date(2026, 10, 1), mentor, mentee, 30, True, "csv", rating=1, notes="changed my mind",
                            rated_by="mentee"), "cleaned-mentee-ratings.csv:2")])
    meetings.save([(Meeting(date(2026, 10, 22), mentor, mentee, 30, True, "csv", rating=5, rated_by="mentor"),
                    "mine.csv:2")])
    store.close()
    username = next(u.username for u in emulator_site(config).users.values() if u.id == mentor)

    export = privacy.export(config, username)
    rows = {m["meeting_date"]: m for m in export["meetings"]}
    assert all("content_hash" not in r for r in rows.values())
    shown = [{k: v for k, v in rows[d].items() if k not in ("id", "meeting_date")}
             for d in ("2026-10-01", "2026-10-08", "2026-10-15")]
    assert shown[0] == shown[1] == shown[2]
    assert shown[0]["origin"] is None and shown[0]["updated_at"] is None and shown[0]["rated_by"] is None
    assert shown[0]["source"] is None  # round 51c, 3: "feedback" told a mentee the mentor had logged the row
    own = rows["2026-10-22"]  # what the mentor gave stays whole, with where it came from
    assert (own["rating"], own["rated_by"], own["origin"]) == (5, "mentor", "mine.csv:2") and own["updated_at"]
    assert any("content hash" in line for line in export["never_exported"])


def test_round_23_1_an_export_shows_no_sign_of_which_pair_the_other_sides_answers_flagged():
    """A mentor's export withheld the status only of the pair whose mentee rated him low, and listed the
    nudges sent to that mentee alone: both told him who it was."""
    import json

    from lmsync.service.export_withholding import withhold_others_judgements

    low = json.dumps([["satisfaction_low_mentee", "satisfaction low (mentee side)"]])
    data = {
        "health_snapshots": [
            {"day": "2026-12-16", "mentor_id": 7, "mentee_id": 33, "status": "at_risk", "score": 60, "reasons": low,
             "shared_status": "ok"},  # set only where one side's own answers changed the verdict (round 97a, 5)
            {"day": "2026-12-16", "mentor_id": 7, "mentee_id": 41, "status": "ok", "score": 100, "reasons": "[]",
             "shared_status": None},
        ],
        "coordinator_queue": [{"mentor_id": 7, "mentee_id": 33, "status": "at_risk", "reasons": low, "note": None}],
        "nudges": [{"mentor_id": 7, "mentee_id": 33, "recipient_id": 33, "kind": "check_in"},
                   {"mentor_id": 7, "mentee_id": 41, "recipient_id": 7, "kind": "no_meeting"}],
    }
    out = withhold_others_judgements(data, 7)
    rows = [{k: v for k, v in r.items() if k != "mentee_id"} for r in out["health_snapshots"]]
    assert rows[0] == rows[1]  # the two pairs' rows read alike
    assert all(r["status"] == r["shared_status"] == "withheld" and r["score"] is None and r["reasons"] == "[]"
               for r in out["health_snapshots"])
    assert out["coordinator_queue"] == []  # only the mentee's answers queued it: it goes whole (round 30, 4)
    assert [n["recipient_id"] for n in out["nudges"]] == [7]  # not the nudge sent to the mentee alone
    # and no count of what went: "nudges withheld: 1" beside none of his own told the same (tester round 25, 1)
    assert out["withheld"] == {} and out["never_exported"] == list(NEVER_EXPORTED)


def test_round_93a_4_a_mentors_export_leaves_out_the_received_mean_published_about_them(config):  # noqa: F811
    """A mentor's export held ``published_grades``: their mentees' mean rating of them (4.5 over two mentees), which
    the gradebook hides from them; with a mentee's own answer known, the other's came back by difference."""
    from lmsync.store.published_grades import PublishedGrades

    _mentee, mentor, _group = circle_of(config, "s0001")
    store = Store(config.store_path())
    PublishedGrades(store, "mentor-2026").freeze([("satisfaction-mentee-received-T0", mentor, 4.5)])
    store.close()
    username = next(u.username for u in emulator_site(config).users.values() if u.id == mentor)

    exported = privacy.export(config, username)
    # the value itself, not "4.5" in the text: an instant such as 21:19:44.5... holds it too (a flake, 6 Dec 2026)
    assert "published_grades" not in exported and 4.5 not in _values(exported) and "4.5" not in _values(exported)
    assert any("published to the gradebook" in line for line in exported["never_exported"])


def _values(data: object) -> list[object]:
    """Every leaf value of ``data`` (dicts, lists and tuples walked), for asserting a value is nowhere in it."""
    if isinstance(data, dict):
        return [v for value in data.values() for v in _values(value)]
    if isinstance(data, (list, tuple)):
        return [v for value in data for v in _values(value)]
    return [data]
