"""Time passing, for benches and tests of revisits: an archive's visits and the HTTP cache's entries moved back.

A crawl decides what to ask for again by the times the archive recorded (crawler/revisit.py) and
by when robots.txt was cached (crawler/cache.py); moving those back is the same as the visits
having happened that long ago.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

# (table, columns) holding the times of visits
VISIT_TIMES = (("fetches", ("fetched_at",)), ("report_versions", ("fetched_at",)),
               ("reports", ("first_seen", "last_seen")), ("crawl_runs", ("started_at", "ended_at")))


def age_archive(db_path: Path | str, days: float) -> None:
    """Make every visit recorded in the archive ``days`` older."""
    with sqlite3.connect(db_path) as conn:
        for table, columns in VISIT_TIMES:
            shifts = ", ".join(f"{c} = strftime('%Y-%m-%dT%H:%M:%SZ', {c}, '-{days} days')" for c in columns)
            conn.execute(f"update {table} set {shifts}")


def age_cache(cache_dir: Path, hours: float, suffix: str = "") -> int:
    """Make the HTTP cache's entries (those whose URL ends with ``suffix``) ``hours`` older; how many.

    Scrapy's filesystem cache keeps the time an answer was stored in each entry's ``pickled_meta``."""
    aged = 0
    for meta_path in cache_dir.rglob("pickled_meta"):
        meta = pickle.loads(meta_path.read_bytes())
        if meta["url"].endswith(suffix):
            meta["timestamp"] -= hours * 3600
            meta_path.write_bytes(pickle.dumps(meta, protocol=4))
            aged += 1
    return aged
