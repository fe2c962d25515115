"""SQLite limits on the served site: statements that build huge values fail at once with a clear 400, on
the worker threads' connections of a real ``nianbao serve``, and the server stays small; a stored
document larger than the limit still downloads whole from /raw/."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import http_get

from bench.served import served
from nianbao.archive.publish import publish
from nianbao.site.limits import LENGTH_LIMIT

pytestmark = pytest.mark.slow
GiB = 2**30


def rss_peak(pid: int) -> int:
    """The process's peak resident memory in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) * 1024


def sql(base: str, statement: str) -> tuple[int, dict]:
    status, _, body = http_get(f"{base}/nianbao.json?sql={urllib.parse.quote(statement)}&_shape=objects", timeout=60)
    return status, json.loads(body)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, site_db: Path):
    """The site archive plus one document bigger than the length limit, published and served."""
    folder = tmp_path_factory.mktemp("limits")
    working = folder / "working.db"
    working.write_bytes(site_db.read_bytes())
    big = os.urandom(LENGTH_LIMIT + 5 * 2**20)
    with sqlite3.connect(working) as conn:
        conn.execute("insert into documents (sha256, size, format, content_type, content, first_seen) "
                     "values (?, ?, 'pdf', 'application/pdf', ?, '2026-01-01T00:00:00Z')",
                     [hashlib.sha256(big).hexdigest(), len(big), big])
    with served(publish(working, folder / "site" / "nianbao.db")) as (base, server):
        yield base, server, big


def test_a_huge_value_fails_fast_with_a_clear_error(site) -> None:
    base, server, _ = site
    started = time.monotonic()
    status, answer = sql(base, "select length(randomblob(900000000)) as n")
    assert status == 400 and "too big" in answer["error"]
    assert time.monotonic() - started < 5
    assert sql(base, f"select length(randomblob({LENGTH_LIMIT + 1})) as n")[0] == 400  # just over the limit
    status, answer = sql(base, "select length(randomblob(1000000)) as n")
    assert status == 200 and answer["rows"] == [{"n": 1000000}]
    assert rss_peak(server.pid) < GiB


def test_concurrent_huge_statements_leave_the_server_small_and_answering(site) -> None:
    base, server, _ = site
    statements = ["select length(randomblob(900000000)) as n"] * 3 + [  # the three: 5.4 GB, 20 s stall
        "select " + ", ".join(f"randomblob({LENGTH_LIMIT - 1}) as b{i}" for i in range(20)),  # 640 MiB in one row
    ]
    answers: list[int] = []
    threads = [threading.Thread(target=lambda s=s: answers.append(sql(base, s)[0])) for s in statements]
    for thread in threads:
        thread.start()
    page_started = time.monotonic()
    assert http_get(f"{base}/report/1", timeout=60)[0] == 200  # other pages keep answering meanwhile
    page_seconds = time.monotonic() - page_started
    for thread in threads:
        thread.join(120)
    assert sorted(answers) == [400] * len(statements)
    assert page_seconds < 10
    assert rss_peak(server.pid) < GiB


def test_a_stored_document_over_the_limit_still_downloads_whole(site) -> None:
    base, server, big = site
    status, headers, body = http_get(f"{base}/raw/{hashlib.sha256(big).hexdigest()}", timeout=120)
    assert status == 200 and body == big
    status, _, page = http_get(f"{base}/nianbao/documents/{hashlib.sha256(big).hexdigest()}", timeout=60)
    assert status == 400 and "more memory than the site allows" in page.decode()
