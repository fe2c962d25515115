"""One parse worker: documents in on its own socket, one ParseResult (or the reason there is none) out.

A worker is forked by the fork server (:mod:`nianbao.parsers.forkserver`), which has imported the
parsers and nothing else (a multiprocessing worker re-imports the parent's main module: Scrapy, Twisted
and numpy made each worker 200 MB of address space before its first document).  The worker caps its
address space and answers one document at a time.  A MemoryError while receiving a document or
sending a result is answered with the reason and the worker exits (a half-read message leaves the
stream out of step); anything worse ends the process, which the pool sees as the end of the socket.
"""

from __future__ import annotations

import importlib
import pkgutil
import resource
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


def load_parsers() -> None:
    """Import what every document needs (the idle size a memory cap is checked against)."""
    importlib.import_module("nianbao.parsers.api")


def load_extractors() -> None:
    """Import every format's extractor (and PDF, HTML, Word libraries) once, in the fork server, so no
    worker imports them inside its first document of each format.  One that cannot be imported (a
    missing library) is reported by the documents that need it."""
    from nianbao.parsers import extract

    for module in pkgutil.iter_modules(extract.__path__):
        try:
            importlib.import_module(f"{extract.__name__}.{module.name}")
        except ImportError:
            pass


def serve(connection: Connection, memory_mb: int) -> None:
    """Cap this process's address space at ``memory_mb`` (0: no cap) and parse documents until the pool
    closes the socket."""
    from nianbao.parsers.api import parse_bytes

    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
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
