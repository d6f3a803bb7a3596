"""Tester round 120b, 2: ``lmsync store copy --to URL`` took the PostgreSQL password on its command line, readable
by every local user in ``ps`` for the whole copy, and deploy/kubernetes/README.md told admins to run
``--to "$TARGET_URL"`` with the password inside. The target now also comes from ``LMSYNC_STORE_COPY_TO`` (a
process's environment is its owner's alone), and a ``--to`` on the command line that carries a password is said
on stderr with both fixes, never the password."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config

from .conftest import run_in

SECRET = "Sup3rSecretPw"
#: A PostgreSQL URL with a password whose server is not there (port 1: refused at once): the copy fails, after the
#: warning.
NOWHERE = f"postgresql+psycopg://lmsync:{SECRET}@127.0.0.1:1/lmsync"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _copy(home: Any, *args: str, env: dict[str, str] | None = None, json_logs: bool = False) -> Any:
    more = ["--log-format", "json"] if json_logs else []
    return CliRunner().invoke(main, ["--log-level", "warning", *more, "--config", str(home / "lmsync.toml"),
                                     "store", "copy", *args], env=env)


def test_the_target_comes_from_lmsync_store_copy_to(demo_home):
    assert run_in(demo_home, "sync").exit_code == 0
    target = demo_home / "copy.db"
    copied = _copy(demo_home, env={"LMSYNC_STORE_COPY_TO": str(target)})
    assert copied.exit_code == 0, copied.output
    assert target.is_file() and "the row counts of the copy match" in copied.stdout
    assert "warning" not in copied.stderr


def test_lmsync_store_copy_to_left_set_is_no_unknown_configuration_key(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n')
    config = load_config(path, environ={"LMSYNC_STORE_COPY_TO": NOWHERE})  # was: "names no configuration key"
    assert config.programme.name == "mentor-2026"


def test_a_password_in_to_on_the_command_line_is_warned_with_both_fixes_never_shown(demo_home):
    assert run_in(demo_home, "sync").exit_code == 0
    result = _copy(demo_home, "--to", NOWHERE)
    assert SECRET not in result.output
    warning = result.stderr.split("\n  fix: ", 1)
    assert warning[0].startswith("warning: --to carries the target database's password on the command line, where "
                                 "every local user can read it (ps, /proc/PID/cmdline)"), result.stderr
    assert "LMSYNC_STORE_COPY_TO" in warning[1] and "PGPASSWORD or ~/.pgpass" in warning[1]
    logged = _copy(demo_home, "--to", NOWHERE, json_logs=True)
    first = json.loads(logged.stderr.splitlines()[0])
    assert first["event"] == "store_copy.password_on_command_line" and first["level"] == "warning"
    assert SECRET not in logged.output and "LMSYNC_STORE_COPY_TO" in first["hint"]


def test_no_warning_for_the_variable_or_a_url_without_a_password(demo_home):
    assert run_in(demo_home, "sync").exit_code == 0
    quiet = (_copy(demo_home, env={"LMSYNC_STORE_COPY_TO": NOWHERE}),
             _copy(demo_home, "--to", NOWHERE.replace(f":{SECRET}", "")))
    for result in quiet:
        assert "password on the command line" not in result.output and SECRET not in result.output


def test_the_help_names_the_variable():
    shown = " ".join(CliRunner().invoke(main, ["store", "copy", "--help"]).stdout.split())
    assert "env var: LMSYNC_STORE_COPY_TO" in shown and "PGPASSWORD" in shown


def test_no_deploy_readme_puts_a_password_url_in_to():
    kubernetes = (DEPLOY / "kubernetes" / "README.md").read_text(encoding="utf-8")
    for readme in DEPLOY.glob("*/README.md"):
        text = readme.read_text(encoding="utf-8")
        assert not re.search(r"--to\s+\"?\$", text), readme  # --to "$TARGET_URL", the Secret's URL with its password
    flat = " ".join(kubernetes.split())
    assert "- name: LMSYNC_STORE_COPY_TO" in kubernetes and "secretKeyRef: {name: lmsync-store, key: url}" in kubernetes
    assert "replace the last argument `- run` with two lines, `- store` and `- copy` (no --to)" in flat


def test_a_postgresql_url_with_its_password_is_copied_into_from_the_variable(demo_home, postgres_url):
    from sqlalchemy.engine import make_url

    assert run_in(demo_home, "sync").exit_code == 0
    url = make_url(postgres_url).set(password=SECRET).render_as_string(hide_password=False)  # trust auth ignores it
    copied = _copy(demo_home, env={"LMSYNC_STORE_COPY_TO": url})
    assert copied.exit_code == 0, copied.output
    assert "the row counts of the copy match" in copied.stdout and SECRET not in copied.output
    assert "password on the command line" not in copied.stderr
