"""``nianbao worker``, ``nianbao cluster-crawl`` and ``nianbao cluster-demo`` (need ``nianbao[cluster]``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click


def _needs_cluster_extra() -> None:
    try:
        import dramatiq  # noqa: F401
    except ImportError:
        raise click.ClickException("the cluster needs Dramatiq and Redis: pip install 'nianbao[cluster]'") from None


@click.command(short_help="Take crawl and parse jobs from the cluster's queues (a node).")
@click.option("--redis", "redis_url", required=True, envvar="NIANBAO_REDIS", help="redis://host:port/0")
@click.option("--home", default="nianbao-node", show_default=True, type=click.Path(file_okay=False),
              help="This node's own folder (archive snapshots, jobs in progress).")
@click.option("--queues", default="crawl,parse", show_default=True, help="Which kinds of job to take.")
@click.option("--threads", default=2, show_default=True, help="Jobs at once.")
def worker(redis_url: str, home: str, queues: str, threads: int) -> None:
    """Run crawl jobs (one portal each) and parse jobs until stopped (SIGTERM or Ctrl-C)."""
    _needs_cluster_extra()
    import dramatiq

    from nianbao.cluster.queue import broker, keep_alive
    from nianbao.cluster.tasks import declare

    redis_broker = broker(redis_url)
    declare(redis_broker, redis_url, Path(home).resolve())
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    keep_alive(redis_broker, stop)
    # worker_timeout: an idle queue is polled every 100 ms (Dramatiq's default, 1 s, is felt per document)
    consumer = dramatiq.Worker(redis_broker, queues=set(queues.split(",")), worker_threads=threads, worker_timeout=100)
    consumer.start()
    click.echo(f"worker {os.getpid()} on {redis_url}: queues {queues}, home {home}", err=True)
    stop.wait()
    consumer.stop()


@click.command("cluster-crawl", short_help="Crawl on the cluster's nodes into one archive (the writer).")
@click.option("--redis", "redis_url", required=True, envvar="NIANBAO_REDIS")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--registry", type=click.Path(exists=True, dir_okay=False), envvar="NIANBAO_REGISTRY")
@click.option("--portal", "portal_ids", multiple=True, help="Only these portal ids (repeatable); default all.")
@click.option("--proxy", help="HTTP proxy the nodes use for every request.")
def cluster_crawl(redis_url: str, db_path: str, registry: str | None, portal_ids: tuple[str, ...],
                  proxy: str | None) -> None:
    """Send one crawl job per portal to the workers and write what they find into the archive at --db."""
    _needs_cluster_extra()
    from nianbao.cluster.writer import ArchiveWriter
    from nianbao.crawler.registry import select_portals

    writer = ArchiveWriter(Path(db_path), redis_url)
    try:
        run_id = writer.crawl(select_portals(portal_ids, registry), proxy, {"NIANBAO_REGISTRY": registry} if registry
                              else {}, click.echo)
    finally:
        writer.close()
    click.echo(f"run {run_id} -> {db_path}")


@click.command("cluster-demo", short_help="The demo on a real Redis and N worker processes.")
@click.option("--workers", default=2, show_default=True, help="Worker processes, each a node of its own.")
@click.option("--db", "db_path", default="demo-cluster.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--kill-one", is_flag=True, help="SIGKILL one worker in the middle of a crawl job.")
def cluster_demo(workers: int, db_path: str, kill_one: bool) -> None:
    """Crawl the sample portals (two snapshots) through a real redis-server and N workers on loopback;
    the archive is the one ``nianbao demo`` builds."""
    _needs_cluster_extra()
    from nianbao.archive.db import open_archive
    from nianbao.archive.publish import publish
    from nianbao.cluster.queue import PREFIX, client
    from nianbao.cluster.redis_server import RedisServer
    from nianbao.cluster.writer import ArchiveWriter
    from nianbao.crawler.mirror.server import start_mirror
    from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, select_portals
    from nianbao.crawler.run import MIRROR_SETTINGS
    from nianbao.demo import SNAPSHOTS, summarise, working_archive

    path = Path(db_path)
    working = working_archive(path)
    with tempfile.TemporaryDirectory(prefix="nianbao-cluster-") as scratch:
        server = RedisServer(Path(scratch) / "redis")
        mirror = start_mirror(0, 1)
        nodes = [_start_worker(server.url, Path(scratch) / f"node-{i}") for i in range(workers)]
        click.echo(f"Redis on {server.url}; {workers} workers (pids {', '.join(str(n.pid) for n in nodes)}); "
                   f"sample portal mirror on {mirror.proxy_url}")
        writer = ArchiveWriter(working, server.url)
        try:
            for number, what in SNAPSHOTS.items():
                mirror.set_snapshot(number)
                click.echo(f"\n== Crawl {number}/{len(SNAPSHOTS)}: snapshot {number}, {what}")
                if kill_one and number == 1:
                    _kill_one_when_busy(client(server.url), PREFIX)
                writer.crawl(select_portals((), SAMPLE_REGISTRY_PATH), mirror.proxy_url, MIRROR_SETTINGS, click.echo)
        finally:
            writer.close()
            for node in nodes:
                node.terminate()
            for node in nodes:
                node.wait(30)
            mirror.stop()
            server.stop()
    publish(working, path)
    db = open_archive(working)
    summarise(db)
    db.close()
    click.echo(f"  written into {working} by the archive writer, published as {path}")
    click.echo(f"\nBuilt {path}. Serve it with: nianbao serve --db {path}")


def _start_worker(redis_url: str, home: Path) -> subprocess.Popen[bytes]:
    """A worker as its own node: own process group, own folder, own log."""
    home.mkdir(parents=True)
    log = (home / "worker.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", "worker", "--redis", redis_url, "--home", str(home)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _kill_one_when_busy(store, prefix: str) -> None:
    """In the background: as soon as a worker is running a crawl job, SIGKILL it and its crawl."""
    def watch() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for key in store.keys(prefix + "running:*"):
                pid = int(store.get(key) or 0)
                if pid:
                    time.sleep(0.5)  # mid-crawl, not at its first request
                    os.killpg(pid, signal.SIGKILL)
                    click.echo(f"  killed worker {pid} (SIGKILL) in the middle of its crawl job")
                    return
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
