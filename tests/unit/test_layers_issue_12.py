"""Issue 12: layers you can see and enforce.

The import contracts themselves live in ``.importlinter`` (``lint-imports`` in CI); these
tests check the same from inside the suite, plus the module sizes of the Moodle client and
the one configuration ``Section`` base.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

import lmsync
import lmsync.moodle.api
import lmsync.moodle.models

ROOT = Path(lmsync.__file__).parent
REPO = ROOT.parent


def _modules(package: str) -> list[str]:
    pkg = importlib.import_module(package)
    return [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]


def test_issue_12_import_contracts_kept() -> None:
    """cli -> render -> service -> config -> (store | moodle) -> domain, and no import cycle."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run([exe], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    "path",
    sorted(
        [*(ROOT / "moodle" / "api").glob("*.py"), *(ROOT / "moodle" / "models").glob("*.py")]
        + [ROOT / "moodle" / name for name in ("transport.py", "retry.py", "answers.py")]
        + [ROOT / "service" / name for name in ("runtime.py", "jobs.py", "roster.py", "desire.py")]
        + [ROOT / name for name in ("config.py", "config_sections.py", "health_config.py")]
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_issue_12_no_module_over_500_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def test_issue_12_models_package_reexports_every_model() -> None:
    """``from lmsync.moodle.models import X`` keeps working for every model of every component."""
    exported = set(lmsync.moodle.models.__all__)
    for name in _modules("lmsync.moodle.models")[1:]:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == name and not attr.startswith("_"):
                assert attr in exported, f"{name}.{attr} is not re-exported"
                assert getattr(lmsync.moodle.models, attr) is value


def test_issue_12_moodle_api_composes_every_component() -> None:
    """Every wsfunction of the service maps to a method of the one ``MoodleApi``."""
    from lmsync.moodle.api import FUNCTIONS, OPTIONAL_FUNCTIONS, MoodleApi

    components = {cls.__module__ for cls in MoodleApi.__mro__ if cls.__module__.startswith("lmsync.moodle.api.")}
    assert components >= {f"lmsync.moodle.api.{c}" for c in ("core", "group", "forum", "feedback", "grades", "message")}
    for function, method in {**FUNCTIONS, **OPTIONAL_FUNCTIONS}.items():
        assert callable(getattr(MoodleApi, method, None)), function


def test_issue_12_one_config_section_base() -> None:
    """Every configuration section derives from the one ``Section`` (unknown keys are errors)."""
    from lmsync import config, config_sections, health_config
    from lmsync.config_sections import Section

    bases = []
    for module in (config, config_sections, health_config):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Attribute | ast.Name) and ast.unparse(b).endswith("BaseModel") for b in node.bases
            ):
                bases.append(f"{module.__name__}.{node.name}")
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, pydantic.BaseModel)
                and value.__name__.endswith("Config")
                and value.__module__ == module.__name__
            ):
                assert issubclass(value, Section), value
    assert bases == ["lmsync.config_sections.Section"]
    assert config.Section is Section
    with pytest.raises(pydantic.ValidationError):
        config.Config.model_validate({"moodle": {"no_such_key": 1}})
