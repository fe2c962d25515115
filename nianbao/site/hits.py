"""A search's matching versions, computed once per worker connection instead of once per SQL statement.

A Datasette table page with ``?_search=`` runs its filter in every statement: the count, the rows and
each facet (current_reports: 9 statements).  Written as ``version_id in (<search>)``, SQLite runs the
search and builds a temporary index of its result in every one of them (~60 ms each for a term in
every report of 100,000).  Instead, the page's filter reads a temporary table holding the result,
``temp.nianbao_hits_<key>`` (``version_id integer primary key``), which SQLite probes by rowid.

When a search finds more than half of the versions, the table holds the versions it does *not* find
and the filter is ``not in``: probing a small table is cheaper than probing a large one, and a term in
every report leaves the table empty.

Temporary tables belong to one connection and Datasette runs a page's statements on whichever of its
worker threads is free, so :class:`HitSets` keeps the recent searches (their SQL) and
:meth:`HitSets.sync` gives a connection the tables of those it lacks (and drops the others) before it
runs anything.  A search is computed once; the other connections copy its result; a search repeated
(the next page, a facet clicked) reuses the tables.  The published file never changes under a connection (a new
file gets a new connection), so a table never goes stale.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from datasette.utils import sqlite_timelimit

PREFIX = "nianbao_hits_"
KEEP = 6  # recent searches kept per connection: under 1 MB each at 100,000 versions
DRIVE_BELOW = 20  # a set under 1/20 of the table is where the page's lookups should start


@dataclass
class HitSet:
    file: Any  # which file it was computed in (a publish replaces the file; a new connection reads the new one)
    sql: str  # selects the matching version ids
    params: dict[str, Any]
    complement: bool | None = None  # the table holds the versions not found; decided by the first fill
    size: int = 0  # rows in the table
    rows: str | None = None  # the table's ids as a JSON array, once one connection has computed them


class HitSets:
    """The recent searches' SQL, shared by the worker threads; each connection holds their results."""

    def __init__(self, time_limit_ms: int) -> None:
        self.time_limit_ms = time_limit_ms
        self._recent: OrderedDict[str, HitSet] = OrderedDict()
        self._lock = threading.Lock()

    def filter(self, conn: sqlite3.Connection, sql: str, params: dict[str, Any], column: str, rows: int,
               file: Any = None) -> str:
        """A WHERE clause keeping the rows whose ``column`` (a report_versions id) is in what ``sql`` selects,
        through a temporary table made on ``conn`` now and on other connections when they next run.

        ``rows``: how many rows the page's table has; ``file``: what tells the file ``conn`` reads from the
        next one (:func:`nianbao.site.database.file_identity`).  A large set is probed by rowid while SQLite walks
        the table in the order it likes (the unary ``+`` keeps it from looking up every hit through an
        index); a small one drives the lookups itself.
        """
        key = hashlib.blake2b(json.dumps([file, sql, params], sort_keys=True).encode(), digest_size=8).hexdigest()
        with self._lock:
            hit_set = self._recent.setdefault(key, HitSet(file, sql, params))
            self._recent.move_to_end(key)
            while len(self._recent) > KEEP:
                self._recent.popitem(last=False)
        self.sync(conn, file)
        table = f"select version_id from temp.{PREFIX}{key}"
        if hit_set.complement:
            return f"(+[{column}] is not null and +[{column}] not in ({table}))"
        plus = "+" if hit_set.size * DRIVE_BELOW > rows else ""
        return f"{plus}[{column}] in ({table})"

    def sync(self, conn: sqlite3.Connection, file: Any = None) -> None:
        """Create on ``conn`` (reading ``file``) the tables of the recent searches in that file it lacks, and
        drop the others."""
        with self._lock:
            recent = {key: hit_set for key, hit_set in self._recent.items() if hit_set.file == file}
        held = {name for (name,) in conn.execute(
            "select name from temp.sqlite_master where type = 'table' and name like ?", [PREFIX + "%"]
        )}
        for name in held - {PREFIX + key for key in recent}:
            conn.execute(f"drop table temp.{name}")
        for key, hit_set in recent.items():
            if PREFIX + key not in held:
                self._fill(conn, PREFIX + key, hit_set)

    def _fill(self, conn: sqlite3.Connection, name: str, hit_set: HitSet) -> None:
        """Compute the table on the first connection; copy what it found on the others (JSON, ~10 ms)."""
        conn.execute("pragma temp_store = memory")
        conn.execute(f"create temp table {name} (version_id integer primary key)")
        try:
            with sqlite_timelimit(conn, self.time_limit_ms):
                if hit_set.rows is not None:
                    conn.execute(f"insert into temp.{name} select value from json_each(?)", [hit_set.rows])
                else:
                    self._compute(conn, name, hit_set)
            conn.commit()
        except BaseException:  # the time limit: no half-filled table
            conn.rollback()
            for table in (name, f"{name}_not"):
                conn.execute(f"drop table if exists temp.{table}")
            raise

    def _compute(self, conn: sqlite3.Connection, name: str, hit_set: HitSet) -> None:
        conn.execute(f"insert or ignore into temp.{name} {hit_set.sql}", hit_set.params)
        found, versions = conn.execute(
            f"select (select count(*) from temp.{name}), (select count(*) from report_versions)"
        ).fetchone()
        if found * 2 > versions:
            conn.execute(f"create temp table {name}_not (version_id integer primary key)")
            conn.execute(f"insert into temp.{name}_not select id from report_versions "
                         f"where id not in (select version_id from temp.{name})")
            conn.execute(f"drop table temp.{name}")
            conn.execute(f"alter table temp.{name}_not rename to {name}")
        rows = conn.execute(f"select json_group_array(version_id) from temp.{name}").fetchone()[0]
        with self._lock:  # two connections may compute it at once: the same answer
            hit_set.size, hit_set.complement, hit_set.rows = min(found, versions - found), found * 2 > versions, rows
