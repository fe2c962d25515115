"""The crawl's writer thread: archive transactions and WARC records written off Scrapy's reactor.

Scrapy runs everything in one thread, the reactor's: every millisecond spent writing SQLite rows,
gzipping WARC records or hashing bodies is a millisecond no response is read and no request sent
(and a request that waits behind such work reaches its host late, closer to the next one).  So the
crawl's writing happens in one thread of its own, in the order it was submitted: a WARC record is
on disk before the archive row that names it is committed.  sqlite3, zlib and hashlib release the
GIL while they work, so this thread really runs beside the reactor.

When an archive is attached (:meth:`WriterThread.attach_archive`, its connection opened in this
thread and used only here) the jobs waiting in the queue are run in one transaction, each job in a
savepoint of it (a failing job undoes only its own writes), up to :data:`MAX_BATCH` jobs: a busy
crawl commits many reports at once instead of one by one.  A job's result is handed back only after
its batch has committed, so whatever the crawl counts as done is in the archive, and a killed crawl
loses at most the batch in progress (those reports are fetched again by the next crawl).

Backpressure: the archive jobs are awaited by the item pipeline, so Scrapy's limit on responses in
processing (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``) bounds them; callers that do not wait (WARC records)
ask :meth:`WriterThread.backlog` and wait when too many bytes are queued.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from nianbao.archive.db import open_archive, transaction, tune_for_batches

T = TypeVar("T")
MAX_BATCH = 200  # jobs per transaction: a batch holds the archive's write lock while it runs
logger = logging.getLogger(__name__)


class _Job:
    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...], size: int) -> None:
        self.function = function
        self.args = args
        self.size = size
        self.future: Future[Any] = Future()


class WriterThread:
    """Runs submitted functions one after another in a thread of its own (see the module docstring)."""

    def __init__(self, name: str = "nianbao-writer") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._queued_bytes = 0
        self._lock = threading.Lock()
        self.db: sqlite_utils.Database | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, function: Callable[..., T], *args: Any, size: int = 0) -> Future[T]:
        """Run ``function(*args)`` in the writer thread; ``size``: bytes it holds while queued (see :meth:`backlog`)."""
        job = _Job(function, args, size)
        with self._lock:
            self._queued_bytes += size
        self._jobs.put(job)
        return job.future

    def submit_unawaited(self, function: Callable[..., T], *args: Any, size: int = 0) -> Future[T]:
        """:meth:`submit` for a job nobody waits for: its failure (a full disk, a locked archive) is logged."""
        future = self.submit(function, *args, size=size)
        future.add_done_callback(_log_failure)
        return future

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """:meth:`submit` and wait for the result in the reactor's thread (for Scrapy's coroutines)."""
        return await maybe_deferred_to_future(in_reactor(self.submit(function, *args)))

    def backlog(self) -> int:
        """Bytes held by jobs not yet run."""
        return self._queued_bytes

    def attach_archive(self, path: str | Path) -> sqlite_utils.Database:
        """Open the archive in the writer thread; from now on jobs run in batched transactions on it.

        Jobs get it as :attr:`db` and must use it only from the thread (they run there)."""
        return self.submit(self._open, path).result()

    def _open(self, path: str | Path) -> sqlite_utils.Database:
        self.db = tune_for_batches(open_archive(path))
        return self.db

    def close(self) -> None:
        """Run what is queued, close the archive, and end the thread."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

    def _run(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while batch[-1] is not None and len(batch) < MAX_BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            jobs = [job for job in batch if job is not None]
            self._run_batch(jobs)
            if batch[-1] is None:
                if self.db is not None:
                    self.db.close()
                return

    def _run_batch(self, jobs: list[_Job]) -> None:
        db = self.db
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            if db is None:
                results = [self._run_job(job) for job in jobs]
            else:
                with transaction(db):
                    results = [self._run_job(job, db) for job in jobs]
        except BaseException as failure:  # the COMMIT failed: nothing of the batch is in the archive
            logger.exception("archive batch of %d jobs not committed", len(jobs))
            results = [(job, None, failure) for job in jobs]
        for job, result, error in results:
            with self._lock:
                self._queued_bytes -= job.size
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)

    @staticmethod
    def _run_job(job: _Job, db: sqlite_utils.Database | None = None) -> tuple[_Job, Any, BaseException | None]:
        try:
            if db is None:
                return job, job.function(*job.args), None
            with transaction(db):  # a savepoint: a failing job undoes only its own writes
                return job, job.function(*job.args), None
        except Exception as error:  # handed to whoever waits for the job
            return job, None, error


def _log_failure(future: Future[Any]) -> None:
    error = None if future.cancelled() else future.exception()
    if error is not None:
        logger.error("write failed: %s: %s", type(error).__name__, error, exc_info=error)


def crawl_writer(crawler: Crawler) -> WriterThread:
    """The crawl's one writer thread, started by whichever component needs it first and ended
    when the engine stops (after every ``spider_closed`` handler has queued its last writes)."""
    writer: WriterThread | None = getattr(crawler, "_nianbao_writer", None)
    if writer is None:
        writer = WriterThread()
        crawler._nianbao_writer = writer  # type: ignore[attr-defined]
        crawler.signals.connect(writer.close, signal=signals.engine_stopped, weak=False)
    return writer


def in_reactor(future: Future[T]) -> Deferred[T]:
    """A Deferred that fires in the reactor's thread with the future's result (or fails with its exception)."""
    from twisted.internet import reactor

    deferred: Deferred[T] = Deferred()

    def done(finished: Future[T]) -> None:
        error = CancelledError() if finished.cancelled() else finished.exception()
        if error is None:
            reactor.callFromThread(deferred.callback, finished.result())
        else:
            reactor.callFromThread(deferred.errback, error)

    future.add_done_callback(done)
    return deferred
