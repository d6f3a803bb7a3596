"""Opening a programme's store: read-only for reads, and only for the site and course it belongs to.

One programme, one store, one site (issue 11). A store records the site (``[moodle] url``,
or ``emulator`` for the built-in emulator) and the course shortname it was first used with;
a configuration naming another site or course is refused with both named, instead of showing
an emulator import under a real site (or one school's meetings under another's course).
A store that held data before bindings existed adopts the first site it is used with, and
says so in a warning log line.

Read commands open the store read-only (``read_only=True``) and never bind it: reading an
unbound store writes nothing, but a bound one is still checked.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lmsync.config import Config
from lmsync.errors import ConfigError, InputError, LmsyncError
from lmsync.log import get_logger
from lmsync.service.out_files import SQLITE_COMPANIONS
from lmsync.store.db import Store, StoreBinding, is_postgres
from lmsync.store.erasures import erased_on
from lmsync.store.integrity import damage
from lmsync.store.unreachable import opened_target, shown_url, store_url

log = get_logger(__name__)

EMULATOR_SITE = "emulator"


def site_of(config: Config) -> str:
    """The site a configuration names: its ``[moodle] url`` without a user or password in it
    (``https://admin:secret@host/`` -> ``https://host/``), or ``emulator``. This name is logged and
    stored in the binding, so a password there never reaches either (tester round 3, 6)."""
    return without_userinfo(config.moodle.url) if config.moodle.url else EMULATOR_SITE


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` taken out of its host part."""
    parts = urlsplit(url.strip())
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def same_site(a: str, b: str) -> bool:
    """Whether two site names (``[moodle] url`` texts, or ``emulator``) are one Moodle: host, port and path,
    case and scheme aside.

    ``http://`` and ``https://`` of one host are one site (a school moving to TLS keeps its store); a trailing
    slash never matters; ``emulator`` is only ever the emulator. A port is compared as its number, and the
    scheme's default port (80 for ``http://``, 443 for ``https://``) as no port; a host's trailing dot (its
    fully qualified form) as none: ``https://moodle.example.edu:443`` was refused as another site than the
    ``https://moodle.example.edu`` its store was bound to (tester round 97b, 7). Never raises: a port that is no
    number is compared as written.
    """

    def key(site: str) -> tuple[str, ...]:
        if site == EMULATOR_SITE:
            return (site,)
        parts = urlsplit(without_userinfo(site.strip()))
        path = parts.path.rstrip("/").lower()
        try:
            port = parts.port
        except ValueError:  # not a number, or out of range: as written
            return (parts.netloc.lower(), path)
        host = (parts.hostname or "").rstrip(".")
        if port is not None and port == _DEFAULT_PORTS.get(parts.scheme.lower()):
            port = None
        return (host, "" if port is None else str(port), path)

    return key(a) == key(b)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def store_target(config: Config) -> Path | str:
    """The store the commands open (``open_store``): the SQLite file of ``[store] path`` (or the default), or of a
    ``sqlite:///`` ``[store] url`` (relative to the current folder, as SQLite takes it: ``opened_target``), or the
    PostgreSQL URL (``:memory:`` for a bare ``sqlite://``). Doctor described ``config.store_path()`` or the URL's
    text instead, and so another store than the commands' (tester round 95b, 1). Raises ConfigError for a
    ``[store] url`` that is no database URL."""
    if config.store.url is None:
        return config.store_path()
    target = opened_target(config.store.url)
    return Path(target) if target != config.store.url and target != ":memory:" else target


def shown_store(config: Config) -> str:
    """The store the commands open, for messages: its file (``store_target``), or its URL with no password; the
    configured text, unparsed, for a ``[store] url`` that is no database URL (the command that opens it says why)."""
    try:
        target = store_target(config)
        url = store_url(target)
    except ConfigError:
        return "[store] url"
    return shown_url(url) if url is not None else str(target)


def check_binding(store: Store, config: Config) -> StoreBinding | None:
    """Bind an unbound writable store to the configured site and course; refuse a mismatch.

    Returns the binding in force (``None`` for an unbound read-only store, or one bound elsewhere that
    holds nothing: the next write rebinds it, so a read such as ``lmsync plan`` goes on as ``sync``
    would). Raises ConfigError naming the store's site and course, the configured ones, and the fix.
    """
    site, course = site_of(config), config.programme.course
    bound = store.binding()
    taken = False  # bound by another process since the read above: its run is still going
    if bound is None:
        if store.read_only:
            return None
        bound, recorded = store.claim_binding(site, course)  # not recorded: another process's, since the read above
        taken = not recorded  # (an existing binding, not said as this run's: tester round 124, 2)
        if recorded and bound.adopted:
            log.warning("store.adopted", path=store.where, site=bound.site, course=bound.course)
        elif recorded:
            log.info("store.bound", path=store.where, site=bound.site, course=bound.course)
    if same_site(bound.site, site) and bound.course == course:
        return bound
    # Bound by a run that wrote nothing (re-test finding 2) is rebound; never one another run made a moment ago,
    # which has yet to write: taking it would leave that run writing into a store bound to this course (review of
    # tester round 124, 2).
    if not taken and not store.holds_data():
        if store.read_only:  # a read takes it as the next write will, and writes nothing (tester round 31, 3)
            return None
        log.warning("store.rebound", path=store.where, site=site, course=course, was_site=bound.site,
                    was_course=bound.course)  # a mistyped course, not only a site (tester round 33, 5)
        try:
            return store.rebind(site, course)
        except ValueError:  # data came in since holds_data: the binding stays, refused below
            pass
    raise ConfigError(
        f"the store {store.where} belongs to site {bound.site}, course {bound.course}; "
        f"this configuration names site {site}, course {course}",
        hint=(  # a new file first read as the fix for one site under a new address: a second store (87b, 3)
            "if [moodle] url / [programme] course is the mistake, correct it; if this is the same site under a new "
            "address, keep this store: stop the timer or daemon, back the store up and update its binding "
            f"(UPDATE store_binding SET site = '{site}', with sqlite3 on the store's file or psql on a PostgreSQL "
            "store: the README's 'A store belongs to the site' paragraph); only for another programme, "
            f'point [store] path at another file (e.g. [store] path = "{_suggested_path(config)}")'
        ),
    )


def open_store(config: Config, *, read_only: bool = False) -> Store:
    """The configured store, checked against the configured site and course (see module doc), and
    for damaged pages first: a run wrote 109 changes to Moodle from a store whose pages a disk had
    overwritten, and failed only at its grades step (tester round 22, 1); a read (plan, queue list, a
    report) on such a store answered "no changes" or an empty queue, exit 0 (tester round 33, 4)."""
    store = Store(config.store.url or config.store_path(), read_only=read_only)
    try:
        if (broken := damage(store)) is not None:
            raise ConfigError(f"the store {store.where} is damaged: SQLite's check says {broken!r}",
                              hint="restore the store from a backup (a migration leaves <name>.db.bak-* beside it)")
        check_binding(store, config)
    except BaseException:
        store.close()
        raise
    return store


def existing_read_only(config: Config) -> Store | None:
    """The configured store opened read-only (``open_store``), or None when it is not made yet (nothing is made here)
    or cannot be opened (an ``LmsyncError`` or ``OSError``: the command or doctor's store check says why)."""
    try:
        target = store_target(config)
        if not is_postgres(target) and not Path(target).exists():
            return None
        return open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return None


def erased_ids(config: Config) -> set[int]:
    """The Moodle ids of the people the programme's store records as erased (``person erase``:
    ``store.erasures``), read from the store opened read-only (no lock, nothing written or bound).

    Empty when nothing was stored yet (no store file: an empty view) or when the store cannot be read
    (the ``ConfigError``/``InputError`` of ``open_store``, an ``OSError``): the caller's own check, or the
    command that opens it, says what is wrong with it; neither error is raised. One rule for ``lmsync
    doctor``'s coordinators check and the coordinators a queue item may go to (tester round 77b, 4)."""
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return set()
    try:
        return set(erased_on(store))
    except (LmsyncError, OSError):
        return set()
    finally:
        store.close()


def warn_if_absent(store: Store) -> None:
    """A warning when a preview reads a store file that does not exist (``health --as-of``, ``nudge
    --dry-run``, ``grades plan``, an export): a mistyped ``[store] path`` reads as an empty programme. Plans and matches
    do not call it: before the first sync there is no store, and that is no news. A view of what the store
    holds (``queue list``, ``meetings list``, ``pair show``, ``report``) refuses instead: ``refuse_if_absent``."""
    if store.read_only and store.path is not None and not store.path.exists():
        log.warning("store.absent", path=store.where,
                    hint="nothing has been stored with this configuration yet; if something has, check [store] path")


def absent_store(config: Config) -> Path | None:
    """The store file the commands would open (``store_target``: ``[store] path`` or the default, or the file of a
    ``sqlite:///`` ``[store] url``) when no file is there yet, taken before ``sync`` or ``run`` opens the store; ``None``
    for a PostgreSQL ``[store] url`` (a server's store is there when it answers), when the file exists, or for a
    ``[store] url`` that is no database URL (the command that opens it says why). ``unmade`` judges it afterwards.
    The other commands that write the store are refused where there is none (``refuse_if_absent``), so only those two
    make one. A ``sqlite:///`` url was never judged: ``health`` made the file it names and queued every pair as new
    (tester round 99a, 1)."""
    try:
        target = store_target(config)
    except ConfigError:
        return None
    return target if isinstance(target, Path) and not target.exists() else None


def unmade(absent: Path | None) -> bool:
    """Remove the store file a failed ``sync`` or ``run`` made where ``absent_store`` found none (``absent``), when
    it holds nothing (``_left_empty``: the site binding is bookkeeping, not data), and say whether it did.

    ``sync`` and ``run`` make the store as a matter of course, and keep it when they succeed; but one refused on a
    mistyped ``[store] path`` left an empty store there, and ``health``, ``queue`` and the imports, refused where
    there is no store (``refuse_if_absent``), then took it for the programme's (tester round 97b, 1). Called by
    ``runtime.store_session`` while the programme lock is held, so no other run has opened the file."""
    try:
        return absent is not None and absent.exists() and _left_empty(absent)
    except OSError:  # a file that cannot be removed stays: the command's own error is what it says
        return False


def _left_empty(made: Path) -> bool:
    """Remove the store a failed command just made at ``made`` when it holds nothing (its file and SQLite's
    companions; the lock file beside it stays, as every lock file does), and say whether it did. A refused
    import left an empty store at a mistyped path, and ``health`` and ``queue list`` then took it for the
    programme's (tester round 82, 6). A store that holds anything is left, and said."""
    try:
        store = Store(made, read_only=True)
        try:
            if store.holds_data():
                return False
        finally:
            store.close()
    except (LmsyncError, OSError, ValueError):
        return False
    for suffix in SQLITE_COMPANIONS:
        made.with_name(made.name + suffix).unlink(missing_ok=True)
    log.info("store.not_kept", path=str(made), hint="the command failed before storing anything: no store was made")
    return True


class StoreAbsent(InputError):
    """The configured store file does not exist (``refuse_if_absent``)."""


def refuse_if_absent(config: Config, action: str, *, holds: str = "nothing to act on") -> None:
    """Raise ``StoreAbsent`` (exit 3) when the configured store file does not exist, before anything opens
    it: ``action`` (``queue ack``, say) acts on what a store holds, so with a mistyped ``[store] path`` it
    could only be refused, and opening the store to say so created and bound an empty one, after which the
    views no longer warned (tester round 38, 1). A view of what a store holds (``holds``: ``nothing to
    show``) is refused too: ``queue list`` run under a coordinator's own account, whose default store path
    is their own, said "the coordinator queue is empty", exit 0 (tester round 77, 6). Recording ``health`` is
    refused too: it made a new store at a mistyped path and queued every pair as new (tester round 79, 6), and so
    is ``import meetings|surveys``: it stored a whole file into a new store at a mistyped path, exit 0 (94a, 4).
    So are ``meetings add``, ``grades push`` and a real ``nudge``: they made a new store there and said so in a
    warning (tester round 81, 1), exit 0, after which ``health`` took it for the programme's and queued every pair
    (tester round 98a, 1); and ``meetings remove``, which said "no stored meeting of this pair" (98a, 7). Only
    ``sync`` and ``run`` (and the demo) make a store. Called before the programme lock is taken: a refusal leaves
    neither a store nor a lock file. The store file is the one the commands open (``absent_store``): a ``sqlite:///``
    ``[store] url`` naming no file is refused as a ``[store] path`` is, the message naming the url and its file; it
    was never refused, and ``health`` made the file and queued every pair as new (tester round 99a, 1). Never raises
    for a PostgreSQL ``[store] url``."""
    if (path := absent_store(config)) is None:
        return
    if config.store.url is None:
        raise StoreAbsent(
            f"{action}: there is no store at {path}: nothing has been stored with this configuration, so it holds "
            f"{holds}",
            hint="point [store] path (or LMSYNC_STORE_PATH) at the programme's store: without it each account has "
                 "its own, under its XDG_STATE_HOME (~/.local/state), and `lmsync doctor` run as the account that "
                 "runs lmsync names that account's; on a new programme, `lmsync sync` or `lmsync run` makes the "
                 "store",
        )
    url = store_url(config.store.url)  # a sqlite:/// url, as absent_store took it
    shown = shown_url(url) if url is not None else "[store] url"  # never a password
    raise StoreAbsent(
        f"{action}: there is no store at {path.absolute()} (the file [store] url {shown} names): nothing has been "
        f"stored with this configuration, so it holds {holds}",
        hint="point [store] url (or LMSYNC_STORE_URL) at the programme's store: sqlite:///NAME is the file NAME in "
             "the current folder, sqlite:////srv/lmsync.db the file /srv/lmsync.db; on a new programme, `lmsync "
             "sync` or `lmsync run` makes the store",
    )


def _suggested_path(config: Config) -> str:
    host = urlsplit(without_userinfo(config.moodle.url)).netloc.replace(":", "_") if config.moodle.url else EMULATOR_SITE
    return str(config.store_path().with_name(f"{config.programme.name}.{host}.db"))
