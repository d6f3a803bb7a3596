"""the systemd README's way for coordinators to reach the service's store matches the unit.

One programme has one store: a coordinator's ``lmsync queue ack`` must open the service's store,
so the documented ``systemd-run`` line must use the unit's dynamic user, state directory,
``XDG_STATE_HOME`` and token, and an lmsync command line the CLI accepts.
"""

from __future__ import annotations

import os
import re
import shlex

from tests.unit.deploy.test_deploy_files import SYSTEMD, _cli_problem, _unit, _unit_environment


def _systemd_run_words() -> list[str]:
    text = (SYSTEMD / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    found = [b for b in blocks if "systemd-run" in b]
    assert len(found) == 1, "deploy/systemd/README.md: expected one systemd-run example"
    return shlex.split(found[0].replace("\\\n", " "))


def _properties(words: list[str], flag: str) -> dict[str, str]:
    return dict(w.partition("=")[::2] for w, prev in zip(words[1:], words[:-1], strict=True) if prev == flag)


def test_the_documented_systemd_run_reaches_the_services_store(monkeypatch) -> None:
    for key in [k for k in os.environ if k.startswith("LMSYNC_")]:
        monkeypatch.delenv(key)  # the group reads LMSYNC_CONFIG/LOG_FORMAT: keep the test about argv only
    from lmsync.cli import main

    words = _systemd_run_words()
    props, env = _properties(words, "-p"), _properties(words, "-E")
    service = _unit("lmsync.service")["Service"]
    assert props["DynamicUser"] == service["DynamicUser"] == "yes"
    assert props["User"] == "lmsync"  # lmsync.service's dynamic user is named after the unit
    assert props["StateDirectory"] == service["StateDirectory"]
    assert props["StateDirectoryMode"] == service["StateDirectoryMode"]
    unit_env = _unit_environment(
        "lmsync.service", {"%S": "/var/lib", "%d": "/run/credentials/lmsync-admin.service"}
    )
    assert env["XDG_STATE_HOME"] == unit_env["XDG_STATE_HOME"]
    unit_name = next(w.partition("=")[2] for w in words if w.startswith("--unit="))
    assert env["LMSYNC_MOODLE_TOKEN_FILE"] == f"/run/credentials/{unit_name}.service/token"
    assert props["LoadCredential"] == service["LoadCredential"]
    argv = words[next(i for i, w in enumerate(words) if w.endswith("/lmsync")) :]
    assert _cli_problem(argv, main) is None
    assert argv[-4:-2] == ["queue", "ack"]
