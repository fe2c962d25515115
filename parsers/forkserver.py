"""The parse workers' fork server: one process imports the parsers once and forks every worker from itself.

Why: a worker started as a fresh interpreter imports the parsers and their PDF, HTML and Word libraries
again, 0.2–0.4 s of CPU each; on a two-core machine that is most of a short reparse, and a worker
replaced after a crash, a time-out or its 200 documents paid it once more.  A fork of a process that has
them loaded takes milliseconds and shares their memory.  The server is a small interpreter of its own
(``python -m nianbao.parsers.forkserver FD MEMORY_MB``), never the crawl's process: it runs no threads,
which is what makes forking it safe (the crawl has Scrapy's reactor, its writer and the pool's threads).

Protocol on its control socket (a :class:`multiprocessing.connection.Connection`):

- server → pool, once the parsers are imported: ``("ready", idle_mb)``, or ``("unfit", idle_mb)`` and the
  server exits when the memory cap leaves a worker no room to work (:data:`~nianbao.parsers.worker.WORKING_MB`);
- pool → server: ``("fork",)`` followed by the new worker's socket (passed with SCM_RIGHTS);
  server → pool: ``("forked", pid)``;
- server → pool: ``("exited", pid, code)`` when a worker ended (``code`` as subprocess's ``returncode``:
  ``-N`` when killed by signal N); the server is the workers' parent, so it alone can learn that.

The pool kills a worker through a pidfd it opens when the worker is forked, so a kill never reaches
another process that reused the pid.  When the pool closes the control socket (or dies) the server
kills the workers it still has and exits.
"""

from __future__ import annotations

import gc
import os
import queue
import selectors
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from typing import NoReturn

START_TIMEOUT_SECONDS = 120.0  # a server not ready by then is killed (it takes seconds on a loaded machine)
# One math thread per worker (the pool gives each worker a core): OpenBLAS's per-thread buffers
# otherwise add ~180 MB of address space to a worker that loads the OCR stack.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


class ServerGone(Exception):
    """The fork server ended: it forks no more workers and reports no more exits."""


class WorkerProcess:
    """A forked worker as the pool sees it: what :class:`subprocess.Popen` offers for a child of its own."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended already (the server reports how)
            self._pidfd = None

    def poll(self) -> int | None:
        """The exit code once the server reported the end, else None."""
        return self.server.exit_code(self.pid)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (None if the server ended before telling); subprocess.TimeoutExpired after ``timeout``."""
        return self.server.wait_exit(self.pid, timeout)

    def kill(self) -> None:
        if self._pidfd is not None and self.poll() is None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def release(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class ForkServer:
    """This end of a fork server: starts it, asks it for workers, learns how they end."""

    def __init__(self, memory_mb: int) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno()), str(memory_mb)],
                pass_fds=[theirs.fileno()], env={**WORKER_ENVIRONMENT, **os.environ},
                stdin=subprocess.DEVNULL, stdout=2)  # stdout may carry a command's output (a crawl's JSON stats)
        self.connection = Connection(ours.detach())
        self.idle_mb: int | None = None
        self.gone = False
        self._forking = threading.Lock()  # one fork request and its answer at a time
        self._forked: queue.SimpleQueue[int | None] = queue.SimpleQueue()  # the pids of forked workers
        self._exits: dict[int, int] = {}
        self._changed = threading.Condition()
        self._reader: threading.Thread | None = None

    def wait_ready(self) -> str:
        """Wait until the server has imported the parsers: "ready", or "unfit" when the memory cap is too
        low (``idle_mb`` says how big a worker is); ServerGone if it ended first."""
        try:
            if self.connection.poll(START_TIMEOUT_SECONDS):
                verdict, self.idle_mb = self.connection.recv()
                if verdict == "ready":
                    self._reader = threading.Thread(target=self._read, name="parse-fork-server", daemon=True)
                    self._reader.start()
                return str(verdict)
        except (EOFError, OSError):
            pass
        self.close()
        raise ServerGone(f"the parse workers' fork server did not start ({describe_exit(self.process.wait())})")

    def fork(self) -> tuple[WorkerProcess, Connection]:
        """A new worker and this end of its socket; ServerGone if the server has ended."""
        ours, theirs = socket.socketpair()
        with theirs, self._forking:
            try:
                self.connection.send(("fork",))
                send_handle(self.connection, theirs.fileno(), self.process.pid)
            except OSError:
                pass  # the server is gone: its reader says so
            pid = self._forked.get()
        if pid is None:
            ours.close()
            raise ServerGone(f"the parse workers' fork server ended ({describe_exit(self.process.wait())})")
        return WorkerProcess(self, pid), Connection(ours.detach())

    def exit_code(self, pid: int) -> int | None:
        with self._changed:
            return self._exits.get(pid)

    def wait_exit(self, pid: int, timeout: float | None = None) -> int | None:
        with self._changed:
            if not self._changed.wait_for(lambda: pid in self._exits or self.gone, timeout):
                raise subprocess.TimeoutExpired(f"parse worker {pid}", timeout or 0)
            return self._exits.get(pid)

    def close(self) -> None:
        """End the server (it kills the workers it still has)."""
        with socket.fromfd(self.connection.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as end:
            end.shutdown(socket.SHUT_RDWR)  # wakes the reader thread; a close alone would leave it blocked
        self.connection.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._reader:
            self._reader.join()

    def _read(self) -> None:
        try:
            while True:
                message = self.connection.recv()
                if message[0] == "forked":
                    self._forked.put(message[1])
                else:  # ("exited", pid, code)
                    with self._changed:
                        self._exits[message[1]] = message[2]
                        self._changed.notify_all()
        except (EOFError, OSError):
            with self._changed:
                self.gone = True
                self._changed.notify_all()
            self._forked.put(None)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "its fork server ended before telling how"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


# --- the server's side -------------------------------------------------------------------------------


def serve_forks(control: Connection, memory_mb: int) -> None:
    """Fork a worker for each request; report each worker's end; kill those left when the pool goes."""
    selector = selectors.EpollSelector()
    selector.register(control.fileno(), selectors.EVENT_READ)
    workers: dict[int, int] = {}  # pid -> pidfd

    def release() -> None:  # in a new worker: the server's descriptors are not its own
        selector.close()
        for pidfd in [control.fileno(), *workers.values()]:
            os.close(pidfd)

    try:
        while True:
            for key, _ in selector.select():
                if key.fileobj == control.fileno():
                    control.recv()  # ("fork",)
                    fd = recv_handle(control)
                    pid = os.fork()
                    if pid == 0:
                        become_worker(fd, memory_mb, release)
                    os.close(fd)
                    workers[pid] = os.pidfd_open(pid)
                    selector.register(workers[pid], selectors.EVENT_READ, pid)
                    control.send(("forked", pid))
                else:
                    pid = key.data
                    selector.unregister(key.fileobj)
                    os.close(workers.pop(pid))
                    control.send(("exited", pid, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])))
    except (EOFError, OSError):
        return  # the pool closed its end (or died)
    finally:
        for pid, pidfd in workers.items():
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.waitpid(pid, 0)


def become_worker(fd: int, memory_mb: int, release: Callable[[], None]) -> NoReturn:
    """In the forked child: drop the server's descriptors and serve documents on ``fd`` until the pool
    closes it; never returns into the server's loop."""
    from nianbao.parsers.worker import serve

    code = 0
    try:
        release()
        os.set_inheritable(fd, False)  # a converter this worker starts must not hold the pool's socket open
        serve(Connection(fd), memory_mb)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then closes the pool
    from nianbao.parsers.worker import WORKING_MB, address_space_mb, load_extractors, load_parsers

    fd, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    os.set_inheritable(fd, False)
    control = Connection(fd)
    load_parsers()
    idle_mb = address_space_mb()
    if 0 < memory_mb < idle_mb + WORKING_MB:
        control.send(("unfit", idle_mb))
        return
    control.send(("ready", idle_mb))
    load_extractors()  # while the pool's process starts up; then every worker has them
    gc.freeze()  # forked workers share these objects: their collections need not walk (and copy) them
    serve_forks(control, memory_mb)
    os._exit(0)  # nothing to flush; tearing down every module the parsers loaded would only delay the pool's close


if __name__ == "__main__":
    main()
