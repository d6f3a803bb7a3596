"""``lmsync demo``: the newcomer's whole run against the built-in emulator.

It always uses a fresh demo site (saved in the state directory, so later commands such as
``lmsync plan`` and ``lmsync run`` see the same site, as the programme's store left it: the demo's
term runs on a copy, with a store of its own) and never touches a configured real Moodle.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.config_sites import StoreConfig
from lmsync.errors import PartialFailure
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.serving import refuse_if_served
from lmsync.service import jobs
from lmsync.service.apply import ApplyReport
from lmsync.service.demo_aside import put_back, set_aside
from lmsync.service.demo_own import mark_finished, mark_made, refuse_unless_demos, untouched
from lmsync.service.demo_term import GradesViews, TermAside, run_demo_term, term_dates, term_store_path
from lmsync.service.labels import People
from lmsync.service.lock import programme_lock
from lmsync.service.lock_reentry import held_through
from lmsync.service.match import person_labels
from lmsync.service.moodle import DEMO_PEER_COHORT, announced_elsewhere
from lmsync.service.programme_settings import programme_today
from lmsync.service.report import ReportRenderer, report_job, write_report
from lmsync.service.runtime import lock_for, lock_path


@dataclass(frozen=True)
class DemoViews:
    """The texts the demo prints (``lmsync.render``'s, passed in by the CLI: a service never
    imports a renderer, issue 12)."""

    plan_text: Callable[..., str]  # (Plan, *, detail) -> text
    report_text: Callable[[ApplyReport], str]
    grades: GradesViews
    report: ReportRenderer  # the programme report's page


def demo_config(config: Config) -> Config:
    """The emulator, whatever [moodle] says, the demo site's peer-mentor cohort, and the emulator's own store
    (``$XDG_STATE_HOME/lmsync/emulator/``), whatever [store] says: with a real Moodle configured the demo wrote its
    site and data into the programme's store, which then belonged to the emulator (tester round 85a, 3); with an
    emulator programme in a ``[store] path``, a coordinator's rehearsal, it replaced the rehearsal's site and synced
    the fresh demo site into its store (tester round 92a, 1)."""
    moodle = config.moodle.model_copy(update={"url": None})
    programme = config.programme
    if programme.peer_mentor_cohort is None:
        programme = programme.model_copy(update={"peer_mentor_cohort": DEMO_PEER_COHORT})
    # The [matching] decisions about people name another site's people: a rehearsal's pins stopped the demo,
    # which then advised removing them from the rehearsal's lmsync.toml (tester round 93a, 1).
    matching = config.matching.model_copy(update={name: [] for name in PEOPLE_DECISIONS})
    return config.model_copy(update={"moodle": moodle, "programme": programme, "matching": matching,
                                     "store": StoreConfig()})


PEOPLE_DECISIONS = ("pins", "forbids", "rematch")
"""The [matching] entries that name people, which ``demo_config`` leaves out: the demo site has people of its own."""


def decisions_left_out(config: Config) -> list[str]:
    """The [matching] entries about people that ``config`` holds and the demo leaves out (``demo_config``)."""
    return [name for name in PEOPLE_DECISIONS if getattr(config.matching, name)]


def configured_elsewhere(config: Config) -> bool:
    """Whether ``config`` names a Moodle or a store of its own, which the demo leaves alone (``demo_config``)."""
    return config.moodle.url is not None or config.store.path is not None or config.store.url is not None


@dataclass(frozen=True)
class _Named:
    username: str
    fullname: str


def site_people(site: Any, *, show_names: bool = True) -> People:
    """Labels for the emulator site's users (``Ada Lovelace (s0006)``), read from its state, not over the API."""
    roster = {u.id: _Named(u.username, f"{u.firstname} {u.lastname}".strip()) for u in site.users.values()}
    return People(roster, show_names=show_names)


def run_demo(config: Config, echo: Callable[[str], None], views: DemoViews, *,
             should_stop: Callable[[], bool] = lambda: False) -> None:
    """Sync the emulator's demo site, re-plan (zero changes), run a term and write its report.

    Everything is printed through ``echo`` in ``views``' words. Raises ``LockedError`` (exit 4, nothing moved) when
    another run holds the lock of the demo's store or of its played term's, ``InputError`` (exit 3) and
    ``ConfigError`` (exit 2) for stores and a site that are not the demo's to set aside (``demo_own``, ``serving``),
    and ``DemoStopped`` (exit 1) once ``should_stop()`` (a SIGTERM or Ctrl-C: ``jobs.StopFlag``) is true, checked
    between steps: the previous demo's store, site and played term's store are then back where they were, and
    the demo says so (README, `lmsync demo`; tester rounds 97b, 3 and 99b, 4 and 5).
    """
    if configured_elsewhere(config):  # "sets no [moodle] url" was false, and the store was the programme's (85a, 3)
        if config.moodle.url is not None:
            announced_elsewhere()
        echo(f"The demo runs on the built-in emulator with a store of its own: the Moodle and the store "
             f"{config.source or 'lmsync.toml'} configures are left alone.")
    if left_out := decisions_left_out(config):
        echo(f"The demo matches the demo site's people alone: the [matching] {', '.join(left_out)} of "
             f"{config.source or 'lmsync.toml'} name other people and are left out (the file is not changed).")
    config = demo_config(config)
    store, saved = config.store_path(), config.emulator_state_path()
    term_store = term_store_path(config)
    term_lock = lock_path(config.model_copy(update={"store": StoreConfig(path=term_store)}))
    # The locks of the demo's store and of the played term's, taken before the demo looks at anything and held
    # until its markers are written: another run on either (a `sync --wait` after a demo, a second demo) is refused,
    # exit 4, before anything is set aside (tester rounds 96b, 7 and 98b, 1). They were only tried here, and let
    # go: a second demo started while the first ran set aside its half-made stores (tester round 99b, 3).
    made = [path for path in (lock_path(config), term_lock) if not path.exists()]
    with lock_for(config), programme_lock(term_lock), held_through(lock_path(config), term_lock):
        try:
            # a practice run's store and site there are not the demo's to set aside, nor a .previous holding
            # added data
            refuse_unless_demos(store, saved, term_store)
            # a running `emulator serve` on that site saved its old state over the demo's new one (96b, 2)
            refuse_if_served(saved, "the demo's new site, which would then no longer match the demo's store")
            if should_stop():  # asked for while the demo started
                raise DemoStopped("lmsync demo stopped on request before it began: nothing was changed",
                                  hint="run `lmsync demo` again")
        except BaseException:  # refused with nothing changed: nor a lock file left that it made, removed while
            for path in made:  # still held (a refusal made none, when it tried the locks after these checks)
                path.unlink(missing_ok=True)
            raise
        _aside_and_run(config, echo, views, _stop_check(should_stop))


def _stop_check(should_stop: Callable[[], bool]) -> Callable[[], None]:
    """A call between the demo's steps that raises ``DemoStopped`` once ``should_stop()`` is true."""

    def check() -> None:
        if should_stop():
            raise DemoStopped("lmsync demo stopped on request before it finished",
                              hint="run `lmsync demo` again: it starts afresh")
    return check


def _aside_and_run(config: Config, echo: Callable[[str], None], views: DemoViews, stopped: Callable[[], None]) -> None:
    """Set the previous demo's store, site and played term's store aside, run the demo, mark what it made; put them
    back when it fails or is stopped part-way, and say so. Called holding both stores' locks (``run_demo``)."""
    store, saved, term_store = config.store_path(), config.emulator_state_path(), term_store_path(config)
    site = build_demo_site()
    echo(f"Built-in Moodle emulator: demo site, course {config.programme.course}; state in {saved}")
    site_was_there = saved.exists()
    site_moved = store.exists() and site_was_there  # set_aside moves the site only beside a store
    added = store.exists() and not untouched(store, saved)  # data added after that demo: kept, never overwritten
    if moved := set_aside(store, saved):
        echo(f"The previous demo's store is kept as {moved}: a fresh demo site starts a fresh store.")
        if added:
            echo(f"It holds data added after that demo: the next `lmsync demo` stops until {moved} is moved away.")
    # the played term's store is set aside here, not when the term begins, so that a stop puts it back with the
    # programme's (tester round 98b, 2: a half-made one was left, and the next demo called it changed)
    term = TermAside(added=term_store.exists() and not untouched(term_store, None), kept=set_aside(term_store))
    try:
        mark_made(config)  # the store the next demo may set aside (demo_own)
        stopped()
        _run_demo(config, site, echo, views, term, stopped)
        stopped()
        mark_finished(store, saved)  # its content as the demo leaves it: changed later, it is never overwritten
        mark_finished(term_store, None)
    except BaseException:
        put_back(store, saved if site_moved or not site_was_there else None, kept=moved, site_kept=site_moved)
        put_back(term_store, None, kept=term.kept, site_kept=False)
        # "kept as .previous" was said, and is no longer so (tester round 97b, 3), of the site too (99b, 4)
        with contextlib.suppress(OSError, ValueError):  # unless the output is gone (a closed pipe: `| head`)
            if back := put_back_text(store if moved else None, saved if site_moved else None,
                                     term_store if term.kept else None):
                echo(back)
        try:
            stopped()
        except DemoStopped as stop:  # whatever a stop request raised where it landed is the stop: a second Ctrl-C
            raise stop from None  # inside SQLite's calls said "Cannot operate on a closed database" (99b, 4)
        raise


class DemoStopped(PartialFailure):
    """A stop request (SIGTERM, Ctrl-C) ended the demo between two steps (exit 1, as every stopped run)."""


def put_back_text(store: Path | None, site: Path | None, term_store: Path | None) -> str | None:
    """What a demo stopped part-way says of the files it put back where they were (``None``: it had set none
    aside): the previous demo's store, its site, the played term's store; the site went unnamed (99b, 4)."""
    back = [f"{what} at {path}" for what, path in (("the previous demo's store", store), ("its site", site),
                                                   ("the played term's store", term_store)) if path is not None]
    if not back:
        return None
    listed = back[0] if len(back) == 1 else ", ".join(back[:-1]) + " and " + back[-1]
    return f"The demo stopped before it finished; back where they were, no longer kept as .previous: {listed}."


def _run_demo(config: Config, site: Any, echo: Callable[[str], None], views: DemoViews, aside: TermAside,
              stopped: Callable[[], None] = lambda: None) -> None:
    plan_text, report_text = views.plan_text, views.report_text
    echo("")
    people = site_people(site, show_names=config.privacy.show_names)  # the plan names people, never bare ids
    result = jobs.sync_job(config, site=site, on_plan=lambda plan: echo(plan_text(plan, detail=3, people=people)))
    stopped()
    for report in result.reports:
        echo(report_text(report))
    echo("")
    if result.desired is not None:
        labels = person_labels(result.desired.people, show_names=config.privacy.show_names)
        for line in result.desired.summary_lines(labels):
            echo(line)
        echo("")
    echo("Second plan (a re-run must change nothing):")
    again = jobs.plan_job(config, site=site)  # its own site: an LMSYNC_TOKEN set in the shell stops no demo
    echo(plan_text(again.plan, people=people))
    echo("")
    stopped()
    # The term (its own store) writes grade items and Feedback answers that the programme's store
    # cannot prove are its own: a later `lmsync run` then left them "for an admin" and exited 2
    # (tester finding 8). The term runs on a copy; the saved site stays the programme's own.
    synced = copy.deepcopy(site)
    term = run_demo_term(config, site, echo, views.grades, aside=aside, stopped=stopped)
    echo("")
    page = term.store_path().with_name(f"{config.programme.name}.report.html")
    write_report(report_job(term, as_of=term_dates(programme_today(term))[1], site=site), page, views.report)
    stopped()
    synced.save(config.emulator_state_path())
    echo(f"Programme report (open it in a browser): {page}")
