"""Reparse speed: ``nianbao reparse`` of the demo archive against parsing its raw documents in one process.

Run: python -m bench.bench_reparse [ROUNDS]   (from the repo root; default 3 rounds, the median kept)

Builds the demo archive (``nianbao demo --no-serve``: the sample mirror crawled twice), then times,
in the same run:

- anchor: every raw document the archive's versions use, parsed one after another in one process
  (``parse_bytes``, documents already in memory);
- ``reparse_archive`` on a copy of the archive, in this process: the worker pool started, documents
  read, parsed in the pool, every version rewritten and compared (pool start-up included);
- the same two as commands, from process start to exit: ``nianbao reparse --db COPY`` against
  ``python -m bench.bench_reparse --parse-only DB`` (the anchor loop in a fresh process).

Goal (issue 14): reparse takes at most 0.75x the anchor's time.  Verified: the reparse changed
nothing (same parser), and every version's figures equal the anchor's parse of its main document.
Conditions printed: cores, load average, CPU vs wall.
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.verdict import conclude, conditions
from nianbao.archive.db import open_archive
from nianbao.archive.reparse import reparse_archive
from nianbao.parsers import parse_bytes
from nianbao.parsers.model import ParseResult
from nianbao.parsers.pool import ParsePool

GOAL = 0.75


def raw_documents(db_path: Path) -> list[tuple[str, bytes, str]]:
    """(sha256, bytes, url) of every document a version uses, once each."""
    with sqlite3.connect(db_path) as conn:
        return [(sha, bytes(content), url) for sha, content, url in conn.execute(
            "select d.sha256, d.content, min(v.url) from documents d join version_documents v on v.sha256 = d.sha256 "
            "group by d.sha256 order by d.sha256")]


def parse_all(documents: list[tuple[str, bytes, str]]) -> dict[str, ParseResult]:
    return {sha: parse_bytes(data, path=url) for sha, data, url in documents}


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object], rounds: int) -> tuple[float, float, object]:
    """Median wall seconds, CPU seconds per round, and the last result."""
    walls, cpu_start = [], cpu_seconds()
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), (cpu_seconds() - cpu_start) / rounds, result


def reparse_copy(db_path: Path, folder: Path, summaries: list) -> None:
    copy = folder / "copy.db"
    shutil.copy(db_path, copy)
    db = open_archive(copy)
    with ParsePool() as pool:
        summaries.append(reparse_archive(db, pool))
    db.close()


def command(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True)


def verify(db_path: Path, parsed: dict[str, ParseResult], summaries: list) -> list[str]:
    problems = [f"reparse changed {s.changed} versions of an archive the same parser made" for s in summaries if s.changed]
    with sqlite3.connect(db_path) as conn:
        versions = conn.execute("select id, document_sha256 from report_versions").fetchall()
        for version_id, sha in versions:
            stored = dict(conn.execute("select key, value from figures where version_id = ?", [version_id]).fetchall())
            expected = parsed[sha].figures if parsed[sha].template != "unknown" else {}
            if stored != expected:
                problems.append(f"version {version_id}: figures differ from the anchor's parse of {sha[:12]}")
    if summaries and summaries[-1].versions != len(versions):
        problems.append(f"reparsed {summaries[-1].versions} of {len(versions)} versions")
    return problems


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db_path = folder / "demo.db"
        command([sys.executable, "-m", "nianbao.cli", "demo", "--db", str(db_path), "--no-serve"])
        documents = raw_documents(db_path)
        workers = ParsePool(0).workers or len(os.sched_getaffinity(0))
        print(f"conditions: {conditions()} at start, {workers} parse workers; demo archive: {len(documents)} raw documents, "
              f"{sum(len(d) for _, d, _ in documents) / 1e6:.1f} MB; median of {rounds} rounds")
        anchor, anchor_cpu, parsed = timed(lambda: parse_all(documents), rounds)
        summaries: list = []
        reparse, reparse_cpu, _ = timed(lambda: reparse_copy(db_path, folder, summaries), rounds)
        anchor_cmd, _, _ = timed(lambda: command([sys.executable, "-m", "bench.bench_reparse", "--parse-only",
                                                  str(db_path)]), rounds)
        shutil.copy(db_path, folder / "cmd.db")
        reparse_cmd, _, _ = timed(lambda: command([sys.executable, "-m", "nianbao.cli", "reparse", "--db",
                                                   str(folder / "cmd.db")]), rounds)
        problems = verify(folder / "copy.db", parsed, summaries)  # type: ignore[arg-type]
    versions = summaries[-1].versions
    print(f"anchor: parse in one process     {anchor:6.2f} s  ({len(documents) / anchor:5.1f} documents/s, "
          f"CPU {anchor_cpu / anchor:4.0%} of wall)")
    print(f"reparse_archive, worker pool     {reparse:6.2f} s  ({versions / reparse:5.1f} versions/s, "
          f"CPU {reparse_cpu / reparse:4.0%} of wall)   ratio {reparse / anchor:.2f} (goal <= {GOAL})")
    print(f"anchor as a command              {anchor_cmd:6.2f} s")
    print(f"nianbao reparse (the command)    {reparse_cmd:6.2f} s   ratio {reparse_cmd / anchor_cmd:.2f} "
          f"(goal <= {GOAL})")
    conclude(problems, "reparse changed nothing; every version's figures are the anchor's parse of its main document")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--parse-only"]:
        parse_all(raw_documents(Path(sys.argv[2])))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
