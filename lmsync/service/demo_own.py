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
once moved. The played term's store (``<programme>.demo.db``) is always the demo's and is not judged here.
"""

from __future__ import annotations

from pathlib import Path

from lmsync.config import Config
from lmsync.errors import InputError

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


def made_by_demo(store: Path) -> bool:
    """Whether ``store`` is the one its marker names (the store's ``bound_at``); False without a marker, or for
    a store that cannot be read: the demo then leaves it alone."""
    try:
        said = marker(store).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(said) and said == _bound_at(store)


def _bound_at(store: Path) -> str | None:
    from lmsync.store.db import Store

    try:
        opened = Store(store, read_only=True)
        try:
            bound = opened.binding()
        finally:
            opened.close()
    except Exception:  # noqa: BLE001 - a store that cannot be read is not known as the demo's: it is left alone
        return None
    return bound.bound_at if bound is not None else None


def refuse_unless_demos(store: Path, site: Path) -> None:
    """Raise ``InputError`` when the demo would set aside or overwrite a file no demo made (module doc)."""
    held = _not_the_demos(store, site)
    if not held:
        return
    listed = " and ".join(str(path) for path in held)
    raise InputError(
        f"lmsync demo changed nothing: {listed} hold{'s' if len(held) == 1 else ''} a programme the demo did not make "
        "(what a lmsync.toml with no [moodle] url and no [store] path uses, or a demo's of an older lmsync), and "
        "the demo starts afresh in that place, setting aside and later overwriting what is there",
        hint=(
            "to keep it, set [store] path in that lmsync.toml to a file in another folder and move the store there "
            f"under that name (with its -wal and -shm files, if any) and its site ({site.name}) into the same folder; "
            "or move them away; then run `lmsync demo` again"
        ),
    )


def _not_the_demos(store: Path, site: Path) -> list[Path]:
    if not store.exists():  # the site alone is overwritten at the end: a demo's, if a demo's store was here
        return [site] if site.exists() and not marker(store).exists() else []
    if not made_by_demo(store):
        return [path for path in (store, site) if path.exists()]
    previous = store.with_name(f"{store.name}.previous")  # replaced by set_aside
    if previous.exists() and not made_by_demo(previous):
        return [path for path in (previous, site.with_name(f"{site.name}.previous")) if path.exists()]
    return []
