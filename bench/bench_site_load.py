"""Load on the served site: 1,000 concurrent requests on the home, search and report pages over loopback.

Builds the test suite's site archive (the seed reports through the real parser, a real PDF, edits and a
removal) plus synthetic reports, publishes it, and serves it with ``nianbao serve`` (uvicorn in a child
process, as deployed).  For each kind of page it opens ``-c`` connections at once, one request each, and
reports errors (must be 0), latency p50/p95/p99, throughput and the server's CPU seconds and memory
(VmRSS now, VmHWM peak).  Anchor, measured in the same run: ``/robots.txt``, the same server stack with no
query.  Then report pages again with the ETag of the first answer, as a reverse proxy revalidates: 304s.
With ``--nginx`` the report pages go once more through nginx on loopback with ``deploy/nginx/nianbao.conf``.
Every answer is checked: status, and a page that ends with ``</html>`` (or the search's result count).

    python -m bench.bench_site_load                     # 1,000 at once, 2,000 extra reports
    python -m bench.bench_site_load -c 200 -n 200       # a quick check
    python -m bench.bench_site_load --nginx             # also through nginx (Debian package nginx)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench.bench_search import insert_reports, synthetic_reports
from bench.served import free_port, served
from nianbao.archive.db import open_archive
from nianbao.archive.publish import publish

REPO = Path(__file__).resolve().parents[1]
NGINX_CONF = REPO / "deploy" / "nginx" / "nianbao.conf"
SEARCHES = ["复议", "公开", "疫情 复议", "行政诉讼", "依申请公开"]


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes
    headers: dict[str, str]


async def get(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    """One HTTP/1.1 GET on its own connection (as 1,000 separate visitors would)."""
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode())
        await writer.drain()
        response = await reader.read()
        writer.close()
    except OSError as e:
        return Answer(0, time.perf_counter() - started, repr(e).encode(), {})
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if fields.get("transfer-encoding", fields.get("Transfer-Encoding")) == "chunked":
        body = _dechunk(body)
    return Answer(status, time.perf_counter() - started, body, {k.lower(): v for k, v in fields.items()})


def _dechunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def process_figures(pid: int) -> dict[str, float]:
    """CPU seconds so far and memory of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text()
    memory = {key: int(re.search(rf"^{key}:\s+(\d+)", status, re.M)[1]) / 1024 for key in ("VmRSS", "VmHWM")}
    return {"cpu": (int(fields[11]) + int(fields[12])) / ticks, **memory}


def run_round(port: int, pid: int, paths: list[str], ok: Callable[[Answer], bool],
              headers: Callable[[str], dict[str, str]] | None = None) -> dict:
    """All ``paths`` requested at once; latency figures, errors, and the server's CPU and memory."""
    before = process_figures(pid)

    async def all_at_once() -> tuple[list[Answer], float]:
        started = time.perf_counter()
        answers = await asyncio.gather(*(get(port, p, headers(p) if headers else None) for p in paths))
        return list(answers), time.perf_counter() - started

    answers, wall = asyncio.run(all_at_once())
    after = process_figures(pid)
    seconds = sorted(a.seconds for a in answers)
    errors = [a for a in answers if not ok(a)]
    return {
        "requests": len(answers),
        "errors": len(errors),
        "error_sample": [(a.status, a.body[:120]) for a in errors[:3]],
        "p50": statistics.quantiles(seconds, n=100)[49],
        "p95": statistics.quantiles(seconds, n=100)[94],
        "p99": statistics.quantiles(seconds, n=100)[98],
        "wall": wall,
        "per_second": len(answers) / wall,
        "server_cpu": after["cpu"] - before["cpu"],
        "rss_mb": after["VmRSS"],
        "peak_mb": after["VmHWM"],
    }


def build(folder: Path, extra_reports: int) -> Path:
    """The site tests' archive plus ``extra_reports`` synthetic ones, published; returns the published file."""
    sys.path.insert(0, str(REPO / "tests"))
    from site_archive import build_site_archive

    working = build_site_archive(folder / "working.db")
    db = open_archive(working)
    insert_reports(db, synthetic_reports(extra_reports, seed=23), "synthetic")
    db.conn.close()
    return publish(working, folder / "site" / "nianbao.db")


def html_page(answer: Answer) -> bool:
    return answer.status == 200 and answer.body.rstrip().endswith(b"</html>")


def nginx_in_front(upstream: int, folder: Path):
    """nginx with deploy/nginx/nianbao.conf on a free loopback port, proxying to ``upstream``."""
    conf = NGINX_CONF.read_text(encoding="utf-8")
    conf = conf.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};")
    conf = conf.replace("/var/cache/nginx/nianbao", str(folder / "cache"))
    port = free_port()
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", conf)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the private temporary folder
    main = (f"{user}worker_processes 1; daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log warn;\n"
            "events { worker_connections 4096; }\n"
            f"http {{ access_log off; client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
            f"{conf}\n}}\n")
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    process = subprocess.Popen([shutil.which("nginx") or "nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stderr=subprocess.PIPE)
    time.sleep(1)
    if process.poll() is not None:
        raise RuntimeError(process.stderr.read().decode())
    return port, process


def report(name: str, figures: dict, anchor: dict | None) -> None:
    ratio = f"  p50 ×{figures['p50'] / anchor['p50']:.1f} robots.txt" if anchor else ""
    print(f"{name:28} {figures['requests']:5} req  errors {figures['errors']}  p50 {figures['p50'] * 1000:7.0f} ms  "
          f"p95 {figures['p95'] * 1000:7.0f} ms  p99 {figures['p99'] * 1000:7.0f} ms  {figures['per_second']:6.0f}/s  "
          f"server CPU {figures['server_cpu']:5.1f} s / wall {figures['wall']:5.1f} s  RSS {figures['rss_mb']:4.0f} MB "
          f"(peak {figures['peak_mb']:4.0f}){ratio}")
    for sample in figures["error_sample"]:
        print("    error:", sample)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--concurrency", type=int, default=1000, help="requests at once per kind of page")
    parser.add_argument("-n", "--reports", type=int, default=2000, help="synthetic reports added to the archive")
    parser.add_argument("--nginx", action="store_true", help="also through nginx with deploy/nginx/nianbao.conf")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # a socket per request here and in the server
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.concurrency + 256)), hard))
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        folder = Path(tmp)
        site = build(folder, args.reports)
        print(f"archive: {site.stat().st_size / 2**20:.0f} MB, {args.reports + 137} reports; "
              f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        with served(site) as (base, server):
            port, pid = int(base.rsplit(":", 1)[1]), server.pid
            ids = [rng.choice([1, 2, 3, 4, 5, 6]) if rng.random() < 0.5 else rng.randint(7, args.reports + 130)
                   for _ in range(args.concurrency)]
            reports = [f"/report/{i}" for i in ids]
            rounds = {
                "anchor: /robots.txt": run_round(port, pid, ["/robots.txt"] * args.concurrency,
                                                 lambda a: a.status == 200 and b"User-agent" in a.body),
                "home /": run_round(port, pid, ["/"] * args.concurrency, html_page),
                "search /-/search?q=": run_round(
                    port, pid, [f"/-/search?q={quote(rng.choice(SEARCHES))}" for _ in range(args.concurrency)],
                    lambda a: html_page(a) and "份报告包含".encode() in a.body),
                "report /report/<id>": run_round(port, pid, reports, html_page),
            }
            etag = asyncio.run(get(port, "/report/1")).headers["etag"]
            rounds["report, If-None-Match: 304"] = run_round(
                port, pid, reports, lambda a: a.status == 304, lambda _: {"If-None-Match": etag})
            if args.nginx:
                nginx_port, nginx = nginx_in_front(port, folder)
                try:
                    run_round(nginx_port, pid, sorted(set(reports)), html_page)  # fill the cache once
                    rounds["report via nginx (cached)"] = run_round(nginx_port, pid, reports, html_page)
                finally:
                    nginx.terminate()
                    nginx.wait(10)
        anchor = rounds["anchor: /robots.txt"]
        print(f"{args.concurrency} requests at once per row, each on its own connection (asyncio client, same machine)")
        for name, figures in rounds.items():
            report(name, figures, None if figures is anchor else anchor)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        failed = sum(figures["errors"] for figures in rounds.values())
        print("OK: no errors" if not failed else f"FAILED: {failed} errors")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
