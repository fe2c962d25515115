"""The archive file as the site serves it: immutable, yet replaced whole by ``nianbao publish``.

Publish writes a new file and renames it over the old one, so the path names a new file while the old
one stays intact for whoever still has it open.  Datasette opens an immutable file once per worker
thread and keeps it; this Database looks at what the path names before each query and reopens it when
that is a new file.  Every query reads one complete snapshot, the old or the new, never a file being
written, and a publish is served from the next query on, without a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datasette.database import Database

from nianbao.site.hits import HitSets

FileIdentity = tuple[int, int, int, int]

_held = threading.local()  # per worker thread: database name -> (file identity, connection)


def file_identity(path: str | Path) -> FileIdentity:
    """What tells one file at ``path`` from the next: device, inode, size and modification time."""
    return file_identity_of(os.stat(path))


def file_identity_of(stat: os.stat_result) -> FileIdentity:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


class PublishedDatabase(Database):
    """An immutable Datasette database that follows atomic replacements of its file."""

    def __init__(self, ds: Any, path: str | Path) -> None:
        super().__init__(ds, path=str(path), is_mutable=False)
        self.identity = file_identity(path)
        self.hits = HitSets(ds.setting("sql_time_limit_ms"))

    @property
    def hash(self) -> str:
        """Stands for the file's SHA-256 (the download's ETag), which Datasette would compute by reading it all."""
        return hashlib.sha256(repr(self.identity).encode()).hexdigest()

    def follow(self) -> FileIdentity:
        """The identity of the file the path names now; a new file drops what was cached about the old one."""
        identity = file_identity(self.path)
        if identity != self.identity:
            self.identity = identity
            self.cached_size = self._cached_table_counts = None
        return identity

    async def execute_fn(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        if self.ds.executor is None:  # Datasette without threads (num_sql_threads 0) keeps one connection
            return await super().execute_fn(lambda conn: self._run(fn, conn, self.identity))

        def in_thread() -> Any:
            identity = self.follow()
            held = getattr(_held, self.name, None)
            if held is None or held[0] != identity:
                if held is not None:
                    self._close(held[1])
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                held = (identity, conn)
                setattr(_held, self.name, held)
            return self._run(fn, held[1], identity)

        return await asyncio.get_running_loop().run_in_executor(self.ds.executor, in_thread)

    def search_filter(self, conn: sqlite3.Connection, sql: str, params: dict[str, Any], column: str, rows: int) -> str:
        """A WHERE clause for the versions ``sql`` selects, read from a table computed once (see HitSets.filter);
        call it with the connection ``execute_fn`` handed over."""
        held = getattr(_held, self.name, None)
        identity = held[0] if held is not None and held[1] is conn else self.identity
        return self.hits.filter(conn, sql, params, column, rows, identity)

    def _run(self, fn: Callable[[sqlite3.Connection], Any], conn: sqlite3.Connection, identity: FileIdentity) -> Any:
        self.hits.sync(conn, identity)  # the recent searches' results (in this file), which a statement may read
        return fn(conn)

    def _close(self, conn: sqlite3.Connection) -> None:
        conn.close()
        if conn in self._all_file_connections:
            self._all_file_connections.remove(conn)
