"""One parse worker process: documents in on its own socket, one ParseResult (or the reason there is none) out.

:mod:`nianbao.parsers.pool` starts it as ``python -m nianbao.parsers.worker FD MEMORY_MB``: a fresh
interpreter that imports the parsers and nothing else (a multiprocessing worker re-imports the
parent's main module: Scrapy, Twisted and numpy made each worker 200 MB of address space before its
first document).  The worker measures its idle size, refuses to start under a memory cap that leaves
it no room to work (:data:`WORKING_MB`), caps its address space and says it is ready; then it
answers one document at a time.  A MemoryError while receiving a document or sending a result is
answered with the reason and the worker exits (a half-read message leaves the stream out of step);
anything worse ends the process, which the pool sees as the end of the socket.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import resource
import signal
import sys
from multiprocessing.connection import Connection

# Room a worker needs above its idle size for the libraries that load on first use and a small
# document (measured: a sample PDF report takes a worker from 31 to 73 MB of address space).
WORKING_MB = 64


def address_space_mb() -> int:
    """This process's address space (VmSize) in MB: what RLIMIT_AS counts."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmSize:"))
    return int(line.split()[1]) // 1024


def answer(connection: Connection, message: tuple[str, object]) -> bool:
    """Send ``message``; False when there was no memory to (or the pool is gone)."""
    try:
        connection.send(message)
        return True
    except (MemoryError, OSError):
        return False


def load_extractors() -> None:
    """Import every format's extractor (and PDF, HTML, Word libraries) once the pool knows this worker is
    ready: while the pool's process starts up and reads its first documents, not inside the first
    document of each format.  One that cannot be imported (a missing library, the memory cap) is reported by the documents
    that need it."""
    from nianbao.parsers import extract

    for module in pkgutil.iter_modules(extract.__path__):
        try:
            importlib.import_module(f"{extract.__name__}.{module.name}")
        except (ImportError, MemoryError):
            pass


def serve(connection: Connection, memory_mb: int) -> None:
    from nianbao.parsers.api import parse_bytes

    idle_mb = address_space_mb()
    if memory_mb > 0:
        if memory_mb < idle_mb + WORKING_MB:
            answer(connection, ("unfit", idle_mb))
            return
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    answer(connection, ("ready", idle_mb))
    load_extractors()
    while True:
        try:
            path = connection.recv()
            connection.send(("taken", None))  # from here on, an end of this worker is the document's doing
            data = connection.recv_bytes()
        except EOFError:  # the pool closed
            return
        except MemoryError:  # answered once the half-read message is freed, then out: the stream is out of step
            data = None
        if data is None:
            answer(connection, ("failed", f"parse failed: out of memory receiving the document (cap {memory_mb} MB)"))
            return
        result = parse_bytes(data, path=path)
        del data
        if not answer(connection, ("parsed", result)):
            del result
            answer(connection, ("failed", f"parse failed: out of memory sending the result (cap {memory_mb} MB)"))
            return


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then closes the pool
    fd, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    os.set_inheritable(fd, False)  # a converter this worker starts must not hold the pool's socket open
    serve(Connection(fd), memory_mb)


if __name__ == "__main__":
    main()
