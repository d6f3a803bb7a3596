"""Issue 14: ``lmsync report`` and ``lmsync demo`` as a person runs them, on the emulator."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from lmsync.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, ["--log-level", "warning", *args], catch_exceptions=False)

    return invoke


def test_issue_14_report_out_html_and_format_csv(run, tmp_path):
    assert run("sync").exit_code == 0
    result = run("report", "--out", "report.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Mentor load" in page and "<script" not in page
    assert (tmp_path / "report.html").stat().st_mode & 0o077 == 0
    tables = run("report", "--format", "csv", "--out", "tables")
    assert tables.exit_code == 0, tables.output
    assert (tmp_path / "tables" / "mentor_load.csv").read_text().startswith("mentees_per_mentor,mentors")
    # in CSV too: an empty at_risk_today.csv is not "no pair at risk" (tester round 38, 2)
    assert "pairs at risk or fading,not known: no health snapshot" in (tmp_path / "tables" / "summary.csv").read_text()
    assert run("report", "--out", "tables").exit_code != 0  # a folder is not an HTML file
    # no health snapshot yet: no pair was judged, which is not "no pair is at risk" (tester round 37, 4)
    assert "Not known: no health snapshot was recorded" in page and "No pair is at risk or fading." not in page
    assert run("health").exit_code == 0
    assert run("report", "--out", "judged.html").exit_code == 0
    judged = (tmp_path / "judged.html").read_text()
    assert "Not known: no health snapshot" not in judged and "<h3>At risk or fading on " in judged


def test_issue_14_demo_ends_by_writing_the_report_and_printing_its_path(run):
    result = run("demo")
    assert result.exit_code == 0, result.output
    found = re.search(r"Programme report \(open it in a browser\): (\S+)", result.output)
    assert found, result.output[-2000:]
    from pathlib import Path

    page = Path(found.group(1)).read_text()
    assert "fading" in page  # the demo's term has pairs that fade
    assert 'id="chart-health"' in page and 'id="chart-evaluation"' in page and 'id="chart-qualities"' in page


def test_round_26_2_a_report_of_a_day_to_come_is_refused_and_a_csv_folder_is_no_csv_file(run, tmp_path):
    """``--as-of`` after today showed an open wave's figures: two such reports gave away one
    person's answer. ``--format csv --out f.csv`` made a folder named ``f.csv``."""
    from datetime import date, timedelta

    assert run("sync").exit_code == 0
    later = (date.today() + timedelta(days=40)).isoformat()
    refused = run("report", "--out", "later.html", "--as-of", later)
    assert refused.exit_code == 3 and f"--as-of {later} is after today" in " ".join(refused.output.split())
    assert not (tmp_path / "later.html").exists()
    earlier = (date.today() - timedelta(days=1)).isoformat()
    assert run("report", "--out", "earlier.html", "--as-of", earlier).exit_code == 0
    named_csv = run("report", "--format", "csv", "--out", "f.csv")
    assert named_csv.exit_code == 3 and "not one .csv file" in named_csv.output and "--out f/" in named_csv.output
    assert not (tmp_path / "f.csv").exists()


def test_round_30_2_a_first_runs_report_shows_the_circles_that_runs_sync_made(run, tmp_path):
    """The report step read the built-in emulator as saved before the run: a first `lmsync run` wrote a
    report of 0 pairs and 0% matched, the second and `lmsync report` the true figures."""
    (tmp_path / "lmsync.toml").write_text('[store]\npath = "s.db"\n[report]\npath = "report.html"\n')
    result = run("run")
    assert result.exit_code == 0, result.output

    def pairs_in(name):
        text = " ".join(re.sub(r"<[^>]+>", " ", (tmp_path / name).read_text()).split())
        return [int(n) for n in re.findall(r"Summary (\d+) pairs", text)]

    assert run("report", "--out", "again.html").exit_code == 0
    assert pairs_in("report.html") == pairs_in("again.html") and pairs_in("again.html")[0] > 0
