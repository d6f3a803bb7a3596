"""Find the ``plugin_config`` folder from a source checkout, an editable install or a wheel.

The folder lives at the top of the repository, where a school admin browsing the project
finds it. ``lmsync/moodle_side/plugin_config`` is a symbolic link to it, so setuptools'
package discovery (namespace packages, ``package-data`` globs for json/md/php/xml) copies
the real files into the wheel under ``lmsync/moodle_side/plugin_config/``. Looking at the
checkout first keeps working where a checkout lost its symbolic links (e.g. on Windows).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lmsync.errors import ConfigError

MARKER = "functions.json"


def candidate_dirs() -> list[Path]:
    """Where ``plugin_config`` may be, most specific first."""
    package_dir = Path(__file__).resolve().parent
    return [
        package_dir.parent.parent / "plugin_config",  # source checkout / editable install
        package_dir / "plugin_config",  # inside an installed wheel
    ]


@cache
def plugin_config_dir() -> Path:
    """The first candidate folder that holds the requirement files."""
    for candidate in candidate_dirs():
        if (candidate / MARKER).is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidate_dirs())
    raise ConfigError(
        f"lmsync's plugin_config data was not found (looked in {tried})",
        hint="reinstall lmsync (the wheel ships lmsync/moodle_side/plugin_config/)",
    )


def data_path(*parts: str) -> Path:
    """A file inside ``plugin_config``, e.g. ``data_path("moodle", "plugin.json")``."""
    return plugin_config_dir().joinpath(*parts)
