"""``nianbao publish``, ``nianbao serve`` and ``nianbao reparse``.

Each command imports what it needs when it runs: ``nianbao reparse`` starts its parse workers before it
loads the archive's modules (sqlite-utils, ~0.2 s), so the workers load the parsers meanwhile.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path

import click


@click.command("publish", short_help="Snapshot the working archive for the site (atomic swap).")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False),
              help="The working archive that crawls and reparse write.")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False),
              help="The file `nianbao serve` serves; replaced whole, never written in place.")
def publish_command(db_path: str, target: str) -> None:
    """Refresh derived tables, copy the working archive as one consistent snapshot, check it and swap it in.

    The running site picks the new file up at its next query: no restart, and no request ever reads a
    half-written file."""
    from nianbao.archive.publish import publish

    started = time.monotonic()
    try:
        path = publish(db_path, target)
    except (OSError, ValueError, sqlite3.Error) as e:
        raise click.ClickException(f"not published: {e}") from e
    click.echo(f"published {db_path} -> {path} ({path.stat().st_size:,} bytes, {time.monotonic() - started:.1f} s)")


@click.command(short_help="Serve the published archive with Datasette.")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Serve a published archive with Datasette (read-only, immutable, downloadable); each new
    `nianbao publish` to the same path is served from the next request on."""
    from nianbao.archive.db import open_archive
    from nianbao.archive.publish import is_working_archive, refresh_derived

    if not Path(db_path).is_file():
        raise click.ClickException(f"no archive database at {db_path} (run `nianbao crawl` or `nianbao demo` first)")
    if is_working_archive(db_path):  # nobody may be writing it: it is read as immutable
        click.echo(f"warning: {db_path} is a working archive; while a crawl or reparse writes it, pages fail. "
                   f"Serve a snapshot: nianbao publish --db {db_path} --to site/nianbao.db", err=True)
        db = open_archive(db_path)
        refresh_derived(db)
        db.close()
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    run_site(db_path, host, port)


def run_site(db_path: str | Path, host: str, port: int) -> None:
    """Serve ``db_path`` with uvicorn until interrupted, SQLite's memory capped for this process."""
    import asyncio

    import uvicorn  # the server's modules only for this command

    from nianbao.archive.publish import make_datasette
    from nianbao.site.limits import cap_sqlite_heap

    cap_sqlite_heap()
    ds = make_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


def without_numpy() -> None:
    """Have this process run without numpy: sqlite-utils imports it, when installed (with nianbao[ocr]), only
    to map numpy column types the archive never writes, and it is 0.15 s of a short reparse's start-up.
    Only for a process that parses nothing itself (OCR, which needs numpy, runs in the parse workers)."""
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # None: "import numpy" raises ImportError


@click.command(short_help="Rebuild figures and checks after a parser upgrade.")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Parser processes (default: one per core; 0 parses in this process).")
@click.option("--ocr", "ocr_only", is_flag=True,
              help="Only the versions flagged needs_ocr (scans), read by OCR: after installing nianbao[ocr].")
def reparse(db_path: str, workers: int | None, ocr_only: bool) -> None:
    """Rebuild figures and checks from the stored raw documents after a parser upgrade."""
    from nianbao.parsers.ocr import MISSING as OCR_MISSING
    from nianbao.parsers.ocr import available as ocr_available
    from nianbao.parsers.pool import ParsePool

    if not Path(db_path).is_file():
        raise click.ClickException(f"no archive database at {db_path}")
    if ocr_only and not ocr_available():
        raise click.ClickException(OCR_MISSING)
    with ParsePool(workers) as pool:  # the workers load the parsers while this process loads the archive
        if pool.workers:
            without_numpy()
        from nianbao.archive.db import open_archive
        from nianbao.archive.publish import prepare_refresh, refresh_derived
        from nianbao.archive.reparse import reparse_archive

        db = open_archive(db_path)
        loading = threading.Thread(target=prepare_refresh, name="prepare-refresh")
        loading.start()  # while the workers parse
        versions = db["report_versions"].count_where("needs_ocr = 1" if ocr_only else None)
        with click.progressbar(length=versions, label="reparsing", file=sys.stderr) as bar:
            summary = reparse_archive(db, pool, progress=lambda done, total: bar.update(done - bar.pos),
                                      needs_ocr_only=ocr_only)
    loading.join()
    refresh_derived(db)
    db.close()
    click.echo(
        f"{summary.versions} versions reparsed, {summary.changed} changed, "
        f"{summary.failed} without a known template"
    )
