"""Issue 12: the PostgreSQL variant of the Kubernetes manifests parses and fits lmsync.

Two daemons, one site: a Deployment (at least two replicas, no PVC), the store URL from a
Secret reaching ``[store] url`` through ``LMSYNC_STORE_URL``, the same hardening as the
CronJob, and a command line lmsync's own CLI accepts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.store.db import is_postgres
from tests.unit.deploy.test_deploy_files import DEPLOY, _cli_problem, _container_env, _mounts

POSTGRES = DEPLOY / "kubernetes" / "postgres"


def _doc(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert len(docs) == 1, f"{path.name}: expected one document"
    return docs[0]


def _pod() -> dict[str, Any]:
    deployment = _doc(POSTGRES / "deployment.yaml")
    assert (deployment["apiVersion"], deployment["kind"]) == ("apps/v1", "Deployment")
    return deployment["spec"]["template"]["spec"]


def _lmsync(pod: dict[str, Any]) -> dict[str, Any]:
    [container] = [c for c in pod["containers"] if c["command"] == ["lmsync"]]
    return container


def test_issue_12_every_postgres_manifest_parses_as_one_document():
    names = sorted(p.name for p in POSTGRES.glob("*.yaml"))
    assert names == ["deployment.yaml", "secret.example.yaml"]
    for path in POSTGRES.glob("*.yaml"):
        assert _doc(path)["metadata"]["labels"]["app.kubernetes.io/name"] == "lmsync"


def test_issue_12_two_replicas_and_no_pvc_the_store_is_the_database():
    deployment = _doc(POSTGRES / "deployment.yaml")
    assert deployment["spec"]["replicas"] >= 2
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    volumes = _pod()["volumes"]
    assert not [v for v in volumes if "persistentVolumeClaim" in v]
    assert "LMSYNC_STORE_PATH" not in _container_env(_lmsync(_pod()))


def test_issue_12_the_store_url_comes_from_a_secret_and_reaches_store_url(tmp_path, monkeypatch):
    container = _lmsync(_pod())
    [ref] = [e["valueFrom"]["secretKeyRef"] for e in container["env"] if e["name"] == "LMSYNC_STORE_URL"]
    secret = _doc(POSTGRES / "secret.example.yaml")
    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    url = secret["stringData"][ref["key"]]
    assert is_postgres(url) and url.startswith("postgresql+psycopg://") and "REPLACE" in url

    configmap = _doc(DEPLOY / "kubernetes" / "configmap.yaml")
    config_path = Path(container["args"][container["args"].index("--config") + 1])
    assert _mounts(container)[str(config_path.parent)] == "config"
    config_file = tmp_path / "lmsync.toml"
    config_file.write_text(configmap["data"][config_path.name], encoding="utf-8")
    env = {k: v for k, v in _container_env(container).items() if k.startswith("LMSYNC_")}
    config = load_config(config_file, environ={**env, "LMSYNC_STORE_URL": url})
    assert config.store.url == url and config.moodle.token_file == Path(env["LMSYNC_MOODLE_TOKEN_FILE"])


def test_issue_12_the_daemon_command_line_is_accepted_and_every_container_is_unprivileged(monkeypatch):
    for key in [k for k in os.environ if k.startswith("LMSYNC_")]:
        monkeypatch.delenv(key)
    from lmsync.cli import main

    pod = _pod()
    container = _lmsync(pod)
    argv = [*container["command"], *container["args"]]
    assert "daemon" in argv and _cli_problem(argv, main) is None
    assert pod["securityContext"]["runAsNonRoot"] is True
    for c in [*pod.get("initContainers", []), *pod["containers"]]:
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"] and {"cpu", "memory"} <= set(c["resources"]["limits"])
    writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert _container_env(container)["XDG_STATE_HOME"].startswith(tuple(writable))


def test_issue_12_the_readme_says_when_to_choose_postgresql():
    text = " ".join((DEPLOY / "kubernetes" / "README.md").read_text(encoding="utf-8").split())
    assert "postgres/" in text and "Choose it when" in text and "advisory lock" in text
