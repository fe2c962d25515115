"""The site never serves a half-written archive: crawls and reparse write the working archive, ``nianbao
publish`` swaps a checked snapshot in whole, and ``nianbao serve`` follows the swaps without a restart.

The end-to-end test keeps requesting pages of a served site (uvicorn, as deployed) while a real crawl of
the mirror and a real reparse write the working archive and snapshots are published again and again;
every answer must be a 200."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.served import served
from nianbao.archive.publish import is_working_archive, publish

pytestmark = pytest.mark.slow

PAGES = ["/", "/report/1", "/report/1/history", "/-/search?q=%E5%A4%8D%E8%AE%AE", "/changes", "/changes.atom",
         "/nianbao/current_reports.json?_size=50", "/nianbao/figures?_size=100",
         "/nianbao.json?sql=select+count(*)+from+report_versions&_shape=array"]


class Visitor(threading.Thread):
    """Requests the pages in a loop until stopped; keeps every answer that was not a 200."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop, self.answers, self.failures = base, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            for path in PAGES:
                try:
                    with urllib.request.urlopen(self.base + path, timeout=30) as response:
                        response.read()
                except urllib.error.HTTPError as e:
                    self.failures.append((path, e.code, e.read()[:300]))
                except OSError as e:
                    self.failures.append((path, 0, repr(e)))
                self.answers += 1


def nianbao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=600)


def removed_reports(base: str) -> int:
    sql = urllib.parse.quote("select count(*) as n from reports where status = 'removed'")
    with urllib.request.urlopen(f"{base}/nianbao.json?sql={sql}&_shape=array", timeout=30) as response:
        return json.load(response)[0]["n"]


def test_pages_never_fail_during_crawl_reparse_and_publish(crawl_mirror, tmp_path: Path) -> None:
    working, site = tmp_path / "data" / "nianbao.db", tmp_path / "site" / "nianbao.db"
    crawl_mirror(working, snapshot=1)
    done = nianbao("publish", "--db", str(working), "--to", str(site))
    assert done.returncode == 0, done.stderr
    assert not is_working_archive(site) and is_working_archive(working)
    with served(site) as (base, _):
        assert removed_reports(base) == 0
        visitors = [Visitor(base) for _ in range(2)]
        for visitor in visitors:
            visitor.start()
        publishes, writing = 0, threading.Event()

        def keep_publishing() -> None:
            nonlocal publishes
            while writing.is_set():
                publish(working, site)
                publishes += 1

        writing.set()
        publisher = threading.Thread(target=keep_publishing)
        publisher.start()
        try:
            crawl_mirror(working, snapshot=2)  # one report edited, one removed
            done = nianbao("reparse", "--db", str(working))
            assert done.returncode == 0, done.stderr
        finally:
            writing.clear()
            publisher.join()
        assert nianbao("publish", "--db", str(working), "--to", str(site)).returncode == 0
        time.sleep(1)
        for visitor in visitors:
            visitor.stop.set()
            visitor.join(60)
        answered = sum(v.answers for v in visitors)
        failures = [f for v in visitors for f in v.failures]
        assert not failures, f"{len(failures)} of {answered} requests failed, e.g. {failures[:3]}"
        assert answered > 100 and publishes >= 3, (answered, publishes)
        assert removed_reports(base) == 1  # the last publish is served, without a restart


def test_publish_refuses_to_overwrite_the_working_archive(site_db: Path, tmp_path: Path) -> None:
    working = tmp_path / "nianbao.db"
    working.write_bytes(site_db.read_bytes())
    done = nianbao("publish", "--db", str(working), "--to", str(working))
    assert done.returncode != 0 and "another file" in done.stderr


def test_a_snapshot_is_one_checked_file_with_everything(site_db: Path, tmp_path: Path) -> None:
    working = tmp_path / "data" / "nianbao.db"
    working.parent.mkdir()
    working.write_bytes(site_db.read_bytes())
    site = publish(working, tmp_path / "site" / "nianbao.db")
    assert [p.name for p in site.parent.iterdir()] == ["nianbao.db"]  # no -wal, no temporary file left
    with sqlite3.connect(f"file:{site}?immutable=1", uri=True) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
        for table in ("reports", "report_versions", "documents", "figures", "search_grams"):
            same = sqlite3.connect(working).execute(f"select count(*) from {table}").fetchone()
            assert conn.execute(f"select count(*) from {table}").fetchone() == same, table


def test_plain_datasette_keeps_the_replaced_file_and_the_site_follows(site_db: Path, tmp_path: Path) -> None:
    """Why the site has its own database class: Datasette keeps each thread's immutable connection, so after
    an atomic replacement it goes on reading the old file (whole, but old) until restarted."""
    import asyncio

    from datasette.app import Datasette

    from nianbao.archive.publish import make_datasette

    count = "/nianbao.json?sql=select+count(*)+as+n+from+reports&_shape=array"

    def before_and_after_a_publish(folder: Path, make) -> list[int]:
        working = folder / "working.db"
        working.parent.mkdir()
        working.write_bytes(site_db.read_bytes())
        site = publish(working, folder / "site" / "nianbao.db")
        ds = make(site)

        async def counts() -> list[int]:
            await ds.invoke_startup()
            seen = [(await ds.client.get(count)).json()[0]["n"]]
            with sqlite3.connect(working) as conn:
                conn.execute("delete from reports where id > 100")
            publish(working, site)
            return [*seen, (await ds.client.get(count)).json()[0]["n"]]

        return asyncio.run(counts())

    def plain(site: Path) -> Datasette:
        return Datasette(immutables=[str(site)], settings={"num_sql_threads": 1})  # one thread: no luck involved

    before, after = before_and_after_a_publish(tmp_path / "plain", plain)
    assert before == after > 100  # the old file, still
    before, after = before_and_after_a_publish(tmp_path / "site", make_datasette)
    assert before > 100 == after  # the new one, at the next query
