"""Tester round 40: what a re-match did to each open pair is said, and a tie keeps the pair."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person


def mentor(pid: str, capacity: int, department: str, interests: frozenset[str] = frozenset(),
           languages: frozenset[str] = frozenset()) -> Person:
    return Person(pid, "mentor", capacity=capacity, department=department, interests=interests, languages=languages)


def mentee(pid: str, department: str, interests: frozenset[str] = frozenset(),
           languages: frozenset[str] = frozenset()) -> Person:
    return Person(pid, "mentee", department=department, interests=interests, languages=languages)


def test_round_40_1_a_swap_that_gains_exactly_the_stickiness_weight_keeps_both_pairs() -> None:
    # Each move gains 5 (department 3, interest 1, language 1) and stickiness is 5: "better by more
    # than stickiness" does not hold, so nobody moves (both people had been swapped).
    people = People(
        (mentor("m1", 1, "Sci", frozenset({"chess"}), frozenset({"en"})), mentor("m2", 1, "Art", frozenset({"music"}), frozenset({"fr"})),
         mentee("s1", "Art", frozenset({"music"}), frozenset({"fr"})), mentee("s2", "Sci", frozenset({"chess"}), frozenset({"en"}))),
        current={"s1": "m1", "s2": "m2"},
        rematch=frozenset({"*"}),
    )
    result = match(people, MatchSettings())
    assert {(a.mentee, a.mentor, a.origin) for a in result.assignments} == {("s1", "m1", "stayed"), ("s2", "m2", "stayed")}
    assert result.total_score == 10  # the stickiness weight as set, not the solver's tie-breaker
    more = match(people, MatchSettings(weights=Weights(stickiness=4.5)))
    assert {(a.mentee, a.mentor, a.origin, a.previous) for a in more.assignments} == {
        ("s1", "m2", "moved", "m1"), ("s2", "m1", "moved", "m2")}


def test_round_40b_1_an_open_pair_that_loses_its_mentor_to_a_newcomer_is_warned() -> None:
    people = People(
        (mentor("m1", 1, "A"), mentee("sold", "B"), mentee("snew", "A")),
        current={"sold": "m1"},
        rematch=frozenset({"sold"}),
    )
    result = match(people, MatchSettings(weights=Weights(stickiness=2)))
    assert [(a.mentee, a.mentor, a.origin) for a in result.assignments] == [("snew", "m1", "matched")]
    assert [u.mentee for u in result.unmatched] == ["sold"]
    assert any(w.startswith("sold: existing pair with m1 ended by re-matching: now unmatched") for w in result.warnings), result.warnings


def test_round_40b_2_csv_output_carries_origins_and_its_warnings_go_to_stderr(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,role,capacity,department,current_mentor\nm1,mentor,1,A,\nm2,mentor,2,B,\nm0,mentor,0,B,\n"
                      "s1,mentee,,A,m2\ns2,mentee,,B,m1\ns3,mentee,,B,m0\n", encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("[matching]\nrematch = ['s1', 's2']\n\n[matching.weights]\nstickiness = 0\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = {r["mentee"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert (rows["s1"]["mentor"], rows["s1"]["origin"], rows["s1"]["previous_mentor"]) == ("m1", "moved", "m2")
    assert (rows["s2"]["mentor"], rows["s2"]["origin"], rows["s2"]["previous_mentor"]) == ("m2", "moved", "m1")
    assert "warning: s3: existing pair with m0 dropped (mentor opted out)" in out.stderr
    assert "warning" not in out.stdout


def test_round_40_4_a_not_a_good_fit_mark_and_mutual_mentoring_are_not_called_forbidden() -> None:
    # A coordinator's mark (the queue) is "marked not a good fit", not a [matching] forbid no file holds.
    people = People((mentor("m1", 2, "A"), mentor("m2", 2, "B"), mentee("s1", "A")), current={"s1": "m1"})
    marked = match(people.with_overrides(forbids=[("s1", "m1")], unfit=[("s1", "m1")]), MatchSettings())
    assert "s1: existing pair with m1 dropped (marked not a good fit)" in marked.warnings
    plain = match(people.with_overrides(forbids=[("s1", "m1")]), MatchSettings())
    assert "s1: existing pair with m1 dropped (forbidden)" in plain.warnings
    # Two people who would mentor each other: the reason names that, not a forbid.
    x1 = Person("x1", "mentor", capacity=2, also=frozenset({"mentee"}))
    x2 = Person("x2", "mentor", capacity=2, also=frozenset({"mentee"}))
    result = match(People((x1, x2)), MatchSettings())
    reasons = [u.reason for u in result.unmatched]
    assert reasons == ["every candidate mentor is ruled out: 1 their own mentee"], reasons
    assert not any("forbidden" in r for r in reasons)


def test_round_40_7_a_triads_summary_counts_places_per_circle() -> None:
    # Five mentees, two faculty mentors (room for 3), one peer mentor (room for 2): each mentee is
    # counted once per circle, and the summary says so ("7 pairs, 3 unmatched" of 5 mentees read wrong).
    from lmsync.render.formats import render
    from lmsync.render.match import match_view

    faculty = [mentor("m1", 2, "A"), mentor("m2", 1, "A")]
    peer = Person("p1", "peer_mentor", capacity=2, department="A", year=4)
    juniors = [Person(f"s{i}", "mentee", department="A", year=2) for i in range(1, 6)]
    result = match(People((*faculty, peer, *juniors)), MatchSettings(structure="triads"))
    text = render(match_view(result), "text")
    assert "5 pairs (5 matched anew, 3 with a faculty mentor, 2 with a peer mentor), 5 places unmatched " \
           "(2 without a faculty mentor, 3 without a peer mentor)" in text, text


def test_round_42_1_a_forbid_written_the_wrong_way_round_is_refused_not_ignored(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,role,capacity,department,current_mentor\nt1,mentor,2,A,\nt2,mentor,2,B,\n"
                      "s1,mentee,,A,t1\ns2,mentee,,B,t2\n", encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    for forbids, said in ((('t2', 's2'), "forbid t2 -> s2: t2 is not a mentee and s2 is not a mentor, so it forbids nothing "
                                         "(a forbid is [mentee, mentor]: written the wrong way round?)"),
                          (('s1', 's2'), "forbid s1 -> s2: s2 is not a mentor, so it forbids nothing")):
        config.write_text(f"[matching]\nforbids = [{list(forbids)!r}]\n".replace("'", '"'), encoding="utf-8")
        out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
        assert out.exit_code == 2, out.output
        assert said in " ".join(out.output.split()), out.output
    config.write_text('[matching]\nforbids = [["s2", "t2"]]\n', encoding="utf-8")
    right = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert right.exit_code == 0 and "s2: existing pair with t2 dropped (forbidden)" in right.output, right.output


def test_round_42_5_an_ended_pair_shows_in_the_rows_and_the_summary_not_only_in_a_warning(tmp_path: Path) -> None:
    from lmsync.render.formats import render
    from lmsync.render.match import match_view

    people = People(
        (mentor("m1", 1, "A"), mentor("m2", 1, "B"), mentee("sold", "B"), mentee("snew", "A"), mentee("s3", "B")),
        current={"sold": "m1", "s3": "m2"},
        rematch=frozenset({"sold"}),
    ).with_overrides(forbids=[("s3", "m2")], unfit=[("s3", "m2")])
    result = match(people, MatchSettings(weights=Weights(stickiness=2)))
    # sold moves to m2 (the department), and s3, whose pair with m2 a coordinator marked not a good fit, is left with none
    assert [(a.mentee, a.mentor, a.origin, a.previous) for a in result.assignments if a.mentee == "sold"] == [
        ("sold", "m2", "moved", "m1")]
    assert [(u.mentee, u.previous) for u in result.unmatched] == [("s3", "m2")]
    text = render(match_view(result), "text")
    assert "1 unmatched (1 of them left with no mentor by an existing pair that ended)" in text
    # why, as a move says it (round 50, 3), and which rule (tester round 66, 7: "no longer allowed" for each)
    assert "(their pair with m2 ended: the pair is not allowed: marked not a good fit)" in text
    rows = {r["mentee"]: r for r in csv.DictReader(io.StringIO(render(match_view(result), "csv")))}
    assert (rows["s3"]["origin"], rows["s3"]["previous_mentor"]) == ("ended", "m2")
    assert (rows["sold"]["origin"], rows["sold"]["previous_mentor"]) == ("moved", "m1")
    # and why it ended, as JSON's `cause` says it (tester round 82, 3: the CSV had no such column)
    assert rows["s3"]["cause"] == result.to_dict()["unmatched"][0]["cause"] == "the pair is not allowed: marked not a good fit"
    assert rows["sold"]["cause"] == ""
