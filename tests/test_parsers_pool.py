"""The parse pool: real documents parsed in real worker processes, and workers that die, time out or run
out of memory turning into an error on that one document while the pool goes on.

A worker is ended by a real signal at each moment of a document's life: while it receives the document,
while it parses, while it sends the result back, and between documents; every future must complete with
a clear error within BOUND seconds (no future left waiting: the crawl awaits them)."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.pool import ParsePool, WorkerStartError, parse_documents

SAMPLES = sorted(Path("tools/mirror/files").glob("*.pdf"))  # the two real reports the mirror serves
# A long plain-text report: seconds of parsing and a few hundred MB of memory in one worker.
BIG_TEXT = (("第一章 总体情况\n" + "本机关主动公开政府信息。" * 20 + "\n") * 60000).encode()


BOUND = 60  # seconds a future may take to complete once its worker is gone (generous: the machine is shared)


def children(pid: int) -> list[int]:
    """The processes ``pid``'s threads started."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:  # the process ended
        return []
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):  # the thread or the process ended meanwhile
            pass
    return found


def fork_servers() -> list[int]:
    """This test process's parse fork servers (its children running ``nianbao.parsers.forkserver``)."""
    servers = []
    for pid in children(os.getpid()):
        try:
            if b"nianbao.parsers.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                servers.append(pid)
        except FileNotFoundError:  # it ended meanwhile
            pass
    return servers


def worker_pids() -> list[int]:
    """The parse workers this test process runs: the children of its fork servers."""
    return [pid for server in fork_servers() for pid in children(server)]


def the_worker() -> tuple[int, int]:
    """The one worker of a one-worker pool: its pid and the descriptor of its socket (its only one)."""
    (pid,) = worker_pids()
    (fd,) = [int(fd.name) for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:")]
    return pid, fd


def in_syscall(tid_path: str, number: int, fd: int | None = None) -> bool:
    """Whether a thread is blocked in system call ``number`` (x86-64: 0 read, 1 write), on ``fd`` if given."""
    try:
        fields = Path(tid_path, "syscall").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] == str(number) and (fd is None or int(fields[1], 16) == fd)


def wait_for(condition: Callable[[], bool], seconds: float = BOUND) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the moment to kill the worker never came"


def ended(pid: int) -> bool:
    """Dead (a zombie, or reaped by its fork server)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before or while /proc was read
        return True


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def sample_documents() -> list[tuple[bytes, str]]:
    return [(path.read_bytes(), str(path)) for path in SAMPLES]


def test_pool_gives_what_inline_parsing_gives_in_order():
    documents = sample_documents() * 2
    with ParsePool(workers=2, memory_mb=2048, timeout=120) as pool:
        results = list(parse_documents(pool, documents, ahead=3))
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
    with ParsePool(workers=1, memory_mb=160, timeout=120) as pool:
        hungry = pool.submit(BIG_TEXT, "big.txt").result()
        assert not hungry.figures and not hungry.sections
        assert any("memory" in e.lower() or "died" in e for e in hungry.errors), hungry.errors
        assert pool.submit(data, path).result().figures


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGSEGV, signal.SIGTERM])
def test_worker_ended_mid_parse_is_an_error_on_that_document_only(signum):
    """SIGKILL is what the OOM killer sends; SIGSEGV is how a crash in PDFium or a C extension ends a worker."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        pid, _ = the_worker()
        busy = pool.submit(BIG_TEXT, "big.txt")
        while resident_mb(pid) < 150 and not busy.done():  # the document arrived: it is being parsed
            time.sleep(0.05)
        os.kill(pid, signum)
        killed = busy.result(timeout=BOUND)
        assert killed.errors == [f"parse failed: the parser process died (killed by {signum.name}); memory cap 2048 MB"]
        assert killed.path == "big.txt" and len(killed.sha256) == 64
        assert pool.submit(data, path).result(timeout=BOUND).figures


def test_worker_killed_while_receiving_the_document():
    """The worker took a 200 MB document and is reading it (its memory grows) when it is stopped; the
    pool's thread is then seen blocked writing the rest, and the worker is killed half-way."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        pid, _ = the_worker()
        (slot,) = [t for t in threading.enumerate() if t.name.startswith("parse-slot-")]
        idle = resident_mb(pid)
        receiving = pool.submit(b"x" * (200 * 1024 * 1024), "big.bin")
        wait_for(lambda: resident_mb(pid) > idle + 20)
        os.kill(pid, signal.SIGSTOP)
        wait_for(lambda: in_syscall(f"/proc/self/task/{slot.native_id}", 1), seconds=10)  # the rest is unsent
        os.kill(pid, signal.SIGKILL)
        killed = receiving.result(timeout=BOUND)
        assert killed.errors == ["parse failed: the parser process died (killed by SIGKILL); memory cap 2048 MB"]
        assert pool.submit(data, path).result(timeout=BOUND).figures


def test_worker_out_of_memory_while_receiving_the_document():
    """The hang of issue 9: a document bigger than the worker may hold fails while it is being received."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=120, timeout=120) as pool:
        result = pool.submit(b"x" * (150 * 1024 * 1024), "huge.bin").result(timeout=BOUND)
        assert result.errors == ["parse failed: out of memory receiving the document (cap 120 MB)"]
        assert pool.submit(data, path).result(timeout=BOUND).figures


def test_worker_killed_while_sending_the_result():
    """The worker is killed the moment it is seen blocked writing its (45 MB of text) result to its socket."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=300) as pool:
        pool.submit(b"warm up", "w.txt").result()
        pid, fd = the_worker()
        sending = pool.submit(BIG_TEXT, "big.txt")
        caught = False
        while not sending.done():
            if in_syscall(f"/proc/{pid}", 1, fd):
                os.kill(pid, signal.SIGKILL)
                caught = True
                break
        result = sending.result(timeout=BOUND)
        if caught:
            assert result.errors == ["parse failed: the parser process died (killed by SIGKILL); memory cap 2048 MB"]
        else:  # the whole result went through between two looks: it must be the real one
            assert result.text and not result.errors
            pytest.skip("the worker was never seen writing its result")
        assert pool.submit(data, path).result(timeout=BOUND).figures


def test_time_limit_counts_from_the_start_of_each_document_not_its_submission():
    """Documents queued behind others for longer than the time limit are parsed, not failed."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=BOUND) as pool:
        pool.submit(data, path).result()  # the worker loads the PDF libraries
        started = time.monotonic()
        pool.submit(data, path).result()
        one = time.monotonic() - started
        limit = max(1.0, 4 * one)  # one document takes a quarter of it
        count = math.ceil(2 * limit / one) + 1  # all of them take twice as long as the limit
        started = time.monotonic()
        results = [f.result(timeout=BOUND * count) for f in [pool.submit(data, path, timeout=limit) for _ in range(count)]]
        assert time.monotonic() - started > limit
    assert all(r.figures and not r.errors for r in results), [r.errors for r in results]


def test_memory_cap_below_what_a_worker_needs_is_refused_at_start():
    with pytest.raises(WorkerStartError, match=r"memory cap of 40 MB is below what a worker needs: \d+ MB idle"):
        ParsePool(workers=1, memory_mb=40)
    assert not fork_servers()


@pytest.mark.parametrize("workers", [0, 2])
def test_bad_input_is_an_error_in_the_result_not_an_exception(workers):
    with ParsePool(workers=workers) as pool:
        result = pool.submit(b"%PDF-1.7\n garbage", "bad.pdf").result()
    assert result.errors and result.path == "bad.pdf"


def test_a_worker_dying_between_documents_costs_no_document():
    """A worker found dead when a document is handed to it is replaced; the document is parsed."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        pid, _ = the_worker()
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: ended(pid))
        results = [pool.submit(data, path).result(timeout=BOUND) for _ in range(2)]
        replacement = worker_pids()
    assert all(r.figures and not r.errors for r in results), [r.errors for r in results]
    assert replacement and all(map(ended, replacement)) and not fork_servers()  # closing the pool ended them all


def test_a_fork_server_that_died_is_replaced():
    """Killing the fork server (the OOM killer may pick it) costs no document: its worker goes on until it
    ends, and the next worker comes from a new server."""
    data, path = sample_documents()[0]
    with ParsePool(workers=1, memory_mb=2048, timeout=120) as pool:
        pool.submit(b"warm up", "w.txt").result()
        (server,) = fork_servers()
        pid, _ = the_worker()
        os.kill(server, signal.SIGKILL)
        wait_for(lambda: server not in fork_servers())
        assert pool.submit(data, path).result(timeout=BOUND).figures  # the orphaned worker still answers
        os.kill(pid, signal.SIGKILL)
        results = [pool.submit(data, path).result(timeout=BOUND) for _ in range(2)]
        (replacement,) = fork_servers()
    assert replacement != server
    assert all(r.figures and not r.errors for r in results), [r.errors for r in results]
    assert not fork_servers()


def test_workers_end_with_the_process_that_ran_the_pool(tmp_path):
    """A crawl killed with SIGKILL leaves no fork server and no worker behind: they see their sockets end."""
    script = tmp_path / "pool.py"
    script.write_text(
        "import sys, time\n"
        "from nianbao.parsers.pool import ParsePool\n"
        "pool = ParsePool(workers=2)\n"
        "pool.submit(b'warm up', 'w.txt').result()\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE)
    try:
        assert owner.stdout.readline() == b"ready\n"
        servers = children(owner.pid)
        workers = [pid for server in servers for pid in children(server)]
        assert len(servers) == 1 and len(workers) == 2
    finally:
        owner.kill()
        owner.wait()
    wait_for(lambda: all(map(ended, servers + workers)), seconds=BOUND)
