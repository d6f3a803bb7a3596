"""``lmsync init``: write a commented ``lmsync.toml`` to start from.

The text is the example configuration shipped in the package (``lmsync/lmsync.example.toml``)
with the few values a new programme must choose filled in, from flags or, at a terminal,
from prompts. The result is validated like any configuration before it is written; an
existing file is never overwritten without ``--force``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import tomllib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import click

from lmsync.cli import AppContext, OutPath, examples
from lmsync.cli.output import say
from lmsync.config import Config, load_config
from lmsync.config_env import env_overrides
from lmsync.config_moodle_url import PASSWORD_PROBLEM, moodle_url_has_password
from lmsync.errors import ConfigError, InputError
from lmsync.secrets import redact
from lmsync.service.out_files import check_out, own_files, store_files

EXAMPLE = "lmsync.example.toml"
#: The fix for an address with a password (``--url``, or the answer at the prompt), which is refused before anything is written.
_PASSWORD_HINT = ("give the site's address alone, without a user name or password (https://moodle.school.example); "
                  "the web-service token goes in --token-file (or LMSYNC_TOKEN); nothing was written")

#: (section, key, prompt) of the values ``init`` asks for, in order.
QUESTIONS: list[tuple[str, str, str]] = [
    ("moodle", "url", "Moodle address (empty: the built-in emulator)"),
    ("moodle", "token_file", "File holding the web-service token (empty: LMSYNC_TOKEN)"),
    ("programme", "name", "Programme name (letters, digits, - and _)"),
    ("programme", "course", "Course shortname"),
    ("programme", "forum", "Forum for the circles' welcome discussions"),
]


def example_text() -> str:
    """The commented example configuration shipped with lmsync."""
    return files("lmsync").joinpath(EXAMPLE).read_text(encoding="utf-8")


def set_key(text: str, section: str, key: str, value: str | None) -> str:
    """Set ``key`` in ``[section]`` of a commented TOML text, keeping the line's comment.

    A commented-out line (``# url = ...``) is uncommented; ``None`` comments the key out.
    Raises ``ValueError`` when the section has no line for the key.
    """
    lines = text.splitlines(keepends=True)
    current = None
    for i, line in enumerate(lines):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
            continue
        if current != section:
            continue
        found = re.match(rf"(\s*)(#\s*)?{re.escape(key)}\s*=\s*(\"[^\"]*\"|[^#\s]*)(\s*#.*)?$", line.rstrip("\n"))
        if not found:
            continue
        comment = (found.group(4) or "").strip()
        width = len(line.rstrip("\n")) - len(found.group(4) or "") - len(found.group(1))
        if value is None:
            new = f"# {key} = {found.group(3)}"
        else:
            new = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        if comment:
            new = f"{new.ljust(width)} {comment}" if len(new) < width else f"{new}   {comment}"
        lines[i] = found.group(1) + new + "\n"
        return "".join(lines)
    raise ValueError(f"[{section}] {key}: no line for it in the example")


def render(values: dict[tuple[str, str], str | None]) -> str:
    """The example text with ``values`` filled in; empty values leave the example's line alone."""
    text = example_text()
    for (section, key), value in values.items():
        if value is not None and value != "":
            text = set_key(text, section, key, value)
    return text


def _validate(text: str, out: Path, sources: dict[tuple[str, str], str] | None = None) -> Config:
    """``text`` checked as lmsync will read it; ``sources``: (section, key) -> where its value came from (``--url``,
    an answer), named in an error instead of a line of ``out``, which is not written (tester round 89b, 8b)."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a value with characters TOML cannot hold as written
        raise InputError(f"{out}: the answers do not make valid TOML ({exc})") from None
    probe = out.with_name(f".{out.name}.check")
    probe.write_text(text, encoding="utf-8")
    try:
        return load_config(probe, environ={})
    except ConfigError as exc:
        lines = [_from_source(line, str(probe), sources or {}) for line in str(exc).split("\n")]
        raise InputError("\n".join(lines).replace(str(probe), str(out))) from None
    finally:
        probe.unlink(missing_ok=True)


def _from_source(line: str, probe: str, sources: dict[tuple[str, str], str]) -> str:
    """An error ``line`` of the configuration at ``probe`` (``probe: moodle.url (line 10): ...``) named by where
    the key's value came from (``--url (moodle.url): ...``), when ``sources`` knows it."""
    for (section, key), source in sources.items():
        found = re.match(rf"{re.escape(probe)}: {re.escape(section)}\.{re.escape(key)}(?: \(line \d+\))?: ", line)
        if found:
            return f"{source} ({section}.{key}): {line[found.end():]}"
    return line


def _answer_problem(section: str, key: str, value: str) -> str | None:
    """What is wrong with one answer before the rest are asked (tester round 43, 7: a blank course or
    an address without http:// failed only after every question, naming a line of an unwritten file)."""
    value = value.strip()
    if key == "url" and moodle_url_has_password(value):  # never written in clear, nor repeated (lmsync.config_moodle_url)
        return f"moodle.url: the address {PASSWORD_PROBLEM}"
    if key == "url":
        parts = urlsplit(value)
        return None if not value or (parts.scheme in ("http", "https") and parts.netloc) else (
            f"moodle.url: {redact(repr(value))} is not a web address (https://moodle.example.edu; empty: the built-in emulator)")
    if key in ("name", "course", "forum") and not value:
        return f"{section}.{key}: cannot be empty"
    if key == "name" and not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return f"programme.name: {value!r}: letters, digits, - and _ only (it is part of every idnumber lmsync owns)"
    return None


def _url_fix(value: str) -> str:
    """The fix for a ``--url`` that is no web address: the https:// form of what was typed (``moodle.example.edu``
    -> ``--url https://moodle.example.edu``; another scheme is replaced), quoted for a shell. "Leave --url out
    for the example's value" chose the built-in emulator instead of the site meant (tester round 99b, 8d)."""
    typed = value.strip()
    rest = typed.partition("://")[2] if "://" in typed else typed
    rest = rest.lstrip("/")
    if not rest or any(c.isspace() for c in rest):  # nothing to offer: the shape of an address
        return "write the site's address with its scheme: --url https://moodle.school.example"
    return f"write the site's address with its scheme: --url {shlex.quote(redact('https://' + rest))}"


def _from_here(path: str | None, out: Path) -> str | None:
    """A file named to init (``--token-file``, or the answer at its prompt) as the configuration at ``out`` must
    write it: the admin names it from the current folder, lmsync reads a relative path in a configuration from
    the configuration's folder (``cd cwd; lmsync init --out ../etc/lmsync.toml --token-file token`` wrote
    ``token_file = "token"``, read as ../etc/token; tester round 87b, 6).

    Written into another folder, a relative path becomes absolute: the current folder joined with the path as
    typed, not normalised, so ``..`` and symbolic links mean what they meant in the admin's shell. Absolute
    rather than relative to the configuration's folder, because such a path would need a ``..`` chain that
    names another file once the configuration is moved, or a folder on the way is a symbolic link (``..``
    then leaves the link's target). Written into the current folder, the path already reads the same and is
    kept as typed. Absolute and ``~`` paths are kept, and so are an empty value and ``.``, which the
    configuration's own check refuses in its words."""
    value = (path or "").strip()
    if value in ("", ".") or value.startswith("~") or Path(value).is_absolute():
        return path
    here = Path.cwd()
    return path if out.parent.resolve() == here.resolve() else str(here / value)


def _own_files(out: Path, config_path: str | None, token_file: str | None) -> list[tuple[Path, str]]:
    """lmsync's files ``init --out`` must never replace, ``--force`` or not (tester round 85a, 2: ``init --force
    --token-file token --out token`` wrote TOML over the token): the ``--token-file`` given (read from the
    folder of ``out``, as the configuration will read it), and the token file and store that the configuration
    at ``out`` and the one lmsync reads (``--config``, ``LMSYNC_CONFIG``, else ./lmsync.toml) name; not those
    configurations themselves: replacing one is what ``--force`` is for."""
    own = own_files(out, configuration=False) + own_files(config_path, configuration=False)
    if token_file and token_file.strip():
        given = Path(token_file.strip()).expanduser()
        own.append((given if given.is_absolute() else out.parent / given, "the token file --token-file names"))
    return own


def _checked(section: str, key: str) -> Callable[[str], str]:
    """A prompt's check: click asks again, with the problem, until the answer is usable."""
    def check(value: str) -> str:
        problem = _answer_problem(section, key, value)
        if problem and key == "url" and moodle_url_has_password(value):
            problem = f"{problem}; {_PASSWORD_HINT}"
        if problem:
            raise click.BadParameter(problem)
        return value.strip()
    return check


def _interactive() -> bool:
    return sys.stdin.isatty()


@click.command(
    "init",
    epilog=examples(
        "lmsync init",
        "lmsync init --url https://moodle.example.edu --course MENTOR-2026 --token-file /etc/lmsync/token",
    ),
)
@click.option("--out", type=OutPath(dir_okay=False, path_type=Path), default=None,
              help="Where to write the configuration (default: the --config / LMSYNC_CONFIG file, else lmsync.toml).")
@click.option("--url", default=None, help="[moodle] url: the Moodle site's address (none: the emulator).")
@click.option("--token-file", default=None, help="[moodle] token_file: file holding the web-service token.")
@click.option("--name", default=None, help="[programme] name (part of every idnumber lmsync owns).")
@click.option("--course", default=None, help="[programme] course: the course shortname.")
@click.option("--forum", default=None, help="[programme] forum: the separate-groups forum.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--no-input", is_flag=True, help="Never prompt, even at a terminal (flags and defaults only).")
@click.pass_context
def command(ctx: click.Context, out: Path | None, url: str | None, token_file: str | None, name: str | None,
            course: str | None, forum: str | None, force: bool, no_input: bool) -> None:
    """Write a commented lmsync.toml from the shipped example, with values from flags or prompts."""
    # the file every later command reads (tester round 43, 6: init wrote lmsync.toml, doctor read --config's file)
    # --config, or LMSYNC_CONFIG, a leading '~' the home folder (tester round 102b, 3)
    config_path = ctx.obj.config_file() if isinstance(ctx.obj, AppContext) else None
    out = out or (Path(config_path) if config_path else Path("lmsync.toml"))
    again = f"lmsync init --force --out {out}"
    token_file = _from_here(token_file, out)  # named from here, read from out's folder (tester round 87b, 6)
    check_out(out, force=force, again=again, own=_own_files(out, config_path, token_file), writes_config=True)
    given = {("moodle", "url"): url, ("moodle", "token_file"): token_file, ("programme", "name"): name,
             ("programme", "course"): course, ("programme", "forum"): forum}
    for (section, key), value in given.items():  # tester round 43, 7: --course "" wrote the example's course
        problem = None if value is None else _answer_problem(section, key, value)
        if problem:
            flag = f"--{key.replace('_', '-')}"
            password = key == "url" and moodle_url_has_password(str(value))  # nothing written (exit 3)
            hint = _PASSWORD_HINT if password else _url_fix(str(value)) if key == "url" else (
                f"leave {flag} out for the example's value")
            raise InputError(f"{flag}: {problem}", hint=hint)
    sources = {k: f"--{k[1].replace('_', '-')}" for k, value in given.items() if value is not None}
    if not no_input and _interactive():
        defaults = tomllib.loads(example_text())
        for section, key, question in QUESTIONS:
            if given[(section, key)] is None:
                default = defaults.get(section, {}).get(key, "")
                given[(section, key)] = click.prompt(question, default=str(default), show_default=bool(default),
                                                     value_proc=_checked(section, key))
                sources[(section, key)] = f"the answer to {question.split(' (')[0]!r}"
        given[("moodle", "token_file")] = _from_here(given[("moodle", "token_file")], out)  # round 87b, 6
    text = render(given)
    config = _validate(text, out, sources)
    # the token file and store it names, whether flags or prompts named them (tester round 85a, 2)
    written = [(Path(config.moodle.token_file), f"the web-service token file {out} would name")] if (
        config.moodle.token_file is not None) else []
    written += [(path, f"one of the store's files ({path.name}) that {out} would name") for path in store_files(config)]
    check_out(out, force=force, again=again, own=written, writes_config=True)
    out.write_text(text, encoding="utf-8")
    target = redact(config.moodle.url or "the built-in emulator")  # a URL's password, as doctor (tester round 87b, 8a)
    say(f"wrote {out}: programme {config.programme.name}, course {config.programme.course}, on {target}")
    from lmsync.service.moodle import in_clear
    from lmsync.service.observe import EMULATOR_COURSE

    if config.moodle.url is None and config.programme.course != EMULATOR_COURSE:  # tester round 110a, 4
        say(f"warning: the built-in emulator has one course, {EMULATOR_COURSE}: every run refuses course "
            f"{config.programme.course!r} until [moodle] url in {out} names the Moodle that has it", err=True)
    if in_clear(config.moodle.url or ""):  # as doctor and every run say it (tester round 106b, 7)
        say(f"warning: {target} is plain http to another host: the token and every answer (names, ratings) would "
            f"cross the network unencrypted; use the site's https:// address in [moodle] url of {out}", err=True)
    if config.moodle.token_file is not None:  # round 27, 8: a token file every run would refuse, said now
        from lmsync.errors import ConfigError
        from lmsync.token_file import read_token_file

        try:
            read_token_file(Path(config.moodle.token_file))
        except ConfigError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            say(f"warning: {exc.message}{hint}; every run refuses it until then", err=True)
    overridden = sorted(env_overrides(Config, dict(os.environ))[1].values())
    if overridden:  # every later command reads these over the file (tester round 44, 6)
        say(f"note: the environment sets {', '.join(overridden)}: every command takes those over this file's values",
            err=True)
    # a plain `lmsync doctor` reads ./lmsync.toml unless LMSYNC_CONFIG is set: --config given to init alone
    # does not carry over (tester round 45, 3), and the path is quoted for a shell (round 45, 4)
    plain = out.absolute() == Path("lmsync.toml").absolute() and not os.environ.get("LMSYNC_CONFIG")
    say("next: lmsync doctor" if plain else f"next: lmsync --config {shlex.quote(str(out))} doctor")
