"""The parse pool: real documents parsed in real worker processes, and workers that die, time out or run
out of memory turning into an error on that one document while the pool goes on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.pool import ParsePool, parse_documents

SAMPLES = sorted(Path("tools/mirror/files").glob("*.pdf"))  # the two real reports the mirror serves
# A long plain-text report: seconds of parsing and a few hundred MB of memory in one worker.
BIG_TEXT = (("第一章 总体情况\n" + "本机关主动公开政府信息。" * 20 + "\n") * 60000).encode()


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def sample_documents() -> list[tuple[bytes, str]]:
    return [(path.read_bytes(), str(path)) for path in SAMPLES]


def test_pool_gives_what_inline_parsing_gives_in_order():
    documents = sample_documents() * 2
    with ParsePool(workers=2, memory_mb=2048, timeout=120) as pool:
        results = parse_documents(pool, documents)
    assert [r.path for r in results] == [path for _, path in documents]
    for (data, path), result in zip(documents, results):
        inline = parse_bytes(data, path=path)
        assert result.figures == inline.figures and result.figures
        assert result.errors == inline.errors and result.sha256 == inline.sha256


def test_inline_mode_parses_in_this_process():
    data, path = sample_documents()[0]
    with ParsePool(workers=0) as pool:
        future = pool.submit(data, path)
        assert future.done()  # no worker: parsed before submit returned
        assert future.result().figures == parse_bytes(data, path=path).figures


def test_document_over_the_time_limit_is_an_error_and_the_pool_goes_on():
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=300) as pool:
        started = time.monotonic()
        slow = pool.submit(BIG_TEXT, "big.txt", timeout=1).result()
        assert time.monotonic() - started < 10
        assert slow.errors == ["parse stopped: took longer than 1 s (worker killed)"]
        assert not slow.figures and slow.path == "big.txt" and len(slow.sha256) == 64
        assert pool.submit(data, path).result().figures  # a new worker took over


def test_document_over_the_memory_cap_is_an_error_and_the_pool_goes_on():
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=256, timeout=120) as pool:  # ~85 MB of it: the preloaded parsers
        hungry = pool.submit(BIG_TEXT, "big.txt").result()
        assert not hungry.figures and not hungry.sections
        assert any("memory" in e.lower() or "died" in e for e in hungry.errors), hungry.errors
        assert pool.submit(data, path).result().figures


def test_worker_killed_mid_parse_is_an_error_on_that_document_only():
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        (worker,) = multiprocessing.active_children()
        busy = pool.submit(BIG_TEXT, "big.txt")
        while resident_mb(worker.pid) < 150 and not busy.done():  # the document arrived: it is being parsed
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        killed = busy.result()
        assert killed.errors == ["parse failed: the parser process died (killed by SIGKILL); memory cap 2048 MB"]
        assert pool.submit(data, path).result().figures


@pytest.mark.parametrize("workers", [0, 2])
def test_bad_input_is_an_error_in_the_result_not_an_exception(workers):
    with ParsePool(workers=workers) as pool:
        result = pool.submit(b"%PDF-1.7\n garbage", "bad.pdf").result()
    assert result.errors and result.path == "bad.pdf"


def test_a_worker_dying_between_documents_costs_no_document():
    """pebble gives a pool up when a worker dies outside any task; a new pool takes the documents."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        (worker,) = multiprocessing.active_children()
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
        results = [pool.submit(data, path).result() for _ in range(2)]
    assert all(r.figures and not r.errors for r in results), [r.errors for r in results]
