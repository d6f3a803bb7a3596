"""Tester round 17, 4 and 8: plans named circles by idnumber ("to lmsync:p:mentor:74") and deletions
hid the group's name and the forum discussions in it."""

from lmsync.domain.operations import AddMember, DeleteGroup, Plan
from lmsync.render.sync import plan_text


class People:
    def label(self, user_id: int) -> str:
        return {74: "Olivia Takahashi (m0003)", 12: "Amira Mensah (s0029)"}.get(user_id, f"user #{user_id}")


def test_round_17_8_a_member_joins_their_mentors_circle_by_name():
    plan = Plan(programme="p", course_id=2, fingerprint="f", operations=[AddMember(group="lmsync:p:mentor:74", user_id=12)])
    assert "+ Amira Mensah (s0029) to Olivia Takahashi (m0003)'s circle" in plan_text(plan, people=People())
    assert "+ user #12 to lmsync:p:mentor:74" in plan_text(plan)  # without people: ids, never a guess


def test_round_17_4_a_deletion_names_the_group_and_the_discussions_in_it():
    op = DeleteGroup(group="lmsync:p:mentor:9999", reason="no longer a mentor circle", name="Circle from 2025 restore",
                     discussions=2)
    text = plan_text(Plan(programme="p", course_id=2, fingerprint="f", operations=[op]), people=People())
    assert "! 'Circle from 2025 restore' [lmsync:p:mentor:9999] (no longer a mentor circle); 2 forum discussion(s)" in text
    assert "check them first" in text


def test_round_67_8_a_name_with_an_apostrophe_shows_as_typed_in_plain_quotes():
    from lmsync.domain.operations import CreateGroup, PostWelcome

    ops = [CreateGroup(name="Zoë O'Brien's \"circle\"", idnumber="lmsync:p:mentor:74"),
           PostWelcome(group="lmsync:p:mentor:74", subject="Welcome, O'Brien", message="hi")]
    text = plan_text(Plan(programme="p", course_id=2, fingerprint="f", operations=ops), people=People())
    assert "'Zoë O'Brien's \"circle\"' [lmsync:p:mentor:74]" in text  # not Python's "\\'" or a switch to "..."
    assert "'Welcome, O'Brien' in Olivia Takahashi (m0003)'s circle" in text
    assert "\\'" not in text


def test_round_67_8_a_quoted_name_still_shows_control_characters_as_escapes():
    from lmsync.visible import quoted

    assert quoted("Eve\x1b]0;owned\x07") == "'Eve\\x1b]0;owned\\x07'"


def test_round_84_10_one_batch_is_a_batch_not_1_batches():
    from collections import Counter

    from lmsync.render.sync import report_text
    from lmsync.service.apply import ApplyReport

    one = report_text(ApplyReport(run_id="r", written=Counter(add_member=3), batches=1, seconds=0.4))
    assert one.startswith("Applied in 1 batch, 0.4s: add member: 3") and "1 batches" not in one
    assert report_text(ApplyReport(run_id="r", batches=2)).startswith("Applied in 2 batches, 0.0s: nothing")
    assert report_text(ApplyReport(run_id="r")).startswith("Applied in 0 batches,")
