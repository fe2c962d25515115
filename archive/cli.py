"""``nianbao serve`` and ``nianbao reparse``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from nianbao.archive.db import open_archive
from nianbao.archive.publish import refresh_derived


@click.command(short_help="Publish the archive with Datasette.")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Publish the archive with Datasette (read-only, immutable, downloadable)."""
    import uvicorn  # the server's modules only for this command

    from nianbao.archive.publish import make_datasette

    if not Path(db_path).is_file():
        raise click.ClickException(f"no archive database at {db_path} (run `nianbao crawl` or `nianbao demo` first)")
    db = open_archive(db_path)
    refresh_derived(db)
    db.close()
    ds = make_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


@click.command(short_help="Rebuild figures and checks after a parser upgrade.")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Parser processes (default: one per core; 0 parses in this process).")
def reparse(db_path: str, workers: int | None) -> None:
    """Rebuild figures and checks from the stored raw documents after a parser upgrade."""
    from nianbao.archive.reparse import reparse_archive  # the parsers' modules only for this command
    from nianbao.parsers.pool import ParsePool

    if not Path(db_path).is_file():
        raise click.ClickException(f"no archive database at {db_path}")
    db = open_archive(db_path)
    with ParsePool(workers) as pool, click.progressbar(length=db["report_versions"].count, label="reparsing",
                                                       file=sys.stderr) as bar:
        summary = reparse_archive(db, pool, progress=lambda done, total: bar.update(done - bar.pos))
    refresh_derived(db)
    db.close()
    click.echo(
        f"{summary.versions} versions reparsed, {summary.changed} changed, "
        f"{summary.failed} without a known template"
    )
