"""Where a command's ``--out`` may write: one check for every ``--out`` that writes a file.

``check_out`` refuses, as bad input (exit 3) naming the path and the fix:

* the programme's own store (its SQLite file, the file's ``-wal``/``-shm`` companions, or the
  programme's lock beside it),
  however it is named: through a symlink or a relative path; ``--force`` never
  allows it (tester round 4, 1: ``report --out`` on the store replaced it with HTML);
* any SQLite database (its first 16 bytes are ``SQLite format 3\0``): another programme's
  store, a backup, a store the configuration does not name; ``--force`` never allows it either
  (tester round 5, 1: ``init``/``config reference`` load no programme, so know no store);
* any emulator state file (a rehearsal Moodle site, ``is_emulator_state``), served or not, whatever its
  name; ``--force`` never allows it (tester round 84, 2: ``plan --out site.json --force`` replaced the
  file ``emulator serve --state site.json`` was serving, and the server could not start again);
* for ``init`` and ``config reference``, which load no programme, the files of lmsync's that the configuration
  names (``own_files``: its token file, its store; ``check_out``'s ``own``); ``--force`` never allows them (tester
  round 85a, 2: ``--out token --force`` wrote Markdown, and TOML, over the token);
* a file that exists, unless ``force`` (``--force``: replace FILE if it exists);
* a path whose folder does not exist (or is not a folder): nothing creates folders behind
  the admin's back, and no ``FileNotFoundError`` escapes (tester round 4, 14 and 15).

``refusal`` is the store and SQLite part alone, for writers that are not an ``--out``: the
cycle's report (``[report] path``, tester round 5, 2) and each file of a CSV report
(``check_files``, tester round 5, 3); ``folder_refusal`` the missing-folder part, which
``[report] path`` follows too (tester round 77, 3). ``[report] path`` has no ``--force``: every run
replaces the report it wrote before, and ``foreign_report`` refuses any other file there (tester
round 78, 9: a README.md named there was replaced by the report, and doctor said ok). ``state_refusal`` is
``lmsync emulator reset --state``'s: lmsync's own files and any file but an emulator state file (tester round 104b, 1).

A symbolic link is written through (``private_files.landing``): each check is made of the link and of
its target, the file written (tester round 79, 4: a link to a web folder's ``latest.html`` was replaced
by a plain file, and the web folder kept the old report). A link to nothing yet, in a folder that
exists, creates its target, as ``--out`` always did (tester round 45, 8).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from lmsync.errors import InputError
from lmsync.service.private_files import landing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lmsync.config import Config

#: A store file and the files SQLite keeps beside it in WAL mode (and its rollback journal).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"

#: How every HTML report lmsync writes ends: its footer (``render/templates/report.html``, there since the first
#: report, so a report an earlier lmsync wrote carries it too), lmsync's proof that a file is its report.
REPORT_MARK = b"<footer>Written by lmsync "
_REPORT_TAIL = 4096  # the footer is in the page's last lines: no more of a large file is read

#: The keys an emulator state file opens with: ``Site.save`` (moodle/emulator/state.py) writes one JSON object whose
#: first keys are the site's settings, ahead of its users; no file lmsync writes through ``--out`` has them.
EMULATOR_STATE_KEYS = (b"sitename", b"siteurl", b"web_services_enabled")
_STATE_HEAD = 4096  # the settings are the object's first few hundred bytes: no more of a large site is read


def own_files(config_path: str | Path | None, *, configuration: bool = True) -> list[tuple[Path, str]]:
    """lmsync's own files that the configuration at ``config_path`` names (None: ``LMSYNC_CONFIG``, else
    ./lmsync.toml), each with what it is, for ``check_out``'s ``own``: the file itself (not when
    ``configuration`` is false: ``init --force`` replaces it), its token file, its store and the store's
    companions. For the commands that load no programme: ``config reference --out token --force`` wrote
    Markdown over the token, ``init ... --out token --force`` TOML (tester round 85a, 2). A configuration
    that does not load is read as TOML for the paths it names; one that cannot be read names itself alone.
    Raises nothing."""
    from lmsync.config import DEFAULT_CONFIG, load_config
    from lmsync.errors import ConfigError
    from lmsync.home_paths import home_path_or_as_given

    file = Path(config_path or home_path_or_as_given(os.environ.get("LMSYNC_CONFIG") or "") or DEFAULT_CONFIG)
    try:
        config = load_config(config_path)
    except (ConfigError, OSError, ValueError):
        return _named_in(file, configuration)
    name = config.source or "the default configuration"
    files = [(config.source, "the configuration lmsync reads")] if configuration and config.source else []
    if config.moodle.token_file is not None:
        files.append((Path(config.moodle.token_file), f"the web-service token file {name} names"))
    return files + [(path, f"one of the store's files ({path.name}) that {name} names") for path in store_files(config)]


def _named_in(file: Path, configuration: bool) -> list[tuple[Path, str]]:
    """``own_files`` of a configuration that does not load (a mistake ``init --force`` is to replace): its
    ``[moodle] token_file`` and ``[store] path`` as written, read from its folder as lmsync reads them."""
    import tomllib

    from lmsync.config_lines import anchor_paths

    files = [(file, "the configuration lmsync reads")] if configuration and file.is_file() else []
    if not file.is_file():  # a named pipe: reading it waited for a writer for good (tester round 100a, 1)
        return files
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
        anchor_paths(data, file.parent)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return files
    named = {key: table.get(key) for section, key in (("moodle", "token_file"), ("store", "path"))
             if isinstance(table := data.get(section), dict)}
    if isinstance(token := named.get("token_file"), str) and token.strip():
        files.append((Path(token.strip()), f"the web-service token file {file} names"))
    if isinstance(store := named.get("path"), str) and store.strip():
        files += [(path, f"one of the store's files ({path.name}) that {file} names") for path in _store_family(Path(store.strip()))]
    return files


def _store_family(target: Path) -> list[Path]:
    """A SQLite store's file, its companions and the programme's lock beside it."""
    return [target.with_name(target.name + suffix) for suffix in SQLITE_COMPANIONS] + [target.with_suffix(".lock")]


def store_files(config: Config) -> list[Path]:
    """The files of the configured store: its SQLite file and companions (none for PostgreSQL)."""
    target: Path | None = config.store_path()
    if config.store.url:
        from lmsync.store.db import store_url  # sqlalchemy: only when a URL is configured

        url = store_url(config.store.url)
        target = Path(url.database) if url is not None and url.get_backend_name() == "sqlite" and url.database else None
    if target is None or str(target) == ":memory:":
        return []
    # and the programme's lock beside it (tester round 20, 9: `report --force` wrote a report into it)
    return _store_family(target)


def check_out(out: Path, *, force: bool, config: Config | None = None, folder: bool = False,
              again: str | None = None, own: Sequence[tuple[Path, str]] = (), writes_config: bool = False) -> None:
    """Refuse ``out`` (see the module doc) before anything is computed or written.

    ``config``: the programme whose store ``out`` must not be (None: a command without one,
    such as ``init``). ``folder``: ``out`` is a folder of files (``report --format csv``), which
    may exist; only its own folder must. ``again``: the command to suggest with ``--force``.
    ``own``: more of lmsync's files ``out`` must never be, each with what it is (``own_files``: a
    command that loads no programme, tester round 85a, 2). ``writes_config``: ``out`` is a configuration the command
    writes (``init --force``), so another lmsync configuration there is not refused. Raises InputError.
    """
    reason = refusal(out, config, own, writes_config=writes_config)
    if reason is not None:
        raise InputError(f"--out {reason}", hint="give --out another file (--force never replaces lmsync's own files: a store "
                         "or SQLite database, the configuration, the token, an emulator state file)")
    missing = folder_refusal(out, "--out")
    if missing is not None:
        raise InputError(missing[0], hint=missing[1])
    if out.is_dir() and not folder:
        raise InputError(f"--out {out} is a folder", hint="give --out the file to write")
    if out.exists() and not folder and not force:
        raise InputError(
            f"{out} exists; not overwritten",
            hint=f"add --force to replace it: {again}" if again else "add --force to replace it, or give --out another file",
        )


def folder_refusal(path: Path, key: str) -> tuple[str, str] | None:
    """Why nothing can be written at ``path`` for want of its folder, and the fix, each naming ``key``
    (``--out``, ``[report] path``): a symbolic link into a folder that does not exist, a folder that does
    not exist or is not a folder; None when the folder is there. Never creates it: ``--out`` (tester
    round 4, 14 and 15) and ``[report] path`` (tester round 77, 3: it made ``/nonexistent/dir``) alike.
    """
    # writing follows a link: its target's folder is the one that must exist (tester round 44, 7: a traceback)
    if path.is_symlink() and not Path(os.path.realpath(path)).parent.is_dir():
        return (f"{key} {path} is a symbolic link to {os.readlink(path)}, in a folder that does not exist",
                f"give {key} a file, or point the link into an existing folder")
    parent = path.absolute().parent
    if not parent.is_dir():
        what = f"{parent} is not a folder" if parent.exists() else f"the folder {parent} does not exist"
        return f"{key} {path}: {what}", f"create it first (mkdir -p {parent}), or give {key} a path in an existing folder"
    return None


def foreign_report(path: Path, key: str) -> tuple[str, str] | None:
    """Why the report written to ``key`` (``[report] path``) must not replace ``path``, and the fix, each
    naming the path: a file is there that lmsync did not write (tester round 78, 9: a README.md was
    replaced, and doctor said ok). None when there is no file, for lmsync's own report (an HTML page
    ending with lmsync's footer, ``REPORT_MARK``: replaced without a word, as each run does) and for an
    empty file (nothing to lose: one made beforehand to set its owner). A file that cannot be read cannot
    be told lmsync's, and is refused. A symbolic link is judged by its target, the file a run replaces, and
    named with it (tester round 79, 4). Reads the file's first and last bytes only; raises nothing.
    """
    if not path.is_file():
        return None
    target = landing(path)  # a link: its target is the file replaced (tester round 79, 4)
    fix = f"point {key} at another file (each run then replaces its own report there), or move {target} away"
    path_said = path if target == path else f"{path} (a symbolic link to {target})"
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _REPORT_TAIL))
            tail = handle.read()
    except OSError as exc:
        return (f"{key} {path_said} cannot be read ({exc.strerror or type(exc).__name__}), so lmsync cannot tell it "
                "wrote it; not overwritten", fix)
    if not head or (head.lstrip().lower().startswith(b"<!doctype html") and REPORT_MARK in tail):
        return None
    return (f"{key} {path_said} is a file lmsync did not write (every report lmsync writes ends with its "
            "'Written by lmsync' footer); not overwritten", fix)


def check_files(out: Path, paths: Sequence[Path], *, force: bool, config: Config | None = None,
                again: str | None = None) -> None:
    """Refuse the files a writer is about to write into the folder ``out`` (``report --format csv``),
    before it writes any: the store or a SQLite database always; files that exist, unless ``force``
    (tester round 5, 3). Raises InputError.
    """
    for path in paths:
        reason = refusal(path, config)
        if reason is not None:
            raise InputError(f"--out {out}: {reason}", hint="give --out another folder (--force never replaces a store, "
                             "a SQLite database or an emulator state file)")
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise InputError(
            f"{existing[0]} exists ({len(existing)} of the {len(paths)} files to write exist in {out}); not overwritten",
            hint=f"add --force to replace them: {again}" if again else "add --force to replace them, or give --out another folder",
        )


def refusal(path: Path, config: Config | None = None, own: Sequence[tuple[Path, str]] = (), *,
            writes_config: bool = False) -> str | None:
    """Why nothing may ever be written at ``path``: it is ``config``'s store (or a companion of it), or
    an existing SQLite database; None when neither. The text starts with ``path``.

    A symbolic link is written through to its target (``private_files.landing``), so every check is made
    of the target too, by its own name (``x.db-wal``, ``x.lock``), and a link that never ends at a file (a
    loop) is refused (tester round 79, 4). Raises nothing."""
    target = landing(path)
    if target.is_symlink():  # a loop: pathlib's resolve raised RuntimeError, a traceback in doctor and --out
        return f"{path} is a symbolic link that never ends at a file (a loop); not overwritten"
    reason = _refusal(path, config, own, writes_config)
    if reason is not None or target == path:
        return reason
    reason = _refusal(target, config, own, writes_config)
    return None if reason is None else f"{path} is a symbolic link: {reason}"


def _refusal(path: Path, config: Config | None, own: Sequence[tuple[Path, str]] = (), writes_config: bool = False
             ) -> str | None:
    """``refusal``'s checks of ``path`` as named (a link's own name, or its target's)."""
    reason = _owned(path, config)
    if reason is not None:
        return reason
    if path.exists() and not path.is_file() and not path.is_dir():  # `--out /dev/null --force` (round 77b, 6)
        return f"{path} is not a regular file (a device, a pipe or a socket); not overwritten"
    if _token_like(path):
        return f"{path} holds what looks like a Moodle web-service token (32 letters and digits); not overwritten"
    if is_sqlite(path):
        return f"{path} is a SQLite database (an lmsync store?); not overwritten"
    if is_emulator_state(path):  # tester round 84, 2: served or not, --force replaced a rehearsal site
        return (f"{path} is an emulator state file (a rehearsal Moodle site, as `lmsync emulator serve --state {path}` "
                "serves it); not overwritten")
    # beside any SQLite database, with or without a configuration to name it (init, config reference):
    # its WAL files and the lock of the programme it stores, and the emulator's saved site (tester round 22, 3)
    name = path.name
    for suffix in SQLITE_COMPANIONS[1:]:
        if name.endswith(suffix) and is_sqlite(path.with_name(name[: -len(suffix)])):
            return f"{path} belongs to the SQLite database {path.with_name(name[: -len(suffix)])}; not overwritten"
    if path.suffix == ".lock" and is_sqlite(path.with_suffix(".db")):
        return f"{path} is the lock of the store {path.with_suffix('.db')}; not overwritten"
    if name.endswith(".emulator.json") and path.exists():
        return f"{path} is the built-in emulator's saved site; not overwritten (`lmsync emulator reset` remakes one)"
    if not writes_config and is_configuration(path):  # another programme's lmsync.toml (tester round 86a, 2)
        return f"{path} is an lmsync configuration ([moodle], [programme] or [store] sections); not overwritten"
    return _owned(path, None, own)


def _owned(path: Path, config: Config | None, own: Sequence[tuple[Path, str]] = ()) -> str | None:
    """Why ``path`` as named is one of lmsync's own files: ``config``'s store, a companion of it or its lock, its
    configuration or token file (tester round 29, 4: `--out lmsync.toml --force` and `--out token --force` replaced
    them), or one of ``own`` (tester round 85a, 2); None when none."""
    if config is not None:
        store = next((s for s in store_files(config) if _same_file(path, s)), None)
        if store is not None and store.suffix == ".lock":
            return f"{path} is this programme's lock file ({store}): lmsync's runs take turns on it"
        if store is not None:
            return f"{path} is this programme's store ({store}): writing there would destroy lmsync's data"
        named = ((config.source, "this programme's configuration"), (config.moodle.token_file, "its web-service token file"))
        own = [(Path(file), what) for file, what in named if file is not None] + list(own)
    for file, what in own:
        if _same_file(path, file):
            return f"{path} is {what}; not overwritten"
    return None


def state_refusal(path: Path, config: Config | None = None, own: Sequence[tuple[Path, str]] = (), *,
                  site: Path | None = None) -> str | None:
    """Why ``lmsync emulator reset --state path`` must not write a fresh demo site at ``path``; None when it may.

    Refused, as bad input: one of lmsync's own files (``_owned``: ``config``'s store, its ``-wal``/``-shm``/
    ``-journal`` companions and its lock, its configuration and token file, and ``own``, ``own_files`` of a
    configuration that does not load), named as it is or through a symbolic link; and any existing file that
    is not an emulator state file (``is_emulator_state``: a JSON object opening with the site's settings), an
    empty one too, unless it is ``site``, the programme's own saved site, which reset remakes whatever it
    holds. A new path, or an existing emulator state file (a damaged one too), may be written: that is what
    reset is for. Before, reset replaced the programme's SQLite store (all its meetings), its configuration
    and its lock held by a run, with demo JSON, exit 0 (tester round 104b, 1). The text starts with ``path``.
    Reads at most the file's first 4 KiB; raises nothing."""
    target = landing(path)
    for named in dict.fromkeys((path, target)):  # a link: its target too (the file a write through it lands on)
        reason = _owned(named, config, own)
        if reason is not None:
            return reason if named == path else f"{path} is a symbolic link: {reason}"
    if not path.exists():  # a new file (a link to nothing yet: the link is replaced)
        return None
    if (site is not None and _same_file(path, site)) or is_emulator_state(path):
        return None
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file (a device, a pipe or a socket)"
    elif is_sqlite(path):
        what = "a SQLite database (an lmsync store?)"
    elif is_configuration(path):
        what = "an lmsync configuration"
    else:
        what = "not an emulator state file (a JSON site as `lmsync emulator reset` writes it)"
    return f"{path} is {what}; not overwritten"


def is_configuration(path: Path) -> bool:
    """Whether ``path`` is a small TOML file with a section of lmsync's configuration (``[moodle]``, ``[programme]``
    or ``[store]``): ``grades plan --out ../B/lmsync.toml --force`` replaced another programme's configuration with
    JSON (tester round 86a, 2)."""
    import tomllib

    try:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return False
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return bool({"moodle", "programme", "store"} & set(data))


def _token_like(path: Path) -> bool:
    """Whether ``path`` is a small file holding only what a Moodle token looks like (32 hex digits)."""
    try:
        if not path.is_file() or path.stat().st_size > 100:
            return False
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return len(text) == 32 and all(c in "0123456789abcdefABCDEF" for c in text)


def is_sqlite(path: Path) -> bool:
    """Whether ``path`` is a file (or a link to one) that starts as a SQLite database does."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:  # missing, a folder, unreadable: not a database we could overwrite either
        return False


def is_emulator_state(path: Path) -> bool:
    """Whether ``path`` is a regular file (or a link to one) that opens as an emulator state file does: a JSON
    object whose first 4 KiB hold the site's settings as keys (``EMULATOR_STATE_KEYS``). Reads no more; raises
    nothing (a file that cannot be read is not one we could tell, nor overwrite)."""
    try:
        if not path.is_file():  # never open a pipe or a device: that could block
            return False
        with path.open("rb") as handle:
            head = handle.read(_STATE_HEAD)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and all(re.search(rb'"' + key + rb'"\s*:', head) for key in EMULATOR_STATE_KEYS)


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: the same resolved path, or (both existing) one inode."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a symbolic link loop (Python 3.11, 3.12)
        return False
