"""``lmsync moodle plugin`` and ``lmsync moodle role-preset`` write installable files."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.cli.moodle_side import command


def test_moodle_group_is_registered_on_the_lmsync_command():
    assert main.commands.get("moodle") is command
    assert set(command.commands) == {"plugin", "role-preset"}


def test_plugin_command_writes_the_zip(tmp_path):
    out = tmp_path / "local_lmsync.zip"
    result = CliRunner().invoke(main, ["moodle", "plugin", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "40 functions" in result.output
    with zipfile.ZipFile(out) as archive:
        assert "lmsync/version.php" in archive.namelist()


def test_role_preset_command_writes_the_xml(tmp_path):
    out = tmp_path / "lmsync_role.xml"
    result = CliRunner().invoke(
        main, ["moodle", "role-preset", "--out", str(out), "--allow-assign", "parent"]
    )
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert len(root.findall("permissions/allow")) == 24
    assert [s.text for s in root.findall("allowassign/shortname")] == ["parent"]


def test_commands_need_no_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no lmsync.toml here
    monkeypatch.delenv("LMSYNC_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["moodle", "role-preset"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lmsync_role.xml").is_file()



@pytest.mark.parametrize("which", ["plugin", "role-preset"])
def test_round_76_1_out_never_overwrites_the_store_the_configuration_or_a_file_without_force(tmp_path, which):
    store = tmp_path / "mentoring-2026.db"
    sqlite3.connect(store).execute("create table t (x)").connection.close()
    config = tmp_path / "lmsync.toml"
    config.write_text('[programme]\nname = "m"\n')
    earlier = tmp_path / "earlier.out"
    earlier.write_text("kept")
    for out, force in ((store, True), (config, True), (earlier, False)):
        before = out.read_bytes()
        result = CliRunner().invoke(main, ["moodle", which, "--out", str(out), *(["--force"] if force else [])])
        assert result.exit_code == 3, result.output
        assert out.read_bytes() == before
    result = CliRunner().invoke(main, ["moodle", which, "--out", str(earlier), "--force"])
    assert result.exit_code == 0 and earlier.read_bytes() != b"kept"


@pytest.mark.parametrize("which", ["plugin", "role-preset"])
def test_round_76_2_out_in_a_folder_that_does_not_exist_is_bad_input_not_a_traceback(tmp_path, which):
    result = CliRunner().invoke(main, ["moodle", which, "--out", str(tmp_path / "nodir" / "x")])
    assert result.exit_code == 3
    assert "does not exist" in result.output and not (tmp_path / "nodir").exists()
