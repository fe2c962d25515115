"""A search's matching versions, computed once per worker connection instead of once per SQL statement.

A Datasette table page with ``?_search=`` runs its filter in every statement: the count, the rows and
each facet (current_reports: 9 statements).  Written as ``version_id in (<search>)``, SQLite runs the
search and builds a temporary index of its result in every one of them (~60 ms each for a term in
every report of 100,000).  Instead, the page's filter reads a temporary table holding the result,
``temp.nianbao_hits_<key>`` (``version_id integer primary key``), which SQLite probes by rowid.

Temporary tables belong to one connection and Datasette runs a page's statements on whichever of its
worker threads is free, so :class:`HitSets` keeps the recent searches (their SQL) and
:meth:`HitSets.sync` gives a connection the tables of those it lacks (and drops the others) before it
runs anything.  Each search is computed at most once per worker connection; a search repeated (the
next page, a facet clicked) reuses it.  The published file never changes under a connection (a new
file gets a new connection), so a table never goes stale.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from typing import Any

from datasette.utils import sqlite_timelimit

PREFIX = "nianbao_hits_"
KEEP = 6  # recent searches kept per connection: ~1 MB each for a term found in 100,000 versions


class HitSets:
    """The recent searches' SQL, shared by the worker threads; each connection holds their results."""

    def __init__(self, time_limit_ms: int) -> None:
        self.time_limit_ms = time_limit_ms
        self._recent: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def table(self, sql: str, params: dict[str, Any]) -> str:
        """The temporary table that will hold what ``sql`` selects (one column of version ids); the search
        becomes the most recent one."""
        key = hashlib.blake2b(json.dumps([sql, params], sort_keys=True).encode(), digest_size=8).hexdigest()
        with self._lock:
            self._recent[key] = (sql, params)
            self._recent.move_to_end(key)
            while len(self._recent) > KEEP:
                self._recent.popitem(last=False)
        return PREFIX + key

    def sync(self, conn: sqlite3.Connection) -> None:
        """Create on ``conn`` the tables of the recent searches it lacks and drop those no longer recent."""
        with self._lock:
            recent = dict(self._recent)
        held = {name for (name,) in conn.execute(
            "select name from temp.sqlite_master where type = 'table' and name like ?", [PREFIX + "%"]
        )}
        for name in held - {PREFIX + key for key in recent}:
            conn.execute(f"drop table temp.{name}")
        for key, (sql, params) in recent.items():
            if PREFIX + key not in held:
                self._fill(conn, PREFIX + key, sql, params)

    def _fill(self, conn: sqlite3.Connection, name: str, sql: str, params: dict[str, Any]) -> None:
        conn.execute("pragma temp_store = memory")
        conn.execute(f"create temp table {name} (version_id integer primary key)")
        try:
            with sqlite_timelimit(conn, self.time_limit_ms):
                conn.execute(f"insert or ignore into temp.{name} {sql}", params)
            conn.commit()
        except BaseException:  # the time limit: no half-filled table
            conn.rollback()
            conn.execute(f"drop table temp.{name}")
            raise
