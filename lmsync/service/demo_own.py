"""Which store a demo made: ``lmsync demo`` sets aside, overwrites or deletes only those.

The demo works in the emulator's own folder under the names a configuration with no ``[moodle] url`` and no
``[store] path`` uses (its store ``<programme>.db``, its site ``<programme>.emulator.json``), so that after it
``lmsync run`` and ``sync`` use the demo's store and site. A practice run of such a configuration keeps its
programme there too: the demo set it aside as "the previous demo's store" and, run again, overwrote that copy,
its meetings and its edited site with it (tester finding: a demo beside a rehearsal with no url and no store path).

Shapes: the demo marks the store it makes (``mark_made``) with ``<store>.made-by-demo``, a side file holding the
store's ``bound_at`` (when the store was first bound to a site: written once, as the store is made). The marker
travels with the store (``demo_aside._STORE_FILES``: set aside as ``.previous``, put back after a failed demo), and
names that one store: a store made later at the same path (after the demo's was moved away by hand, the marker
left behind) is not taken for the demo's, and a copy of the demo's still is.

Errors: ``refuse_unless_demos`` raises ``InputError`` (exit 3), before the demo moves or writes anything, naming
each file the demo would set aside or overwrite that no demo marked: the store and its site, the store's
``.previous`` and its site's, or a saved site with no store and no marker (``lmsync emulator edit`` before any
sync). A store left by a demo of an older lmsync carries no marker: it is refused once the same way, and gone
once moved.

Data added to the demo's store (tester finding: after a demo, ``lmsync meetings add`` with no lmsync.toml wrote to
the demo's store, which the next demo set aside as "the previous demo's store" and the one after overwrote): when a
demo finishes (``mark_finished``) its marker gains a fingerprint of the store as the demo left it (a SHA-256 of
``Store.contents()``, every row of every table: an acknowledged queue item changes no row count) and of its saved
site's bytes. A store whose content (or site) no longer matches holds data someone added (``meetings add``, ``sync``,
``run``, ``health``, ``queue ack``, ``emulator edit``, ...); reads (``plan``, ``doctor``, ``queue list``) change
nothing. Such a store is still set aside once (``added_since``: the demo says so), but a ``.previous`` is replaced
only when its marker records exactly what it holds (``untouched``): otherwise ``refuse_unless_demos`` raises
``InputError`` (exit 3, nothing moved) naming it and telling to move it away. A marker with no fingerprint (a demo
that did not finish, or of the lmsync before this rule) counts as holding added data. The same holds for the played
term's store (``<programme>.demo.db``, where ``queue ack`` may have been run through ``<programme>.demo.toml``).
Refusing, rather than keeping copies under new names, is the simplest rule that never loses data and never fills
the folder: only one ``.previous`` of each is ever kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lmsync.config import Config
from lmsync.errors import InputError

T = TypeVar("T")

#: The marker's suffix, beside the store file (``<store>.made-by-demo``).
MARKER = ".made-by-demo"


def marker(store: Path) -> Path:
    return Path(f"{store}{MARKER}")


def mark_made(config: Config) -> None:
    """Make the demo's store (none is there: ``set_aside`` moved it) bound to the emulator, and mark it."""
    from lmsync.service.stores import open_store

    store = open_store(config)  # makes the store and binds it to the emulator and the demo's course
    try:
        bound = store.binding()
    finally:
        store.close()
    assert bound is not None  # a writable open binds
    marker(config.store_path()).write_text(bound.bound_at + "\n", encoding="utf-8")


def mark_finished(store: Path, site: Path | None) -> None:
    """Record in ``store``'s marker the fingerprint of its content as the demo leaves it, and of its saved ``site``
    (``None``: the played term's store has none): lines ``bound_at``, store digest, site digest (module doc)."""
    lines = [_bound_at(store) or "", _store_digest(store) or "", _file_digest(site) if site is not None else "-"]
    marker(store).write_text("\n".join(lines) + "\n", encoding="utf-8")


def made_by_demo(store: Path) -> bool:
    """Whether ``store`` is the one its marker names (the store's ``bound_at``); False without a marker, or for
    a store that cannot be read: the demo then leaves it alone."""
    said = _said(store)
    return bool(said) and said[0] == _bound_at(store)


def untouched(store: Path, site: Path | None) -> bool:
    """Whether ``store`` (and its ``site``, when there) hold exactly what the demo that made them left: False for
    data added since, a marker without fingerprint, no marker, or a store that cannot be read (module doc)."""
    said = _said(store)
    if len(said) < 3 or not said[1] or said[1] != _store_digest(store):
        return False
    return site is None or not site.exists() or said[2] == _file_digest(site)


def _said(store: Path) -> list[str]:
    try:
        return marker(store).read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _read(store: Path, read: Callable[[Any], T]) -> T | None:
    """``read(the store opened read-only)``, or None when the store cannot be read: such a store is neither known
    as the demo's nor as left as the demo left it, so it is left alone."""
    from lmsync.store.db import Store
    from lmsync.store.suite_engine import OutsideTheSuite

    try:
        opened = Store(store, read_only=True)
        try:
            return read(opened)
        finally:
            opened.close()
    except OutsideTheSuite:  # the test-only switch left set: its own error, not "a programme the demo did not
        raise  # make" of the demo's own store (tester round 97b, 5)
    except Exception:  # noqa: BLE001 - whatever keeps it from being read, the store is not proven the demo's
        return None


def _store_digest(store: Path) -> str | None:
    contents = _read(store, lambda opened: opened.contents())
    return None if contents is None else hashlib.sha256(repr(sorted(contents.items())).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "-"


def _bound_at(store: Path) -> str | None:
    bound = _read(store, lambda opened: opened.binding())
    return bound.bound_at if bound is not None else None


def refuse_unless_demos(store: Path, site: Path, term: Path) -> None:
    """Raise ``InputError`` when the demo would set aside or overwrite a file no demo made, or a ``.previous``
    holding data added after its demo (``term``: the played term's store); module doc."""
    held = _not_the_demos(store, site)
    if held:
        listed = " and ".join(str(path) for path in held)
        raise InputError(
            f"lmsync demo changed nothing: {listed} hold{'s' if len(held) == 1 else ''} a programme the demo did not "
            "make (what a lmsync.toml with no [moodle] url and no [store] path uses, or a demo's of an older lmsync), "
            "and the demo starts afresh in that place, setting aside and later overwriting what is there",
            hint=(
                "to keep it, set [store] path in that lmsync.toml to a file in another folder and move the store "
                f"there under that name (with its -wal and -shm files, if any) and its site ({site.name}) into the "
                "same folder; or move them away; then run `lmsync demo` again"
            ),
        )
    added = _added_to(store, site) + _added_to(term, None)
    if added:
        listed = " and ".join(str(path) for path in added)
        raise InputError(
            f"lmsync demo changed nothing: {listed} hold{'s' if len(added) == 1 else ''} data added after the demo "
            "that made it (meetings, a sync or run, health, a queue acknowledgement, an edit of the site; or that demo "
            "did not finish), and the demo would overwrite it with the store it sets aside now",
            hint=f"to keep {_it(added)}, move {_it(added)} away or rename {_it(added)} (with the -wal and -shm files "
                 "beside a store, if any); then run `lmsync demo` again",
        )


def _it(paths: list[Path]) -> str:
    """"it" or "them" for the files a refusal names: two listed were told to "move it away" (tester round 97b, 8)."""
    return "it" if len(paths) == 1 else "them"


def _not_the_demos(store: Path, site: Path) -> list[Path]:
    if not store.exists():  # the site alone is overwritten at the end: a demo's, if a demo's store was here
        return [site] if site.exists() and not marker(store).exists() else []
    if not made_by_demo(store):
        return [path for path in (store, site) if path.exists()]
    previous = _previous(store)  # replaced by set_aside
    if previous.exists() and not made_by_demo(previous):
        return [path for path in (previous, _previous(site)) if path.exists()]
    return []


def _added_to(store: Path, site: Path | None) -> list[Path]:
    """The ``.previous`` of ``store`` (and of its site) that setting ``store`` aside would replace, when they hold
    data added after their demo."""
    previous = _previous(store)
    if not store.exists() or not previous.exists():
        return []
    site_previous = _previous(site) if site is not None else None
    if untouched(previous, site_previous):
        return []
    return [path for path in (previous, site_previous) if path is not None and path.exists()]


def _previous(path: Path) -> Path:
    return path.with_name(f"{path.name}.previous")
