"""The local_lmsync plugin: Moodle's installer layout, one function list, valid PHP."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from lmsync.errors import ConfigError
from lmsync.moodle_side import plugin
from lmsync.moodle_side.requirements import manual_service, required_capabilities, required_functions

REPO = Path(__file__).resolve().parents[3]
PHP = shutil.which("php")
needs_php = pytest.mark.skipif(
    PHP is None, reason="php is not on PATH (CI installs Debian's php-cli for php -l)"
)


@pytest.fixture(scope="module")
def archive() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(plugin.plugin_zip_bytes()))


def test_zip_has_one_top_folder_named_after_the_plugin(archive):
    names = archive.namelist()
    assert {name.split("/")[0] for name in names} == {"lmsync"}
    for required in (
        "lmsync/version.php",
        "lmsync/db/services.php",
        "lmsync/db/upgrade.php",
        "lmsync/lang/en/local_lmsync.php",
        "lmsync/classes/privacy/provider.php",
        "lmsync/README.md",
    ):
        assert required in names
    assert archive.testzip() is None


def test_version_php_declares_the_component_and_moodle_41(archive):
    text = archive.read("lmsync/version.php").decode()
    assert re.search(r"^\$plugin->component = 'local_lmsync';$", text, re.M)
    assert re.search(r"^\$plugin->requires = 2022112800;", text, re.M)  # Moodle 4.1.0
    assert re.search(r"^\$plugin->version = 20\d{8};$", text, re.M)
    assert re.search(r"^\$plugin->maturity = MATURITY_STABLE;$", text, re.M)


def test_services_php_lists_exactly_plugin_configs_functions(archive):
    text = archive.read("lmsync/db/services.php").decode()
    assert plugin.services_php_functions(text) == required_functions()
    assert "'shortname' => 'local_lmsync'" in text
    assert "'restrictedusers' => 1" in text and "'enabled' => 1" in text


def test_issue_10_point_8_services_php_functions_equal_the_recordings_service_json(archive, service_json):
    """The generated plugin (zip and committed copy) offers exactly the 40 recorded functions."""
    text = archive.read("lmsync/db/services.php").decode()
    assert plugin.services_php_functions(text) == service_json["functions"]
    committed = (plugin.committed_tree_dir() / "db" / "services.php").read_text(encoding="utf-8")
    assert plugin.services_php_functions(committed) == service_json["functions"]
    assert len(service_json["functions"]) == 40


def test_issue_10_point_8_version_went_up_with_the_function_list():
    """A site with the earlier plugin (version 2026112500, 38 functions) gets the new ones by upgrade."""
    assert plugin.plugin_spec().version > 2026112500
    assert plugin.plugin_spec().service_fingerprint == plugin.service_fingerprint()


def _services_array_keys(text: str) -> tuple[str, str]:
    name = re.search(r"^\$services = \[\n    '([^']+)' => \[", text, re.M)
    shortname = re.search(r"'shortname' => '([^']+)'", text)
    assert name and shortname
    return name.group(1), shortname.group(1)


def test_issue_10_point_9_plugin_service_cannot_clash_with_the_manual_service(archive):
    """external_services.name is a unique index, and Moodle refuses a second service with a
    shortname already taken (lib/upgradelib.php external_update_descriptions): the plugin's
    service differs from the manual set-up's (lmsync/lmsync) in both."""
    name, shortname = _services_array_keys(archive.read("lmsync/db/services.php").decode())
    manual = manual_service()
    assert (manual.name, manual.shortname) == ("lmsync", "lmsync")  # what SETUP.md tells admins to type
    assert name != manual.name and shortname != manual.shortname
    setup = (REPO / "plugin_config" / "SETUP.md").read_text(encoding="utf-8")
    assert "Name `lmsync`, Short name `lmsync`" in setup  # the manual set-up SETUP.md describes


def test_issue_10_point_9_upgrade_renames_the_earlier_service_so_its_tokens_stay(archive):
    """Moodle deletes a plugin's service (and its tokens) whose name left db/services.php; db/upgrade.php
    renames the earlier version's record (name 'lmsync', this component only) before that runs."""
    text = archive.read("lmsync/db/upgrade.php").decode()
    name, _shortname = _services_array_keys(archive.read("lmsync/db/services.php").decode())
    assert "function xmldb_local_lmsync_upgrade($oldversion)" in text
    assert re.search(r"if \(\$oldversion < 2026120100\)", text)
    assert (
        f"$DB->set_field('external_services', 'name', '{name}',\n"
        "            ['component' => 'local_lmsync', 'name' => 'lmsync']);"
    ) in text  # never a hand-made service: those have no component
    assert "upgrade_plugin_savepoint(true, 2026120100, 'local', 'lmsync');" in text
    assert plugin.plugin_spec().version >= 2026120100


def test_a_functions_file_whose_service_clashes_with_the_manual_one_is_refused():
    from lmsync.moodle_side.requirements import _FunctionsFile

    with pytest.raises(ValueError, match="differ from the manual service"):
        _FunctionsFile.model_validate(
            {
                "about": "x",
                "service": {
                    "name": "lmsync",
                    "shortname": "local_lmsync",
                    "enabled": True,
                    "restrictedusers": True,
                    "downloadfiles": False,
                    "uploadfiles": False,
                },
                "manual_service": {"name": "lmsync", "shortname": "lmsync"},
                "functions": [],
            }
        )


def test_every_php_file_starts_with_the_gpl_header(archive):
    for name in archive.namelist():
        if name.endswith(".php"):
            text = archive.read(name).decode()
            assert text.startswith("<?php\n// This file is part of Moodle"), name
            assert "GNU General Public License" in text and "@license" in text, name


def test_privacy_provider_is_a_null_provider(archive):
    text = archive.read("lmsync/classes/privacy/provider.php").decode()
    assert "namespace local_lmsync\\privacy;" in text
    assert "class provider implements \\core_privacy\\local\\metadata\\null_provider" in text
    assert "return 'privacy:metadata';" in text
    lang = archive.read("lmsync/lang/en/local_lmsync.php").decode()
    for key in ("pluginname", "privacy:metadata", "servicename"):
        assert f"$string['{key}']" in lang


def test_zip_is_reproducible():
    assert plugin.plugin_zip_bytes() == plugin.plugin_zip_bytes()


def test_committed_plugin_is_what_the_generator_renders():
    stale = plugin.stale_committed_files()
    assert stale == [], f"run python -m lmsync.moodle_side.plugin to refresh {stale}"


def test_a_changed_function_list_needs_a_new_version(monkeypatch):
    assert plugin.plugin_spec().service_fingerprint == plugin.service_fingerprint()
    monkeypatch.setattr(
        plugin, "required_functions", lambda: [*required_functions(), "core_user_create_users"]
    )
    with pytest.raises(ConfigError, match="version"):
        plugin.render_plugin_files()


def test_write_plugin_zip(tmp_path):
    out = plugin.write_plugin_zip(tmp_path / "local_lmsync.zip")
    assert zipfile.is_zipfile(out)


def test_setup_md_mentions_every_function_and_capability():
    text = (REPO / "plugin_config" / "SETUP.md").read_text(encoding="utf-8")
    for name in required_functions():
        assert f"`{name}`" in text, name
    for cap in required_capabilities():
        assert f"`{cap.name}`" in text, cap.name


@needs_php
def test_every_php_file_passes_php_lint(tmp_path, archive):
    archive.extractall(tmp_path)
    php_files = sorted(tmp_path.rglob("*.php"))
    assert len(php_files) == 5
    for path in php_files:
        result = subprocess.run([PHP, "-l", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@needs_php
def test_php_reads_the_same_service_and_version(tmp_path, archive):
    """Evaluate the array files as Moodle would include them, and compare with plugin_config."""
    archive.extractall(tmp_path)
    script = (
        "define('MOODLE_INTERNAL', 1); define('MATURITY_STABLE', 200);"
        "$plugin = new stdClass();"
        f"include '{tmp_path}/lmsync/version.php';"
        f"include '{tmp_path}/lmsync/db/services.php';"
        f"include '{tmp_path}/lmsync/lang/en/local_lmsync.php';"
        "echo json_encode(['plugin' => $plugin, 'services' => $services, 'string' => $string]);"
    )
    result = subprocess.run([PHP, "-r", script], capture_output=True, text=True, check=True)
    seen = json.loads(result.stdout)
    assert seen["plugin"]["component"] == "local_lmsync"
    assert seen["plugin"]["requires"] == 2022112800
    service = seen["services"]["lmsync (local_lmsync plugin)"]
    assert service["functions"] == required_functions()
    assert (service["shortname"], service["restrictedusers"], service["enabled"]) == ("local_lmsync", 1, 1)
    assert seen["string"]["pluginname"]
