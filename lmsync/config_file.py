"""The configuration file's text, read by ``config.load_config``, with an error naming where its name came from.

A name from ``LMSYNC_CONFIG`` is said to come from there: "nothere.toml: no such configuration file / fix: lmsync
init writes one" left an admin looking for a file no command line named (tester round 100a, 15a). A file that is
there and is not a regular one (a named pipe, a device, a socket) is refused from ``os.stat`` alone: reading a
pipe waited for a writer for good (``lmsync.file_kinds``; tester round 100a, 1). ``--config`` on the command line
is judged before, as a wrong argument, exit 3 (``cli.refuse_config_argument``); these are :class:`ConfigError`
(exit 2): the deployment's configuration.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from lmsync.errors import ConfigError
from lmsync.file_kinds import special_kind

__all__ = ["missing_config", "read_config_text"]

#: The environment variable that names the configuration file.
VARIABLE = "LMSYNC_CONFIG"


def _where(file: Path, from_env: bool) -> str:
    return f"{VARIABLE} names {file}" if from_env else str(file)


def missing_config(file: Path, *, from_env: bool) -> ConfigError:
    """The error for a configuration file named (by ``LMSYNC_CONFIG`` when ``from_env``, else ``--config`` or a
    caller) that is not there: it names the variable, and its fix offers to correct or unset it (tester round 100a,
    15a)."""
    if not from_env:
        return ConfigError(f"{file}: no such configuration file", hint="`lmsync init` writes one; or copy lmsync.example.toml")
    return ConfigError(
        f"{_where(file, True)}: no such configuration file",
        hint=f"set {VARIABLE} to the configuration file's path, or unset it to read ./lmsync.toml; "
             f"`lmsync init --out {shlex.quote(str(file))}` writes one there",
    )


def read_config_text(file: Path, *, from_env: bool = False) -> str:
    """The text of the configuration ``file`` (there), a UTF-8 byte-order mark dropped. Raises :class:`ConfigError`
    (exit 2) naming the file, and ``LMSYNC_CONFIG`` when ``from_env``, when it is a folder, is not a regular file
    (judged from ``os.stat``: never opened; tester round 100a, 1), cannot be read or is not UTF-8 (a traceback
    before: tester finding)."""
    env_fix = f"set {VARIABLE} to the path of the .toml file itself, or unset it to read ./lmsync.toml"
    if file.is_dir():
        raise ConfigError(f"{_where(file, from_env)}: a directory, not a configuration file" if from_env
                          else f"{file} is a directory, not a configuration file",
                          hint=env_fix if from_env else "give --config (or LMSYNC_CONFIG) the path of the .toml file itself")
    kind = special_kind(file)
    if kind is not None:
        raise ConfigError(f"{_where(file, from_env)}, which is {kind}, not a regular file; not read" if from_env
                          else f"{file} is {kind}, not a regular file; not read",
                          hint=env_fix if from_env else "put the configuration file there, or point --config (or LMSYNC_CONFIG) at it")
    try:
        return file.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is not part of the TOML
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                          "a configuration file must be UTF-8", hint="save it as UTF-8 in your editor") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the configuration ({exc.strerror or type(exc).__name__})",
                          hint="check the path and that lmsync's account may read it") from None
