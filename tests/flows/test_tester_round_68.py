"""Tester rounds 68 (a data-protection review on the emulator, README only) and 69 (an admin running it
unattended): what still showed or kept what it should not, and failures that read as success or a passing fault."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows.conftest import run_in


def test_round_68_2_hidden_mentee_ratings_are_warned_of_by_doctor_and_on_every_run(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`[grades] mentee_ratings = "hidden"` writes each mentee's rating of their mentor to hidden items that a
    non-editing teacher (the usual mentor role) can read: only `grades plan` said so, while `run`, `grades push`
    and `doctor` were silent. Doctor warns, and the run's grades line says it each time it takes effect."""
    (demo_home / "lmsync.toml").write_text((demo_home / "lmsync.toml").read_text() + """
[instruments.mentor_rating]
items = ["r1"]
scale_min = 1
scale_max = 5
rates_mentor = true
grade_name = "mentor-rating"

[waves]
programme_start = 2026-09-01
[waves.windows]
T0 = { offset_months = 0 }
""")
    doctor = run_in(demo_home, "doctor")
    assert "reachable: Moodle" in doctor.output, doctor.output  # it ran
    assert "grades mentee ratings" not in doctor.output  # the default, aggregate_only: nothing to say
    monkeypatch.setenv("LMSYNC_GRADES_MENTEE_RATINGS", "hidden")
    doctor = run_in(demo_home, "doctor")
    assert "grades mentee ratings" in doctor.output and "moodle/grade:viewhidden" in doctor.output, doctor.output
    ran = run_in(demo_home, "run")
    grades = next(line for line in ran.output.splitlines() if line.lstrip().startswith("grades"))
    assert "hidden items a non-editing teacher can read" in grades, ran.output


def test_round_69_2_lmsync_token_without_a_url_is_refused_not_run_on_the_emulator(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tester round 69, 2: `LMSYNC_TOKEN=... lmsync run` with no [moodle] url synced the demo site, exit 0, where a
    token file without a url is refused: a unit whose config lost its url looked healthy for ever."""
    monkeypatch.setenv("LMSYNC_TOKEN", "0123456789abcdef0123456789abcdef")
    for command in (("run",), ("sync",), ("plan",), ("doctor",)):
        result = run_in(demo_home, *command)
        assert result.exit_code == 2, (command, result.output)
        assert "LMSYNC_TOKEN is set, but" in result.output and "sets no [moodle] url" in result.output, result.output
        assert "0123456789abcdef" not in result.output
    monkeypatch.delenv("LMSYNC_TOKEN")
    assert run_in(demo_home, "plan").exit_code == 0  # without it, the emulator as before


def test_pass_71_1_and_4_the_demo_runs_with_lmsync_token_set_and_a_refused_run_makes_no_store(
    cli_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pass 71 on round 69, 2: `LMSYNC_TOKEN=... lmsync demo` stopped halfway (its second plan was refused), and a
    refused `run` had made and bound an emulator store before refusing."""
    from click.testing import CliRunner

    from lmsync.cli import main

    monkeypatch.setenv("LMSYNC_TOKEN", "0123456789abcdef0123456789abcdef")
    refused = CliRunner().invoke(main, ["run"])
    assert refused.exit_code == 2 and not (cli_home / "state").exists(), refused.output
    demo = CliRunner().invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    assert "Second plan" in demo.output and "LMSYNC_TOKEN is set" not in demo.output


@pytest.mark.sqlite_only("the state folder of a SQLite store")
def test_round_69_3_a_state_path_through_a_file_is_an_admins_error_and_doctor_fails_it(
    cli_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """XDG_STATE_HOME naming a file: `run` ended in a traceback, exit 1 (the daemon backed off as for a passing
    fault), and `doctor` said "[ok  ] store". Exit 2 naming the folder; doctor fails it."""
    from click.testing import CliRunner

    from lmsync.cli import main

    (cli_home / "afile").write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(cli_home / "afile"))
    ran = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    assert ran.exit_code == 2, ran.output
    assert "a part of that path is a file (or a link to nothing), not a folder" in ran.output and "Traceback" not in ran.output
    # round 69, 6: the run's last line is printed even so, as the daemon prints it
    assert ran.stdout.splitlines()[-1] == "run failed before it started: exit 2", ran.stdout
    as_json = CliRunner().invoke(main, ["--log-format", "json", "run"])
    assert as_json.exit_code == 2 and as_json.stdout.splitlines()[-1] == \
        '{"run_id": null, "exit_code": 2, "stopped": false}', as_json.stdout
    doctor = CliRunner().invoke(main, ["doctor"])
    assert "is a file, not a folder" in doctor.output and "[ok  ] store" not in doctor.output, doctor.output


def test_round_69_8_quiet_hours_without_a_time_zone_are_said_to_be_utc(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`LMSYNC_NUDGES_QUIET_HOURS=21:00-08:00 lmsync doctor` said nothing, though [programme] timezone defaults
    to UTC and neither `init` nor the example mentioned it: a school elsewhere would be messaged at night."""
    monkeypatch.setenv("LMSYNC_NUDGES_QUIET_HOURS", "21:00-08:00")
    doctor = run_in(demo_home, "doctor")
    assert "[warn] quiet hours: [nudges] quiet_hours = '21:00-08:00' are read in UTC" in doctor.output, doctor.output
    monkeypatch.setenv("LMSYNC_PROGRAMME_TIMEZONE", "UTC")  # said on purpose: nothing to warn of
    assert "quiet hours" not in run_in(demo_home, "doctor").output


@pytest.mark.sqlite_only("a SQLite store's path")
def test_pass_71_2_doctor_fails_a_store_path_through_a_file_or_a_dangling_link(
    cli_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pass 71 on round 69, 3: with LMSYNC_STORE_PATH through a file doctor said "[warn] ... does not exist: the
    first run makes it", and a link to nothing was "[ok]"; every run then stopped with exit 2."""
    from click.testing import CliRunner

    from lmsync.cli import main

    (cli_home / "afile").write_text("")
    (cli_home / "d").mkdir()
    (cli_home / "d" / "dangl").symlink_to(cli_home / "gone" / "x.db")
    (cli_home / "dang").symlink_to(cli_home / "nowhere" / "dir")  # pass 72, 4: a folder of the path
    for store, said in ((cli_home / "afile" / "x.db", "is a file, not a folder"),
                        (cli_home / "d" / "dangl", "is a link to nothing"),
                        (cli_home / "dang" / "x.db", "is a link to nothing")):
        monkeypatch.setenv("LMSYNC_STORE_PATH", str(store))
        doctor = CliRunner().invoke(main, ["doctor"])
        assert "[FAIL] store: " in doctor.output and said in doctor.output, doctor.output
        ran = CliRunner().invoke(main, ["run"])
        assert ran.exit_code == 2 and "Traceback" not in ran.output, ran.output
    # pass 72, 2: a link to a store not made yet, in a folder that exists, is fine: the run makes it there
    (cli_home / "later.db").symlink_to(cli_home / "target.db")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(cli_home / "later.db"))
    assert "[ok  ] store: " in CliRunner().invoke(main, ["doctor"]).output
    assert CliRunner().invoke(main, ["run"]).exit_code == 0 and (cli_home / "target.db").exists()


@pytest.mark.sqlite_only("a SQLite store's path")
@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="Linux's /proc")
def test_pass_72_3_a_store_under_a_folder_that_takes_no_new_folders_is_exit_2_not_a_traceback(
    cli_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`LMSYNC_STORE_PATH=/proc/newdir/store.db lmsync run` ended in a traceback, exit 1 (the daemon backed off)."""
    from click.testing import CliRunner

    from lmsync.cli import main

    monkeypatch.setenv("LMSYNC_STORE_PATH", "/proc/lmsync-no-such-dir/store.db")
    ran = CliRunner().invoke(main, ["run"])
    assert ran.exit_code == 2, ran.output
    assert "cannot make the folder /proc/lmsync-no-such-dir: that place takes no new folders" in ran.output
