"""Publish the archive with Datasette: one function builds the instance for ``serve``, tests and the demo.

The database is served immutable, which is what lets Datasette offer the
whole file as a download (``/<name>.db``).  An immutable database is read
without its write-ahead log, so the log is checkpointed into the file first.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from datasette.app import Datasette

SETTINGS = {
    "sql_time_limit_ms": 5000,
    "max_returned_rows": 5000,
    "allow_download": True,
    "facet_time_limit_ms": 1000,
    # Suggesting facets tries every column of the page's table (up to 150 queries; ~3 s of a
    # current_reports page at 100,000 reports); metadata.yml names the facets worth having.
    "suggest_facets": False,
}


def make_datasette(db_path: str | Path) -> Datasette:
    """A Datasette over ``db_path``; the site (plugins, templates, metadata) comes by entry point."""
    from datasette.app import Datasette  # imported here: refresh_derived (crawl, reparse) needs no web server

    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no archive database at {db_path}")
    checkpoint(db_path)
    return Datasette(immutables=[str(db_path)], settings=SETTINGS)


def refresh_derived(db: sqlite_utils.Database) -> None:
    """Bring what is derived from the versions up to date (search indexes, wide figures table); run before publishing."""
    from nianbao.archive.search import sync_search_index  # the site's modules; imported here so ingest never needs them
    from nianbao.archive.wide import rebuild_wide

    sync_search_index(db)
    rebuild_wide(db)  # does nothing when the figures have not changed


def checkpoint(db_path: Path) -> None:
    """Move everything in the write-ahead log into the database file."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
