"""Tester round 130b, 3: `lmsync emulator edit` offered no way to give the course other people's groups,
groupings, forum discussions or grade items, so an admin could not rehearse a lived-in course (README: the edits
change the site "as Moodle's own pages would"). `edit group`, `grouping`, `discussion` and `grade-item` make them
as a teacher would; lmsync's plan, sync and grades push then leave every one of them as it was."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.state import Site
from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)


def _theirs(site: Site) -> dict[str, Any]:
    return {
        "groups": {g.id: (g.name, g.idnumber, sorted(g.members)) for g in site.groups.values() if g.name.startswith("Tutor")},
        "groupings": {g.id: (g.name, list(g.groupids)) for g in site.groupings.values() if g.name == "Tutor groups"},
        "discussions": {d.id: (d.subject, d.groupid, d.message) for d in site.discussions.values() if d.subject == "Exam week"},
        "items": {i.id: (i.itemname, {u: g.finalgrade for u, g in i.grades.items()})
                  for i in site.grade_items.values() if i.itemtype == "manual"},
    }


def test_other_peoples_objects_are_made_and_left_alone_by_lmsync(env: Any) -> None:  # noqa: F811
    config, _site = seed(env, "[meetings]\nstart = 2026-09-01\n")
    for args in (("grouping", "Tutor groups"),
                 ("group", "Tutor group 3", "--member", "s0008", "--member", "s0009", "--grouping", "Tutor groups"),
                 ("discussion", "Exam week", "--group", "Tutor group 3"),
                 ("grade-item", "lmsync_attendance", "--grade", "s0008=70")):
        made = run_cli(env, "emulator", "edit", *args)
        assert made.exit_code == 0, made.output
    site = Site.load(config.emulator_state_path())
    before = _theirs(site)
    assert [v[2] for v in before["groups"].values()] == [sorted(
        uid for uid, u in site.users.items() if u.username in ("s0008", "s0009"))]
    assert list(before["groupings"].values())[0][1] == list(before["groups"])
    assert len(before["discussions"]) == 1 and len(before["items"]) == 1
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "meetings", "add", "--mentor", "m0001", "--mentee", "s0008", "--date", "2026-10-01",
                   "--minutes", "45").exit_code == 0
    pushed = run_cli(env, "grades", "push")
    assert pushed.exit_code == 0, pushed.output
    assert "lmsync_attendance-2" in pushed.output  # lmsync's own item beside the teacher's, which it never writes
    assert run_cli(env, "sync").exit_code == 0
    assert _theirs(Site.load(config.emulator_state_path())) == before


def test_moodles_refusals_are_the_edits_refusals(env: Any) -> None:  # noqa: F811
    seed(env)
    assert run_cli(env, "emulator", "edit", "group", "Tutor group 3", "--idnumber", "tg3").exit_code == 0
    for args, said in ((("group", "Tutor group 3"), "another group of the course is named 'Tutor group 3'"),
                       (("group", "Other", "--idnumber", "tg3"), "another group of the course has the ID number 'tg3'"),
                       (("group", "Other", "--grouping", "None such"), "no grouping(s) named 'None such'"),
                       (("discussion", "x", "--forum", "None such"), "no forum(s) named 'None such'"),
                       (("grade-item", "x", "--grade", "s0008=101"), "grade 101 for s0008 is outside 0..100")):
        refused = run_cli(env, "emulator", "edit", *args)
        assert refused.exit_code == 3, (args, refused.output)
        assert said in refused.output, refused.output


def test_round_132a_2_what_moodles_forms_refuse_or_trim_is_refused_or_trimmed(env: Any) -> None:  # noqa: F811
    config, _site = seed(env)
    assert run_cli(env, "emulator", "edit", "group", "Tutor group 1 ", "--idnumber", " tg1 ").exit_code == 0
    site = Site.load(config.emulator_state_path())
    assert [(g.name, g.idnumber) for g in site.groups.values() if g.name.startswith("Tutor")] == [("Tutor group 1", "tg1")]
    assert run_cli(env, "emulator", "edit", "grade-item", "Quiz", "--grade", "s0008=1").exit_code == 0
    for args, said in ((("group", "Tutor group 1"), "another group of the course is named 'Tutor group 1'"),
                       (("group", "Other", "--idnumber", "tg1 "), "has the ID number 'tg1'"),
                       (("group", "Lab <b>A</b>"), "Moodle refuses names with a '<' that opens a tag"),
                       (("group", "x" * 300), "Moodle holds at most 254 characters here"),
                       (("discussion", " "), "a discussion subject is required"),
                       (("grade-item", "Reflective", "--max", "nan"), "is not a maximum grade"),
                       (("grade-item", "Portfolio", "--max", "inf"), "is not a maximum grade"),
                       (("grade-item", "Quiz2", "--grade", "s0008=nan"), "grade nan for s0008 is not a number")):
        refused = run_cli(env, "emulator", "edit", *args)
        assert refused.exit_code == 3, (args, refused.output)
        assert said in refused.output, (args, refused.output)
    assert run_cli(env, "emulator", "edit", "unenrol", "s0050").exit_code == 0
    gone = run_cli(env, "emulator", "edit", "grade-item", "Quiz3", "--grade", "s0050=40")
    assert gone.exit_code == 3 and "s0050 is not enrolled in MENTOR-2026" in gone.output, gone.output
    Site.load(config.emulator_state_path())  # still a site file


def test_round_132a_1_an_edit_through_a_linked_site_file_writes_the_linked_site(env: Any, tmp_path: Any) -> None:  # noqa: F811
    seed(env)
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    assert run_cli(env, "emulator", "reset", "--state", str(real)).exit_code == 0
    link.symlink_to(real)
    assert run_cli(env, "emulator", "edit", "group", "Tutor 1", "--state", str(link)).exit_code == 0
    assert link.is_symlink()
    assert [g.name for g in Site.load(real).groups.values() if g.name == "Tutor 1"] == ["Tutor 1"]
