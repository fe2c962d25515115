"""``nianbao serve`` and ``nianbao reparse``."""

from __future__ import annotations

import click


@click.command()
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Publish the archive with Datasette (read-only, immutable, downloadable)."""
    raise click.ClickException("not implemented yet")


@click.command()
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
def reparse(db_path: str) -> None:
    """Rebuild figures and checks from the stored raw documents after a parser upgrade."""
    raise click.ClickException("not implemented yet")
