"""Publish the archive: a consistent snapshot of the working archive, swapped in whole, served by Datasette.

Crawls and reparses write the *working* archive (WAL, several writers).  The site never reads it:
:func:`publish` copies it with ``VACUUM INTO`` (one read transaction, so a consistent snapshot even
while a crawl writes), checks the copy, and renames it over the served file (``os.replace`` in the
same folder, after fsync), so a reader sees the old file or the new one, never half of either.

The snapshot is served immutable, which is what lets Datasette offer the whole file as a download
(``/<name>.db``); ``nianbao.site.database`` makes the running site follow each swap.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from datasette.app import Datasette

from nianbao.archive.db import open_archive

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

    from nianbao.site.database import PublishedDatabase

    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no archive database at {db_path}")
    if is_working_archive(db_path):  # read without its write-ahead log: move the log into the file first
        checkpoint(db_path)
    ds = Datasette(immutables=[str(db_path)], settings=SETTINGS)
    ds.remove_database(db_path.stem)  # the same file, as a database that follows publish's swaps
    ds.add_database(PublishedDatabase(ds, db_path), name=db_path.stem)
    return ds


def publish(working: str | Path, target: str | Path) -> Path:
    """Snapshot the working archive, bring the snapshot's derived tables up to date, check it and swap it in
    at ``target``.  The working archive is only read: crawls writing it meanwhile are neither blocked nor seen
    half-way."""
    working, target = Path(working), Path(target)
    if not working.is_file():
        raise FileNotFoundError(f"no archive database at {working}")
    if target.exists() and target.resolve() == working.resolve():
        raise ValueError("publish to another file than the working archive: crawls keep writing that one")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".publishing", dir=target.parent)
    os.close(fd)
    snapshot = Path(name)
    try:
        _snapshot(working, snapshot)
        os.replace(snapshot, target)
    except BaseException:
        for leftover in (snapshot, *(Path(f"{snapshot}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
        raise
    _fsync(target.parent)  # the rename itself survives a power cut
    return target


def _snapshot(working: Path, snapshot: Path) -> None:
    """Copy ``working`` into the empty file ``snapshot`` in one read transaction, refresh the copy's derived
    tables (nobody else writes it), make it one self-contained file, check it and flush it to disk."""
    source = sqlite3.connect(working)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        source.execute("VACUUM INTO ?", [str(snapshot)])
    finally:
        source.close()
    copy = open_archive(snapshot)  # also adds what a newer schema has and an old archive lacks
    try:
        refresh_derived(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # no write-ahead log: served immutable, downloaded whole
        problems = [row[0] for row in copy.execute("PRAGMA quick_check").fetchall()]
    finally:
        copy.close()
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"the snapshot of {working} fails its check: {'; '.join(problems[:5])}")
    _fsync(snapshot)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_working_archive(path: str | Path) -> bool:
    """True for a file in WAL mode, as crawls leave the archive they write (a published snapshot is not)."""
    with open(path, "rb") as f:
        header = f.read(20)
    return len(header) == 20 and header[18] == 2


def _refresh_steps() -> list[Callable[[sqlite_utils.Database], object]]:
    """What :func:`refresh_derived` runs, in order: the site's modules, imported here so ingest never needs
    them (``rebuild_wide`` does nothing when the figures have not changed)."""
    from nianbao.archive.bodies import rebuild_bodies
    from nianbao.archive.search import sync_search_index
    from nianbao.archive.series import refresh_series
    from nianbao.archive.wide import rebuild_wide

    return [sync_search_index, rebuild_bodies, refresh_series, rebuild_wide]


def prepare_refresh() -> None:
    """Import what :func:`refresh_derived` runs and build the region names it looks bodies up in (~0.1 s:
    the templates, the region tree), e.g. in a thread while a reparse waits for its parse workers, so the
    refresh at its end starts at once."""
    _refresh_steps()
    from nianbao.archive.regions import mentioned

    mentioned("")  # builds the cached index of every region's names


def refresh_derived(db: sqlite_utils.Database) -> None:
    """Bring what is derived from the versions up to date (search indexes, bodies, wide figures table); run
    before publishing."""
    for step in _refresh_steps():
        step(db)


def checkpoint(db_path: Path) -> None:
    """Move everything in the write-ahead log into the database file."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
