"""plugin_config is found from the installed package, and would be packed into a wheel."""

from __future__ import annotations

import fnmatch
import importlib.resources
import tomllib
from pathlib import Path

import lmsync
from lmsync.moodle_side import data_files
from lmsync.moodle_side.requirements import required_functions

REPO = Path(__file__).resolve().parents[3]


def test_loader_finds_the_files_of_the_installed_package():
    # The package imported here is the one `pip install -e .` installed (not a path hack).
    assert Path(lmsync.__file__).resolve().is_relative_to(REPO)
    found = data_files.plugin_config_dir()
    assert (found / "functions.json").is_file()
    assert found.resolve() == (REPO / "plugin_config").resolve()
    assert len(required_functions()) == 40


def test_the_in_package_path_reaches_the_same_files():
    """What a wheel uses: lmsync/moodle_side/plugin_config, read through importlib.resources."""
    inside = importlib.resources.files("lmsync.moodle_side").joinpath("plugin_config")
    for name in ("functions.json", "capabilities.json", "profile_fields.json", "activities.json", "SETUP.md"):
        assert inside.joinpath(name).read_bytes() == (REPO / "plugin_config" / name).read_bytes(), name


def test_fallback_to_the_in_package_copy(monkeypatch, tmp_path):
    """Without a checkout next to the package (an installed wheel), the package's copy is used."""
    package_copy = Path(data_files.__file__).parent / "plugin_config"
    monkeypatch.setattr(data_files, "candidate_dirs", lambda: [tmp_path / "no-checkout", package_copy])
    data_files.plugin_config_dir.cache_clear()
    try:
        assert data_files.plugin_config_dir() == package_copy
    finally:
        data_files.plugin_config_dir.cache_clear()


def test_setuptools_would_pack_every_data_file():
    """The wheel build finds lmsync.moodle_side.plugin_config and its files match package-data."""
    from setuptools import find_namespace_packages

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = config["packages"]["find"]["include"]
    assert config["packages"]["find"].get("namespaces", True), "namespace discovery packs data-only folders"
    packages = set(find_namespace_packages(where=str(REPO), include=include))
    assert "lmsync.moodle_side.plugin_config" in packages
    patterns = config["package-data"]["*"]
    source = REPO / "plugin_config"
    for path in source.rglob("*"):
        if path.is_file():
            assert any(fnmatch.fnmatch(path.name, p) for p in patterns), f"{path} would be left out"
            package = ".".join(
                ["lmsync", "moodle_side", "plugin_config", *path.parent.relative_to(source).parts]
            )
            assert package in packages, f"{package} would be left out"
