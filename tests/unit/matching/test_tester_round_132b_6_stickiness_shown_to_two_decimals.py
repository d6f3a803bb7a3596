"""Tester round 132b, 6: a stickiness weight of 4.9 or 5.3 (kept as multiples of 1/1024) was printed as "(4.90039)"
and "(5.2998)" in the reasons, beside scores shown to 2 decimals. It is shown as a score is: 4.9, 5.3."""

from __future__ import annotations

from click.testing import CliRunner

from lmsync.cli import main

PEOPLE = "id,role,capacity,department,current_mentor,preferences\nA,mentor,2,,,\nB,mentor,1,Surg,,\nS1,mentee,,Surg,A,B\n"


def _match(tmp_path, stickiness: str) -> str:
    (tmp_path / "p.csv").write_text(PEOPLE)
    (tmp_path / "l.toml").write_text(f'[matching]\nrematch = ["*"]\n[matching.weights]\nstickiness = {stickiness}\n')
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "l.toml"), "match", "--people", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_stickiness_weight_reads_as_configured(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    moved = _match(tmp_path, "4.9")
    assert "by more than the stickiness weight (4.9))" in moved and "4.90039" not in moved, moved
    stayed = _match(tmp_path, "5.3")
    assert "better by more than the stickiness weight (5.3)" in stayed and "5.2998" not in stayed, stayed
