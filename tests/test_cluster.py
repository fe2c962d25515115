"""The cluster (issue: beyond one machine): a real redis-server, real worker processes, the real spider
against the sample mirror, and one archive writer; compared with the single-machine demo archive."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.cluster.queue import RESULTS, broker, client, put_blob
from nianbao.cluster.redis_server import RedisServer
from nianbao.cluster.tasks import declare, parsed_key
from nianbao.cluster.writer import ArchiveWriter, same_archive
from nianbao.crawler.mirror.server import MirrorServer
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, select_portals
from nianbao.crawler.run import MIRROR_SETTINGS
from nianbao.parsers.model import ParseResult

pytestmark = pytest.mark.slow


def test_cluster_demo_with_a_worker_killed_builds_the_demo_archive(demo_db: tuple[Path, str], tmp_path: Path):
    db_path = tmp_path / "cluster.db"
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "cluster-demo", "--workers", "2", "--db", str(db_path), "--kill-one"],
        capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "killed worker" in done.stdout  # the kill really happened, mid-crawl
    assert same_archive(demo_db[0], db_path) == []
    db = sqlite_utils.Database(db_path)
    portals = len(select_portals(path=SAMPLE_REGISTRY_PATH))
    assert db.execute("select count(*) from cluster_jobs").fetchone()[0] == 2 * portals  # 2 crawls, each portal once
    assert [r[0] for r in db.execute("select status from crawl_runs order by id")] == ["finished", "finished"]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis")
    yield server.url
    server.stop()


@pytest.fixture
def one_worker(redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    worker = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "worker", "--redis", redis_url,
                               "--home", str(tmp_path / "node")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield worker
    worker.terminate()
    worker.wait(30)


def test_a_result_delivered_twice_changes_nothing(redis_url: str, one_worker, mirror: MirrorServer, tmp_path: Path):
    writer = ArchiveWriter(tmp_path / "archive.db", redis_url)
    writer.crawl(select_portals(["gongyi"], SAMPLE_REGISTRY_PATH), mirror.proxy_url, MIRROR_SETTINGS, lambda _: None)
    before = _holdings(writer.db)
    assert before["reports"] == 3 and before["versions"] == 3
    ((_, entry),) = [(i, e) for i, e in client(redis_url).xrange(RESULTS)]
    job = json.loads(entry[b"entry"])
    assert writer.apply(job) is False  # the same job again: applied once
    writer.apply(job | {"job": "another-delivery"})  # the same captures under another job: ingest is idempotent
    assert _holdings(writer.db) == before
    writer.close()


def _holdings(db: sqlite_utils.Database) -> dict[str, int]:
    counts = {name: db.execute(f"select count(*) from {name}").fetchone()[0]
              for name in ("reports", "report_versions", "figures", "documents", "changes")}
    return counts | {"versions": counts["report_versions"]}



def _worker(redis_url: str, home: Path, queues: str) -> subprocess.Popen[bytes]:
    """A worker as its own node (own session, so SIGKILL takes its parse process too); quick to be declared dead."""
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", "worker", "--redis", redis_url, "--home", str(home),
                             "--queues", queues], env=os.environ | {"NIANBAO_HEARTBEAT_TIMEOUT_MS": "3000"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_parse_worker_killed_mid_parse_has_its_job_done_by_another(redis_url: str, tmp_path: Path):
    seed = next(Path(__file__).resolve().parents[2].joinpath("shared", "seeds").glob("000_*.txt"))
    lines = seed.read_text(encoding="utf-8").splitlines() * 120  # a page that takes seconds to parse
    data = ("<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>").encode()
    sha256 = hashlib.sha256(data).hexdigest()
    store = client(redis_url)
    put_blob(store, sha256, data)
    first = _worker(redis_url, tmp_path / "first", "parse")
    declare(broker(redis_url), redis_url).parse.send(sha256, "big.html")
    deadline = time.monotonic() + 60
    while not any(store.smembers(key) for key in store.keys("dramatiq:__acks__.*.parse")):  # taken, not done
        assert time.monotonic() < deadline, "the first worker never took the parse job"
        time.sleep(0.02)
    assert not store.exists(parsed_key(sha256))
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    second = _worker(redis_url, tmp_path / "second", "parse")
    try:
        deadline = time.monotonic() + 180
        while not store.exists(parsed_key(sha256)):
            assert time.monotonic() < deadline, "no other worker took the dead worker's parse job"
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(30)
    result = ParseResult(**json.loads(store.get(parsed_key(sha256))))
    assert result.sha256 == sha256 and result.path == "big.html"
