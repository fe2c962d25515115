"""``nianbao demo``: the whole flow on the bundled sample portals.

Starts the mirror of the four sample portals on a free loopback port, crawls
snapshot 1 and then snapshot 2 (one report edited, one removed) through it
as an HTTP proxy into a working archive, so the archive has history on its
first run, publishes it, then serves the published file with Datasette, as
a deployment does (docs/operators.md).  Each crawl runs in its own process
because Scrapy's reactor starts once per process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from nianbao.archive.cli import run_site
from nianbao.archive.db import open_archive
from nianbao.archive.publish import publish
from nianbao.crawler.mirror.server import start_mirror
from nianbao.crawler.run import MIRROR_SETTINGS

SNAPSHOTS = {1: "the sample portals as first published", 2: "a later visit: one report edited, one removed"}


@click.command(short_help="The whole flow on the bundled sample portals, then serve.")
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--no-serve", is_flag=True, help="Stop after building the database.")
@click.option("--port", default=8001, show_default=True, help="Port for Datasette on 127.0.0.1.")
def demo(db_path: str, no_serve: bool, port: int) -> None:
    """Start the mirror, crawl every sample portal (two snapshots), build the database, then serve it."""
    path = Path(db_path)
    working = working_archive(path)
    mirror = start_mirror(0, 1)
    click.echo(f"Sample portal mirror on {mirror.proxy_url} (answers for the real portal host names)")
    try:
        for number, what in SNAPSHOTS.items():
            mirror.set_snapshot(number)
            click.echo(f"\n== Crawl {number}/{len(SNAPSHOTS)}: snapshot {number}, {what}")
            _crawl(working, mirror.proxy_url)
    finally:
        mirror.stop()
    publish(working, path)
    db = open_archive(working)
    summarise(db)
    db.close()
    click.echo(f"  crawled into {working}, published as {path}")
    if no_serve:
        click.echo(f"\nBuilt {path}. Serve it with: nianbao serve --db {path}")
        return
    base = f"http://127.0.0.1:{port}"
    click.echo(f"\nServing {path} at {base}/  (Ctrl-C stops)")
    click.echo(f"  recent changes: {base}/changes   search: {base}/-/search?q=复议   download: {base}/{path.stem}.db")
    run_site(path, "127.0.0.1", port)


def working_archive(published: Path) -> Path:
    """Where the demo's crawls write: ``demo.db`` is published from ``demo.working.db``."""
    return published.with_name(f"{published.stem}.working{published.suffix}")


def _crawl(db_path: Path, proxy: str) -> None:
    """``nianbao crawl`` in a child process, its progress shown as it goes."""
    overrides = [arg for name, value in MIRROR_SETTINGS.items() for arg in ("-s", f"{name}={value}")]
    command = [sys.executable, "-m", "nianbao.cli", "crawl", "--db", str(db_path), "--proxy", proxy, "--progress",
               "-s", "LOG_LEVEL=WARNING", *overrides]
    status = subprocess.run(command).returncode
    if status not in (0, 1):  # 1: some portal failed, which the run records; anything else is fatal
        raise click.ClickException(f"crawl failed with exit status {status}")


def summarise(db) -> None:
    """What the archive now holds, in a few lines."""
    rows = db.execute(
        "select portal_id, count(*), sum(status = 'removed') from reports group by portal_id order by portal_id"
    ).fetchall()
    click.echo("\n== Archive")
    for portal_id, count, removed in rows:
        click.echo(f"  {portal_id:13} {count:3} reports" + (f" ({removed} removed)" if removed else ""))
    versions = db.execute("select count(*) from report_versions").fetchone()[0]
    failing = db.execute(
        "select count(distinct version_id) from checks where not ok"
    ).fetchone()[0]
    click.echo(f"  {versions} versions; {failing} versions with failing consistency checks")
