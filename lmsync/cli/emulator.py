"""``lmsync emulator``: run the built-in Moodle emulator for demos and local testing.

``serve`` answers Moodle's REST protocol on a local port (state saved to ``--state`` after each
write, so a demo survives restarts); with ``--cost moodle45 --workers N`` it costs like Moodle
(the recording site's per-request and per-item times, :mod:`lmsync.moodle.emulator.cost`) and
answers at most N requests at once. ``reset`` writes a fresh demo site to the state file, an emulator state
file or a new path, never lmsync's own files nor any other (``out_files.state_refusal``, tester round 104b, 1).
``edit`` changes the site as Moodle's own pages would, to rehearse a term
(:mod:`lmsync.service.emulator_edit`); its ``--state`` file must exist (tester round 104b, 8).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from lmsync.cli import AppContext, examples
from lmsync.errors import ConfigError, InputError, LmsyncError, LockedError
from lmsync.moodle.emulator import DEMO_TOKEN, Site, build_demo_site, cost_model
from lmsync.moodle.emulator.cost import COST_MODELS
from lmsync.moodle.emulator.server import REST_PATH, make_server
from lmsync.moodle.emulator.serving import ServingLock, refuse_if_served, serving
from lmsync.service import emulator_edit as edits
from lmsync.service import emulator_edit_objects as objects


@click.group("emulator", epilog=examples("lmsync emulator serve --port 8765 --state demo.json"))
def command() -> None:
    """A stateful Moodle 4.5 emulator (demo site: MENTOR-2026 before lmsync ran)."""


@command.command(
    "serve",
    epilog=examples(
        "lmsync emulator serve --port 8765 --state demo.json",
        "lmsync emulator serve --cost moodle45 --workers 4",
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (1-65535; 0: any free port, shown when it starts).")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="State file: loaded if present (else the demo site), saved after every write.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site when no state exists.")
@click.option("--cost", "cost", type=click.Choice(["none", *COST_MODELS], case_sensitive=False), default="none", show_default=True,
              help="Charge each request what Moodle takes for it: moodle45 = Moodle 4.5.6 as timed on the "
                   "recording site (about 20 ms per request, ~4 ms per member added, ~1-4 ms per group "
                   "created; ../shared/moodle/TIMINGS.md). none answers at once.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Answer at most N requests at once, like N PHP workers (1 serialises). Default: no limit.")
def serve_command(host: str, port: int, state: Path | None, seed: int, cost: str, workers: int | None) -> None:
    """Serve the emulator until interrupted.

    For benchmarks, --cost moodle45 --workers 4 costs like a Moodle 4.5 behind four PHP workers.
    """
    with contextlib.ExitStack() as stack:
        held = stack.enter_context(serving(state)) if state is not None else None  # round 24, 3
        _serve(host, port, state, seed, cost, workers, held)


def _serve(host: str, port: int, state: Path | None, seed: int, cost: str, workers: int | None,
           held: ServingLock | None) -> None:
    site = (_load(state, None, "or a new path (a demo site is saved there)") if state is not None and state.exists()
            else build_demo_site(seed))
    if state is not None and not state.exists():
        site.save(state)
    try:
        server = make_server(site, host=host, port=port, state_path=state, verbose=True,
                             cost=cost_model(cost), workers=workers)
    except OSError as exc:  # tester finding: a port in use (or a host not ours) is one line, not a traceback
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is already in use",
                              hint="pick another with --port (or stop what listens there)") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="pick another --host or --port") from None
    def stop(_signum: int, _frame: object) -> None:  # SIGTERM as Ctrl-C: the state file's marker goes (round 67, 7)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # before the address is said: a client may stop it at once
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    if held is not None:
        held.announce(f"http://{bound_host}:{bound_port}")
    click.echo(f"Moodle emulator at http://{bound_host}:{bound_port}  (REST: {REST_PATH})")
    click.echo(f"token: {DEMO_TOKEN}  (the emulator's own demo token, not a secret)")
    click.echo(f"state: {state if state is not None else 'in memory only'}")
    click.echo(f"cost: {cost}; workers: {workers if workers is not None else 'no limit'}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


@command.command("reset", epilog=examples("lmsync emulator reset --state demo.json"))
@click.option("--state", "state", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Emulator state file to overwrite, or a new path.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Seed of the demo site.")
@click.pass_context
def reset_command(ctx: click.Context, state: Path, seed: int) -> None:
    """Overwrite the state file with a fresh demo site.

    FILE must be an emulator state file or a new path: the programme's own files (its store, the lock, the
    configuration, the token file) and any other file are refused (exit 3), nothing written. When FILE is the
    configured programme's own saved site, this takes the programme's lock: refused (exit 4) while another run
    holds it, as `lmsync emulator edit` is.
    """
    app = ctx.find_root().obj
    try:  # a configuration that does not load runs nothing that could save its site over this reset
        config = app.config() if isinstance(app, AppContext) else None
    except LmsyncError:
        config = None
    _refuse_reset(state, app, config)  # tester round 104b, 1: before the lock (a store is no site)
    refuse_if_served(state, "this reset")
    with _programme_lock(config, state) if config is not None else contextlib.nullcontext():  # 102b, 2
        build_demo_site(seed).save(state)
    click.echo(f"reset {state} to the demo site (seed {seed})")


def _refuse_reset(state: Path, app: Any, config: Any) -> None:
    """Refuse ``reset --state`` on lmsync's own files or a file that is not an emulator state (``state_refusal``):
    ``config`` (a ``Config``, None: it did not load, and ``own_files`` reads what its file names). Raises
    ``InputError`` (exit 3); tester round 104b, 1: the store, the configuration and a held lock were replaced."""
    from lmsync.service.out_files import folder_refusal, own_files, state_refusal

    own = own_files(getattr(app, "config_path", None)) if config is None else []
    site = _own_site(config) if config is not None and config.uses_emulator else None
    reason = state_refusal(state, config, own, site=site)
    if reason is not None:
        raise InputError(f"--state {reason}", hint="give --state an emulator state file (the programme's own is "
                         f"{_site_name(config)}) or a new path: reset replaces no other file")
    missing = folder_refusal(state, "--state")
    if missing is not None:
        raise InputError(missing[0], hint=missing[1])


def _own_site(config: Any) -> Path:
    """The programme's emulator site file (``config``: a ``Config``): ``emulator_site_file.site_file``, its store's
    after a rename of ``[programme] name`` (tester round 117b, 7)."""
    from lmsync.service.emulator_site_file import site_file

    return site_file(config)


def _site_name(config: Any) -> str:
    """The programme's own emulator site for a hint: its path (``config``: a ``Config``), else its pattern."""
    if config is not None and config.uses_emulator:
        return str(_own_site(config))
    return "<programme>.emulator.json beside its store"


def _load(state: Path, config: Any, fix: str) -> Site:
    """``Site.load(state)``; a file that is not an emulator state file (``is_emulator_state``), nor the programme's
    own site (``config``: a ``Config`` or None), is refused with ``fix``, not with reset's, which refuses such a
    file (tester round 104b, 1). Raises ``InputError`` (exit 3)."""
    from lmsync.service.out_files import is_emulator_state

    try:
        return Site.load(state)
    except InputError as exc:
        own = config is not None and config.uses_emulator and _same_file(state, _own_site(config))
        if own or is_emulator_state(state):  # a damaged site: `emulator reset` remakes it there
            raise
        raise InputError(exc.message, hint=f"point --state at the emulator's site file (the programme's own is "
                         f"{_site_name(config)}), {fix}") from None


@command.group("edit", epilog=examples(
    "lmsync emulator edit suspend s0058", "lmsync emulator edit field m0003 mentorcapacity 2",
    "lmsync emulator edit join m0100 --role teacher --name 'Greg Newmentor' --field mentorcapacity=3",
    "lmsync emulator edit move s0043 --to m0100",
))
def edit_group() -> None:
    """Change the built-in emulator's course as Moodle's own pages would: rehearse a term.

    Edits the programme's saved emulator site (the one every command uses when no Moodle is
    configured), or the file given with --state; then `lmsync plan` shows what lmsync makes of it.
    """


@contextlib.contextmanager
def _programme_lock(config: Any, state: Path | None) -> Iterator[None]:
    """Hold the programme's lock (``runtime.lock_for``) for a change to ``state``, a site file (None: the programme's
    own), when a run of ``config`` (a ``Config``) saves that site as it ends: no ``[moodle] url``, a SQLite store,
    and ``state`` None or the programme's own site (``Config.emulator_state_path``, from ``config_sites``) by its
    resolved path, links followed, or as one file. Raises ``LockedError`` (exit 4) while another run holds it, its
    fix without ``--wait``, which neither command takes: a change saved meanwhile was said and then lost (tester
    round 101a, 3), and ``--state`` naming that very file slipped past (tester round 102b, 2). Any other
    ``state``: no lock."""
    if not config.uses_emulator or (config.store.url or "").lower().startswith("postgres") or (
            state is not None and not _same_file(state, _own_site(config))):
        yield
        return
    from lmsync.service.runtime import lock_for

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(lock_for(config))
        except LockedError as exc:
            raise LockedError(exc.message, hint="wait for it to finish, then run this command again") from None
        yield


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: one resolved path (``os.path.realpath``: links followed, a loop left
    as it is), or, both existing, one inode (a hard link)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _edit(ctx: click.Context, state: Path | None, change: Any) -> None:
    """Load the site, apply ``change(site, course, programme)``, save, and say what changed."""
    config = ctx.obj.config()
    if state is None and not config.uses_emulator:
        raise ConfigError("`lmsync emulator edit` changes the built-in emulator, and a Moodle is configured",
                          hint="pass --state FILE to edit an emulator state file")
    from lmsync.service.moodle import emulator_site

    if state is not None:
        _refuse_missing(state, config)
    refuse_if_served(state if state is not None else _own_site(config), "this edit")  # round 24, 3
    # a run holding the programme's lock saves the site as it ends: an edit saved meanwhile was said and then lost
    # (tester round 101a, 3), --state naming that site too (tester round 102b, 2); refused instead, exit 4
    with _programme_lock(config, state):
        if state is None:
            path, site = _own_site(config), emulator_site(config)  # the demo site until a command saved one
        else:
            path, site = state, _load(state, config, "or make a new one: `lmsync emulator reset --state NEW.json`")
        course = edits.course_of(site, config.programme.course)
        line = change(site, course, config.programme.name)
        site.save(path)
    click.echo(f"{line}  (saved to {path})")


def _refuse_missing(state: Path, config: Any) -> None:
    """Refuse ``edit --state`` on a file that does not exist, or in a folder that does not exist (``folder_refusal``,
    as ``--out``): a misspelt name made a new demo site and edited that, exit 0 (tester round 104b, 8). ``config``: a
    ``Config``. Raises ``InputError`` (exit 3)."""
    from lmsync.service.out_files import folder_refusal

    missing = folder_refusal(state, "--state")
    if missing is not None:
        raise InputError(missing[0], hint=missing[1])
    if not state.exists():
        raise InputError(f"--state {state}: no such file; nothing edited",
                         hint=f"check the name (the programme's own site is {_site_name(config)}), or make one "
                              f"first: `lmsync emulator reset --state {state}`")


STATE = click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Emulator state file to edit, which must exist (default: the programme's built-in emulator).")


def _enrolment_command(name: str, suspended: bool, summary: str) -> None:
    """``edit suspend`` / ``edit restore``: WHO's enrolment in the programme course."""

    @edit_group.command(name, help=summary, epilog=examples(f"lmsync emulator edit {name} s0058",
                                                            f"lmsync emulator edit {name} m0007 --account"))
    @click.argument("who")
    @click.option("--account", is_flag=True, help="The Moodle account (Site administration > Users), not the enrolment: "
                  "the person stays enrolled and in their groups, and cannot log in (trap 41).")
    @STATE
    @click.pass_context
    def enrolment_command(ctx: click.Context, who: str, account: bool, state: Path | None) -> None:
        if account:  # rehearse trap 41 (tester round 85b, 1: only an enrolment could be suspended)
            _edit(ctx, state, lambda site, _c, _p: edits.set_account_suspended(site, edits.user_of(site, who), suspended))
        else:
            _edit(ctx, state, lambda site, course, _p: edits.set_suspended(site, course, edits.user_of(site, who), suspended))


_enrolment_command("suspend", True, "Suspend WHO's enrolment in the programme course (a leave, unpaid fees, a student who left).")
_enrolment_command("restore", False, "Make WHO's suspended enrolment active again (back after a break).")


@edit_group.command("unenrol", epilog=examples("lmsync emulator edit unenrol s0058"))
@click.argument("who")
@STATE
@click.pass_context
def unenrol_command(ctx: click.Context, who: str, state: Path | None) -> None:
    """Unenrol WHO from the programme course (they left for good; their groups go too, the account stays)."""
    _edit(ctx, state, lambda site, course, _p: edits.unenrol(site, course, edits.user_of(site, who)))


@edit_group.command("role", epilog=examples("lmsync emulator edit role m0003 student",
                                            "lmsync emulator edit role s0004 teacher --remove"))
@click.argument("who")
@click.argument("role")
@click.option("--remove", is_flag=True, help="Take the role away instead (not the enrolment's own role).")
@STATE
@click.pass_context
def role_command(ctx: click.Context, who: str, role: str, remove: bool, state: Path | None) -> None:
    """Give WHO a second course role (a mentor who is also a student: [matching] dual_role), or take it away
    with --remove; their enrolment stays (tester round 64, 10: only the state file could be edited)."""
    _edit(ctx, state, lambda site, course, _p: edits.second_role(site, course, edits.user_of(site, who), role, remove))


@edit_group.command("field", epilog=examples("lmsync emulator edit field m0003 mentorcapacity 2",
                                             "lmsync emulator edit field m0008 mentorcapacity -1"),
                    context_settings={"ignore_unknown_options": True})  # VALUE -1 is no option (117b, 9)
@click.argument("who")
@click.argument("name")
@click.argument("value")
@STATE
@click.pass_context
def field_command(ctx: click.Context, who: str, name: str, value: str, state: Path | None) -> None:
    """Set WHO's custom profile field NAME to VALUE ("" clears it), e.g. mentorcapacity 2; a VALUE such as -1 is
    taken as it is, not as an option."""
    _edit(ctx, state, lambda site, _c, _p: edits.set_field(site, edits.user_of(site, who), name, value))


@edit_group.command("join", epilog=examples(
    "lmsync emulator edit join m0100 --role teacher --name 'Greg Newmentor' --field mentorcapacity=3"))
@click.argument("username")
@click.option("--role", default="student", show_default=True,
              help="Course role: a mentor role of [programme] mentor_roles (the demo's: teacher), or student.")
@click.option("--name", default="", help="First and last name (default: the username).")
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE", help="A custom profile field (repeatable).")
@STATE
@click.pass_context
def join_command(ctx: click.Context, username: str, role: str, name: str, fields: tuple[str, ...], state: Path | None) -> None:
    """A new person joins the programme course: a new account enrolled with --role (an account
    unenrolled before is enrolled again)."""
    parsed = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--field")
        parsed[key.strip()] = value.strip()
    _edit(ctx, state, lambda site, course, _p: edits.join(site, course, username, role, name or username, parsed))


@edit_group.command("move", epilog=examples("lmsync emulator edit move s0043 --to m0100",
                                            "lmsync emulator edit move s0043 --out"))
@click.argument("who")
@click.option("--to", "mentor", default=None, help="The mentor whose circle WHO joins (omit with --out).")
@click.option("--out", "out", is_flag=True, help="Take WHO out of every circle of the programme, into none.")
@STATE
@click.pass_context
def move_command(ctx: click.Context, who: str, mentor: str | None, out: bool, state: Path | None) -> None:
    """Move WHO between circles by hand, as a teacher would on Moodle's Groups page."""
    if (mentor is None) == (not out):
        raise click.UsageError("give --to MENTOR, or --out")

    def change(site: Any, course: Any, programme: str) -> str:
        target = edits.user_of(site, mentor) if mentor is not None else None
        return edits.move(site, course, programme, edits.user_of(site, who), target)

    _edit(ctx, state, change)


# --- other people's objects: a lived-in course (tester round 130b, 3) --------------------------------------------


@edit_group.command("group", epilog=examples("lmsync emulator edit group 'Tutor group 3' --member s0008 --member s0009",
                                             "lmsync emulator edit group 'Circle: Ada Lovelace' --grouping 'Tutor groups'"))
@click.argument("name")
@click.option("--idnumber", default="", help="Its ID number (default: none).")
@click.option("--member", "members", multiple=True, metavar="WHO", help="A participant to add (repeatable).")
@click.option("--grouping", default=None, help="A grouping of the course to put it in.")
@STATE
@click.pass_context
def group_command(ctx: click.Context, name: str, idnumber: str, members: tuple[str, ...], grouping: str | None,
                  state: Path | None) -> None:
    """A teacher's group in the programme course (Groups > Create group), lmsync's name or not: rehearse a course
    that already holds other people's groups, which lmsync must leave alone."""
    _edit(ctx, state, lambda site, course, _p: objects.group(site, course, name, idnumber, members, grouping))


@edit_group.command("grouping", epilog=examples("lmsync emulator edit grouping 'Tutor groups'"))
@click.argument("name")
@click.option("--idnumber", default="", help="Its ID number (default: none).")
@STATE
@click.pass_context
def grouping_command(ctx: click.Context, name: str, idnumber: str, state: Path | None) -> None:
    """A teacher's grouping in the programme course (Groups > Groupings), empty: `edit group --grouping` fills it."""
    _edit(ctx, state, lambda site, course, _p: objects.grouping(site, course, name, idnumber))


@edit_group.command("discussion", epilog=examples("lmsync emulator edit discussion 'Welcome & first steps'",
                                                  "lmsync emulator edit discussion 'Exam week' --group 'Tutor group 3'"))
@click.argument("subject")
@click.option("--forum", default=None, help="The forum's name or course-module id (default: [programme] forum).")
@click.option("--group", "group_name", default=None, help="The group it is for (default: all participants).")
@click.option("--message", default="", help="Its text (HTML; default: the subject).")
@STATE
@click.pass_context
def discussion_command(ctx: click.Context, subject: str, forum: str | None, group_name: str | None, message: str,
                       state: Path | None) -> None:
    """A teacher's discussion in a forum of the programme course, beside lmsync's welcome posts."""
    forum_name = forum if forum is not None else ctx.obj.config().programme.forum
    _edit(ctx, state, lambda site, course, _p: objects.discussion(site, course, forum_name, subject, message, group_name))


@edit_group.command("grade-item", epilog=examples("lmsync emulator edit grade-item lmsync_attendance --grade s0008=70",
                                                  "lmsync emulator edit grade-item 'Reflective log' --max 10"))
@click.argument("name")
@click.option("--max", "grademax", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
              help="Its maximum grade.")
@click.option("--grade", "grades", multiple=True, metavar="WHO=VALUE", help="A grade a teacher gave (repeatable).")
@STATE
@click.pass_context
def grade_item_command(ctx: click.Context, name: str, grademax: float, grades: tuple[str, ...], state: Path | None) -> None:
    """A teacher's manual grade item in the programme course's gradebook (Gradebook setup > Add grade item), with
    grades: rehearse a gradebook that holds other items, named like lmsync's or not, which lmsync never writes."""
    parsed: dict[str, float] = {}
    for item in grades:
        who, sep, value = item.partition("=")
        try:
            parsed[who.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(f"{item!r} is not WHO=VALUE with a number", param_hint="--grade") from None
        if not sep or not who.strip():
            raise click.BadParameter(f"{item!r} is not WHO=VALUE", param_hint="--grade")
    _edit(ctx, state, lambda site, course, _p: objects.grade_item(site, course, name, grademax, parsed))
