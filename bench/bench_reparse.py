"""Reparse speed: ``nianbao reparse`` against parsing the same raw documents in one process.

Run: nice python -m bench.bench_reparse [--rounds 5] [--copies 20] [--large-rounds 1]
(from the repo root)

The lead's check (issue 14): ``nianbao reparse`` of the demo archive takes no more than 0.75x the time
of parsing its raw documents in one process, measured in the same run.  Measured two ways, rounds
alternating so both sides see the same machine:

(a) as an operator runs it: the wall time of ``nianbao reparse --db COPY`` (a fresh copy of the demo's
    working archive each round) against ``nianbao parse --json FILE...`` over the same raw documents
    written to files: two commands, the same interpreter start-up on both sides.  CPU counts every
    process a command started (its parse workers included).
    A third command shows the floor any reparse through the worker pool has on this machine: the same
    parse, ``nianbao parse --json --workers N``, in the pool reparse uses (its fork server imports the
    parsers before the first worker starts, then N workers parse), with no archive to read or write.
(b) in this process, no start-up of this interpreter: ``reparse_archive`` in a new worker pool (its
    fork server, which imports the parsers, and its workers started inside the timing) and the derived tables refreshed, against
    ``parse_bytes`` over the documents in memory (parsers already imported).

The demo archive is the sample mirror crawled twice (``nianbao demo --no-serve``, 16 versions); a
larger one repeats its reports ``--copies`` times (new report and version ids, the same documents), to
show how reparse scales with 1 and 2 workers once start-up no longer dominates.

Verified on every reparsed copy: one figure of one version was altered before the reparse; the reparse
restores it and logs exactly that change in ``reparse_log`` (one row, ``changed_figures`` {key: [altered,
parsed]}), and changes nothing else; every version's figures equal the anchor's parse of its main
document; the pool's output is the anchor's, line for line.  The anchor parses each report's documents once, as reparse does (a document two versions of
a report share is parsed once).  Conditions printed: cores, workers, load average, CPU vs wall.
"""

from __future__ import annotations

import argparse
import json
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
from dataclasses import dataclass
from pathlib import Path

from bench.verdict import conclude, conditions
from nianbao.archive.db import open_archive
from nianbao.archive.publish import refresh_derived
from nianbao.archive.reparse import reparse_archive
from nianbao.archive.versions import PARSE_TABLES
from nianbao.parsers import parse_bytes
from nianbao.parsers.pool import ParsePool, default_workers

GOAL = 0.75
NIANBAO = [str(Path(sys.executable).with_name("nianbao"))]  # the console script, as operators run it
ALTERED_VALUE = -4242  # no report prints it


@dataclass
class Timing:
    walls: list[float]
    cpus: list[float]

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def line(self, name: str, work: str, anchor: Timing | None = None) -> str:
        ratio = f"   ratio {self.wall / anchor.wall:.2f}" if anchor else ""
        return (f"  {name:<44} {self.wall:7.2f} s wall  CPU {self.cpu:6.2f} s ({self.cpu / self.wall:4.0%} of wall)"
                f"  {work}{ratio}")


def cpu_seconds() -> float:
    """This process and every descendant it waited for (the pools' workers, the commands and theirs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def command(args: list[str], stdout: Path | None = None) -> tuple[float, float]:
    """Wall seconds until the command exits (what an operator waits for), CPU seconds of all it started."""
    cpu, start = cpu_seconds(), time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        subprocess.run(args, check=True, stdout=out, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, cpu_seconds() - cpu


def in_process(work: Callable[[], object]) -> tuple[float, float]:
    cpu, start = cpu_seconds(), time.perf_counter()
    work()
    return time.perf_counter() - start, cpu_seconds() - cpu


def alternate(rounds: int, sides: dict[str, Callable[[], tuple[float, float]]]) -> dict[str, Timing]:
    """Each round runs every side once, in turn, so the sides share the machine's conditions."""
    timings = {name: Timing([], []) for name in sides}
    for _ in range(rounds):
        for name, run in sides.items():
            wall, cpu = run()
            timings[name].walls.append(wall)
            timings[name].cpus.append(cpu)
    return timings


class Archive:
    """A working archive, the raw documents reparse parses, and fresh altered copies of it."""

    def __init__(self, path: Path, folder: Path) -> None:
        self.path, self.folder = path, folder
        self.folder.mkdir(exist_ok=True)
        with sqlite3.connect(path) as conn:
            self.versions = conn.execute("select count(*) from report_versions").fetchone()[0]
            self.distinct = conn.execute("select count(distinct sha256) from version_documents").fetchone()[0]
            # each report's documents once (reparse parses a document two versions of a report share once)
            self.documents = [(f"{report}-{sha}", bytes(content)) for report, sha, content in conn.execute(
                "select distinct v.report_id, d.sha256, d.content from report_versions v "
                "join version_documents vd on vd.version_id = v.id join documents d on d.sha256 = vd.sha256 "
                "order by v.report_id, d.sha256")]
            self.altered = conn.execute("select version_id, key, value from figures "
                                        "where value is not null order by version_id, key limit 1").fetchone()
        self.files = []
        for name, content in self.documents:
            (folder / name).write_bytes(content)
            self.files.append(str(folder / name))
        self.copies = 0

    def fresh_copy(self) -> Path:
        """A copy with one figure altered, as if an older parser had read it differently."""
        self.copies += 1
        copy = self.folder.parent / f"{self.folder.name}-copy{self.copies}.db"
        shutil.copy(self.path, copy)
        with sqlite3.connect(copy) as conn:
            conn.execute("update figures set value = ? where version_id = ? and key = ?",
                         [ALTERED_VALUE, self.altered[0], self.altered[1]])
        return copy

    def reparse_command(self, workers: int | None, done: list[Path]) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            copy = self.fresh_copy()
            done.append(copy)
            return command([*NIANBAO, "reparse", "--db", str(copy),
                            *(["--workers", str(workers)] if workers is not None else [])])
        return run

    def reparse_here(self, workers: int, done: list[Path]) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            copy = self.fresh_copy()
            done.append(copy)

            def work() -> None:
                db = open_archive(copy)
                with ParsePool(workers) as pool:
                    reparse_archive(db, pool)
                refresh_derived(db)
                db.close()
            return in_process(work)
        return run

    def parse_command(self, output: Path, workers: int = 0) -> Callable[[], tuple[float, float]]:
        return lambda: command([*NIANBAO, "parse", "--json", "--workers", str(workers), *self.files], stdout=output)

    def parse_here(self) -> Callable[[], tuple[float, float]]:
        return lambda: in_process(lambda: [parse_bytes(content, path=name) for name, content in self.documents])

    def verify(self, copies: list[Path], anchor_output: Path) -> list[str]:
        """Problems with the anchor's output or any reparsed copy."""
        parsed = {Path(r["path"]).name.split("-", 1)[1]: r
                  for r in map(json.loads, anchor_output.read_text(encoding="utf-8").splitlines())}
        problems = [] if len(parsed) == self.distinct else [f"anchor parsed {len(parsed)} of {self.distinct} documents"]
        version_id, key, value = self.altered
        for copy in copies:
            with sqlite3.connect(copy) as conn:
                log = conn.execute("select version_id, changed_figures from reparse_log").fetchall()
                if log != [(version_id, json.dumps({key: [ALTERED_VALUE, value]}, ensure_ascii=False))]:
                    problems.append(f"{copy.name}: reparse_log {log[:3]}, expected one row restoring {key} of "
                                    f"version {version_id} from {ALTERED_VALUE} to {value}")
                for vid, sha in conn.execute("select id, document_sha256 from report_versions"):
                    stored = dict(conn.execute("select key, value from figures where version_id = ?", [vid]))
                    expected = parsed[sha]["figures"] if parsed[sha]["template"] != "unknown" else {}
                    if stored != expected:
                        problems.append(f"{copy.name}: version {vid}'s figures differ from the anchor's parse")
        return problems


def enlarge(source: Path, target: Path, copies: int) -> None:
    """``target``: ``source`` with its reports repeated ``copies`` times (new ids, the same documents)."""
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    reports, versions = conn.execute("select max(id), (select max(id) from report_versions) from reports").fetchone()

    def columns(table: str) -> list[str]:
        return [row[1] for row in conn.execute(f"pragma table_info({table})")]

    def repeat(table: str, shifts: dict[str, int], where: str) -> None:
        names = columns(table)
        chosen = ", ".join(f"{n} + {shifts[n]}" if n in shifts else n for n in names)
        conn.execute(f"insert into {table} ({', '.join(names)}) select {chosen} from {table} where {where}")

    with conn:
        for k in range(1, copies):
            repeat("reports", {"id": k * reports, "current_version_id": k * versions}, f"id <= {reports}")
            repeat("report_versions", {"id": k * versions, "report_id": k * reports}, f"id <= {versions}")
            for table in ("version_documents", *PARSE_TABLES):
                repeat(table, {"version_id": k * versions}, f"version_id <= {versions}")
    conn.close()


def refreshed(path: Path) -> None:
    """Bring the derived tables up to date, so a reparse's refresh does only what the reparse changed."""
    db = open_archive(path)
    refresh_derived(db)
    db.close()


def compare(title: str, archive: Archive, rounds: int, worker_counts: list[int | None], output: Path,
            ) -> tuple[list[str], dict[str, Timing], dict[str, Timing]]:
    """Time both ways, print, verify; the problems found and the timings (end to end, in process)."""
    print(f"\n{title}: {archive.versions} versions, {len(archive.documents)} documents to parse "
          f"({sum(len(c) for _, c in archive.documents) / 1e6:.1f} MB); median of {rounds} round(s); "
          f"{conditions()} at start")
    copies: list[Path] = []
    pooled = output.with_suffix(".pool.jsonl")
    sides = {"parse": archive.parse_command(output), "pool": archive.parse_command(pooled, default_workers())}
    sides.update({f"reparse {w}": archive.reparse_command(w, copies) for w in worker_counts})
    ends = alternate(rounds, sides)
    here = {"parse": archive.parse_here()}
    here.update({f"reparse {w}": archive.reparse_here(w if w is not None else default_workers(), copies)
                 for w in worker_counts})
    inside = alternate(rounds, here)
    print(f"(a) end to end, as an operator runs it (load average now {os.getloadavg()[0]:.1f}):")
    print(ends["parse"].line("anchor: nianbao parse --json (one process)", f"{len(archive.documents)} documents"))
    print(ends["pool"].line(f"floor: the same, --workers {default_workers()} (no archive)",
                            f"{len(archive.documents)} documents", ends["parse"]))
    for w in worker_counts:
        name = f"nianbao reparse --workers {w if w is not None else f'(default: {default_workers()})'}"
        print(ends[f"reparse {w}"].line(name, f"{archive.versions} versions", ends["parse"]))
    print("(b) in this process, no interpreter start-up:")
    print(inside["parse"].line("anchor: parse_bytes over the documents", f"{len(archive.documents)} documents"))
    for w in worker_counts:
        count = w if w is not None else default_workers()
        print(inside[f"reparse {w}"].line(f"reparse_archive, pool of {count} + refresh", f"{archive.versions} versions",
                                          inside["parse"]))
    print(f"load average at the end of this part: {os.getloadavg()[0]:.1f}")
    problems = archive.verify(copies, output)
    if pooled.read_bytes() != output.read_bytes():
        problems.append(f"{title}: nianbao parse --workers printed other lines than the one-process parse")
    return problems, ends, inside


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--rounds", type=int, default=5, help="rounds on the demo archive (median kept)")
    options.add_argument("--copies", type=int, default=20, help="the larger archive repeats the demo's reports")
    options.add_argument("--large-rounds", type=int, default=1, help="rounds on the larger archive (0: skip it)")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        subprocess.run([*NIANBAO, "demo", "--db", str(folder / "demo.db"), "--no-serve"], check=True,
                       capture_output=True)
        demo = folder / "demo.working.db"  # the archive crawls and reparse write
        refreshed(demo)
        print(f"conditions: {conditions()}; {default_workers()} parse workers by default; CPU counts every "
              f"process a command starts")
        problems, ends, inside = compare("demo archive (nianbao demo --no-serve)", Archive(demo, folder / "demo-raw"),
                                         args.rounds, [None], folder / "demo-parsed.jsonl")
        if args.large_rounds:
            large = folder / "large.db"
            enlarge(demo, large, args.copies)
            refreshed(large)
            problems += compare(f"larger archive (the demo's reports x{args.copies})",
                                Archive(large, folder / "large-raw"), args.large_rounds, [1, 2],
                                folder / "large-parsed.jsonl")[0]
    for how, timings in (("end to end (the lead's check)", ends), ("in process", inside)):
        ratio = timings["reparse None"].wall / timings["parse"].wall
        print(f"demo archive, {how}: reparse {ratio:.2f}x the one-process parse: "
              f"{'goal met' if ratio <= GOAL else 'goal NOT met'} (<= {GOAL})")
    floor = ends["pool"].wall / ends["parse"].wall
    print(f"the floor on this machine: parsing alone in the worker pool is {floor:.2f}x the one-process parse; "
          f"the archive's reads, writes and refresh add {ends['reparse None'].wall / ends['pool'].wall - 1:+.0%} to it")
    conclude(problems, "every reparse restored the altered figure, logged exactly that change and nothing else; "
                       "every version's figures equal the anchor's parse of its main document")


if __name__ == "__main__":
    main()
