"""``nianbao demo``: the whole flow on the bundled sample portals."""

from __future__ import annotations

import click


@click.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--no-serve", is_flag=True, help="Stop after building the database.")
def demo(db_path: str, no_serve: bool) -> None:
    """Start the mirror, crawl every sample portal, build the database, then serve it."""
    raise click.ClickException("not implemented yet")
