"""Generate ``local_lmsync``: a declarative Moodle plugin that ships lmsync's external service.

Installing it replaces half an hour of picking 40 functions by hand: Moodle reads the
plugin's ``db/services.php`` and creates the pre-built service "lmsync (local_lmsync plugin)",
shortname ``local_lmsync`` (authorised users only). Name and shortname differ from the manual
set-up's service (``lmsync``/``lmsync``) on purpose: ``external_services.name`` has a unique
index and Moodle refuses a second service with one shortname (lib/upgradelib.php
``external_update_descriptions``), so reusing either stopped the whole upgrade on a site that
already had the hand-made service. The two live side by side until the admin moves the token
(SETUP.md, ``lmsync doctor``). The PHP is rendered from ``plugin_config/functions.json`` and
``plugin_config/moodle/plugin.json``; the rendered copy committed in
``plugin_config/moodle/local_lmsync/`` is checked against this generator by the tests.

Moodle re-reads ``db/services.php`` only when the plugin's version number goes up, so
``plugin.json`` records a fingerprint of the service it was versioned for: when the
function list changes, the fingerprint no longer matches and generation refuses until the
version is raised (see ``service_fingerprint``).

Regenerate the committed copy with ``python -m lmsync.moodle_side.plugin``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from lmsync.errors import ConfigError
from lmsync.moodle_side.data_files import data_path
from lmsync.moodle_side.requirements import required_functions, service_spec

ZIP_ROOT = "lmsync"  # Moodle's installer wants one top folder named after the plugin
TREE_DIR = ("moodle", "local_lmsync")  # the committed rendered copy, inside plugin_config/
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same input gives the same bytes


class ServiceRename(BaseModel):
    """An earlier version of the plugin declared its service under another ``name``.

    Moodle finds a plugin's existing services by component and name
    (lib/upgradelib.php ``external_update_descriptions``): a service whose name is no longer
    in db/services.php is deleted **with its tokens**, and the new one is inserted. So
    db/upgrade.php renames the old record first (it runs before the services are re-read),
    which keeps the service's id, its authorised users and its tokens.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    before_version: int = Field(ge=2000010100, le=9999123199)
    old_name: str


class PluginSpec(BaseModel):
    """``plugin_config/moodle/plugin.json``: what version.php declares."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    about: str
    component: str = Field(pattern=r"^local_[a-z][a-z0-9_]*$")
    version: int = Field(ge=2000010100, le=9999123199)  # YYYYMMDDXX
    release: str
    requires: int
    requires_release: str
    maturity: str = Field(pattern=r"^MATURITY_(ALPHA|BETA|RC|STABLE)$")
    service_fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    copyright: str
    renamed_services: list[ServiceRename] = Field(default_factory=list)


@cache
def plugin_spec() -> PluginSpec:
    with data_path("moodle", "plugin.json").open(encoding="utf-8") as fh:
        return PluginSpec.model_validate(json.load(fh))


def service_fingerprint() -> str:
    """A hash of everything db/services.php declares (settings and the set of functions)."""
    canonical = json.dumps(
        {"service": service_spec().model_dump(), "functions": sorted(required_functions())},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_version_is_current() -> None:
    """Refuse to build a plugin whose version would not make Moodle re-read its service."""
    if plugin_spec().service_fingerprint != service_fingerprint():
        raise ConfigError(
            "the external service changed but the plugin's version did not: Moodle would keep the old "
            "function list on upgrade",
            hint=(
                "raise 'version' in plugin_config/moodle/plugin.json, set 'service_fingerprint' to "
                f"{service_fingerprint()}, then run python -m lmsync.moodle_side.plugin"
            ),
        )


# --- rendering ----------------------------------------------------------------------------

_GPL_HEADER = """<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.
"""

_GENERATED = "Generated by lmsync (lmsync moodle plugin) from plugin_config/: do not edit by hand."


def _php_string(value: str) -> str:
    """A single-quoted PHP string literal (only backslash and quote need escaping)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _docblock(summary: str, spec: PluginSpec) -> str:
    return (
        "\n/**\n"
        f" * {summary}\n"
        " *\n"
        f" * {_GENERATED}\n"
        " *\n"
        f" * @package    {spec.component}\n"
        f" * @copyright  {spec.copyright}\n"
        " * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later\n"
        " */\n"
    )


def _version_php(spec: PluginSpec) -> str:
    return (
        _GPL_HEADER
        + _docblock(f"Version information for {spec.component}.", spec)
        + "\ndefined('MOODLE_INTERNAL') || die();\n\n"
        + f"$plugin->component = {_php_string(spec.component)};\n"
        + f"$plugin->version = {spec.version};\n"
        + f"$plugin->release = {_php_string(spec.release)};\n"
        + f"$plugin->requires = {spec.requires}; // Moodle {spec.requires_release}.\n"
        + f"$plugin->maturity = {spec.maturity};\n"
    )


def _services_php(spec: PluginSpec) -> str:
    service = service_spec()
    functions = "".join(f"            {_php_string(name)},\n" for name in required_functions())
    return (
        _GPL_HEADER
        + _docblock("The pre-built external service lmsync calls (authorised users only).", spec)
        + "\ndefined('MOODLE_INTERNAL') || die();\n\n"
        + "$services = [\n"
        + f"    {_php_string(service.name)} => [\n"
        + "        'functions' => [\n"
        + functions
        + "        ],\n"
        + f"        'shortname' => {_php_string(service.shortname)},\n"
        + f"        'enabled' => {int(service.enabled)},\n"
        + f"        'restrictedusers' => {int(service.restrictedusers)},\n"
        + f"        'downloadfiles' => {int(service.downloadfiles)},\n"
        + f"        'uploadfiles' => {int(service.uploadfiles)},\n"
        + "    ],\n"
        + "];\n"
    )


def _upgrade_php(spec: PluginSpec) -> str:
    """db/upgrade.php: rename an earlier version's service record so it keeps its tokens."""
    service = service_spec()
    plugin_type, plugin_name = spec.component.split("_", 1)
    steps = ""
    for rename in sorted(spec.renamed_services, key=lambda r: r.before_version):
        steps += (
            f"\n    if ($oldversion < {rename.before_version}) {{\n"
            f"        // Versions before {rename.before_version} named the service {_php_string(rename.old_name)}:"
            " rename it\n"
            "        // before Moodle re-reads db/services.php, which would otherwise delete it with its tokens.\n"
            "        $DB->set_field('external_services', 'name', "
            f"{_php_string(service.name)},\n"
            f"            ['component' => {_php_string(spec.component)}, 'name' => {_php_string(rename.old_name)}]);\n"
            f"        upgrade_plugin_savepoint(true, {rename.before_version}, {_php_string(plugin_type)}, "
            f"{_php_string(plugin_name)});\n"
            "    }\n"
        )
    return (
        _GPL_HEADER
        + _docblock(f"Upgrade steps for {spec.component}.", spec)
        + "\ndefined('MOODLE_INTERNAL') || die();\n\n"
        + "/**\n"
        + f" * Upgrade {spec.component} from an earlier version.\n"
        + " *\n"
        + " * @param int $oldversion The version installed before this upgrade.\n"
        + " * @return bool\n"
        + " */\n"
        + f"function xmldb_{spec.component}_upgrade($oldversion) {{\n"
        + "    global $DB;\n"
        + steps
        + "\n    return true;\n"
        + "}\n"
    )


def _lang_php(spec: PluginSpec) -> str:
    service = service_spec()
    strings = {  # alphabetical, as Moodle's coding style asks
        "pluginname": "lmsync",
        "privacy:metadata": (
            "The lmsync plugin only declares the web service lmsync calls; it stores no personal data."
        ),
        "servicedescription": (
            f"The {len(required_functions())} web-service functions lmsync needs to keep a mentoring "
            "programme in sync. Authorised users only."
        ),
        "servicename": service.name,
    }
    lines = "".join(f"$string[{_php_string(k)}] = {_php_string(v)};\n" for k, v in strings.items())
    return (
        _GPL_HEADER
        + _docblock(f"English strings for {spec.component}.", spec)
        + "\ndefined('MOODLE_INTERNAL') || die();\n\n"
        + lines
    )


def _privacy_provider_php(spec: PluginSpec) -> str:
    return (
        _GPL_HEADER
        + _docblock("Privacy API: this plugin stores no personal data.", spec)
        + f"\nnamespace {spec.component}\\privacy;\n\n"
        + "/**\n"
        + " * Null provider: the plugin only declares a web service.\n"
        + " */\n"
        + "class provider implements \\core_privacy\\local\\metadata\\null_provider {\n"
        + "    /**\n"
        + "     * The language string that explains why no personal data is stored.\n"
        + "     *\n"
        + "     * @return string\n"
        + "     */\n"
        + "    public static function get_reason(): string {\n"
        + "        return 'privacy:metadata';\n"
        + "    }\n"
        + "}\n"
    )


def _readme(spec: PluginSpec) -> str:
    service = service_spec()
    names = "\n".join(f"- `{name}`" for name in required_functions())
    return f"""# {spec.component} (lmsync)

A declarative Moodle plugin: it adds the pre-built external service **{service.name}**
(shortname `{service.shortname}`, authorised users only) holding exactly the
{len(required_functions())} web-service functions lmsync calls. It has no settings, no pages,
no tables and stores no personal data.

{_GENERATED}

- Moodle {spec.requires_release} or later (`requires` {spec.requires}). The functions were verified
  on Moodle 4.5.6. `core_grades_get_gradeitems` only exists from Moodle 4.2 (2023): on 4.1 the
  service lists it without failing the install, but calls to it fail there.
- Install: Site administration > Plugins > Install plugins, upload the zip made by
  `lmsync moodle plugin --out local_lmsync.zip` (or unzip it into `local/lmsync`).
- A hand-made service from the manual set-up (name `lmsync`, shortname `lmsync`) may stay:
  this plugin's service has its own name and shortname, so the two install side by side.
  Move lmsync's token to this service, then delete the hand-made one (plugin_config/SETUP.md).
- Moodle reads the function list again only when this plugin's version goes up. An upgrade
  from a version that named the service `lmsync` renames it in place (db/upgrade.php), so
  its tokens and authorised users stay.
- Then authorise the integration user: Site administration > Server > Web services >
  External services > {service.name} > Authorised users.

## Functions

{names}
"""


def render_plugin_files() -> dict[str, str]:
    """The plugin's files by path relative to the plugin folder, in a stable order."""
    check_version_is_current()
    spec = plugin_spec()
    return {
        "README.md": _readme(spec),
        "classes/privacy/provider.php": _privacy_provider_php(spec),
        "db/services.php": _services_php(spec),
        "db/upgrade.php": _upgrade_php(spec),
        f"lang/en/{spec.component}.php": _lang_php(spec),
        "version.php": _version_php(spec),
    }


# --- outputs ------------------------------------------------------------------------------


def plugin_zip_bytes() -> bytes:
    """The installable zip: one top folder ``lmsync/`` as Moodle's plugin installer expects."""
    files = render_plugin_files()
    folders = sorted({parent for rel in files for parent in _parent_folders(f"{ZIP_ROOT}/{rel}")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            info = zipfile.ZipInfo(folder + "/", date_time=_ZIP_DATE)
            info.external_attr = (0o40755 << 16) | 0x10
            archive.writestr(info, b"")
        for path, text in files.items():
            info = zipfile.ZipInfo(f"{ZIP_ROOT}/{path}", date_time=_ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _parent_folders(path: str) -> list[str]:
    """``a/b/c.php`` -> ``["a", "a/b"]``: zip folder entries, so every extractor makes them."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def write_plugin_zip(out: Path) -> Path:
    out.write_bytes(plugin_zip_bytes())
    return out


def committed_tree_dir() -> Path:
    """Where the rendered plugin is committed, for people who read the PHP on GitHub."""
    return data_path(*TREE_DIR)


def write_plugin_tree(dest: Path) -> list[Path]:
    """Write the rendered files under ``dest`` (the committed copy, by default)."""
    written = []
    for rel, text in render_plugin_files().items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def stale_committed_files() -> list[str]:
    """Paths in the committed copy that differ from what the generator renders now."""
    tree = committed_tree_dir()
    stale = []
    rendered = render_plugin_files()
    for rel, text in rendered.items():
        path = tree / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(rel)
    extra = sorted(
        rel
        for rel in (p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())
        if rel not in rendered
    )
    return stale + extra


def services_php_functions(text: str) -> list[str]:
    """The function names inside a db/services.php ``'functions' => [...]`` array."""
    match = re.search(r"'functions'\s*=>\s*\[(.*?)\]", text, re.S)
    if not match:
        return []
    return re.findall(r"'([a-z0-9_]+)'", match.group(1))


if __name__ == "__main__":  # python -m lmsync.moodle_side.plugin: refresh the committed copy
    for written_path in write_plugin_tree(committed_tree_dir()):
        print(written_path)
