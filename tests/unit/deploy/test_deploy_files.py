"""The files in deploy/ parse, and every lmsync command line in them is one the CLI accepts.

Deployment files are copied onto servers and into clusters where a typo only shows at 3 a.m.
when the timer fires, so each ``lmsync ...`` line is parsed by lmsync's own click group, and
each ``LMSYNC_*`` variable is fed to ``load_config`` to prove it names a configuration key.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest

from lmsync.config import load_config

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SYSTEMD = DEPLOY / "systemd"
SERVICES = ["lmsync.service", "lmsync-daemon.service"]
SHELL_OPERATOR = re.compile(r"^\d*[<>|&;]")


# --- readers ---------------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text(encoding="utf-8"), source=name)
    return parser


def _unit_values(name: str, section: str, key: str) -> list[str]:
    """Every value of a key that may repeat (Environment=), which configparser keeps only once."""
    values, current = [], None
    for raw in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == section and "=" in line and not line.startswith(("#", ";")):
            left, _, right = line.partition("=")
            if left.strip() == key:
                values.append(right.strip())
    return values


def _unit_environment(name: str, specifiers: dict[str, str]) -> dict[str, str]:
    env = {}
    for value in _unit_values(name, "Service", "Environment"):
        for assignment in shlex.split(value):
            key, _, val = assignment.partition("=")
            for spec, replacement in specifiers.items():
                val = val.replace(spec, replacement)
            env[key] = val
    return env


def _exec_argv(name: str) -> list[str]:
    line = _unit(name)["Service"]["ExecStart"]
    return shlex.split(line.lstrip("-@:+!"))


def _cron_lines() -> tuple[dict[str, str], list[str]]:
    """(environment assignments, job lines) of the crontab, comments and blanks left out."""
    env, jobs = {}, []
    for raw in (DEPLOY / "cron" / "lmsync.cron").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
        else:
            jobs.append(line)
    return env, jobs


def _lmsync_argv_in_shell(command: str) -> list[str]:
    """The ``lmsync ...`` words of a shell command, up to the first pipe or redirection."""
    words = shlex.split(command)
    start = next((i for i, w in enumerate(words) if Path(w).name == "lmsync"), None)
    assert start is not None, f"no lmsync command in: {command}"
    argv = []
    for word in words[start:]:
        if SHELL_OPERATOR.match(word):
            break
        argv.append(word)
    return argv


def _yaml(name: str) -> Any:
    yaml = pytest.importorskip("yaml")
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text(encoding="utf-8")))
    assert len(docs) == 1, f"{name}: expected one document, got {len(docs)}"
    return docs[0]


def _pod_spec() -> dict[str, Any]:
    return _yaml("cronjob.yaml")["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def _all_containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def _lmsync_container(pod: dict[str, Any]) -> dict[str, Any]:
    found = [c for c in pod["containers"] if Path((c.get("command") or [""])[0]).name == "lmsync"]
    assert len(found) == 1, "cronjob.yaml: expected exactly one container whose command is lmsync"
    return found[0]


def _container_env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", []) if "value" in item}


def _mounts(container: dict[str, Any]) -> dict[str, str]:
    """mountPath -> volume name."""
    return {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}


def _option_value(argv: list[str], option: str) -> str:
    assert option in argv, f"{option} missing from {shlex.join(argv)}"
    return argv[argv.index(option) + 1]


def _dockerfile_cmd() -> list[str]:
    lines = [
        ln for ln in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines() if ln.startswith("CMD ")
    ]
    assert len(lines) == 1, "Dockerfile: expected one CMD line"
    argv = json.loads(lines[0][len("CMD ") :])  # exec form: a JSON array, no shell in between
    assert isinstance(argv, list)
    return argv


# --- the CLI check ---------------------------------------------------------------------------


def _cli_problem(argv: list[str], root: click.Group) -> str | None:
    """Parse ``argv`` with a click group the way a real run would; None if it is accepted.

    Parsing (``make_context``) converts and validates options but never runs a command.
    """
    command: click.Command = root
    name, args = "lmsync", argv[1:]
    parent: click.Context | None = None
    while True:
        try:
            ctx = command.make_context(name, list(args), parent=parent)
        except click.ClickException as exc:
            return f"`{name}`: {exc.format_message()}"
        if not isinstance(command, click.Group):
            return None
        protected = getattr(ctx, "_protected_args", None)  # click >= 8.2; 8.1 calls it protected_args
        rest = [*(protected if protected is not None else ctx.protected_args), *ctx.args]
        if not rest:
            return f"`{name}` is given no subcommand"
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            known = ", ".join(sorted(command.list_commands(ctx)))
            return f"`{name}` has no command {rest[0]!r} (it has: {known})"
        name, args, command, parent = rest[0], rest[1:], sub, ctx


def _deploy_command_lines() -> list[tuple[str, list[str]]]:
    lines = [(f"systemd/{unit} ExecStart", _exec_argv(unit)) for unit in SERVICES]
    _, jobs = _cron_lines()
    lines += [(f"cron line {i + 1}", _lmsync_argv_in_shell(job)) for i, job in enumerate(jobs)]
    try:
        pod = _pod_spec()
    except pytest.skip.Exception:
        pod = {"containers": []}
    for container in _all_containers(pod):
        argv = [*container.get("command", []), *container.get("args", [])]
        if argv and Path(argv[0]).name == "lmsync":
            lines.append((f"kubernetes container {container['name']}", argv))
    lines.append(("Dockerfile CMD", _dockerfile_cmd()))
    return lines


@pytest.mark.parametrize(("where", "argv"), [pytest.param(w, a, id=w) for w, a in _deploy_command_lines()])
def test_every_deploy_command_line_is_accepted_by_the_cli(where: str, argv: list[str], monkeypatch) -> None:
    for key in [k for k in os.environ if k.startswith("LMSYNC_")]:
        monkeypatch.delenv(key)  # the group reads LMSYNC_CONFIG/LOG_FORMAT: keep the test about argv only
    from lmsync.cli import main

    assert Path(argv[0]).name == "lmsync"
    problem = _cli_problem(argv, main)
    assert problem is None, f"{where}: `{shlex.join(argv)}` is rejected by lmsync: {problem}"


def test_the_cli_check_rejects_what_click_rejects() -> None:
    """The checker itself, against a small group shaped like lmsync's."""

    @click.group()
    @click.option("--log-format", type=click.Choice(["console", "json"]))
    def root(log_format: str) -> None: ...

    @root.command()
    @click.option("--dry-run", is_flag=True)
    def sync(dry_run: bool) -> None: ...

    @root.group()
    def moodle() -> None: ...

    @moodle.command()
    @click.option("--count", type=int)
    def check(count: int) -> None: ...

    assert _cli_problem(["lmsync", "--log-format", "json", "sync", "--dry-run"], root) is None
    assert _cli_problem(["lmsync", "moodle", "check", "--count", "3"], root) is None
    assert "no command 'daemon'" in (_cli_problem(["lmsync", "daemon"], root) or "")
    assert "--wait" in (_cli_problem(["lmsync", "sync", "--wait"], root) or "")
    assert "xml" in (_cli_problem(["lmsync", "--log-format", "xml", "sync"], root) or "")
    assert "three" in (_cli_problem(["lmsync", "moodle", "check", "--count", "three"], root) or "")
    assert _cli_problem(["lmsync", "moodle"], root) is not None  # a group alone only prints help


def test_every_deploy_location_has_an_lmsync_command_line() -> None:
    wheres = [where for where, _ in _deploy_command_lines()]
    assert any(w.startswith("cron") for w in wheres)
    assert any(w.startswith("Dockerfile") for w in wheres)
    if _has_yaml():
        assert "kubernetes container lmsync" in wheres


def _has_yaml() -> bool:
    try:
        import yaml  # noqa: F401
    except ImportError:
        return False
    return True


# --- systemd ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", SERVICES)
def test_service_units_parse_and_are_hardened(unit: str) -> None:
    parser = _unit(unit)
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    service = parser["Service"]
    assert Path(_exec_argv(unit)[0]).is_absolute(), "systemd needs an absolute ExecStart path"
    assert service.get("DynamicUser") == "yes" or service.get("User")
    assert service["StateDirectory"] == "lmsync"
    expected = {
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
    }
    assert {key: service.get(key) for key in expected} == expected
    assert service["LoadCredential"] == "token:/etc/lmsync/token"


@pytest.mark.parametrize("unit", SERVICES)
def test_service_environment_gives_lmsync_the_credential_and_the_state_directory(
    unit: str, tmp_path: Path, monkeypatch
) -> None:
    """Resolve the unit's variables as systemd would and ask lmsync's config where things are."""
    state_root, credentials = "/var/lib", f"/run/credentials/{unit}"
    env = _unit_environment(unit, {"%S": state_root, "%d": credentials})
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # Config.state_dir() reads XDG_STATE_HOME from the process
    config_file = tmp_path / "lmsync.toml"
    config_file.write_text('[moodle]\nurl = "https://moodle.example.school"\n', encoding="utf-8")
    config = load_config(config_file, environ=env)
    assert config.moodle.token_file == Path(credentials) / "token"
    state_dir = Path(state_root) / _unit(unit)["Service"]["StateDirectory"]
    assert config.store_path().parent == state_dir, "the store must live in the unit's StateDirectory"


def test_timer_unit_runs_the_oneshot_service_every_15_minutes() -> None:
    service = _unit("lmsync.service")["Service"]
    assert service["Type"] == "oneshot"
    assert "run" in _exec_argv("lmsync.service")  # the whole cycle (issue 13), not only sync
    timer = _unit("lmsync.timer")
    assert {"Unit", "Timer", "Install"} <= set(timer.sections())
    assert timer["Timer"]["OnCalendar"] in {"*:0/15", "*:00/15", "*-*-* *:00/15:00"}
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["RandomizedDelaySec"]
    assert (SYSTEMD / timer["Timer"].get("Unit", "lmsync.service")).is_file()
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_daemon_unit_restarts_on_failure_but_not_on_config_errors() -> None:
    service = _unit("lmsync-daemon.service")["Service"]
    argv = _exec_argv("lmsync-daemon.service")
    assert argv[argv.index("daemon") + 1 :][:2] == ["--interval", "15m"]
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    assert service["TimeoutStopSec"]
    assert "2" in service.get("RestartPreventExitStatus", "").split()
    assert "lmsync.timer" in _unit("lmsync-daemon.service")["Unit"]["Conflicts"].split()


# --- cron ------------------------------------------------------------------------------------


def test_cron_line_has_a_schedule_and_runs_lmsync_under_flock(tmp_path: Path) -> None:
    env, jobs = _cron_lines()
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 5)
    assert len(fields) == 6, "five schedule fields and a command"
    for field in fields[:5]:
        assert re.fullmatch(r"[0-9*/,\-]+", field), f"bad cron field {field!r}"
    assert fields[0] == "*/15"
    words = shlex.split(fields[5])
    assert words[0] == "flock" and "-n" in words[1:3], "flock -n must wrap the run"
    argv = _lmsync_argv_in_shell(fields[5])
    assert "run" in argv  # the whole cycle (issue 13)
    assert "%" not in jobs[0], "cron turns % into a newline"
    # The crontab's LMSYNC_* variables name real configuration keys.
    config_file = tmp_path / "lmsync.toml"
    config_file.write_text('[moodle]\nurl = "https://moodle.example.edu"\n', encoding="utf-8")  # a token needs a site
    lmsync_env = {k: v for k, v in env.items() if k.startswith("LMSYNC_") and k != "LMSYNC_CONFIG"}
    config = load_config(config_file, environ=lmsync_env)
    assert str(config.moodle.token_file) == env["LMSYNC_MOODLE_TOKEN_FILE"]


# --- kubernetes ------------------------------------------------------------------------------


def test_cronjob_forbids_overlap_and_retries_sparingly() -> None:
    cronjob = _yaml("cronjob.yaml")
    assert (cronjob["apiVersion"], cronjob["kind"]) == ("batch/v1", "CronJob")
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert isinstance(spec["startingDeadlineSeconds"], int) and spec["startingDeadlineSeconds"] > 0
    assert isinstance(spec["jobTemplate"]["spec"]["backoffLimit"], int)
    assert len(spec["schedule"].split()) == 5


def test_every_container_runs_unprivileged_with_limits() -> None:
    pod = _pod_spec()
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in _all_containers(pod):
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, container["name"]
        assert sc["allowPrivilegeEscalation"] is False, container["name"]
        assert sc["capabilities"]["drop"] == ["ALL"], container["name"]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), container["name"]
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), container["name"]


def test_token_secret_reaches_lmsync_as_a_private_file() -> None:
    pod = _pod_spec()
    volumes = {v["name"]: v for v in pod["volumes"]}
    secret = _yaml("secret.example.yaml")
    secret_volumes = [
        v for v in volumes.values() if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]
    ]
    assert len(secret_volumes) == 1, "the token Secret must be mounted as a volume (a file), once"
    secret_volume = secret_volumes[0]
    assert secret_volume["secret"]["defaultMode"] == 0o400
    assert {item["key"] for item in secret_volume["secret"].get("items", [])} <= set(secret["stringData"])
    assert all("REPLACE" in value for value in secret["stringData"].values()), "no real token in the example"

    lmsync = _lmsync_container(pod)
    token_file = Path(_container_env(lmsync)["LMSYNC_MOODLE_TOKEN_FILE"])
    token_volume = _mounts(lmsync).get(str(token_file.parent))
    assert token_volume, f"{token_file.parent} is not mounted in the lmsync container"
    if token_volume == secret_volume["name"]:
        return  # read straight from the Secret
    # Otherwise an init container copies the Secret's file into that volume, mode 0400.
    assert "emptyDir" in volumes[token_volume]
    copiers = [
        c
        for c in pod.get("initContainers", [])
        if secret_volume["name"] in _mounts(c).values() and token_volume in _mounts(c).values()
    ]
    assert len(copiers) == 1, "one init container must mount both the Secret and the token volume"
    command = [*copiers[0].get("command", []), *copiers[0].get("args", [])]
    assert str(token_file) in command and "0400" in command, command
    secret_mount = next(p for p, n in _mounts(copiers[0]).items() if n == secret_volume["name"])
    assert any(word.startswith(secret_mount + "/") for word in command), "the copy must read the Secret"


def test_state_and_config_volumes_match_the_store_path_and_config_option(tmp_path: Path) -> None:
    pod = _pod_spec()
    volumes = {v["name"]: v for v in pod["volumes"]}
    lmsync = _lmsync_container(pod)
    env = _container_env(lmsync)
    mounts = _mounts(lmsync)

    store = Path(env["LMSYNC_STORE_PATH"])
    state_volume = volumes[mounts[str(store.parent)]]
    assert state_volume["persistentVolumeClaim"]["claimName"] == _yaml("pvc.yaml")["metadata"]["name"]

    config_path = Path(_option_value(lmsync["args"], "--config"))
    config_volume = volumes[mounts[str(config_path.parent)]]
    configmap = _yaml("configmap.yaml")
    assert config_volume["configMap"]["name"] == configmap["metadata"]["name"]
    toml = configmap["data"][config_path.name]

    # The ConfigMap's lmsync.toml plus the container's environment is a valid configuration.
    config_file = tmp_path / config_path.name
    config_file.write_text(toml, encoding="utf-8")
    config = load_config(config_file, environ={k: v for k, v in env.items() if k.startswith("LMSYNC_")})
    assert config.store_path() == store
    assert config.moodle.token_file == Path(env["LMSYNC_MOODLE_TOKEN_FILE"])
    assert config.moodle.url and config.moodle.url.startswith("https://")


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_installs_lmsync_and_runs_as_a_numeric_non_root_user() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"\bpip install \.", text)
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user, "the image must set USER"
    uid = user[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric, non-root (Kubernetes checks runAsNonRoot by uid)"
    if _has_yaml():
        assert _pod_spec()["securityContext"]["runAsUser"] == int(uid)


def test_tester_round_9_1_the_kubernetes_dry_run_recipe_turns_the_cronjob_into_sync_dry_run(tmp_path: Path) -> None:
    """The README's sed looked for ``- sync`` while the CronJob runs ``run``: the "dry run" Job ran
    the whole cycle. Here the recipe's own sed runs on the Job as ``kubectl create job --from
    -o yaml`` prints it (block lists), and the result must parse back to ``sync --dry-run``."""
    import shutil
    import subprocess

    yaml = pytest.importorskip("yaml")
    if shutil.which("sed") is None:
        pytest.skip("no sed")
    readme = (DEPLOY / "kubernetes" / "README.md").read_text(encoding="utf-8")
    (line,) = [x for x in readme.splitlines() if x.startswith("sed -i ") and "dry-run.yaml" in x]
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "lmsync-dry-run"},
           "spec": _yaml("cronjob.yaml")["spec"]["jobTemplate"]["spec"]}
    path = tmp_path / "dry-run.yaml"
    path.write_text(yaml.safe_dump(job, default_flow_style=False), encoding="utf-8")
    subprocess.run(["bash", "-c", line.split("#")[0]], cwd=tmp_path, check=True)
    container = _lmsync_container(yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["template"]["spec"])
    assert container["args"][-2:] == ["sync", "--dry-run"] and "run" not in container["args"]


def test_round_12_3_the_image_copies_what_every_link_in_the_package_points_at() -> None:
    """Tester round 12, 3: ``lmsync/moodle_side/plugin_config`` links to ``../../plugin_config``, which
    the Dockerfile did not copy, so the image's wheel had no plugin files and its own CMD (``doctor``)
    failed. Every link under ``lmsync/`` must point inside what the Dockerfile copies."""
    root = DEPLOY.parent
    copied = {  # the sources of every COPY line (all words but the last, the destination)
        name.rstrip("/") for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ") for name in line.split()[1:-1]
    }
    links = [p for p in (root / "lmsync").rglob("*") if p.is_symlink()]
    assert links, "expected the plugin_config link"
    for link in links:
        target = (link.parent / link.readlink()).resolve().relative_to(root.resolve())
        assert target.parts[0] in copied, f"{link.relative_to(root)} -> {target}: not copied by the Dockerfile"


def test_round_27_2_the_pods_take_no_service_link_variables() -> None:
    assert _pod_spec()["enableServiceLinks"] is False
    postgres = _yaml("postgres/deployment.yaml")["spec"]["template"]["spec"]
    assert postgres["enableServiceLinks"] is False


def test_round_27_7_a_timer_tick_that_met_another_run_is_no_failed_unit() -> None:
    from lmsync.errors import EXIT_LOCKED

    assert _unit_values("lmsync.service", "Service", "SuccessExitStatus") == [str(EXIT_LOCKED)]


def test_round_31_1_every_pod_gives_a_stopping_run_longer_than_one_request_timeout() -> None:
    """A pod is SIGKILLed after its grace period; a stopping run may wait out one request already sent
    ([moodle] timeout_seconds, 30 s by default), which Kubernetes' default grace of 30 s did not allow."""
    deployment = _yaml("postgres/deployment.yaml")["spec"]["template"]["spec"]
    for name, pod in (("cronjob.yaml", _pod_spec()), ("postgres/deployment.yaml", deployment)):
        assert pod.get("terminationGracePeriodSeconds", 30) >= 60, name


def test_round_77_10_no_unit_restarts_on_bad_input() -> None:
    """`lmsync daemon --interval` mistyped in ExecStart exits 3: `Restart=on-failure` with only
    `RestartPreventExitStatus=2` started it again every minute, forever."""
    from lmsync.errors import EXIT_ADMIN, EXIT_INPUT

    for unit in SERVICES:
        if _unit_values(unit, "Service", "Restart") not in ([], ["no"]):
            prevented = " ".join(_unit_values(unit, "Service", "RestartPreventExitStatus")).split()
            assert {str(EXIT_ADMIN), str(EXIT_INPUT)} <= set(prevented), unit


def test_round_77_2_each_unit_shows_how_a_report_outside_the_state_folder_becomes_writable() -> None:
    """Under ProtectSystem=strict only /var/lib/lmsync is writable: a [report] path elsewhere failed every run."""
    for unit in SERVICES:
        text = (SYSTEMD / unit).read_text(encoding="utf-8")
        assert "#ReadWritePaths=/" in text and "[report] path" in text, unit
        assert _unit_values(unit, "Service", "ReadWritePaths") == [], unit  # an example, commented out
        assert _unit_values(unit, "Service", "ProtectSystem") == ["strict"], unit
    readme = (SYSTEMD / "README.md").read_text(encoding="utf-8")
    assert "ReadWritePaths=" in readme and "/var/lib/lmsync/report.html" in readme
    assert "RestartPreventExitStatus=2 3" in readme
