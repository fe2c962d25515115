"""The work a ``nianbao worker`` takes from the queues: crawl one portal, parse one document.

Both are Dramatiq actors on the Redis broker.  A message is acknowledged when its actor returns, so
a job whose worker died is handed to another worker (see ``queue``); both jobs may therefore run
twice, and both are idempotent: a crawl result is applied once per job id by the writer, a parse
result is the same for the same bytes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from nianbao.cluster.node import CRAWL_TIMEOUT_S, crawl_job
from nianbao.cluster.queue import PREFIX, client, get_blob
from nianbao.parsers.api import PARSER_VERSION
from nianbao.parsers.pool import ParsePool

PARSE_TIME_LIMIT_S = 30 * 60


def parsed_key(sha256: str) -> str:
    return f"{PREFIX}parsed:{PARSER_VERSION}:{sha256}"


def running_key(job_id: str) -> str:
    """Which worker process runs a crawl job now (for operators, and for cluster-demo --kill-one)."""
    return f"{PREFIX}running:{job_id}"


@dataclass
class Actors:
    crawl: dramatiq.Actor
    parse: dramatiq.Actor


def declare(broker: RedisBroker, redis_url: str, home: Path | None = None) -> Actors:
    """The actors on ``broker``; ``home`` is this node's folder (only workers that run them need one)."""
    store = client(redis_url)

    def crawl_portal(job: dict[str, Any]) -> None:
        if home is None:
            raise RuntimeError("this process sends crawl jobs; it does not run them")
        store.set(running_key(job["id"]), os.getpid(), ex=CRAWL_TIMEOUT_S)
        crawl_job(store, job, home)
        store.delete(running_key(job["id"]))

    def parse_document(sha256: str, path: str | None) -> None:
        result = _pool().submit(get_blob(store, sha256), path).result()
        store.set(parsed_key(sha256), json.dumps(result.to_json(), ensure_ascii=False))

    return Actors(
        crawl=dramatiq.Actor(crawl_portal, broker=broker, actor_name="crawl_portal", queue_name="crawl",
                             priority=0, options={"time_limit": CRAWL_TIMEOUT_S * 1000, "max_retries": 3}),
        parse=dramatiq.Actor(parse_document, broker=broker, actor_name="parse_document", queue_name="parse",
                             priority=0, options={"time_limit": PARSE_TIME_LIMIT_S * 1000, "max_retries": 3}),
    )


@cache
def _pool() -> ParsePool:
    """One parse process per worker: the same memory and time caps as on one machine."""
    return ParsePool(workers=1)
