"""The target of ``lmsync store copy --to TARGET``: judged before anything is made, and its errors named as the copy's.

Shapes: ``copy_target(to)`` is a ``CopyTarget``: a SQLite file's absolute path (``PATH`` or
``sqlite:///PATH``, whose file is the one ``[store] url`` opens: ``url_forms.sqlite_url_file``, ``%20`` a space,
tester round 100a, 2; a relative one is read from the current folder, and shown absolute, since a
relative ``[store] path`` in a configuration file is read from that file's folder), or a PostgreSQL URL.
Raises ``InputError`` (exit 3, the value never repeated when it may hold a password) for (tester round
95b, store copy 1-4):

- an empty ``--to``; a URL of another database or driver, an in-memory SQLite database (``:memory:``,
  ``sqlite://``), or a SQLite URL with a host: the rule ``[store] url`` has (``lmsync.store.url_forms``);
  before, a traceback naming a missing module (the password shown), or "copied" into memory, exit 0;
- ``sqlite:///~/...`` (``%7E`` too): refused as ``[store] url`` refuses it (the plain path ``~/...`` is expanded), not
  expanded into a file the configuration's url could never name (tester round 97b, 6);
- a folder, or a path whose folder does not exist (never made, as every ``--out``: ``folder_refusal``).

``target_refused(exc, target)`` turns an error from opening the target (another application's
database, a file that is not SQLite, a server that refuses) into ``InputError`` saying it is the copy's
target, not the configured store (whose fixes it used to give: "restore it from a backup").
``write_failed(exc, target, source, removed)``: a failure while writing the copy (a full disk), saying the
configured store is unchanged and what became of the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lmsync.errors import ConfigError, InputError, LmsyncError
from lmsync.service.out_files import folder_refusal
from lmsync.store.unreachable import shown_url, store_url
from lmsync.store.url_forms import TILDE, TILDE_WHY, UNKNOWN, sqlite_in_memory, sqlite_url_file, url_refusal

#: ``--to`` values read as a URL: any ``scheme://``, and the schemes SQLite or a store URL take without it.
_URL_LIKE = re.compile(r"(?i)^(?:[a-z][a-z0-9+.\-]*://|(?:file|sqlite|postgres|postgresql(?:\+\w+)?):)")

#: Nothing was changed in the source: said with every refusal of the target.
UNCHANGED = "nothing was copied, and the configured store is unchanged"


@dataclass(frozen=True)
class CopyTarget:
    """A SQLite file (``path``, absolute) or a PostgreSQL database (``url``, the text given)."""

    path: Path | None
    url: str | None

    @property
    def shown(self) -> str:
        """The target for messages: the absolute path, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        parsed = store_url(self.url or "")
        return shown_url(parsed) if parsed is not None else "the --to URL"


def copy_target(to: str) -> CopyTarget:
    """``--to`` judged (module doc); raises ``InputError``."""
    if not to.strip():
        raise _refused("--to is empty", "give --to a new SQLite file's path or an empty PostgreSQL database's URL")
    if _URL_LIKE.match(to.strip()):
        reason = url_refusal(to)
        if reason == UNKNOWN:
            reason = "must be a SQLite file's path (or sqlite:///path) or a PostgreSQL URL"
        if reason == TILDE:  # as [store] url refuses it; the plain path expands '~' (tester round 97b, 6)
            raise _refused(f"--to {TILDE_WHY}", "give --to the file's path without sqlite:/// (~/lmsync.db: '~' is "
                                                "the home folder there), or the absolute path in the URL "
                                                "(sqlite:////home/you/lmsync.db)")
        if reason is not None:  # the value is not repeated: it may hold a password
            raise _refused(f"--to {reason}", "give --to a new SQLite file's path (or sqlite:///PATH) or an empty "
                                             "PostgreSQL database's URL (postgresql+psycopg://user@host/database)")
        if not to.strip().lower().startswith("sqlite:"):
            try:
                store_url(to.strip())  # a port that is no number, a password holding '@'
            except ConfigError as exc:
                raise _refused(exc.message.replace("[store] url (LMSYNC_STORE_URL)", "--to"), exc.hint) from None
            return CopyTarget(None, to.strip())
        to = sqlite_url_file(to) or ""  # the file [store] url opens: %20 a space (tester round 100a, 2)
        if _URL_LIKE.match(to):  # sqlite:///file:... is a URI SQLite would read its own way
            raise _refused("--to names a SQLite URI (file:...), not a file", "give --to the file's path")
    if sqlite_in_memory(to):
        raise _refused("--to names an in-memory SQLite database, which is gone when lmsync exits",
                       "give --to a new SQLite file's path or an empty PostgreSQL database's URL")
    if "\0" in to:  # sqlite:///c%00d.db: a traceback (tester round 101a, 1)
        raise _refused("--to names a file with a NUL character (\\u0000, %00 in a url), which no file name can hold",
                       "give --to a new SQLite file's path without it")
    path = Path(to).expanduser().absolute()
    if path.is_dir():
        raise _refused(f"the copy's target {path} is a folder", f"give --to a new file inside it, e.g. {path}/lmsync.db")
    missing = folder_refusal(path, "--to")
    if missing is not None:
        raise _refused(missing[0], missing[1])
    return CopyTarget(path, None)


def target_refused(exc: LmsyncError, target: CopyTarget) -> InputError:
    """``exc``, raised opening ``target``, as the copy's target's error (module doc)."""
    where = target.shown
    said = exc.message
    for name in (f"the store {where}", f"the store {target.path or target.url}", "the store"):
        if said.startswith(name):
            said = f"the copy's target {where}{said[len(name):]}"
            break
    else:
        said = f"the copy's target {where}: {said}"
    fix = ("give --to another path: a new file in an existing folder" if target.path is not None else
           "check that the server runs and that the URL's host, port, role, database and password are right, or give "
           "--to another database")
    return _refused(said, fix)


def write_failed(exc: BaseException, target: CopyTarget, source: str, *, removed: bool) -> ConfigError:
    """The error for a copy that failed while being written (a full disk): exit 2, an admin frees space.

    The copy is one transaction, so a target that was there already is left as it was (rolled back); a
    SQLite file this copy made is deleted (``removed``): half a store is no copy, and on a full disk it holds
    the space a retry needs."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    parsed = store_url(target.url) if target.url is not None else None
    if parsed is not None and parsed.password:
        reason = reason.replace(parsed.password, "<redacted>")
    left = (f"the partial copy {target.shown} was deleted" if removed else
            f"the copy was rolled back, so {target.shown} holds no copied row (delete it, or drop its tables, if it "
            "was made for this copy)")
    return ConfigError(
        f"store copy: writing the copy to {target.shown} failed: {reason}; the configured store {source} is "
        f"unchanged, and {left}",
        hint="free space where the copy goes (or fix the cause above), then run lmsync store copy again",
    )


def _refused(message: str, hint: str | None) -> InputError:
    return InputError(f"store copy: {message}; {UNCHANGED}", hint=hint)
