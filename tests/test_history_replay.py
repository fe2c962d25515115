"""The crawl's WARC files replay with pywb: a collection built by ``wb-manager`` from one run's files,
served by ``wayback``, gives back the exact bytes the archive stored for a report article and a PDF.

pywb runs in subprocesses, as an operator runs it (docs/operators.md): its apps monkey-patch the
process with gevent on import, which must not happen inside pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from conftest import free_port, http_get

# pywb pins redis 2.x, which the cluster's Redis client cannot share a virtualenv with: scripts/test
# installs it into a virtualenv of its own, .venv-pywb (PYWB_BIN names another folder; without either,
# pywb is looked for beside this Python).
_PYWB_VENV = Path(__file__).resolve().parents[1] / ".venv-pywb" / "bin"
BIN = Path(os.environ.get("PYWB_BIN") or (_PYWB_VENV if _PYWB_VENV.is_dir() else Path(sys.executable).parent))
COLLECTION = "nianbao"


def wb_manager(root: Path, *args: str) -> None:
    subprocess.run([str(BIN / "wb-manager"), *args], cwd=root, check=True, capture_output=True, timeout=60)






@contextmanager
def wayback(warcs: list[Path], root: Path) -> Iterator[str]:
    """pywb serving a collection of ``warcs`` on a free loopback port; yields its base URL."""
    wb_manager(root, "init", COLLECTION)
    wb_manager(root, "add", COLLECTION, *map(str, warcs))
    port = free_port()
    server = subprocess.Popen([str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                http_get(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        assert server.poll() is None, server.stderr.read().decode()
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def stored_fetch(db: sqlite_utils.Database, where: str) -> dict:
    """The first successful fetch matching ``where``, with the bytes the archive stored for it."""
    rows = list(db.query(
        "select f.url, f.fetched_at, d.content from fetches f join documents d on d.sha256 = f.sha256 "
        f"where f.status = 200 and f.warc_record_id is not null and {where} order by f.id limit 1"))
    assert rows, f"no fetch with {where}"
    return rows[0]


def timestamp(fetched_at: str) -> str:
    """pywb's 14-digit timestamp from an ISO time such as 2026-11-23T15:28:02Z."""
    return "".join(ch for ch in fetched_at if ch.isdigit())[:14]


def test_pywb_replays_the_bytes_the_archive_stored(crawl_mirror, tmp_path):
    db_path = tmp_path / "archive.db"
    crawl_mirror(db_path)
    db = sqlite_utils.Database(db_path)
    warcs = sorted({tmp_path / name for (name,) in db.execute("select distinct warc_file from fetches")})
    assert warcs and all(path.is_file() for path in warcs)
    article = stored_fetch(db, "f.role = 'article'")
    pdf = stored_fetch(db, "f.role = 'attachment' and d.format = 'pdf'")
    (tmp_path / "pywb").mkdir()
    with wayback(warcs, tmp_path / "pywb") as base:
        for fetch in (article, pdf):
            status, _, body = http_get(f"{base}/{COLLECTION}/{timestamp(fetch['fetched_at'])}id_/{fetch['url']}")
            assert (status, body) == (200, fetch["content"]), fetch["url"]
        missing = f"{base}/{COLLECTION}/{timestamp(article['fetched_at'])}id_/{article['url']}-not-crawled"
        assert http_get(missing)[0] == 404
