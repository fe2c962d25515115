"""The archive download (/nianbao.db) of a real ``nianbao serve`` while publishes replace the file: every
download is one whole published snapshot, its Content-Length its size, its ETag naming it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.served import served
from nianbao.archive.publish import publish

pytestmark = pytest.mark.slow


def download(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return int(response.headers["Content-Length"]), response.headers["ETag"], response.read()


def test_downloads_racing_publishes_are_whole_snapshots(tmp_path: Path, site_db: Path) -> None:
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    small.write_bytes(site_db.read_bytes())
    large.write_bytes(site_db.read_bytes())
    with sqlite3.connect(large) as conn:  # a few MB more, so the two snapshots differ in size
        conn.execute("create table filler (data blob)")
        conn.executemany("insert into filler values (?)", [(os.urandom(2**20),) for _ in range(8)])
    target = tmp_path / "site" / "nianbao.db"
    published = {hashlib.sha256(publish(small, target).read_bytes()).hexdigest()}
    downloads: list[tuple[int, str, bytes]] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    with served(target) as (base, _):

        def keep_downloading() -> None:
            while not stop.is_set():
                try:
                    downloads.append(download(f"{base}/nianbao.db"))
                except BaseException as error:  # an IncompleteRead is what the race gave before
                    errors.append(error)

        threads = [threading.Thread(target=keep_downloading) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            for n in range(12):
                path = publish(large if n % 2 == 0 else small, target)
                published.add(hashlib.sha256(path.read_bytes()).hexdigest())
                time.sleep(0.1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(180)
        assert not errors, errors[:3]  # checked with the server still up: a cut download may hold it open
        assert len(published) >= 2 and len(downloads) >= 6, (len(published), len(downloads))
        etags: dict[str, str] = {}
        for length, etag, body in downloads:
            digest = hashlib.sha256(body).hexdigest()
            assert length == len(body) and digest in published
            assert etags.setdefault(etag, digest) == digest  # one ETag, one snapshot
        assert len(set(etags.values())) >= 2  # downloads saw more than one snapshot
