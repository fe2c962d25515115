"""``nianbao crawl``, ``nianbao portals`` and ``nianbao mirror``."""

from __future__ import annotations

import click


@click.command()
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--portal", "portal_ids", multiple=True, help="Only these portal ids (repeatable); default all.")
def crawl(db_path: str, portal_ids: tuple[str, ...]) -> None:
    """Crawl the portals of crawler/portals.yml into the archive."""
    raise click.ClickException("not implemented yet")


@click.command()
def portals() -> None:
    """List the portals of the registry (crawler/portals.yml)."""
    raise click.ClickException("not implemented yet")


@click.command()
def mirror() -> None:
    """Serve the bundled sample portal mirror on 127.0.0.1 (as an HTTP proxy for the portal hosts)."""
    raise click.ClickException("not implemented yet")
