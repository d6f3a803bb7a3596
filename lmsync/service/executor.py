"""The one executor for every write lmsync makes to Moodle (issues 12 and 15).

It runs an :class:`~lmsync.domain.envelope.Envelope` kind by kind through an
:class:`OpFamily` (sync, grades, messages), with one protocol for all of them:

* **chunks by variable budget**: each kind's operations are cut so a request stays below
  ``[moodle] batch_budget`` form variables (PHP's ``max_input_vars``, traps 23-25);
* **journal before and after**: every request is journaled as an intent before it is sent
  and finished (``ok``, ``failed``, ``unknown``) after, from the executor's own thread only
  (the store is never written from the pool);
* **lost answer -> stop and re-observe**: a request whose outcome is unknown (timeout after
  sending, a dropped connection, an unreadable answer) is never re-sent; no new request starts,
  the ones in flight are finished and journaled, and the report says ``lost`` so the caller
  observes Moodle again before writing more (issue 10 point 10);
* **a refused idempotent batch is split in half** until the refused items are isolated
  (one bad item fails the whole call, trap 26); other refusals are recorded per item;
  a refusal a token, access or capability problem caused (``exit_code == 2``) is journaled,
  the requests in flight are finished, then it is raised: an admin must act;
* **a small bounded pool** (``[moodle] max_parallel``): chunks of a kind in different *lanes*
  (welcome posts to different circles, member chunks, grades of different items, messages to
  different people) go out side by side, at most ``max_parallel`` at once; chunks of one lane
  go in order; a kind without lanes (group creates in one course, which rebuild the course's
  group cache) goes one request at a time. A kind is finished before the next starts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from lmsync.domain.envelope import Envelope
from lmsync.errors import StoppedAtOnce
from lmsync.log import get_logger
from lmsync.moodle.batching import chunk_by_budget
from lmsync.moodle.errors import MoodleError, MoodleException
from lmsync.service.run_ids import new_run_id
from lmsync.store.journal import Journal

log = get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R")

EACH: Final = "each"  # a lane rule: every chunk is independent of the others


class NeedsReobserve(Exception):
    """Moodle's state is uncertain after a write: observe again before writing more.

    ``report``: what the run wrote before it stopped (its writes count in the run's summary), or None.
    """

    def __init__(self, reason: str, report: ExecReport | None = None) -> None:
        super().__init__(reason)
        self.report = report


class Lost(Exception):
    """Raised by :meth:`OpFamily.send` when Moodle answered but the outcome is still unknown."""


class Refused(Exception):
    """Raised by :meth:`OpFamily.send` when Moodle refused the whole request without an exception
    (e.g. ``core_grades_update_grades`` status 1, trap 20)."""

    def __init__(self, reason: str, result: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.result = result


@dataclass(frozen=True)
class Sent:
    """What one request returned: ``result`` for the journal, and per-item refusals
    (index in the chunk -> Moodle's reason) for calls that answer item by item (trap 7)."""

    result: Any = None
    refused: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """How one operation kind goes out.

    ``vars_per_op``: form variables one operation costs (an int or a function of the op);
    ``one_per_call``: one operation per request; ``idempotent``: re-sending an item is harmless
    (trap 16), so a refused batch may be bisected; ``lane``: ``None`` sends the kind's requests
    one at a time, :data:`EACH` lets every chunk go side by side, a function of a chunk names
    its lane (same lane: in order); ``reobserve_on_refusal``: a refused request may leave Moodle
    uncertain (a rolled-back create leaves phantoms in the group cache, trap 27);
    ``skip_lane_after_refusal``: later chunks of a refused lane are not sent (they depend on it).
    """

    function: str
    vars_per_op: int | Callable[[Any], int] = 1
    one_per_call: bool = False
    idempotent: bool = False
    lane: Callable[[Sequence[Any]], Hashable] | Literal["each"] | None = None
    reobserve_on_refusal: bool = False
    skip_lane_after_refusal: bool = False


@dataclass
class ExecReport:
    """What a run wrote. ``failed``: (operation or item, Moodle's reason); ``lost``: why the run
    stopped to re-observe (an unknown outcome), or None; ``stopped``: a stop was requested."""

    run_id: str
    written: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)
    batches: int = 0  # requests sent
    stopped: bool = False
    lost: str | None = None
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.failed and not self.stopped and self.lost is None


class OpFamily:
    """One family of operations: how they are journaled and sent.

    ``send`` runs on a pool thread and may only talk to Moodle; every other hook runs on the
    executor's thread and may write the store.
    """

    name = ""
    kinds: Mapping[str, Kind] = {}

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def keys(self, kind: str, chunk: Sequence[Any]) -> list[str]:
        """Journal keys of a chunk (ids and keys, never names)."""
        return [key for op in chunk for key in (getattr(op, "journal_keys", None) or [op.key])]

    def failures(self, kind: str, chunk: Sequence[Any], reason: str) -> list[tuple[str, str]]:
        """How refused operations are named in the report."""
        return [(op.key, reason) for op in chunk]

    def before(self, kind: str, chunk: Sequence[Any]) -> None:
        """Before the intent; raise :class:`NeedsReobserve` to stop the run here."""

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        return self.journal.intent(run_id, self.kinds[kind].function, kind, self.keys(kind, chunk))

    def finish(self, entry: int, kind: str, chunk: Sequence[Any], state: str, result: Any) -> None:
        self.journal.finish(entry, state, result)

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        raise NotImplementedError

    def accepted(self, kind: str, chunk: Sequence[Any], sent: Sent) -> None:
        """After an ``ok`` finish (items in ``sent.refused`` were not applied)."""

    def unknown_after(self, exc: MoodleException) -> bool:
        """Whether Moodle raises this exception after it may have applied the write (trap 29)."""
        return False


@dataclass
class _Flight:
    lane: Hashable
    chunk: list[Any]
    entry: int


class Executor:
    """Runs envelopes through a family; ``max_parallel`` 1 sends one request at a time.

    ``budget``: form variables per request; ``max_items``: at most this many operations per
    request (1 = the naive client the benchmarks compare with); ``progress(n)`` after each
    accepted request of ``n`` operations; ``should_stop()`` is asked before each request.
    """

    def __init__(
        self,
        family: OpFamily,
        *,
        run_id: str | None = None,
        budget: int = 2000,
        max_parallel: int = 1,
        max_items: int | None = None,
        progress: Callable[[int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.family = family
        self.run_id = run_id or new_run_id()
        self.budget = budget
        self.max_parallel = max_parallel
        self.max_items = max_items
        self.progress = progress or (lambda _n: None)
        self.should_stop = should_stop or (lambda: False)

    # -- public ---------------------------------------------------------------------------------

    def run(self, envelope: Envelope) -> ExecReport:
        """Send every operation of ``envelope``; see the module docstring for the protocol.

        Raises ``ValueError`` for an envelope of another family and the ``exit_code == 2``
        :class:`MoodleException` of a request (after journaling it).
        """
        if envelope.family != self.family.name:
            raise ValueError(f"a {envelope.family} envelope cannot run through the {self.family.name} family")
        return self.run_steps(envelope.steps())

    def run_steps(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> ExecReport:
        report = ExecReport(self.run_id)
        started = time.monotonic()
        pool = ThreadPoolExecutor(self.max_parallel, thread_name_prefix="lmsync-write") if self.max_parallel > 1 else None
        at_once = False
        try:
            for kind, ops in steps:
                if not ops:
                    continue
                kind_started, batches = time.monotonic(), report.batches
                self._kind(kind, list(ops), report, pool)
                log.info(
                    "apply.step",
                    family=self.family.name,
                    function=self.family.kinds[kind].function,
                    count=len(ops),
                    requests=report.batches - batches,
                    seconds=round(time.monotonic() - kind_started, 3),
                )
                if report.stopped or report.lost is not None:
                    break
        except StoppedAtOnce:
            at_once = True
            raise
        finally:
            if pool is not None:  # a second stop request: the requests in flight are not waited for (round 82a, 2)
                pool.shutdown(wait=not at_once, cancel_futures=at_once)
            report.seconds = time.monotonic() - started
        return report

    # -- one kind -------------------------------------------------------------------------------

    def _chunks(self, spec: Kind, ops: list[Any]) -> list[list[Any]]:
        size = 1 if spec.one_per_call else self.max_items
        if size:
            return [ops[i : i + size] for i in range(0, len(ops), size)]
        return chunk_by_budget(ops, spec.vars_per_op, self.budget)

    def _lane(self, spec: Kind, chunk: list[Any], index: int) -> Hashable:
        if spec.lane is None:
            return None
        if spec.lane == EACH:
            return index
        assert callable(spec.lane)
        return spec.lane(chunk)

    def _kind(self, kind: str, ops: list[Any], report: ExecReport, pool: ThreadPoolExecutor | None) -> None:
        spec = self.family.kinds[kind]
        queue: list[tuple[Hashable, list[Any]]] = [
            (self._lane(spec, chunk, i), chunk) for i, chunk in enumerate(self._chunks(spec, ops))
        ]
        width = self.max_parallel if pool is not None and spec.lane is not None else 1
        flying: dict[Future[Sent], _Flight] = {}
        fatal: MoodleException | None = None
        while True:
            while queue and len(flying) < width and fatal is None and report.lost is None and not report.stopped:
                busy = {f.lane for f in flying.values()}
                index = next((i for i, (lane, _) in enumerate(queue) if lane not in busy), None)
                if index is None:
                    break
                if self.should_stop():
                    report.stopped = True
                    log.info("apply.stopped", run_id=self.run_id, before=kind)
                    break
                lane, chunk = queue.pop(index)
                try:
                    self.family.before(kind, chunk)
                except NeedsReobserve as exc:
                    report.lost = str(exc)
                    break
                entry = self.family.intent(self.run_id, kind, chunk)
                report.batches += 1
                flying[self._submit(pool if width > 1 else None, kind, chunk)] = _Flight(lane, chunk, entry)
            if not flying:
                break
            done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
            for future in [f for f in flying if f in done]:  # in the order they were sent
                flight = flying.pop(future)
                outcome = self._settle(kind, spec, flight, future, report)
                if isinstance(outcome, MoodleException):
                    fatal = fatal or outcome
                elif outcome == "split":
                    middle = len(flight.chunk) // 2
                    queue[0:0] = [(flight.lane, flight.chunk[:middle]), (flight.lane, flight.chunk[middle:])]
                elif outcome == "refused" and spec.skip_lane_after_refusal:
                    for _lane, chunk in [q for q in queue if q[0] == flight.lane]:
                        report.failed.extend(self.family.failures(kind, chunk, "skipped after a refused request"))
                    queue = [q for q in queue if q[0] != flight.lane]
        if fatal is not None:
            raise fatal

    def _submit(self, pool: ThreadPoolExecutor | None, kind: str, chunk: list[Any]) -> Future[Sent]:
        if pool is not None:
            return pool.submit(self.family.send, kind, chunk)
        future: Future[Sent] = Future()
        try:
            future.set_result(self.family.send(kind, chunk))
        except Exception as exc:  # noqa: BLE001 - settled below like a pool's future
            future.set_exception(exc)
        return future

    def _settle(
        self, kind: str, spec: Kind, flight: _Flight, future: Future[Sent], report: ExecReport
    ) -> str | MoodleException:
        """Journal one finished request; returns ``ok``, ``refused``, ``split``, ``lost`` or a fatal exception."""
        chunk, entry = flight.chunk, flight.entry
        try:
            sent = future.result()
        except MoodleException as exc:
            if self.family.unknown_after(exc):
                return self._lost(kind, flight, report, exc.errorcode or type(exc).__name__)
            self.family.finish(entry, kind, chunk, "failed", {"errorcode": exc.errorcode})
            if exc.exit_code == 2:  # token, access, capability: nothing else can succeed
                report.failed.extend(self.family.failures(kind, chunk, exc.errorcode or "refused"))
                return exc
            return self._refused(kind, spec, flight, report, exc.errorcode or "unknown")
        except Refused as exc:
            self.family.finish(entry, kind, chunk, "failed", exc.result if exc.result is not None else {"error": exc.reason})
            return self._refused(kind, spec, flight, report, exc.reason)
        except (Lost, MoodleError) as exc:  # lost answer, transport failure, unreadable answer
            if getattr(exc, "surely_not_sent", False):  # never connected (refused, connect timeout): a write
                # is retried only then, so no attempt reached Moodle and nothing may still commit; journaled
                # "unknown", it held the next runs for the settle time (tester round 24, 4)
                self.family.finish(entry, kind, chunk, "failed", {"error": type(exc).__name__, "sent": False})
                report.lost = report.lost or f"{spec.function}: {type(exc).__name__} (not sent)"
                log.warning("apply.not_sent", run_id=self.run_id, function=spec.function, items=len(chunk))
                return "lost"
            return self._lost(kind, flight, report, type(exc).__name__)
        refused = dict(sent.refused)
        if refused and len(refused) == len(chunk):
            self.family.finish(entry, kind, chunk, "failed", {"refused": sorted(set(refused.values()))})
        else:
            self.family.finish(entry, kind, chunk, "ok", sent.result)
        for index, reason in sorted(refused.items()):
            report.failed.extend(self.family.failures(kind, [chunk[index]], reason))
        accepted = len(chunk) - len(refused)
        if accepted:
            report.written[kind] += accepted
            self.family.accepted(kind, chunk, sent)
            self.progress(len(chunk))
        return "ok" if not refused else "refused"

    def _refused(self, kind: str, spec: Kind, flight: _Flight, report: ExecReport, reason: str) -> str:
        if spec.idempotent and len(flight.chunk) > 1:
            return "split"
        if spec.reobserve_on_refusal:
            report.lost = f"{spec.function}: {reason}"
            return "lost"
        report.failed.extend(self.family.failures(kind, flight.chunk, reason))
        log.warning("apply.refused", function=spec.function, errorcode=reason, items=len(flight.chunk))
        return "refused"

    def _lost(self, kind: str, flight: _Flight, report: ExecReport, error: str) -> str:
        self.family.finish(flight.entry, kind, flight.chunk, "unknown", {"error": error})
        function = self.family.kinds[kind].function
        report.lost = report.lost or f"{function}: {error}"
        log.warning("apply.lost", run_id=self.run_id, function=function, error=error, items=len(flight.chunk))
        return "lost"


def read_side_by_side(read: Callable[[T], R], items: Iterable[T], max_parallel: int = 1) -> list[R]:
    """``[read(item) for item in items]``, at most ``max_parallel`` at once, results in item order.

    For independent reads only (they write nothing, so no journal); the first error is raised
    once the reads in flight have ended.
    """
    items = list(items)
    if max_parallel <= 1 or len(items) <= 1:
        return [read(item) for item in items]
    pool, at_once = ThreadPoolExecutor(min(max_parallel, len(items)), thread_name_prefix="lmsync-read"), False
    try:
        return list(pool.map(read, items))
    except StoppedAtOnce:  # a second stop request: the reads in flight are not waited for (round 82a, 2)
        at_once = True
        raise
    finally:
        pool.shutdown(wait=not at_once, cancel_futures=at_once)
