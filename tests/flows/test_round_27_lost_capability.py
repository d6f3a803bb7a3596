"""Tester round 27, 1: the lmsync role lost ``moodle/user:viewalldetails``. Every custom profile
field came back empty, capacities and years read as unknown, and an unattended ``lmsync run``
took 12 of 72 mentees from their established mentors (too few for the mass-removal guard) and
exited 0. The plan is now refused while no one in the course shows any field matching reads."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.demo import DEMO_TOKEN
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import newcomer_defaults


@pytest.fixture
def synced(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0
    return newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))


def take_capability(config: Any, capability: str) -> None:
    path = config.emulator_state_path()
    site = Site.load(path)
    site.tokens[DEMO_TOKEN].capabilities.discard(capability)
    site.save(path)


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_27_1_a_lost_viewalldetails_refuses_the_plan_instead_of_moving_mentees(synced: Any) -> None:
    before = synced.emulator_state_path().read_bytes()
    take_capability(synced, "moodle/user:viewalldetails")
    capped = synced.emulator_state_path().read_bytes()
    for command in (["plan"], ["sync"], ["run"]):
        result = CliRunner().invoke(main, ["--log-level", "warning", *command])
        text = " ".join(result.output.split())
        if command == ["run"]:
            assert result.exit_code == EXIT_ADMIN and "no one in the course shows the profile field(s)" in text
        else:
            assert result.exit_code == EXIT_ADMIN, result.output
            assert ("no one in the course shows the profile field(s) mentorcapacity, yearofstudy ([matching.attributes] "
                    "capacity, year)") in text
            assert "moodle/user:viewalldetails" in text and "min_source_fraction = 0" in text
    site = Site.load(synced.emulator_state_path())
    assert synced.emulator_state_path().read_bytes() == capped  # nothing written to Moodle
    assert before != capped and site.tokens[DEMO_TOKEN].capabilities


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_27_1_with_the_fields_readable_nothing_is_refused(synced: Any) -> None:
    result = CliRunner().invoke(main, ["--log-level", "warning", "plan"])
    assert result.exit_code == 0 and "no changes" in result.output


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file, deleted here")
def test_round_27_3_a_deleted_store_is_said_by_the_health_step_not_silently_replaced(synced: Any) -> None:
    """The store was deleted between runs: the next run judged every pair afresh ("52 ok") and
    exited 0 with nothing at warning level. Its health line now says the store never paired them."""
    first = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    health = next(line for line in first.output.splitlines() if line.startswith("health"))
    assert "never paired" not in health  # this store made the circles
    for path in synced.store_path().parent.glob(synced.store_path().name + "*"):
        path.unlink()
    refused = CliRunner().invoke(main, ["--log-level", "warning", "run"])  # nothing written to a new store (89b, 1)
    assert refused.exit_code == 2 and "has no record of this programme's circles" in refused.output, refused.output
    again = CliRunner().invoke(main, ["--log-level", "warning", "run", "--store-takes-over"])
    health = next(line for line in again.output.splitlines() if line.startswith("health"))
    assert "warning: this store never paired" in health and "point [store] at it" in health


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_29_7_the_plan_says_welcomes_will_be_refused_before_any_circle_is_made(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without mod/forum:startdiscussion the first sync made every circle and then failed at the first
    welcome; `lmsync plan` said nothing of it. The forum's cancreatediscussions tells it before."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["--log-level", "warning", "plan"])
    assert first.exit_code == 0 and "welcome post(s) will be refused" not in first.output
    from lmsync.moodle.emulator.demo import build_demo_site

    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    config.emulator_state_path().parent.mkdir(parents=True, exist_ok=True)
    build_demo_site().save(config.emulator_state_path())  # the built-in site as a first command makes it
    take_capability(config, "mod/forum:startdiscussion")
    result = CliRunner().invoke(main, ["--log-level", "warning", "plan"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "welcome post(s) will be refused" in text and "mod/forum:startdiscussion" in text
    assert not Site.load(config.emulator_state_path()).groups  # a plan makes nothing


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
@pytest.mark.parametrize(("capability", "said"), [
    ("moodle/site:accessallgroups", "lacks mod/forum:startdiscussion or moodle/site:accessallgroups"),
    ("mod/forum:startdiscussion", "lacks mod/forum:startdiscussion (Start new discussions)"),  # pass 71, 5: the id
])
def test_round_69_1_welcomes_refused_for_want_of_accessallgroups_name_it_and_exit_2(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capability: str, said: str,
) -> None:
    """Tester round 69, 1: without moodle/site:accessallgroups every welcome discussion was refused
    (`cannotcreatediscussion`, forum_user_can_post_discussion() in mod/forum/externallib.php), and `run` said
    "Moodle did not converge", exit 1: the daemon backed off as for a passing fault and nobody was told why.
    It is a missing capability: exit 2, naming both capabilities a welcome needs."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    from lmsync.moodle.emulator.demo import build_demo_site

    config.emulator_state_path().parent.mkdir(parents=True, exist_ok=True)
    build_demo_site().save(config.emulator_state_path())
    take_capability(config, capability)
    result = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    text = " ".join(result.output.split())
    assert result.exit_code == EXIT_ADMIN, result.output
    assert said in text and "did not converge" not in text, text
