"""``lmsync moodle plugin`` and ``lmsync moodle role-preset`` write installable files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

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
