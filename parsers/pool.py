"""Parsing in worker processes, so one hostile file costs one document, not the crawl.

Each document is parsed by :func:`~nianbao.parsers.api.parse_bytes` in a worker process
(:mod:`nianbao.parsers.worker`, forked by the pool's fork server, :mod:`nianbao.parsers.forkserver`, an
interpreter that has imported only the parsers) that has

- a memory cap: the worker's address space is limited (``RLIMIT_AS``) to ``memory_mb``, so a file
  that makes a parser allocate without end gets a ``MemoryError`` (an error on that document) or kills
  the worker.  A cap below what an idle worker needs to work is refused when the pool starts
  (:class:`WorkerStartError`), not discovered document by document;
- a wall-time cap: a document not parsed within ``timeout`` seconds of being handed to its worker has
  its worker killed (time spent waiting in the queue does not count);
- replacement: a worker that died, was killed or has parsed :data:`TASKS_PER_WORKER` documents is
  replaced before the next document.

Why not pebble or ``concurrent.futures``: they hand tasks to workers over one shared pipe, so a worker
that dies while reading a task (a ``MemoryError`` in pebble's ``channel.recv``, a SIGKILL) leaves the
task attributed to no worker; pebble never completed that future and the crawl awaiting it waited
forever, and a worker killed while holding the shared channel's lock stalls the others.  Here every
worker has its own socket and one document at a time, handed over and awaited by a thread of the pool:
however the worker ends (an answer, a MemoryError it reports, SIGKILL, a segfault, ``os._exit``, the
OOM killer) its socket ends with it, and that thread resolves the document's future with the reason.

Interface (also used by ``nianbao reparse`` and the crawl's archive pipeline)::

    with ParsePool(workers=4, memory_mb=2048, timeout=120) as pool:
        future = pool.submit(data, path="https://…/report.pdf")  # concurrent.futures.Future
        result = future.result()                                   # always a ParseResult
        for result in parse_documents(pool, documents):           # in order, a few documents ahead
            ...

A future never raises for a bad document: a worker that died or ran out of
time gives a :class:`~nianbao.parsers.model.ParseResult` whose ``errors`` say
so (``parse_failed``), with ``sha256`` and ``path`` set, like any parse error.
``workers=0`` parses inline in the calling process (no caps but those of the
parsers themselves): the anchor of ``bench/bench_pool.py`` and a fallback
where processes cannot be started.
"""

from __future__ import annotations

import hashlib
import os
import queue
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType

from nianbao.parsers.forkserver import ForkServer, ServerGone, WorkerProcess, describe_exit
from nianbao.parsers.model import ParseResult
from nianbao.parsers.worker import WORKING_MB

DEFAULT_MEMORY_MB = 2048
DEFAULT_TIMEOUT_SECONDS = 180.0
TASKS_PER_WORKER = 200  # a worker is replaced after this many documents, returning what fragmentation kept


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parse_failed(data: bytes, path: str | None, reason: str) -> ParseResult:
    """The result of a document whose parse did not finish: no figures, the reason as its error."""
    from nianbao.parsers.api import PARSER_VERSION  # the parsers load in the workers, not in this process

    result = ParseResult(format="", errors=[reason], path=path)
    result.sha256, result.parser_version = hashlib.sha256(data).hexdigest(), PARSER_VERSION
    return result


class WorkerStartError(RuntimeError):
    """A parse worker could not start: the memory cap is below its needs, or the process failed."""


class NotTaken(Exception):
    """The worker had ended before a document was handed to it: the document is not to blame."""


@dataclass
class Job:
    future: Future[ParseResult]
    data: bytes
    path: str | None
    timeout: float | None


class Worker:
    """One worker process and this end of its socket: parses one document at a time."""

    def __init__(self, process: WorkerProcess, connection: Connection, memory_mb: int) -> None:
        self.process, self.connection, self.memory_mb = process, connection, memory_mb
        self.documents = 0
        self.retired = False  # it said it cannot go on (a MemoryError outside the parser) and exits
        self._lock = threading.Lock()  # the deadline's timer and the end of a document race for it
        self._busy = False
        self.ended_by: str | None = None  # "time" or "close" when the pool killed it

    def usable(self) -> bool:
        return (not self.retired and self.ended_by is None and self.documents < TASKS_PER_WORKER
                and self.process.poll() is None)

    def parse(self, job: Job) -> ParseResult:
        """The document's ParseResult, or one whose error says how the worker ended; NotTaken if the worker
        ended before it said it took the document (then it was not the document's doing)."""
        timer = threading.Timer(job.timeout, self.kill, ["time"]) if job.timeout else None
        with self._lock:
            self._busy = True
        if timer:
            timer.start()
        taken = False
        try:
            try:
                self.connection.send(job.path)
                self.connection.send_bytes(job.data)
            except OSError:
                pass  # the worker stopped reading: its answer (out of memory) or its end says why
            kind, value = self.connection.recv()
            taken = kind == "taken"
            if taken:
                kind, value = self.connection.recv()
        except (EOFError, OSError) as exc:
            if not taken and self.ended_by is None:
                raise NotTaken from exc
            return parse_failed(job.data, job.path, self._ended(job.timeout))
        except Exception as exc:  # an answer that cannot be read: this worker is out of step
            self.kill("close")
            return parse_failed(job.data, job.path, f"parse failed: the worker's answer could not be read: {exc!r}")
        finally:
            with self._lock:
                self._busy = False
            if timer:
                timer.cancel()
        self.documents += 1
        if kind == "parsed":
            return value
        self.retired = True
        return parse_failed(job.data, job.path, value)

    def kill(self, why: str) -> None:
        """Kill the worker (``why``: "time" for the deadline, only while it holds a document; "close")."""
        with self._lock:
            if why == "time" and not self._busy:
                return  # the answer came first
            self.ended_by = self.ended_by or why
            self.process.kill()

    def stop(self) -> None:
        """End the worker and release its socket."""
        self.kill("close")
        self.process.wait()
        self.process.release()
        self.connection.close()

    def _ended(self, timeout: float | None) -> str:
        """Why the socket ended in the middle of a document."""
        try:
            self.process.wait(timeout=10)  # its socket closes as it exits: the exit status follows
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.ended_by == "time":
            return f"parse stopped: took longer than {timeout:g} s (worker killed)"
        if self.ended_by == "close":
            return "parse stopped: the parse pool was closed"
        return f"parse failed: the parser process died ({self._exit_description()}); memory cap {self.memory_mb} MB"

    def _exit_description(self) -> str:
        return describe_exit(self.process.wait())


class ParsePool:
    """Worker processes that parse documents with a memory cap, a time cap and replacement after a crash."""

    def __init__(self, workers: int | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                 timeout: float | None = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.workers = default_workers() if workers is None else workers
        self.memory_mb = memory_mb
        self.timeout = timeout
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live: set[Worker] = set()
        self._closing = False
        self._server: ForkServer | None = None
        if self.workers:
            self._server = self._start_server()  # a memory cap a worker cannot live under is refused here
        self._slots = [threading.Thread(target=self._serve, name=f"parse-slot-{n}", daemon=True)
                       for n in range(self.workers)]
        for slot in self._slots:
            slot.start()

    def submit(self, data: bytes, path: str | None = None, timeout: float | None = None) -> Future[ParseResult]:
        """Parse ``data`` (``path`` names it in results and errors; ``timeout`` overrides the pool's);
        the future always holds a ParseResult."""
        outcome: Future[ParseResult] = Future()
        if not self._slots:
            from nianbao.parsers.api import parse_bytes  # workers=0 only: the parsers load in this process

            outcome.set_result(parse_bytes(data, path=path))
        elif self._closing:
            raise RuntimeError("the parse pool is closed")
        else:
            self._jobs.put(Job(outcome, data, path, timeout or self.timeout))
        return outcome

    def _serve(self) -> None:
        """One slot: starts its worker, hands it queued documents one at a time, replaces it when it ends."""
        worker = self._start_worker_or_none()
        while (job := self._jobs.get()) is not None:
            if job.future.set_running_or_notify_cancel():
                result, worker = self._parse(job, worker)
                job.future.set_result(result)
        if worker:
            self._stop(worker)

    def _parse(self, job: Job, worker: Worker | None) -> tuple[ParseResult, Worker | None]:
        for _ in range(2):  # a worker found ended before it took the document is replaced, once
            if worker is None or not worker.usable():
                if worker:
                    self._stop(worker)
                try:
                    worker = self._start_worker()
                except WorkerStartError as exc:
                    return parse_failed(job.data, job.path, f"parse failed: {exc}"), None
            try:
                return worker.parse(job), worker
            except NotTaken:
                self._stop(worker)
                worker = None
        return parse_failed(job.data, job.path, "parse failed: parse workers end before taking a document"), None

    def _start_server(self) -> ForkServer:
        server = ForkServer(self.memory_mb)
        try:
            verdict = server.wait_ready()
        except ServerGone as exc:
            raise WorkerStartError(str(exc)) from None
        if verdict != "ready":
            server.close()
            raise WorkerStartError(
                f"the parse workers' memory cap of {self.memory_mb} MB is below what a worker needs: "
                f"{server.idle_mb} MB idle + {WORKING_MB} MB to parse in; raise it to at least "
                f"{(server.idle_mb or 0) + WORKING_MB} MB")
        return server

    def _start_worker(self) -> Worker:
        """A new worker, forked by the fork server (a new server if the last one ended)."""
        with self._lock:
            if self._closing:
                raise WorkerStartError("the parse pool is closed")
            if self._server is None or self._server.gone:
                if self._server:
                    self._server.close()
                self._server = self._start_server()
            server = self._server
        try:
            process, connection = server.fork()
        except ServerGone as exc:
            raise WorkerStartError(str(exc)) from None
        worker = Worker(process, connection, self.memory_mb)
        with self._lock:
            self._live.add(worker)
        return worker

    def _start_worker_or_none(self) -> Worker | None:
        """A worker started ahead of the first document (its failure is told with that document)."""
        try:
            return self._start_worker()
        except WorkerStartError:
            return None

    def _stop(self, worker: Worker) -> None:
        worker.stop()
        with self._lock:
            self._live.discard(worker)

    def close(self) -> None:
        """Stop the workers; documents still queued are dropped (their futures are cancelled), documents
        being parsed get the error "the parse pool was closed"."""
        self._closing = True
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job:
                job.future.cancel()
        for _ in self._slots:
            self._jobs.put(None)
        with self._lock:
            working = list(self._live)
        for worker in working:
            worker.kill("close")
        for slot in self._slots:
            slot.join()
        if self._server:
            self._server.close()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def parse_documents(pool: ParsePool, documents: Iterable[tuple[bytes, str | None]],
                    ahead: int | None = None) -> Iterator[ParseResult]:
    """Parse ``(data, path)`` pairs in parallel and yield the results in the same order, with at most
    ``ahead`` documents (default: 4 per worker) in the pool, so a long list is never all in memory."""
    limit = ahead or max(1, pool.workers) * 4
    pending: deque[Future[ParseResult]] = deque()
    for data, path in documents:
        pending.append(pool.submit(data, path))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
