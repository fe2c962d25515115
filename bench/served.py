"""``nianbao serve`` in a child process on a free loopback port, for tests and benchmarks that need the
real server (uvicorn, as deployed) rather than Datasette's in-process client."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(db_path: str | Path, timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen]]:
    """``nianbao serve --db db_path``: yields its base URL once it answers, and the process; stops it after."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    raise RuntimeError(f"nianbao serve did not start: {server.communicate()[0].decode()[-2000:]}") from None
                time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
