"""Tester round 90a, 8: with ``[meetings] one_to_one`` a mentor's response must name the mentee met (its attended
item), and the README says to make that item required; ``doctor`` said ``[ok] meeting log`` of an attended item left
optional, and of none at all said only "every logged meeting counts as attended"."""

from __future__ import annotations

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import FeedbackItem
from tests.flows.test_grades_flow import make_config


def _doctor(tmp_path, monkeypatch, *, item: FeedbackItem | None, one_to_one: bool = True) -> str:
    config = make_config(tmp_path, monkeypatch)
    path = tmp_path / "lmsync.toml"
    text = path.read_text().replace("[meetings]\n", f"[meetings]\none_to_one = {str(one_to_one).lower()}\n", 1)
    path.write_text(text.replace('[meetings.items]\n', '[meetings.items]\nattended = "attended"\n', 1))
    site = build_demo_site()
    if item is not None:
        next(f for f in site.feedbacks.values() if f.name == "Meeting log").items.append(item)
    site.save(config.emulator_state_path())
    result = CliRunner().invoke(main, ["--config", str(path), "doctor"])
    return " ".join(result.output.split())


def test_an_optional_attended_item_is_said_under_one_to_one(tmp_path, monkeypatch):
    said = _doctor(tmp_path, monkeypatch, item=FeedbackItem(10, "Who came", "attended", "textfield", "30|200", False, 5))
    assert "the item labelled 'attended' is not required" in said and "make the item required" in said, said


def test_a_required_attended_item_passes(tmp_path, monkeypatch):
    said = _doctor(tmp_path, monkeypatch, item=FeedbackItem(10, "Who came", "attended", "textfield", "30|200", True, 5))
    assert "is not required" not in said and "no item labelled 'attended'" not in said and "meeting log" in said, said


def test_no_attended_item_under_one_to_one_says_no_mentor_response_can_be_read(tmp_path, monkeypatch):
    said = _doctor(tmp_path, monkeypatch, item=None)
    assert "no item labelled 'attended'" in said and "no mentor's response can be read" in said, said
    (tmp_path / "circle").mkdir()
    circle = _doctor(tmp_path / "circle", monkeypatch, item=None, one_to_one=False)
    assert "every logged meeting counts as attended" in circle and "is not required" not in circle
