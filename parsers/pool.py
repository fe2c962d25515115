"""Parsing in worker processes, so one hostile file costs one document, not the crawl.

Each document is parsed by :func:`~nianbao.parsers.api.parse_bytes` in a worker
process of a `pebble <https://pypi.org/project/Pebble/>`_ pool that has

- a memory cap: the worker's address space is limited (``RLIMIT_AS``) to
  ``memory_mb``, so a file that makes a parser allocate without end gets a
  ``MemoryError`` (an error on that document) or kills the worker;
- a wall-time cap: a document not parsed within ``timeout`` seconds has its
  worker killed;
- replacement: a worker that died (killed for time, out of memory, a crash in
  PDFium or LibreOffice's wrapper) is replaced by pebble before the next task;
  a worker that died between tasks makes pebble give the whole pool up
  (``BrokenProcessPool``): a new pool takes over and the documents it held are
  submitted once more.

Interface (also used by ``nianbao reparse`` and the crawl's archive pipeline)::

    with ParsePool(workers=4, memory_mb=2048, timeout=120) as pool:
        future = pool.submit(data, path="https://…/report.pdf")  # concurrent.futures.Future
        result = future.result()                                   # always a ParseResult
        results = parse_documents(pool, [(data, path), ...])       # in order, blocking

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
import pkgutil
import resource
import signal
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, get_context
from multiprocessing.context import BaseContext
from types import TracebackType

from pebble import ProcessExpired, ProcessPool

from nianbao.parsers import extract
from nianbao.parsers.model import ParseResult

DEFAULT_MEMORY_MB = 2048
DEFAULT_TIMEOUT_SECONDS = 180.0
TASKS_PER_WORKER = 200  # a worker is replaced after this many documents, returning what fragmentation kept


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _limit_memory(memory_mb: int) -> None:
    """Worker initializer: cap the address space, so a runaway allocation fails in this worker only."""
    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then shuts the pool down


def _worker_context() -> BaseContext:
    """forkserver: workers never inherit the threads of a running crawl (a fork of a threaded process
    may deadlock), and start from a server that imported once what every worker needs: a main script
    run by path, such as the ``nianbao`` command (multiprocessing would run it again in each worker),
    this module (pebble's worker loop) and every extractor (OCR stays lazy: only a scan needs it)."""
    context = get_context("forkserver")
    extractors = [f"{extract.__name__}.{module.name}" for module in pkgutil.iter_modules(extract.__path__)]
    context.set_forkserver_preload(["__main__", __name__, *extractors])
    return context


def _parse(data: bytes, path: str | None) -> ParseResult:
    """A worker's task (or ``workers=0``'s parse).  The parsers are imported here, not with this module:
    a process that only hands documents to workers never loads them (the workers have them preloaded)."""
    from nianbao.parsers.api import parse_bytes

    return parse_bytes(data, path=path)


def parse_failed(data: bytes, path: str | None, reason: str) -> ParseResult:
    """The result of a document whose parse did not finish: no figures, the reason as its error."""
    from nianbao.parsers.api import PARSER_VERSION

    result = ParseResult(format="", errors=[reason], path=path)
    result.sha256, result.parser_version = hashlib.sha256(data).hexdigest(), PARSER_VERSION
    return result


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class ParsePool:
    """Worker processes that parse documents with a memory cap, a time cap and replacement after a crash."""

    def __init__(self, workers: int | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                 timeout: float | None = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.workers = default_workers() if workers is None else workers
        self.memory_mb = memory_mb
        self.timeout = timeout
        self._lock = threading.Lock()
        self._retired: list[ProcessPool] = []  # pools pebble gave up, stopped on close()
        self._stopped = False
        self._pool = self._new_pool() if self.workers > 0 else None
        if self._pool is not None:
            forkserver.ensure_running()  # the server imports the parsers while the caller gets on with its work

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(self.workers, TASKS_PER_WORKER, _limit_memory, [self.memory_mb], context=_worker_context())

    def _live_pool(self) -> ProcessPool:
        with self._lock:
            assert self._pool is not None
            if self._stopped:
                raise RuntimeError("the parse pool was stopped: it takes no more documents")
            if not self._pool.active:  # pebble gave it up (a worker died outside any task)
                self._retired.append(self._pool)
                self._pool = self._new_pool()
            return self._pool

    def submit(self, data: bytes, path: str | None = None, timeout: float | None = None) -> Future[ParseResult]:
        """Parse ``data`` (``path`` names it in results and errors; ``timeout`` overrides the pool's);
        the future always holds a ParseResult."""
        outcome: Future[ParseResult] = Future()
        if self._pool is None:
            outcome.set_result(_parse(data, path))
        else:
            self._schedule(outcome, data, path, timeout or self.timeout, attempts=2)
        return outcome

    def _schedule(self, outcome: Future[ParseResult], data: bytes, path: str | None, timeout: float | None,
                  attempts: int) -> None:
        task = self._live_pool().schedule(_parse, [data, path], timeout=timeout)

        def done(task: Future[ParseResult]) -> None:
            if attempts > 1 and not task.cancelled() and isinstance(task.exception(), BrokenProcessPool):
                self._schedule(outcome, data, path, timeout, attempts - 1)  # not this document's doing
            else:
                outcome.set_result(self._result(task, data, path, timeout))

        task.add_done_callback(done)

    def _result(self, task: Future[ParseResult], data: bytes, path: str | None, timeout: float | None) -> ParseResult:
        try:
            return task.result()
        except FutureTimeout:
            return parse_failed(data, path, f"parse stopped: took longer than {timeout:g} s (worker killed)")
        except ProcessExpired as exc:
            code = exc.exitcode
            how = f"killed by {_signal_name(code)}" if code < 0 else f"exit status {code}"
            return parse_failed(data, path, f"parse failed: the parser process died ({how}); "
                                            f"memory cap {self.memory_mb} MB")
        except MemoryError:
            return parse_failed(data, path, f"parse failed: out of memory (cap {self.memory_mb} MB)")
        except Exception as exc:  # e.g. a result that could not be sent back
            return parse_failed(data, path, f"parse failed in the worker: {type(exc).__name__}: {exc}")

    def stop(self) -> None:
        """Take no more documents and let the workers end in the background (pebble notices within 0.1 s);
        :meth:`close` waits for them.  Documents still queued are dropped (their futures are cancelled)."""
        self._stopped = True
        for pool in [*self._retired, self._pool]:
            if pool is not None:
                pool.stop()

    def close(self) -> None:
        """Stop the workers and wait for them to end."""
        self.stop()
        for pool in [*self._retired, self._pool]:
            if pool is not None:
                pool.join()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def parse_documents(pool: ParsePool, documents: Iterable[tuple[bytes, str | None]]) -> list[ParseResult]:
    """Parse ``(data, path)`` pairs in parallel; the results in the same order."""
    futures = [pool.submit(data, path) for data, path in documents]
    return [future.result() for future in futures]
