"""Shared pytest fixtures.  Add fixtures; do not rewrite other people's."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.abc
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from nianbao.crawler.mirror.server import MirrorServer, start_mirror
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess


class _TopLevelFolderGuard(importlib.abc.MetaPathFinder):
    """crawler/, archive/ and parsers/ are importable only as nianbao.crawler etc., as in an installed wheel.

    The checkout's root is on sys.path in tests (for tools/), which would also let ``import parsers``
    work here and nowhere else; this guard makes such an import fail in the tests as it fails for users."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name in ("crawler", "archive", "parsers"):
            raise ModuleNotFoundError(f"import nianbao.{name}, not the top-level folder {name!r}", name=name)
        return None


sys.meta_path.insert(0, _TopLevelFolderGuard())


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server started as a separate process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """GET over real HTTP: status, headers (lower-case names) and body, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def datasette_get(ds: Datasette, path: str) -> Any:
    """A page from Datasette's in-process client (startup hooks run first): for tests of pages, not of HTTP."""
    async def fetch() -> Any:
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture(scope="session")
def mirror_server() -> Iterator[MirrorServer]:
    """The sample portal mirror on a free 127.0.0.1 port for the whole session (use as proxy)."""
    server = start_mirror(port=0, snapshot=1)
    yield server
    server.stop()


@pytest.fixture
def mirror(mirror_server: MirrorServer) -> Iterator[MirrorServer]:
    """The session mirror reset for one test: snapshot 1, empty request log; snapshot 1 again after."""
    mirror_server.set_snapshot(1)
    mirror_server.clear_hits()
    yield mirror_server
    mirror_server.set_snapshot(1)


@pytest.fixture
def crawl_mirror(mirror: MirrorServer, tmp_path: Path) -> Callable[..., Any]:
    """``crawl_mirror(db_path, portals=(), snapshot=1, **settings)``: a real crawl of the mirror in a
    subprocess (fresh Twisted reactor); returns the ``subprocess.CompletedProcess``."""
    def crawl(db_path: str | Path | None, portals: tuple[str, ...] = (), snapshot: int = 1, **settings: Any):
        mirror.set_snapshot(snapshot)
        warc_dir = Path(db_path).parent / "warc" if db_path else tmp_path / "warc"
        overrides = MIRROR_SETTINGS | {"NIANBAO_WARC_DIR": str(warc_dir)} | settings
        return run_crawl_subprocess(str(db_path) if db_path else None, portals, mirror.proxy_url, overrides,
                                    timeout=240)

    return crawl


@pytest.fixture(scope="session")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real archive for the site tests (see tests/site_archive.py), named as `nianbao serve` names it."""
    from site_archive import build_site_archive

    return build_site_archive(tmp_path_factory.mktemp("site") / "nianbao.db")


@contextlib.contextmanager
def serving(db_path: Path) -> Iterator[str]:
    """The site (archive.publish.make_datasette over db_path) served by uvicorn on a free 127.0.0.1 port."""
    import threading
    import time

    import uvicorn

    from nianbao.archive.publish import make_datasette

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ds = make_datasette(db_path)
    # As `nianbao serve` does: Datasette's run-on-first-request lets concurrent first requests past its
    # startup hooks while they still run (a 500, "render_template() called before invoke_startup()").
    asyncio.run(ds.invoke_startup())
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="session")
def site_url(site_db: Path) -> Iterator[str]:
    """The site over site_db, served on a free 127.0.0.1 port."""
    with serving(site_db) as url:
        yield url


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``nianbao demo --no-serve`` run once: the archive it built and what it printed."""
    import subprocess

    db_path = tmp_path_factory.mktemp("demo") / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "demo", "--no-serve", "--db", str(db_path)],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return db_path, done.stdout + done.stderr
