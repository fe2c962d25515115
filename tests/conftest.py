"""Shared pytest fixtures.  Add fixtures; do not rewrite other people's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import MirrorServer, start_mirror
from crawler.run import MIRROR_SETTINGS, run_crawl_subprocess


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
