"""Run a crawl from Python: the same as ``scrapy crawl portal`` with nianbao's run-time settings.

Scrapy's Twisted reactor can be started only once per process: call :func:`run_crawl` once per
process (``nianbao crawl`` does), or use :func:`run_crawl_subprocess` to crawl repeatedly from one
process (tests, ``nianbao demo`` crawling two snapshots).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH
from nianbao.crawler.spiders.portal import PortalSpider

# For crawling the bundled mirror on loopback: its sample registry, no politeness delays against ourselves,
# and every report revisited on every crawl (its snapshots are minutes apart, not months).
MIRROR_SETTINGS = {"NIANBAO_REGISTRY": str(SAMPLE_REGISTRY_PATH), "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                   "RETRY_TIMES": 0, "TELNETCONSOLE_ENABLED": False, "NIANBAO_REVISIT_MAX_DAYS": 0}


def crawl_settings(
    db_path: str | None = None,
    proxy: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    settings = get_project_settings()
    if settings.get("BOT_NAME") != "nianbao":  # run outside the project folder: no scrapy.cfg found
        settings.setmodule("nianbao.crawler.settings", priority="project")
    settings.set("NIANBAO_DB", db_path, priority="cmdline")
    settings.set("NIANBAO_PROXY", proxy, priority="cmdline")
    settings.update(dict(overrides or {}), priority="cmdline")
    return settings


def run_crawl(
    db_path: str | None = None,
    portal_ids: Sequence[str] = (),
    proxy: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl the portals (all when none are named) into the archive at ``db_path``; returns Scrapy's stats."""
    process = CrawlerProcess(crawl_settings(db_path, proxy, overrides))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=",".join(portal_ids) or None)
    process.start()
    return crawler.stats.get_stats()


def run_crawl_subprocess(
    db_path: str | None = None,
    portal_ids: Sequence[str] = (),
    proxy: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """:func:`run_crawl` in a fresh Python process (a new reactor each time); raises if the crawl fails."""
    arguments = json.dumps({"db_path": db_path, "portal_ids": list(portal_ids), "proxy": proxy,
                            "overrides": dict(overrides or {})})
    return subprocess.run(
        [sys.executable, "-m", "nianbao.crawler.run", arguments], check=True, capture_output=True, text=True, timeout=timeout
    )


if __name__ == "__main__":
    stats = run_crawl(**json.loads(sys.argv[1]))
    stats["process_cpu_seconds"] = time.process_time()  # this process's threads, not its parse workers
    print(json.dumps(stats, default=str, ensure_ascii=False))
